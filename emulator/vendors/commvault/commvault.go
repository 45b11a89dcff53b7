// Package commvault emulates the user-deletion part of the Commvault REST
// API: DELETE User with ownership transfer, XML or JSON by Accept.
package commvault

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Vendor is the Commvault emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "commvault" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"getService":      v.getService,
		"deleteUser":      v.deleteUser,
		"getUser":         v.getUser,
		"modifyUser":      v.modifyUser,
		"listUsers":       v.listUsers,
		"createUser":      v.createUser,
		"getUserGroup":    v.getUserGroup,
		"listUserGroups":  v.listUserGroups,
		"login":           v.login,
		"whoAmI":          v.whoAmI,
		"logout":          v.logout,
		"renewLoginToken": v.renewLoginToken,
	}
}

// State is the CommServe's users, groups, tokens and owned entities.
// Sessions share the loaded scenario's tables and keep their own changes.
type State struct {
	Tokens           *kit.Table[string, *Token] `json:"tokens"` // the whole "QSDK ..." value
	Users            *kit.Table[int, *User]     `json:"users"`
	Groups           *kit.Table[int, *Group]    `json:"groups"`
	Alerts           *kit.Table[string, Owner]  `json:"alerts"`
	SchedulePolicies *kit.Table[string, Owner]  `json:"schedulePolicies"`
	Workflows        *kit.Table[string, Owner]  `json:"workflows"`
}

type section struct {
	Tokens           map[string]*Token `yaml:"tokens"`
	Users            map[int]*User     `yaml:"users"`
	Groups           map[int]*Group    `yaml:"groups"`
	Alerts           map[string]*Owner `yaml:"alerts"`
	SchedulePolicies map[string]*Owner `yaml:"schedulePolicies"`
	Workflows        map[string]*Owner `yaml:"workflows"`
}

// Token is an Authtoken acting for a user.
type Token struct {
	User    int       `yaml:"user" json:"user"`
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"` // zero: never
}

// User is a CommCell user.
type User struct {
	Name     string `yaml:"name" json:"name"`
	Password string `yaml:"password" json:"password,omitempty"` // plain; Login takes it base64-encoded
	Email    string `yaml:"email" json:"email"`
	FullName string `yaml:"fullName" json:"fullName"`
	// Description is free text, shown by GET User.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Disabled users cannot log in; POST User/{id} {"users":[{"enableUser":false}]}
	// disables one.
	Disabled bool `yaml:"disabled,omitempty" json:"disabled,omitempty"`
}

func (u *User) clone() *User { c := *u; return &c }

// Group is a user group and its members.
type Group struct {
	Name        string `yaml:"name" json:"name"`
	Description string `yaml:"description" json:"description"`
	Users       []int  `yaml:"users" json:"users"`
}

func (g *Group) clone() *Group {
	c := *g
	c.Users = slices.Clone(g.Users)
	return &c
}

// Owner is a user or a user group: exactly one is set.
type Owner struct {
	User  int `yaml:"user,omitempty" json:"user,omitempty"`
	Group int `yaml:"group,omitempty" json:"group,omitempty"`
}

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	return &State{Tokens: s.Tokens.Clone(), Users: s.Users.Clone(), Groups: s.Groups.Clone(),
		Alerts: s.Alerts.Clone(), SchedulePolicies: s.SchedulePolicies.Clone(), Workflows: s.Workflows.Clone()}
}

