package emulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
)

// fuzzServe sends one request built from fuzzed parts straight to the
// handler. Parts that no HTTP client could send are skipped.
func fuzzServe(t *testing.T, em *emulator.Emulator, method, target string, header map[string]string, body string) *httptest.ResponseRecorder {
	u, err := url.ParseRequestURI(target)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		t.Skip()
	}
	r := &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{}, Host: "example.com",
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	em.ServeHTTP(w, r)
	if d := w.Header().Get(emulator.HeaderDetail); strings.Contains(d, "panic") || strings.HasPrefix(d, "internal") {
		t.Fatalf("%s %s: %s", method, target, d)
	}
	if w.Code < 200 || w.Code > 599 {
		t.Fatalf("%s %s: status %d", method, target, w.Code)
	}
	return w
}

func newFuzzEmulator(f *testing.F) *emulator.Emulator {
	em, err := emulator.New(emulator.WithLogger(discardLogger()), emulator.WithJournalSize(0))
	if err != nil {
		f.Fatal(err)
	}
	return em
}

// jsonObject fails unless body is one JSON object holding every key.
func jsonObject(t *testing.T, body []byte, keys ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("not a JSON object (%v): %q", err, body)
	}
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Fatalf("no %q in %s", k, body)
		}
	}
	return m
}

func FuzzOnedata(f *testing.F) {
	em := newFuzzEmulator(f)
	f.Add("DELETE", "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", "Basic YWRtaW46cGFzc3dvcmQ=", "")
	f.Add("GET", "/api/v3/onezone/users", "Bearer onedata-admin-token", "")
	f.Add("DELETE", "/api/v3/onezone/users/%2e%2e%2fx", "Basic !!!", "{")
	f.Add("PATCH", "/api/v3/onezone/users/x?y=%ff", "Bearer", "\x00")
	f.Fuzz(func(t *testing.T, method, target, auth, body string) {
		w := fuzzServe(t, em, method, target, map[string]string{"Authorization": auth, "Content-Type": "application/json"}, body)
		if !strings.HasPrefix(target, "/api/v3/onezone/") || w.Code == 204 || w.Code == 200 {
			return
		}
		m := jsonObject(t, w.Body.Bytes(), "error")
		e, ok := m["error"].(map[string]any)
		if !ok || e["id"] == nil || e["description"] == nil {
			t.Fatalf("not Onezone's error shape: %s", w.Body)
		}
	})
}

func FuzzArcGIS(f *testing.F) {
	em := newFuzzEmulator(f)
	tok := "PuuxoDV8HzHD1GxXUDpgHDeItErtl9Wr6rbULdhXHVUnGsjZ2hI1j1cPmnDEN1UnUfDqrNr2AuviTe5OkBumXsPlwSCrKw_ZVM1vczv2ziRESyz2PEAAhfsf71EyKIEGe7wW1z7hN_aLIjTekcdUbs-xtUAMZjEKHDRxT85NlfWqQghOy6o5XE54P8nnmdhllY6IfdtqeRtOYfFLoCBGCmOFV8diNVk4CxW3MMnzelDAGuRpN-Bru-vcYTY-7Or9"
	f.Add("/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace", "userName=gis_joe&f=json&token="+tok)
	f.Add("/arcgis/admin/dataaccess/deleteUserWorkspace?f=pjson", "userName=%zz&token=x")
	f.Add("/arcgis/notebooks/admin/system/containers/c1/terminateContainer", "f=json&token="+tok)
	f.Add("/arcgis/sharing/rest/generateToken", "username=siteadmin&password=siteadmin-password&f=json")
	f.Fuzz(func(t *testing.T, target, body string) {
		w := fuzzServe(t, em, "POST", target, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body)
		if !strings.HasPrefix(target, "/arcgis/") {
			return
		}
		if ct := w.Header().Get("Content-Type"); strings.Contains(ct, "json") {
			m := jsonObject(t, w.Body.Bytes())
			mine := strings.HasPrefix(target, "/arcgis/admin/") || strings.HasPrefix(target, "/arcgis/notebooks/admin/") ||
				strings.HasPrefix(target, "/arcgis/sharing/rest/")
			if raw, present := m["error"]; present && mine {
				if e, ok := raw.(map[string]any); !ok || e["code"] == nil || e["message"] == nil {
					t.Fatalf("not ArcGIS's error envelope: %s", w.Body)
				}
			}
		} else if !bytes.Contains(w.Body.Bytes(), []byte("<html")) {
			t.Fatalf("neither JSON nor the HTML page: %q %s", ct, w.Body)
		}
	})
}

