package arcgis_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const (
	seed = "000_b285fb01def7f910.txt"
	// The token of the seed's sample request.
	seedToken = "PuuxoDV8HzHD1GxXUDpgHDeItErtl9Wr6rbULdhXHVUnGsjZ2hI1j1cPmnDEN1UnUfDqrNr2AuviTe5OkBumXsPlwSCrKw_ZVM1vczv2ziRESyz2PEAAhfsf71EyKIEGe7wW1z7hN_aLIjTekcdUbs-xtUAMZjEKHDRxT85NlfWqQghOy6o5XE54P8nnmdhllY6IfdtqeRtOYfFLoCBGCmOFV8diNVk4CxW3MMnzelDAGuRpN-Bru-vcYTY-7Or9"
	deleteURL = "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace"
	formType  = "application/x-www-form-urlencoded"
)

func post(path, body string) emulatortest.Request {
	return emulatortest.Request{Method: "POST", Path: path, Body: body, Header: map[string]string{"Content-Type": formType}}
}

// TestSeedPayloads reproduces the seed's two documented payloads byte for
// byte from the seed's own request.
func TestSeedPayloads(t *testing.T) {
	emulatortest.SeedContains(t, seed, "testdata/seed-success.json")
	emulatortest.SeedContains(t, seed, "testdata/seed-running-containers.pjson")
	cases := []struct {
		name, scenario, body, golden string
	}{
		{"success, f=json", "default", "userName=gis_joe&f=json&token=" + seedToken, "testdata/seed-success.json"},
		{"the seed's own request (f=pjson)", "default", "userName=gis_joe&f=pjson&token=" + seedToken, "testdata/success.pjson"},
		{"running containers, f=pjson", "arcgis-running-containers", "userName=gis_joe&f=pjson&token=" + seedToken, "testdata/seed-running-containers.pjson"},
		{"running containers, f=json", "arcgis-running-containers", "userName=gis_joe&f=json&token=" + seedToken, "testdata/running-containers.json"},
		{"no token", "default", "userName=gis_joe&f=json", "testdata/token-required.json"},
		{"unknown token", "default", "userName=gis_joe&f=json&token=forged", "testdata/invalid-token.json"},
		{"expired token", "arcgis-expired-token", "userName=gis_joe&f=json&token=" + seedToken, "testdata/invalid-token.json"},
		{"not an administrator", "arcgis-not-admin", "userName=gis_joe&f=json&token=" + seedToken, "testdata/not-admin.json"},
		{"token checked before parameters", "default", "f=json", "testdata/token-required.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulator.WithScenario(c.scenario))
			got := srv.Do(t, post(deleteURL, c.body))
			if got.Status != 200 {
				t.Fatalf("ArcGIS answers errors with HTTP 200; got %d", got.Status)
			}
			if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			emulatortest.Golden(t, c.golden, got.Body)
		})
	}
}

func TestTokenSources(t *testing.T) {
	cases := []struct {
		name string
		req  emulatortest.Request
	}{
		{"form body", post(deleteURL, "userName=gis_joe&f=json&token="+seedToken)},
		{"query string", post(deleteURL+"?token="+seedToken+"&f=json", "userName=gis_joe")},
		{"X-Esri-Authorization", emulatortest.Request{Method: "POST", Path: deleteURL, Body: "userName=gis_joe&f=json",
			Header: map[string]string{"Content-Type": formType, "X-Esri-Authorization": "Bearer " + seedToken}}},
		{"standalone 11.4 URL family", post("/arcgis/admin/dataaccess/deleteUserWorkspace", "userName=gis_joe&f=json&token="+seedToken)},
		{"another web context", post("/notebooks/notebooks/admin/dataaccess/deleteUserWorkspace", "userName=gis_joe&f=json&token="+seedToken)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := emulatortest.New(t)
			got := srv.Do(t, c.req)
			if string(got.Body) != `{"status":"success"}` {
				t.Errorf("got %d %s", got.Status, got.Body)
			}
		})
	}
}

