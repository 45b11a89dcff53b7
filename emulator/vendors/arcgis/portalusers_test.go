package arcgis_test

import (
	"encoding/json"
	"slices"
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
		{"first page of one", "?f=json&num=1&token=" + seedToken, 3, []string{"gis_ann"}, 2},
		{"second page", "?f=json&num=1&start=2&token=" + seedToken, 3, []string{"gis_joe"}, 3},
		{"last page", "?f=json&num=2&start=2&token=" + seedToken, 3, []string{"gis_joe", "siteadmin"}, -1},
		{"past the end", "?f=json&start=9&token=" + seedToken, 3, []string{}, -1},
		{"default page", "?f=json&token=" + seedToken, 3, []string{"gis_ann", "gis_joe", "siteadmin"}, -1},
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

// TestSearchUsers: the organization's search (administrators) and the
// community's (anyone signed in) find users by a word or a field, with
// wildcards, AND and OR, in the order asked, a page at a time.
func TestSearchUsers(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	cases := []struct {
		name, path, query string
		total             int
		users             []string
		next              int
	}{
		{"everyone", "portals/self/users/search", "q=&token=" + seedToken, 3, []string{"gis_ann", "gis_joe", "siteadmin"}, -1},
		{"a field with a wildcard", "portals/self/users/search", "q=username:gis_*&token=" + seedToken, 2, []string{"gis_ann", "gis_joe"}, -1},
		{"a word, in any case", "portals/self/users/search", "q=ANN&token=" + seedToken, 1, []string{"gis_ann"}, -1},
		{"AND", "portals/self/users/search", "q=username:gis_*+AND+email:joe@*&token=" + seedToken, 1, []string{"gis_joe"}, -1},
		{"OR", "portals/self/users/search", "q=username:siteadmin+OR+fullname:ann*&token=" + seedToken, 2, []string{"gis_ann", "siteadmin"}, -1},
		{"a role", "portals/self/users/search", "q=role:org_admin&token=" + seedToken, 1, []string{"siteadmin"}, -1},
		{"paged, descending", "portals/self/users/search", "q=*&num=2&sortOrder=desc&token=" + seedToken, 3, []string{"siteadmin", "gis_joe"}, 3},
		{"by full name", "portals/self/users/search", "q=*&sortField=fullname&token=" + seedToken, 3, []string{"gis_ann", "gis_joe", "siteadmin"}, -1},
		{"nobody", "portals/self/users/search", "q=zzz&token=" + seedToken, 0, []string{}, -1},
		{"the community, as a user", "community/users", "q=joe&token=arcgis-user-token", 1, []string{"gis_joe"}, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/" + c.path + "?f=json&" + c.query})
			var page struct {
				Total, NextStart int
				Results          []struct{ Username string }
			}
			if err := json.Unmarshal(got.Body, &page); err != nil {
				t.Fatalf("%v: %s", err, got.Body)
			}
			names := []string{}
			for _, u := range page.Results {
				names = append(names, u.Username)
			}
			if page.Total != c.total || page.NextStart != c.next || !slices.Equal(names, c.users) {
				t.Errorf("total %d next %d users %v; want %d %d %v", page.Total, page.NextStart, names, c.total, c.next, c.users)
			}
		})
	}
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/portals/self/users/search?f=json&q=*&token=arcgis-user-token"})
	emulatortest.Golden(t, "testdata/not-admin.json", got.Body)
}