func FuzzHuawei(f *testing.F) {
	em := newFuzzEmulator(f)
	f.Add("/v2/demo-project/demo-workspace/delete-users", "demo-token", `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`)
	f.Add("/v2/demo-project/demo-workspace/delete-users", "", `{"user_ids":`)
	f.Add("/v2/demo-project/demo-workspace/users?limit=0", "demo-token", "")
	f.Add("/v2/%00/x/delete-users", "demo-token", `{"user_ids":[1]}`)
	f.Fuzz(func(t *testing.T, target, token, body string) {
		method := "POST"
		if strings.Contains(target, "/users") && !strings.Contains(target, "delete-users") {
			method = "GET"
		}
		w := fuzzServe(t, em, method, target, map[string]string{"X-Auth-Token": token, "Content-Type": "application/json"}, body)
		if !strings.HasPrefix(target, "/v2/") {
			return
		}
		if w.Code >= 400 {
			jsonObject(t, w.Body.Bytes(), "error_code", "error_msg")
		} else {
			jsonObject(t, w.Body.Bytes())
		}
	})
}

func FuzzCommvault(f *testing.F) {
	em := newFuzzEmulator(f)
	tok := "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8"
	f.Add("DELETE", "/webconsole/api/User/byName(userName='jsmith')?newUserId=byName(userName='kjones')&newUserGroupId=byName(userGroupName='')", tok, "application/xml", "")
	f.Add("DELETE", "/commandcenter/api/user/2?newUserGroupId=22&newUserId=0", tok, "application/json", "")
	f.Add("DELETE", "/SearchSvc/CVWebService.svc/User/byName(userName='o''b%27')?newUserId=7", tok, "", "")
	f.Add("POST", "/webconsole/api/Login", "", "application/json", `{"username":"admin","password":"YWRtaW4tcGFzc3dvcmQ="}`)
	f.Fuzz(func(t *testing.T, method, target, tok, accept, body string) {
		w := fuzzServe(t, em, method, target, map[string]string{"Authtoken": tok, "Accept": accept, "Content-Type": "application/json"}, body)
		lower := strings.ToLower(target)
		if !strings.HasPrefix(lower, "/webconsole/api/") && !strings.HasPrefix(lower, "/commandcenter/api/") && !strings.HasPrefix(lower, "/searchsvc/cvwebservice.svc/") {
			return
		}
		switch ct := w.Header().Get("Content-Type"); {
		case strings.Contains(ct, "json"):
			jsonObject(t, w.Body.Bytes())
		case strings.Contains(ct, "xml"):
			doc := etree.NewDocument()
			if err := doc.ReadFromBytes(w.Body.Bytes()); err != nil || doc.Root() == nil {
				t.Fatalf("not XML (%v): %s", err, w.Body)
			}
		default:
			t.Fatalf("content type %q: %s", ct, w.Body)
		}
	})
}

