package huawei_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/offboard/offboard/emulator"
)

// FuzzListUsersPaging: any limit and offset a client sends (past int64,
// negative, not numbers) answers 200 or the vendor's 400, never a 500, and
// a page past the members is empty (issue 23: offset 2^63-1 panicked).
func FuzzListUsersPaging(f *testing.F) {
	for _, seed := range [][2]string{{"10", "0"}, {"100", "9223372036854775807"}, {"1", "99999999999999999999"},
		{"0", "-1"}, {"x", "y"}, {"100", "1"}, {"101", "0"}, {"1", "9223372036854775806"}, {"", ""}} {
		f.Add(seed[0], seed[1])
	}
	em, err := emulator.New(emulator.WithScenario("default"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, limit, offset string) {
		q := url.Values{}
		if limit != "" {
			q.Set("limit", limit)
		}
		if offset != "" {
			q.Set("offset", offset)
		}
		req := httptest.NewRequest(http.MethodGet, base+"/users?"+q.Encode(), nil)
		req.Header.Set("X-Auth-Token", "demo-token")
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 400 {
			t.Fatalf("limit %q offset %q: %d %s (%s)", limit, offset, rec.Code, rec.Body, rec.Header().Get(emulator.HeaderDetail))
		}
		var page struct {
			Count int               `json:"count"`
			Data  []json.RawMessage `json:"data"`
		}
		if rec.Code == 200 && (json.Unmarshal(rec.Body.Bytes(), &page) != nil || len(page.Data) > page.Count) {
			t.Fatalf("limit %q offset %q: a page that does not add up: %s", limit, offset, rec.Body)
		}
	})
}