// TestTerminateThenDelete: a user's containers can be stopped, after which
// the delete succeeds, a second delete fails, and the listing shows it.
func TestTerminateThenDelete(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("arcgis-running-containers"))
	tok := "&f=json&token=" + seedToken
	steps := []struct {
		req  emulatortest.Request
		want string
	}{
		{emulatortest.Request{Method: "GET", Path: "/arcgis/notebooks/admin/system/containers?f=json&token=" + seedToken},
			`{"containers":[{"hostName":"localhost","containerId":"c-gis-joe-1","username":"gis_joe","type":"openNotebook"}]}`},
		{post(deleteURL, "userName=gis_joe"+tok),
			`{"error":{"code":500,"message":"Failed to delete user workspace. The user has actively running containers.","details":null}}`},
		{post("/arcgis/notebooks/admin/system/containers/c-gis-joe-1/terminateContainer", tok[1:]), `{"status":"success"}`},
		{post("/arcgis/notebooks/admin/system/containers/c-gis-joe-1/terminateContainer", tok[1:]),
			`{"error":{"code":404,"message":"Container 'c-gis-joe-1' does not exist.","details":null}}`},
		{emulatortest.Request{Method: "GET", Path: "/arcgis/notebooks/admin/dataaccess/listUserWorkspaces?f=json&token=" + seedToken},
			`{"Containers":[{"Name":"gis_jane"},{"Name":"gis_joe"}]}`},
		{post(deleteURL, "userName=gis_joe"+tok), `{"status":"success"}`},
		{post(deleteURL, "userName=gis_joe"+tok),
			`{"error":{"code":404,"message":"Failed to delete user workspace. The workspace for user 'gis_joe' does not exist.","details":null}}`},
		{emulatortest.Request{Method: "GET", Path: "/arcgis/notebooks/admin/dataaccess/listUserWorkspaces?f=json&token=" + seedToken},
			`{"Containers":[{"Name":"gis_jane"}]}`},
	}
	for i, s := range steps {
		got := srv.Do(t, s.req)
		if got.Status != 200 || string(got.Body) != s.want {
			t.Fatalf("step %d %s %s: got %d %s\nwant %s", i, s.req.Method, s.req.Path, got.Status, got.Body, s.want)
		}
	}
}

func TestHTMLIsTheDefault(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, post(deleteURL, "userName=gis_joe&token="+seedToken))
	if got.Header.Get("Content-Type") != "text/html;charset=utf-8" {
		t.Fatalf("content type %q", got.Header.Get("Content-Type"))
	}
	want := "<html lang=\"en\">\n<head>\n<title>Delete User Workspace (ArcGIS Notebook Server Administrator Directory)</title>\n</head>\n<body>\n" +
		"<h2>Delete User Workspace</h2>\n<pre>{\n  &#34;status&#34; : &#34;success&#34;\n}</pre>\n</body>\n</html>\n"
	if string(got.Body) != want {
		t.Errorf("html page:\n%s", got.Body)
	}
	got = srv.Do(t, post(deleteURL, "userName=gis_joe&token="+seedToken))
	if !strings.Contains(string(got.Body), "<b>Error: </b>Failed to delete user workspace.") || !strings.Contains(string(got.Body), "<b>Code: </b>404") {
		t.Errorf("html error page:\n%s", got.Body)
	}
}

func TestGenerateToken(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv := emulatortest.New(t, emulator.WithClock(clock))
	got := srv.Do(t, post("/portal/sharing/rest/generateToken", "username=siteadmin&password=siteadmin-password&client=referer&referer=x&expiration=5&f=json"))
	var tok struct {
		Token   string
		Expires int64
		SSL     bool
	}
	if err := json.Unmarshal(got.Body, &tok); err != nil || tok.Token == "" || !tok.SSL {
		t.Fatalf("generateToken: %s (%v)", got.Body, err)
	}
	if want := now.Add(5 * time.Minute).UnixMilli(); tok.Expires != want {
		t.Errorf("expires %d, want %d", tok.Expires, want)
	}
	got = srv.Do(t, post(deleteURL, "userName=gis_joe&f=json&token="+url.QueryEscape(tok.Token)))
	if string(got.Body) != `{"status":"success"}` {
		t.Errorf("delete with the generated token: %s", got.Body)
	}
	got = srv.Do(t, post("/arcgis/sharing/rest/generateToken", "username=siteadmin&password=wrong&f=json"))
	emulatortest.Golden(t, "testdata/bad-login.json", got.Body)

	// A user's token is refused by the admin API.
	got = srv.Do(t, post("/arcgis/sharing/rest/generateToken", "username=gis_ann&password=gis-ann-password&f=json"))
	if err := json.Unmarshal(got.Body, &tok); err != nil {
		t.Fatal(err)
	}
	got = srv.Do(t, post(deleteURL, "userName=gis_joe&f=json&token="+tok.Token))
	emulatortest.Golden(t, "testdata/not-admin.json", got.Body)
}