// entityKinds names the owned-entity tables, in a fixed order.
func (s *State) entityKinds() []struct {
	name   string
	owners *kit.Table[string, Owner]
} {
	return []struct {
		name   string
		owners *kit.Table[string, Owner]
	}{{"alerts", s.Alerts}, {"schedulePolicies", s.SchedulePolicies}, {"workflows", s.Workflows}}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Tokens: map[string]*Token{}, Users: map[int]*User{}, Groups: map[int]*Group{},
		Alerts: map[string]*Owner{}, SchedulePolicies: map[string]*Owner{}, Workflows: map[string]*Owner{}}
	if err := kit.Decode(node, "commvault", &sec); err != nil {
		return nil, err
	}
	var errs kit.Errors
	names := map[string]int{}
	for _, id := range slices.Sorted(maps.Keys(sec.Users)) {
		u := sec.Users[id]
		key := strconv.Itoa(id)
		switch {
		case u == nil || u.Name == "":
			errs.Add(kit.Find(node, "users", key), "commvault.users."+key+".name", "a user needs a name")
			delete(sec.Users, id)
			continue
		case id <= 0:
			errs.Add(kit.Find(node, "users", key), "commvault.users."+key, "user ids are positive")
		}
		if prev, dup := names[strings.ToLower(u.Name)]; dup {
			errs.Add(kit.Find(node, "users", key, "name"), "commvault.users."+key+".name",
				"user name %q is also user %d's", u.Name, prev)
		}
		names[strings.ToLower(u.Name)] = id
	}
	for _, id := range slices.Sorted(maps.Keys(sec.Groups)) {
		g := sec.Groups[id]
		key := strconv.Itoa(id)
		if g == nil || g.Name == "" {
			errs.Add(kit.Find(node, "groups", key), "commvault.groups."+key+".name", "a group needs a name")
			delete(sec.Groups, id)
			continue
		}
		if g.Users == nil {
			g.Users = []int{}
		}
		for i, u := range g.Users {
			if sec.Users[u] == nil {
				errs.Add(kit.Find(node, "groups", key, "users", strconv.Itoa(i)), fmt.Sprintf("commvault.groups.%s.users[%d]", key, i),
					"user %d is not defined", u)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(sec.Tokens)) {
		if t := sec.Tokens[k]; t == nil || sec.Users[t.User] == nil {
			errs.Add(kit.Find(node, "tokens", k, "user"), "commvault.tokens."+k+".user", "token acts for a user the scenario does not define")
		}
	}
	owners := [3]map[string]Owner{}
	for i, kind := range []struct {
		name   string
		owners map[string]*Owner
	}{{"alerts", sec.Alerts}, {"schedulePolicies", sec.SchedulePolicies}, {"workflows", sec.Workflows}} {
		owners[i] = make(map[string]Owner, len(kind.owners))
		for _, name := range slices.Sorted(maps.Keys(kind.owners)) {
			o := kind.owners[name]
			field := "commvault." + kind.name + "." + name
			switch {
			case o == nil || (o.User == 0) == (o.Group == 0):
				errs.Add(kit.Find(node, kind.name, name), field, "an owner is exactly one of user or group")
				continue
			case o.User != 0 && sec.Users[o.User] == nil:
				errs.Add(kit.Find(node, kind.name, name, "user"), field+".user", "user %d is not defined", o.User)
			case o.Group != 0 && sec.Groups[o.Group] == nil:
				errs.Add(kit.Find(node, kind.name, name, "group"), field+".group", "group %d is not defined", o.Group)
			}
			owners[i][name] = *o
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &State{
		Tokens:           kit.NewTable(sec.Tokens, kit.Same[*Token]),
		Users:            kit.NewTable(sec.Users, (*User).clone),
		Groups:           kit.NewTable(sec.Groups, (*Group).clone),
		Alerts:           kit.NewTable(owners[0], kit.Same[Owner]),
		SchedulePolicies: kit.NewTable(owners[1], kit.Same[Owner]),
		Workflows:        kit.NewTable(owners[2], kit.Same[Owner]),
	}, nil
}

// unauthenticated are the operations a client calls before it holds a
// working token: the service probe, Login, and RenewLoginToken (cvpysdk
// renews with the expired token it holds).
var unauthenticated = map[string]bool{"getService": true, "login": true, "renewLoginToken": true}

// Authenticate implements kit.Authenticator: every other operation needs
// a valid Authtoken (or the same token as "Authorization: Bearer"),
// checked before anything else.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	if unauthenticated[r.Operation] {
		return nil
	}
	st := s.(*State)
	raw, _, found := st.token(r)
	if raw == "" {
		return unauthorized("no Authtoken header")
	}
	t, ok := st.Tokens.Get(found)
	switch {
	case !ok:
		return unauthorized("unknown Authtoken")
	case !t.Expires.IsZero() && !r.Now.Before(t.Expires):
		return unauthorized("Authtoken expired at " + t.Expires.Format(time.RFC3339))
	}
	u, ok := st.Users.Get(t.User)
	switch {
	case !ok:
		return unauthorized("the Authtoken's user was deleted")
	case u.Disabled:
		return unauthorized("the Authtoken's user is disabled")
	}
	return nil
}

// token reads the request's token: the Authtoken header, else an
// "Authorization: Bearer" access token (the API also documents that
// form). found is the key of the token it names, "" when none: a bearer
// value may be sent with or without its "QSDK " prefix.
func (st *State) token(r *kit.Request) (raw, scheme, found string) {
	raw, scheme = strings.TrimSpace(r.Header.Get("Authtoken")), "Authtoken"
	if raw == "" {
		raw, _ = kit.Bearer(r.Header.Get("Authorization"))
		scheme = "Bearer"
	}
	switch {
	case raw == "":
		return "", "", ""
	case st.Tokens.Has(raw):
		return raw, scheme, raw
	case scheme == "Bearer" && st.Tokens.Has("QSDK "+raw):
		return raw, scheme, "QSDK " + raw
	}
	return raw, scheme, raw
}

// Credential implements kit.Credentialer.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	st := s.(*State)
	for k, t := range st.Tokens.All() {
		if (t.Expires.IsZero() || now.Before(t.Expires)) && st.Users.Has(t.User) {
			return "Authtoken", k, nil
		}
	}
	return "", "", errors.New("the scenario has no valid commvault Authtoken")
}

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

// owned lists, per kind, the entities an owner holds.
func (st *State) owned(o Owner) ownedEntities {
	pick := func(m *kit.Table[string, Owner]) []string {
		out := []string{}
		for name, owner := range m.All() {
			if owner == o {
				out = append(out, name)
			}
		}
		return out
	}
	return ownedEntities{pick(st.Alerts), pick(st.SchedulePolicies), pick(st.Workflows)}
}

// guid is a stable GUID-shaped id for a user.
func guid(id int) string {
	h := fmt.Sprintf("%032X", id)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	owners := func(t *kit.Table[string, Owner]) map[string]*Owner {
		out := map[string]*Owner{}
		for k, o := range t.All() {
			out[k] = &o
		}
		return out
	}
	return section{Tokens: st.Tokens.Map(), Users: st.Users.Map(), Groups: st.Groups.Map(),
		Alerts: owners(st.Alerts), SchedulePolicies: owners(st.SchedulePolicies), Workflows: owners(st.Workflows)}
}
