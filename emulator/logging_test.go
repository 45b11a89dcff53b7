package emulator_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInfoLogsEveryVendorError: at info, every answer that is an error by
// its vendor's semantics is logged once, the refusals in a 200 (Commvault's
// errorCode 2, Huawei's is_success false) as much as a 404; a success is
// not logged.
func TestInfoLogsEveryVendorError(t *testing.T) {
	var logs lockedBuffer
	srv := emulatortest.New(t, emulator.WithScenario("default", "huawei-rejected"),
		emulator.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	for _, c := range []struct {
		req  emulatortest.Request
		want string
	}{
		{emulatortest.Request{Method: "DELETE", Path: "/webconsole/api/User/999?newUserId=7&newUserGroupId=0", Header: map[string]string{"Authtoken": seedAuthtoken, "Accept": "application/json"}}, "errorCode 2"},
		{emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/00000000000000000000000000000000", Header: map[string]string{"Authorization": basicAdm}}, "notFound"},
		{emulatortest.Request{Method: "POST", Path: "/v2/demo-project/demo-workspace/delete-users", Header: map[string]string{"X-Auth-Token": "demo-token", "Content-Type": "application/json"},
			Body: `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`}, "is_success false"},
	} {
		before := strings.Count(logs.String(), "level=INFO")
		srv.Do(t, c.req)
		after := logs.String()
		if n := strings.Count(after, "level=INFO") - before; n != 1 || !strings.Contains(after, c.want) {
			t.Errorf("%s %s: %d info lines, want one naming %q:\n%s", c.req.Method, c.req.Path, n, c.want, after)
		}
	}
	before := strings.Count(logs.String(), "level=INFO")
	srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users", Header: map[string]string{"Authorization": basicAdm}})
	if n := strings.Count(logs.String(), "level=INFO") - before; n != 0 {
		t.Errorf("a success was logged at info:\n%s", logs.String())
	}
}
