package emulator_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// harFile is HAR 1.2 with every field the spec requires, read strictly:
// a field we write that HAR does not have, or one it requires that we
// leave out, fails the test.
type harFile struct {
	Log struct {
		Version string `json:"version"`
		Creator struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"creator"`
		Entries []struct {
			StartedDateTime string    `json:"startedDateTime"`
			Time            *float64  `json:"time"`
			Comment         string    `json:"comment"`
			Cache           *struct{} `json:"cache"`
			Timings         *struct {
				Send, Wait, Receive *float64
			} `json:"timings"`
			Request *struct {
				Method, URL, HTTPVersion string
				Cookies                  *[]struct{}
				Headers, QueryString     *[]struct{ Name, Value string }
				PostData                 *struct{ MimeType, Text string } `json:"postData"`
				HeadersSize, BodySize    *int
			} `json:"request"`
			Response *struct {
				Status                  int
				StatusText, HTTPVersion string
				Cookies                 *[]struct{}
				Headers                 *[]struct{ Name, Value string }
				Content                 *struct {
					Size     int
					MimeType string
					Text     string
				}
				RedirectURL           *string `json:"redirectURL"`
				HeadersSize, BodySize *int
			} `json:"response"`
		} `json:"entries"`
	} `json:"log"`
}

// TestJournalAsHAR: GET /__admin/requests?format=har is the journal, its
// filters applied, as a HAR 1.2 log a browser or Microcks imports.
func TestJournalAsHAR(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	admin := map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}
	srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", Header: admin})
	srv.Do(t, emulatortest.Request{Method: "POST", Path: "/v2/demo-project/demo-workspace/delete-users",
		Header: map[string]string{"Content-Type": "application/json", "X-Auth-Token": "demo-token"}, Body: `{"user_ids":["x"]}`})
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests?format=har&vendor=onedata"})
	if got.Status != 200 || !strings.Contains(got.Header.Get("Content-Disposition"), "offboard.har") {
		t.Fatalf("%d %v", got.Status, got.Header)
	}
	var har harFile
	dec := json.NewDecoder(bytes.NewReader(got.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&har); err != nil {
		t.Fatalf("not HAR 1.2 as written: %v\n%s", err, got.Body)
	}
	l := har.Log
	if l.Version != "1.2" || l.Creator.Name != "offboard" || l.Creator.Version == "" || len(l.Entries) != 1 {
		t.Fatalf("log: %+v", l)
	}
	e := l.Entries[0]
	if _, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err != nil || e.Time == nil || e.Cache == nil || e.Timings == nil ||
		e.Timings.Send == nil || e.Request == nil || e.Response == nil {
		t.Fatalf("entry lacks required fields: %s", got.Body)
	}
	rq, rs := e.Request, e.Response
	if rq.Method != "DELETE" || !strings.HasSuffix(rq.URL, "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1") ||
		!strings.HasPrefix(rq.URL, "http://") || rq.Cookies == nil || rq.Headers == nil || rq.QueryString == nil ||
		rq.HeadersSize == nil || rq.BodySize == nil {
		t.Errorf("request: %+v", rq)
	}
	if rs.Status != 204 || rs.StatusText != "No Content" || rs.Content == nil || rs.RedirectURL == nil || rs.Headers == nil {
		t.Errorf("response: %+v", rs)
	}
	if !strings.Contains(e.Comment, "onedata remove_user") {
		t.Errorf("comment %q", e.Comment)
	}
	bad := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests?format=xml"})
	if bad.Status != 400 {
		t.Errorf("format=xml: %d", bad.Status)
	}
}
