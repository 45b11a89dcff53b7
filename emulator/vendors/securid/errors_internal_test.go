package securid

import (
	"net/http"
	"testing"

	"github.com/offboard/offboard/emulator/kit"
)

func FuzzErrorBody(f *testing.F) {
	f.Add(404, "User not found.")
	f.Add(429, "Too many requests.")
	f.Add(-7, "<&>\"\u2028\xff")
	f.Fuzz(func(t *testing.T, status int, message string) {
		e := &apiError{status: status, message: message}
		want := kit.Compact(struct {
			Status  int    `json:"status"`
			Error   string `json:"error"`
			Message string `json:"message"`
		}{status, http.StatusText(status), message})
		if got := e.body(); string(got) != string(want) {
			t.Fatalf("body:\n%s\nwant:\n%s", got, want)
		}
	})
}