// TestBadInput: every odd request gets the ArcGIS envelope with HTTP 200
// and loses no state.
func TestBadInput(t *testing.T) {
	srv := emulatortest.New(t)
	tok := "&token=" + seedToken
	cases := []struct {
		name string
		req  emulatortest.Request
		code int
	}{
		{"missing userName", post(deleteURL, "f=json"+tok), 400},
		{"empty userName", post(deleteURL, "userName=&f=json"+tok), 400},
		{"unknown f", post(deleteURL, "userName=gis_joe&f=xml"+tok), 400},
		{"malformed form body", post(deleteURL, "userName=%zz&f=json"+tok), 400},
		{"wrong content type", emulatortest.Request{Method: "POST", Path: deleteURL + "?f=json" + tok, Body: `{"userName":"gis_joe"}`,
			Header: map[string]string{"Content-Type": "application/json"}}, 400},
		{"empty body", emulatortest.Request{Method: "POST", Path: deleteURL + "?f=json" + tok, Header: map[string]string{"Content-Type": formType}}, 400},
		{"wrong method", emulatortest.Request{Method: "GET", Path: deleteURL + "?f=json" + tok}, 405},
		{"unknown operation", post("/arcgis/notebooks/admin/dataaccess/dropEverything", "f=json"+tok), 404},
		{"10 MB body", post(deleteURL+"?f=json", "userName="+strings.Repeat("a", 10<<20)+tok), 413},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, c.req)
			var env struct {
				Error *struct {
					Code    int
					Message string
				}
			}
			if err := json.Unmarshal(got.Body, &env); err != nil || env.Error == nil {
				t.Fatalf("not the ArcGIS envelope (%v): %d %q", err, got.Status, got.Body)
			}
			if got.Status != 200 || env.Error.Code != c.code || env.Error.Message == "" {
				t.Errorf("got %d %s, want code %d", got.Status, got.Body, c.code)
			}
			if got.Header.Get(emulator.HeaderDetail) == "" {
				t.Errorf("no %s header", emulator.HeaderDetail)
			}
		})
	}
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/notebooks/admin/dataaccess/listUserWorkspaces?f=json" + tok})
	if string(got.Body) != `{"Containers":[{"Name":"gis_ann"},{"Name":"gis_joe"}]}` {
		t.Errorf("bad input changed state: %s", got.Body)
	}
}

const annToken = "arcgis-user-token" // gis_ann, role user, in default

