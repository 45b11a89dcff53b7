package onedata

import (
	"testing"

	"github.com/offboard/offboard/emulator/kit"
)

// FuzzErrorResponse: an error without details is written by hand; it must
// be what encoding/json makes of the same maps.
func FuzzErrorResponse(f *testing.F) {
	f.Add("notFound", "The resource could not be found.")
	f.Add("forbidden", "You are not authorized to perform this operation (insufficient privileges?).")
	f.Add("x<&>\"", "\u2028\xff\n")
	f.Fuzz(func(t *testing.T, id, description string) {
		e := &apiError{404, id, description, nil}
		want := kit.Compact(map[string]any{"error": map[string]any{"id": id, "description": description}})
		if got := e.response().Body; string(got) != string(want) {
			t.Fatalf("body:\n%s\nwant:\n%s", got, want)
		}
	})
}
