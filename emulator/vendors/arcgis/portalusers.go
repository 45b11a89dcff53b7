package arcgis

import (
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// The portal's page bounds ("num ... The maximum value is 100").
const (
	defaultPageSize = 10
	maxPageSize     = 100
)

// userPage is the portal's paged list of users.
type userPage struct {
	Total     int          `json:"total"`
	Start     int          `json:"start"`
	Num       int          `json:"num"`
	NextStart int          `json:"nextStart"`
	Users     []portalUser `json:"users"`
}

// portalUsers answers a page of the organization's users, in user name
// order (Authenticate has let only an administrator through).
func (Vendor) portalUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	start, num := pageParam(r, "start", 1), min(pageParam(r, "num", defaultPageSize), maxPageSize)
	names := st.Logins.Keys() // in key order: the user names'
	page := userPage{Total: len(names), Start: start, Num: num, NextStart: -1, Users: []portalUser{}}
	from := min(start-1, len(names))
	to := min(from+num, len(names))
	for _, name := range names[from:to] {
		l, _ := st.Logins.Get(name)
		page.Users = append(page.Users, st.user(name, l))
	}
	if to < len(names) {
		page.NextStart = to + 1
	}
	return render(r, page), nil
}

// pageParam is a positive integer parameter, or def when absent (the spec
// has refused what is not one).
func pageParam(r *kit.Request, name string, def int) int {
	n, err := strconv.Atoi(r.Value(name))
	if err != nil || n < 1 {
		return def
	}
	return n
}
