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
	names := st.Logins.Keys() // in key order: the user names'
	w := pageOf(r, len(names))
	page := userPage{Total: len(names), Start: w.start, Num: w.num, NextStart: w.next, Users: []portalUser{}}
	for _, name := range names[w.from:w.to] {
		l, _ := st.Logins.Get(name)
		page.Users = append(page.Users, st.user(name, l))
	}
	return render(r, page), nil
}

// window is the page of a list a request asks for: start 1-based, num at
// most maxPageSize, the slice [from:to] of the list, and next, the start
// of the page after it (-1 after the last).
type window struct{ start, num, from, to, next int }

func pageOf(r *kit.Request, total int) window {
	w := window{start: pageParam(r, "start", 1), num: min(pageParam(r, "num", defaultPageSize), maxPageSize), next: -1}
	w.from = min(w.start-1, total)
	w.to = min(w.from+w.num, total)
	if w.to < total {
		w.next = w.to + 1
	}
	return w
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
