package arcgis_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
	"github.com/offboard/offboard/emulator/vendors/arcgis"
)

// TestGeneratedTokensAreBounded: generateToken's expiration is at most two
// weeks (a huge one no longer overflows), and tokens never used again keep
// at most table.MaxIssued in the world, the expired ones first (issue 23).
func TestGeneratedTokensAreBounded(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	em, err := emulator.New(emulator.WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	generate := func(expiration string) (string, time.Time) {
		req := httptest.NewRequest("POST", "/arcgis/sharing/rest/generateToken",
			strings.NewReader("username=siteadmin&password=siteadmin-password&f=json&expiration="+expiration))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		em.ServeHTTP(rec, req)
		var tok struct {
			Token   string
			Expires int64
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || tok.Token == "" {
			t.Fatalf("generateToken: %d %s", rec.Code, rec.Body)
		}
		return tok.Token, time.UnixMilli(tok.Expires)
	}
	if _, exp := generate("9223372036854775807"); !exp.Equal(now.Add(14 * 24 * time.Hour)) {
		t.Errorf("a huge expiration expires %s, want two weeks on, %s", exp, now.Add(14*24*time.Hour))
	}
	first, _ := generate("1")
	for range table.MaxIssued + table.MaxIssued/2 {
		generate("60")
	}
	err = em.Inspect("", "arcgis", func(s kit.State) {
		st := s.(*arcgis.State)
		if n := st.Tokens.Len(); n > table.MaxIssued+10 {
			t.Errorf("%d tokens live", n)
		}
		if st.Tokens.Has(first) {
			t.Error("the soonest-expiring token outlived the bound")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