func FuzzSecurID(f *testing.F) {
	em := newFuzzEmulator(f)
	_, bearer, err := em.Credential("securid")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("DELETE", "/AdminInterface/restapi/v1/users/eb2e12ae-1112-451b-98e1-dfe4e6afd60d", bearer, "")
	f.Add("PUT", "/AdminInterface/restapi/v1/users/5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4/userStatus", bearer, `{"userStatus":"Disabled"}`)
	f.Add("POST", "/AdminInterface/restapi/v1/users/lookup", bearer, `{"email":`)
	f.Add("DELETE", "/AdminInterface/restapi/v1/users/x", "Bearer eyJhbGciOiJub25lIn0.e30.", "")
	f.Fuzz(func(t *testing.T, method, target, auth, body string) {
		w := fuzzServe(t, em, method, target, map[string]string{"Authorization": auth, "Content-Type": "application/json"}, body)
		// Outside the vendor's root (/AdminInterface/restapi) the emulator
		// answers its own 404 listing the routes, on purpose.
		if !strings.HasPrefix(target, "/AdminInterface/restapi/") || (w.Code == 200 && w.Body.Len() == 0) {
			return
		}
		if w.Code >= 400 {
			jsonObject(t, w.Body.Bytes(), "status", "error", "message")
		}
	})
}

// FuzzScenario: any YAML either loads or fails with an error that names
// the file and a line; nothing panics.
func FuzzScenario(f *testing.F) {
	for _, name := range []string{"default", "arcgis-running-containers", "huawei-rejected", "securid-rate-limited", "people"} {
		src, err := scenarios.BuiltinSource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("onedata:\n  users:\n    u: {privileges: [nope]}\n"))
	f.Add([]byte("faults:\n  - {status: 99, probability: 2}\n"))
	f.Add([]byte("extends: default\ncommvault:\n  alerts:\n    a: {user: 1, group: 2}\n"))
	f.Add([]byte("extends: default\nsecurid: !replace\n  users: {}\nonedata:\n  users: !replace\n    u: {username: u}\n"))
	f.Add([]byte("extends: people\npeople:\n  zed: {arcgis: gis_nobody, huawei: a/b/c, commvault: \"12\"}\n  ann: {onedata: 0b000000000000000000000000000b0b}\n"))
	f.Add([]byte("people:\n  p: {securid: x}\nsecurid:\n  apiKeys: {k: {}}\n  users: {x: {}}\nhuawei:\n  accessKeys: {AK: {}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		em, err := emulator.New(emulator.WithScenarioYAML("fuzz.yaml", data), emulator.WithLogger(discardLogger()))
		if err == nil {
			// A world that loads has people the view can answer for.
			if _, err := em.People(""); err != nil {
				t.Fatalf("people of a world that loaded: %v", err)
			}
			return
		}
		var se *scenarios.Error
		if !errors.As(err, &se) && !strings.Contains(err.Error(), "fuzz.yaml") {
			t.Fatalf("an error without its file: %v", err)
		}
	})
}

// FuzzControlYAML: whatever YAML the control API is sent as a scenario or
// as faults, it answers in its own JSON shape (200, 201, 400 or 413) and
// quickly; costly documents are refused before decoding (issue 13).
func FuzzControlYAML(f *testing.F) {
	src, err := scenarios.BuiltinSource("default")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(src)
	f.Add([]byte("onedata-no-privilege"))
	f.Add([]byte("- {vendor: onedata, status: 500, times: 1}\n"))
	f.Add([]byte(`{"vendor":"securid","limit":2,"window":"1s"}`))
	f.Add([]byte("a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"))
	f.Add([]byte("onedata: {users: {u: {}, u: {}}}\n"))
	f.Add([]byte("x: &x {<<: *x}\n"))
	em := newFuzzEmulator(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, target := range []string{"/__admin/scenario", "/__admin/sessions/fuzz/scenario", "/__admin/faults?session=fuzz"} {
			method := http.MethodPut
			if strings.Contains(target, "faults") {
				method = http.MethodPost
			}
			w := fuzzServe(t, em, method, target, nil, string(data))
			switch w.Code {
			case http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			default:
				t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
			}
			jsonObject(t, w.Body.Bytes())
		}
	})
}
