package securid_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
)

// FuzzSearchPaging: any page size and number answers 200 or the vendor's
// 400, never a 500 (issue 23: pageNumber 2^62 overflowed into a panic).
func FuzzSearchPaging(f *testing.F) {
	for _, seed := range []string{`{"pageSize":2,"pageNumber":4611686018427387904}`, `{"pageSize":1000,"pageNumber":9223372036854775807}`,
		`{"pageSize":1,"pageNumber":1}`, `{"pageSize":0}`, `{"pageSize":1001}`, `{"pageNumber":-1}`, `{"pageNumber":1e30}`,
		`{"searchText":"a","pageSize":3}`, `{}`, `[]`} {
		f.Add(seed)
	}
	em, err := emulator.New(emulator.WithScenario("default"), emulator.WithClock(func() time.Time { return now }))
	if err != nil {
		f.Fatal(err)
	}
	auth := bearer(f)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, users+"search", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s: %d %s (%s)", body, rec.Code, rec.Body, rec.Header().Get(emulator.HeaderDetail))
		}
		var page struct {
			Users []json.RawMessage `json:"users"`
		}
		if rec.Code == 200 && json.Unmarshal(rec.Body.Bytes(), &page) != nil {
			t.Fatalf("%s: not a page: %s", body, rec.Body)
		}
	})
}
