package commvault

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// target is a resolved transfer target.
type target struct {
	user, group int
	name        string
}

// deleteUser deletes a user and moves what it owns. Every refusal is
// HTTP 200 with errorCode 2 and a reason, as the service answers.
func (Vendor) deleteUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id, err := st.resolveUser(r.Params["userId"])
	if err != nil {
		return deleteAnswer(r, 2, err.Error(), 0), nil
	}
	tgt, err := st.resolveTarget(r.Query, id)
	if err != nil {
		return deleteAnswer(r, 2, err.Error(), 0), nil
	}
	u, _ := st.Users.Get(id)
	st.removeUser(id, Owner{User: tgt.user, Group: tgt.group})
	return deleteDone(r, "This user may have created some schedules. Ownership of such schedules is changed to "+tgt.name+".", id, u.Name), nil
}

// removeUser deletes a user: what it owns moves to owner, its group
// memberships and tokens go.
func (st *State) removeUser(id int, owner Owner) {
	for _, kind := range st.entityKinds() {
		for name, o := range kind.owners.Unordered() {
			if o.User == id {
				kind.owners.Set(name, owner)
			}
		}
	}
	for gid, g := range st.Groups.Unordered() {
		if slices.Contains(g.Users, id) {
			g, _ = st.Groups.Mut(gid)
			g.Users = slices.DeleteFunc(g.Users, func(u int) bool { return u == id })
		}
	}
	for k, t := range st.Tokens.Unordered() {
		if t.User == id {
			st.Tokens.Delete(k)
		}
	}
	st.Users.Delete(id)
}

func (st *State) userByName(name string) (int, bool) {
	for id, u := range st.Users.Unordered() {
		if strings.EqualFold(u.Name, name) {
			return id, true
		}
	}
	return 0, false
}

// nameIndex finds users by name for a request that names n of them: a
// scan for a few, an index built once for more, so a group change naming
// 60,000 members costs what it names, not its square.
func (st *State) nameIndex(n int) func(name string) (int, bool) {
	if n <= 4 {
		return st.userByName
	}
	index := make(map[string]int, st.Users.Len())
	for id, u := range st.Users.Unordered() {
		index[foldName(u.Name)] = id
	}
	return func(name string) (int, bool) {
		id, ok := index[foldName(name)]
		return id, ok
	}
}

// foldName is a name as userByName compares it, in any case.
func foldName(s string) string { return strings.ToLower(strings.ToUpper(s)) }

func (st *State) groupByName(name string) (int, bool) {
	for id, g := range st.Groups.Unordered() {
		if strings.EqualFold(g.Name, name) {
			return id, true
		}
	}
	return 0, false
}

func (st *State) resolveUser(raw string) (int, error) {
	if name, ok, err := byName(raw, "userName"); ok || err != nil {
		if err != nil {
			return 0, fmt.Errorf("Failed to delete user. Invalid user [%s]: %v.", raw, err)
		}
		id, found := st.userByName(name)
		if !found {
			return 0, fmt.Errorf("Failed to delete user. User [%s] does not exist.", name)
		}
		return id, nil
	}
	id, err := strconv.Atoi(raw)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("Failed to delete user. Invalid user id [%s].", raw)
	}
	if !st.Users.Has(id) {
		return 0, fmt.Errorf("Failed to delete user. User with id [%d] does not exist.", id)
	}
	return id, nil
}

// resolveTarget finds the one transfer target among newUserId and
// newUserGroupId; 0, empty quotes or absence mean "not sent".
func (st *State) resolveTarget(q map[string][]string, deleting int) (target, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var user, group target
	var err error
	if user.user, user.name, err = resolveOwner(get("newUserId"), st.userKind()); err != nil {
		return target{}, err
	}
	if group.group, group.name, err = resolveOwner(get("newUserGroupId"), st.groupKind()); err != nil {
		return target{}, err
	}
	switch {
	case user.user != 0 && group.group != 0:
		return target{}, errors.New("Failed to delete user. Provide either a new user or a new user group to transfer ownership to, not both.")
	case user.user == 0 && group.group == 0:
		return target{}, errors.New("Failed to delete user. Provide a new user or a new user group to transfer ownership to.")
	case user.user == deleting:
		return target{}, errors.New("Failed to delete user. Ownership cannot be transferred to the user being deleted.")
	case user.user != 0:
		return user, nil
	}
	return group, nil
}

// ownerKind is one kind of transfer target: a user or a user group.
type ownerKind struct {
	param, nameKey, label string // "newUserId", "userName", "user"
	byName                func(name string) (int, bool)
	nameOf                func(id int) (string, bool)
}

func (st *State) userKind() ownerKind {
	return ownerKind{"newUserId", "userName", "user", st.userByName, func(id int) (string, bool) {
		if u, ok := st.Users.Get(id); ok {
			return u.Name, true
		}
		return "", false
	}}
}

func (st *State) groupKind() ownerKind {
	return ownerKind{"newUserGroupId", "userGroupName", "user group", st.groupByName, func(id int) (string, bool) {
		if g, ok := st.Groups.Get(id); ok {
			return g.Name, true
		}
		return "", false
	}}
}

// resolveOwner reads one transfer target, by id or byName(...); 0, an
// empty name or nothing means "not sent" (id 0).
func resolveOwner(raw string, k ownerKind) (id int, label string, err error) {
	if name, ok, perr := byName(raw, k.nameKey); ok || perr != nil {
		switch {
		case perr != nil:
			return 0, "", fmt.Errorf("Failed to delete user. Invalid %s [%s]: %v.", k.param, raw, perr)
		case name == "":
			return 0, "", nil
		}
		id, found := k.byName(name)
		if !found {
			return 0, "", fmt.Errorf("Failed to delete user. The new owner %s [%s] does not exist.", k.label, name)
		}
		n, _ := k.nameOf(id)
		return id, k.label + " " + n, nil
	}
	if raw == "" || raw == "0" {
		return 0, "", nil
	}
	id, err = strconv.Atoi(raw)
	if err != nil || id < 0 {
		return 0, "", fmt.Errorf("Failed to delete user. Invalid %s [%s].", k.param, raw)
	}
	n, ok := k.nameOf(id)
	if !ok {
		return 0, "", fmt.Errorf("Failed to delete user. The new owner %s with id [%d] does not exist.", k.label, id)
	}
	return id, k.label + " " + n, nil
}

// ownership is who owns what: every owner's alerts, schedule policies
// and workflows, by name, made in one pass over the three tables so that
// a list of every user costs what the tables hold, not users times that.
type ownership map[Owner]*ownedEntities

func (st *State) ownership() ownership {
	idx := ownership{}
	add := func(m *table.Table[string, Owner], pick func(*ownedEntities) *[]string) {
		for name, owner := range m.All() {
			o := idx[owner]
			if o == nil {
				o = &ownedEntities{Alerts: []string{}, SchedulePolicies: []string{}, Workflows: []string{}}
				idx[owner] = o
			}
			*pick(o) = append(*pick(o), name)
		}
	}
	add(st.Alerts, func(o *ownedEntities) *[]string { return &o.Alerts })
	add(st.SchedulePolicies, func(o *ownedEntities) *[]string { return &o.SchedulePolicies })
	add(st.Workflows, func(o *ownedEntities) *[]string { return &o.Workflows })
	return idx
}

// of is what one owner owns (empty lists when nothing).
func (idx ownership) of(o Owner) ownedEntities {
	if e := idx[o]; e != nil {
		return *e
	}
	return ownedEntities{Alerts: []string{}, SchedulePolicies: []string{}, Workflows: []string{}}
}
