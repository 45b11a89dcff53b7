package arcgis_test

import (
	"encoding/json"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestPortalUsersPages walks the organization's users a page at a time,
// as a client following nextStart does, and checks who may list them.
func TestPortalUsersPages(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	const path = "/arcgis/sharing/rest/portals/self/users"
	cases := []struct {
		name, query string
		total       int
		users       []string
		next        int
	}{
		{"first page of one", "?f=json&num=1&token=" + seedToken, 2, []string{"gis_ann"}, 2},
		{"second and last page", "?f=json&num=1&start=2&token=" + seedToken, 2, []string{"siteadmin"}, -1},
		{"past the end", "?f=json&start=9&token=" + seedToken, 2, []string{}, -1},
		{"default page", "?f=json&token=" + seedToken, 2, []string{"gis_ann", "siteadmin"}, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: "GET", Path: path + c.query})
			var page struct {
				Total, NextStart int
				Users            []struct{ Username string }
			}
			if err := json.Unmarshal(got.Body, &page); err != nil {
				t.Fatalf("%v: %s", err, got.Body)
			}
			names := []string{}
			for _, u := range page.Users {
				names = append(names, u.Username)
			}
			if page.Total != c.total || page.NextStart != c.next || len(names) != len(c.users) {
				t.Fatalf("total %d next %d users %v; want %d %d %v", page.Total, page.NextStart, names, c.total, c.next, c.users)
			}
			for i := range names {
				if names[i] != c.users[i] {
					t.Errorf("users %v, want %v", names, c.users)
				}
			}
		})
	}
	refused := []struct{ name, query, golden string }{
		{"a user's token", "?f=json&token=arcgis-user-token", "testdata/not-admin.json"},
		{"no token", "?f=json", "testdata/token-required.json"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: "GET", Path: path + c.query})
			emulatortest.Golden(t, c.golden, got.Body)
		})
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: path + "?f=json&num=101&token=" + seedToken}); got.Status == 200 && json.Valid(got.Body) && !containsError(got.Body) {
		t.Errorf("num=101 was accepted: %s", got.Body)
	}
}

func containsError(b []byte) bool {
	var v struct{ Error *json.RawMessage }
	return json.Unmarshal(b, &v) == nil && v.Error != nil
}
