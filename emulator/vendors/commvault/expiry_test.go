package commvault_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
	"github.com/offboard/offboard/emulator/vendors/commvault"
)

// clock is a settable clock for an emulator.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// send is one request to an in-process emulator.
func send(em *emulator.Emulator, method, path, token, body string) (int, string) {
	req := httptest.NewRequest(method, "/webconsole/api"+path, strings.NewReader(body))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authtoken", token)
	}
	rec := httptest.NewRecorder()
	em.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func loginToken(t *testing.T, em *emulator.Emulator) string {
	t.Helper()
	code, body := send(em, "POST", "/Login", "", `{"username":"admin","password":"`+base64.StdEncoding.EncodeToString([]byte("admin-password"))+`"}`)
	var got struct{ Token string }
	if code != 200 || json.Unmarshal([]byte(body), &got) != nil || got.Token == "" {
		t.Fatalf("login: %d %s", code, body)
	}
	return got.Token
}

// TestLoginTokensExpireWhenIdle: a token from Login lives 30 minutes
// without use, and each use starts the 30 minutes again, as Commvault's
// documentation says; renewal still trades it for a new one.
func TestLoginTokensExpireWhenIdle(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	em, err := emulator.New(emulator.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	tok := loginToken(t, em)
	for range 3 { // used every 20 minutes: alive an hour later
		c.Add(20 * time.Minute)
		if code, body := send(em, "GET", "/User", tok, ""); code != 200 {
			t.Fatalf("a token used 20 minutes ago: %d %s", code, body)
		}
	}
	c.Add(31 * time.Minute)
	if code, _ := send(em, "GET", "/User", tok, ""); code != 401 {
		t.Fatalf("a token idle for 31 minutes: %d, want 401", code)
	}
	code, body := send(em, "POST", "/RenewLoginToken", "", `{"sessionId":"`+tok+`","deviceId":"d"}`)
	if code != 200 || !strings.Contains(body, `"token":"QSDK `) {
		t.Errorf("renewing an expired token: %d %s", code, body)
	}
}

// TestLoginTokensAreBounded: logins never logged out keep at most
// table.MaxIssued tokens in the world, the scenario's own included still
// (issue 23: 100,000 cost 50-57 MB and made an export take 89 s).
func TestLoginTokensAreBounded(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	em, err := emulator.New(emulator.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	first := loginToken(t, em)
	for range table.MaxIssued + table.MaxIssued/2 {
		c.Add(time.Millisecond)
		loginToken(t, em)
	}
	err = em.Inspect("", "commvault", func(s kit.State) {
		st := s.(*commvault.State)
		if n := st.Tokens.Len(); n > table.MaxIssued+10 {
			t.Errorf("%d tokens live", n)
		}
		if st.Tokens.Has(first) {
			t.Error("the oldest login's token outlived the bound")
		}
		if !st.Tokens.Has("QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8") {
			t.Error("the scenario's own token was pruned")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := send(em, "GET", "/User", first, ""); code != http.StatusUnauthorized {
		t.Errorf("the pruned token: %d", code)
	}
}