// TestNonAdministratorsSeeWhatTheyOwn: the 11.4 List page answers the
// caller's own workspace, and the Containers and Container pages show a
// user who is not an administrator only their own containers (issue 10,
// deviations 5 and 6).
func TestNonAdministratorsSeeWhatTheyOwn(t *testing.T) {
	srv := emulatortest.New(t)
	cases := []struct{ name, path, want string }{
		{"ann lists workspaces: her own", "/arcgis/notebooks/admin/dataaccess/listUserWorkspaces?f=json&token=" + annToken,
			`{"Containers":[{"Name":"gis_ann"}]}`},
		{"the admin lists all", "/arcgis/admin/dataaccess/listUserWorkspaces?f=json&token=" + seedToken,
			`{"Containers":[{"Name":"gis_ann"},{"Name":"gis_joe"}]}`},
		{"ann lists containers: hers", "/arcgis/notebooks/admin/system/containers?f=json&token=" + annToken,
			`{"containers":[{"hostName":"localhost","containerId":"c-gis-ann-1","username":"gis_ann","type":"openNotebook"}]}`},
		{"ann reads her container", "/arcgis/notebooks/admin/system/containers/c-gis-ann-1?f=json&token=" + annToken,
			`{"hostName":"localhost","containerId":"c-gis-ann-1","username":"gis_ann","type":"openNotebook"}`},
		{"the admin reads it too", "/arcgis/notebooks/admin/system/containers/c-gis-ann-1?f=json&token=" + seedToken,
			`{"hostName":"localhost","containerId":"c-gis-ann-1","username":"gis_ann","type":"openNotebook"}`},
		{"an unknown container", "/arcgis/notebooks/admin/system/containers/nope?f=json&token=" + seedToken,
			`{"error":{"code":404,"message":"Container 'nope' does not exist.","details":null}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: "GET", Path: c.path})
			if got.Status != 200 || string(got.Body) != c.want {
				t.Errorf("got %d %s\nwant %s", got.Status, got.Body, c.want)
			}
		})
	}
	// Deleting stays the administrator's.
	got := srv.Do(t, post(deleteURL, "userName=gis_ann&f=json&token="+annToken))
	if !strings.Contains(string(got.Body), `"code":403`) {
		t.Errorf("ann deleting: %s", got.Body)
	}
}

// TestTransferThenDelete: the offboarding flow's ownership step; the
// transfer is refused while containers run, as the 11.4 page's Example 2.
func TestTransferThenDelete(t *testing.T) {
	srv := emulatortest.New(t)
	tok := "&f=json&token=" + seedToken
	transfer := "/arcgis/admin/dataaccess/transferUserWorkspace"
	steps := []struct {
		req  emulatortest.Request
		want string
	}{
		{post(transfer, "userName=gis_ann&targetUsername=gis_joe&targetFoldername=ann_files"+tok),
			`{"error":{"code":500,"message":"Failed to transfer user workspace. The user has actively running containers.","details":null}}`},
		{post(transfer, "userName=nobody&targetUsername=gis_joe"+tok),
			`{"error":{"code":404,"message":"Failed to transfer user workspace. The workspace for user 'nobody' does not exist.","details":null}}`},
		{post(transfer, "userName=gis_joe"+tok),
			`{"error":{"code":400,"message":"Unable to complete operation.","details":["Invalid or missing value for parameter 'targetUsername'."]}}`},
		{post("/arcgis/notebooks/admin/system/containers/c-gis-ann-1/terminateContainer", tok[1:]), `{"status":"success"}`},
		{post("/arcgis/notebooks/admin/dataaccess/transferUserWorkspace", "userName=gis_ann&transferUserName=gis_joe&transferFoldername=ann_files"+tok),
			`{"status":"success"}`},
		{post(deleteURL, "userName=gis_ann"+tok), `{"status":"success"}`},
		{post(transfer, "userName=gis_joe&targetUsername=gis_ann&targetFoldername=x"+tok),
			`{"error":{"code":404,"message":"Failed to transfer user workspace. The workspace for user 'gis_ann' does not exist.","details":null}}`},
	}
	for i, s := range steps {
		got := srv.Do(t, s.req)
		if got.Status != 200 || string(got.Body) != s.want {
			t.Fatalf("step %d %s: got %d %s\nwant %s", i, s.req.Path, got.Status, got.Body, s.want)
		}
	}
	state := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/state"})
	if !strings.Contains(string(state.Body), `"folders": [`) || !strings.Contains(string(state.Body), `"ann_files"`) {
		t.Errorf("the transfer left no folder in gis_joe's workspace: %s", state.Body)
	}
}

// TestAdminGenerateToken: the Notebook Server's own generateToken, at
// both roots, issues a token the admin API takes.
func TestAdminGenerateToken(t *testing.T) {
	srv := emulatortest.New(t)
	for _, p := range []string{"/arcgis/admin/generateToken", "/arcgis/notebooks/admin/generateToken"} {
		got := srv.Do(t, post(p, "username=siteadmin&password=siteadmin-password&client=requestip&f=json"))
		var tok struct{ Token string }
		if err := json.Unmarshal(got.Body, &tok); err != nil || tok.Token == "" {
			t.Fatalf("%s: %s", p, got.Body)
		}
		got = srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/admin/dataaccess/listUserWorkspaces?f=json&token=" + tok.Token})
		if !strings.Contains(string(got.Body), `"Containers"`) {
			t.Errorf("the new token: %s", got.Body)
		}
	}
}
