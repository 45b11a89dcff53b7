package arcgis

import (
	"testing"

	"github.com/offboard/offboard/emulator/kit"
)

// envelope is the error body as encoding/json renders it: what body()
// must give byte for byte.
type envelope struct {
	Error struct {
		Code    int      `json:"code"`
		Message string   `json:"message"`
		Details []string `json:"details"`
	} `json:"error"`
}

func FuzzErrorBody(f *testing.F) {
	f.Add(404, "Failed to delete user workspace. The workspace for user 'gis_joe' does not exist.", "", 0)
	f.Add(400, "Unable to complete operation.", "Invalid or missing value for parameter 'userName'.", 1)
	f.Add(499, "Token Required", "", 2)
	f.Add(-1, "<&> \"q\" \u2028\xff", "a\nb", 3)
	f.Fuzz(func(t *testing.T, code int, msg, detail string, shape int) {
		e := &apiError{code: code, message: msg}
		switch shape % 4 {
		case 1:
			e.details = []string{detail}
		case 2:
			e.details = []string{}
		case 3:
			e.details = []string{detail, msg}
		}
		var env envelope
		env.Error.Code, env.Error.Message, env.Error.Details = e.code, e.message, e.details
		if got, want := string(e.body()), string(kit.Compact(env)); got != want {
			t.Fatalf("body:\n%s\nwant:\n%s", got, want)
		}
	})
}
