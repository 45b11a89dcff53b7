package arcgis

import (
	"cmp"
	"slices"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// userSearch is a page of the users a search matched ("Search Users",
// "User Search"): the query as asked, then a page as Portal Users pages.
type userSearch struct {
	Query     string       `json:"query"`
	Total     int          `json:"total"`
	Start     int          `json:"start"`
	Num       int          `json:"num"`
	NextStart int          `json:"nextStart"`
	Results   []portalUser `json:"results"`
}

// searchUsers answers a page of the portal users q matches, in the order
// asked (the organization's search and the community's are the same
// search here; Authenticate lets only an administrator reach the first).
func (Vendor) searchUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	q := r.Value("q")
	match := parseSearch(q)
	var found []portalUser
	for name, l := range st.Logins.All() {
		if u := st.user(name, l); match(u) {
			found = append(found, u)
		}
	}
	sortUsers(found, r.Value("sortField"), r.Value("sortOrder"))
	w := pageOf(r, len(found))
	page := userSearch{Query: q, Total: len(found), Start: w.start, Num: w.num, NextStart: w.next, Results: []portalUser{}}
	page.Results = append(page.Results, found[w.from:w.to]...)
	return render(r, page), nil
}

// sortUsers orders users by a field, ties by user name.
func sortUsers(us []portalUser, field, order string) {
	key := func(u portalUser) string {
		switch strings.ToLower(field) {
		case "fullname":
			return strings.ToLower(u.FullName)
		case "email":
			return strings.ToLower(u.Email)
		}
		return "" // username, created (one time for all): the tie-break decides
	}
	slices.SortStableFunc(us, func(a, b portalUser) int {
		c := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.Username, b.Username))
		if order == "desc" {
			return -c
		}
		return c
	})
}

// searchFields are the fields a term may name, and what each reads.
var searchFields = map[string]func(portalUser) string{
	"username": func(u portalUser) string { return u.Username },
	"fullname": func(u portalUser) string { return u.FullName },
	"email":    func(u portalUser) string { return u.Email },
	"role":     func(u portalUser) string { return u.Role },
}

// parseSearch reads q: terms separated by white space, AND between them
// unless OR says otherwise; a term is a word (found in the user name, the
// full name or the email) or field:value (the whole field), * a wildcard
// in either, any case. An empty q, or *, matches everyone.
func parseSearch(q string) func(portalUser) bool {
	var groups [][]string // OR of ANDs
	group := []string{}
	for _, t := range strings.Fields(q) {
		switch strings.ToUpper(t) {
		case "AND":
			continue
		case "OR":
			groups, group = append(groups, group), []string{}
			continue
		}
		group = append(group, strings.ToLower(strings.Trim(t, `"()`)))
	}
	groups = append(groups, group)
	return func(u portalUser) bool {
		for _, g := range groups {
			if len(g) > 0 && allMatch(g, u) {
				return true
			}
		}
		return len(groups) == 1 && len(groups[0]) == 0
	}
}

func allMatch(terms []string, u portalUser) bool {
	for _, t := range terms {
		if !termMatches(t, u) {
			return false
		}
	}
	return true
}

func termMatches(t string, u portalUser) bool {
	if field, value, ok := strings.Cut(t, ":"); ok {
		if read, known := searchFields[field]; known {
			return glob(value, strings.ToLower(read(u)))
		}
	}
	if t == "*" {
		return true
	}
	for _, read := range []func(portalUser) string{searchFields["username"], searchFields["fullname"], searchFields["email"]} {
		v := strings.ToLower(read(u))
		if strings.Contains(t, "*") && glob(t, v) || !strings.Contains(t, "*") && strings.Contains(v, t) {
			return true
		}
	}
	return false
}

// glob matches s against a pattern whose only wildcard is *, in time
// linear in their lengths' product at worst (no backtracking blow-up).
func glob(pattern, s string) bool {
	px, sx := 0, 0
	star, mark := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case px < len(pattern) && pattern[px] == s[sx]:
			px++
			sx++
		case star >= 0:
			px, mark = star+1, mark+1
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}
