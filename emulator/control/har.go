package control

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/journal"
)

// The HAR 1.2 log (http://www.softwareishard.com/blog/har-12-spec/), as
// browsers, Microcks and Mockoon import recorded requests.
type (
	harLog struct {
		Log harBody `json:"log"`
	}
	harBody struct {
		Version string     `json:"version"`
		Creator harCreator `json:"creator"`
		Entries []harEntry `json:"entries"`
	}
	harCreator struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	harEntry struct {
		Started  string      `json:"startedDateTime"`
		Time     float64     `json:"time"`
		Request  harRequest  `json:"request"`
		Response harResponse `json:"response"`
		Cache    struct{}    `json:"cache"`
		Timings  harTimings  `json:"timings"`
		Comment  string      `json:"comment,omitempty"`
	}
	harRequest struct {
		Method      string     `json:"method"`
		URL         string     `json:"url"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []struct{} `json:"cookies"`
		Headers     []harPair  `json:"headers"`
		QueryString []harPair  `json:"queryString"`
		PostData    *harPost   `json:"postData,omitempty"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int        `json:"bodySize"`
	}
	harResponse struct {
		Status      int        `json:"status"`
		StatusText  string     `json:"statusText"`
		HTTPVersion string     `json:"httpVersion"`
		Cookies     []struct{} `json:"cookies"`
		Headers     []harPair  `json:"headers"`
		Content     harContent `json:"content"`
		RedirectURL string     `json:"redirectURL"`
		HeadersSize int        `json:"headersSize"`
		BodySize    int        `json:"bodySize"`
	}
	harPair struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	harPost struct {
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
	}
	harContent struct {
		Size     int    `json:"size"`
		MimeType string `json:"mimeType"`
		Text     string `json:"text"`
	}
	harTimings struct {
		Send    float64 `json:"send"`
		Wait    float64 `json:"wait"`
		Receive float64 `json:"receive"`
	}
)

// WriteHAR writes entries as a HAR 1.2 log, in journal order. A body the
// journal cut is as long as the journal kept it, and the entry's comment
// says so; the journal keeps no timings, so each is 0.
func WriteHAR(w io.Writer, entries []journal.Entry) error {
	out := harLog{Log: harBody{Version: "1.2", Creator: harCreator{Name: "offboard", Version: buildVersion()}, Entries: []harEntry{}}}
	for _, e := range entries {
		out.Log.Entries = append(out.Log.Entries, harOf(e))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func harOf(e journal.Entry) harEntry {
	he := harEntry{Started: e.Time.UTC().Format(time.RFC3339Nano)}
	he.Request = harRequest{Method: e.Method, URL: e.URL(), HTTPVersion: "HTTP/1.1",
		Cookies: []struct{}{}, Headers: pairs(e.Header), QueryString: queryPairs(e.Query), HeadersSize: -1, BodySize: len(e.Body)}
	if e.Body != "" {
		he.Request.PostData = &harPost{MimeType: e.Header.Get("Content-Type"), Text: e.Body}
	}
	r := e.Response
	he.Response = harResponse{Status: r.Status, StatusText: statusText(r.Status), HTTPVersion: "HTTP/1.1", Cookies: []struct{}{},
		Headers: pairs(r.Header), Content: harContent{Size: len(r.Body), MimeType: r.Header.Get("Content-Type"), Text: r.Body},
		HeadersSize: -1, BodySize: len(r.Body)}
	var notes []string
	if e.Truncated || r.Truncated {
		notes = append(notes, "a body is cut to what the journal keeps")
	}
	if e.Session != "" {
		notes = append(notes, "session "+e.Session)
	}
	he.Comment = strings.Join(append([]string{e.Vendor + " " + e.Operation + " (" + e.DecidedBy + ", " + e.Outcome + ")"}, notes...), "; ")
	return he
}

// buildVersion is offboard's module version, "(devel)" in a build from a
// work tree.
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// pairs lists a header's fields in name order, one pair a value.
func pairs(h journal.Header) []harPair {
	out := []harPair{}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			out = append(out, harPair{Name: k, Value: v})
		}
	}
	return out
}

func queryPairs(q string) []harPair {
	out := []harPair{}
	vals, err := url.ParseQuery(q)
	if err != nil {
		return out // a query that does not parse is still in the URL
	}
	for _, k := range sortedKeys(vals) {
		for _, v := range vals[k] {
			out = append(out, harPair{Name: k, Value: v})
		}
	}
	return out
}

func sortedKeys(v url.Values) []string {
	out := make([]string, 0, len(v))
	for k := range v {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// statusText is a status's reason phrase; 0 is a dropped connection.
func statusText(code int) string {
	if code == 0 {
		return "connection dropped"
	}
	return http.StatusText(code)
}
