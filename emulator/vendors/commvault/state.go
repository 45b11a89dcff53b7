package commvault

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// State is the CommServe's users, groups, tokens and owned entities.
// Sessions share the loaded scenario's tables and keep their own changes.
type State struct {
	Tokens           *table.Table[string, *Token] `json:"tokens"` // the whole "QSDK ..." value
	Users            *table.Table[int, *User]     `json:"users"`
	Groups           *table.Table[int, *Group]    `json:"groups"`
	Alerts           *table.Table[string, Owner]  `json:"alerts"`
	SchedulePolicies *table.Table[string, Owner]  `json:"schedulePolicies"`
	Workflows        *table.Table[string, Owner]  `json:"workflows"`
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
	// Issued: Login (or a renewal) made it, so it expires after
	// sessionIdle without use, as Commvault's do; a scenario's own tokens
	// keep their fixed expires.
	Issued bool `yaml:"issued,omitempty" json:"issued,omitempty"`
}

// sessionIdle is how long an issued Authtoken lives unused: "The
// authentication token expires after 30 minutes of inactivity" (REST API -
// Authentication: POST Login, documentation.commvault.com).
const sessionIdle = 30 * time.Minute

// User is a CommCell user: plain fields only, its table copies it
// shallowly (table.Shallow).
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
	// Locked accounts (too many failed logins) cannot log in until POST
	// User/Unlock; their tokens still work.
	Locked bool `yaml:"locked,omitempty" json:"locked,omitempty"`
	// TwoFactor is what Security/TwoFactorAuth/Status reports.
	TwoFactor bool `yaml:"twoFactor,omitempty" json:"twoFactor,omitempty"`
}

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
	owners *table.Table[string, Owner]
} {
	return []struct {
		name   string
		owners *table.Table[string, Owner]
	}{{"alerts", s.Alerts}, {"schedulePolicies", s.SchedulePolicies}, {"workflows", s.Workflows}}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Tokens: map[string]*Token{}, Users: map[int]*User{}, Groups: map[int]*Group{},
		Alerts: map[string]*Owner{}, SchedulePolicies: map[string]*Owner{}, Workflows: map[string]*Owner{}}
	// What decoded is checked too: one run reports every mistake.
	var errs kit.Errors
	errs.Include(kit.Decode(node, "commvault", &sec))
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
		Tokens:           table.New(sec.Tokens, table.Same[*Token]),
		Users:            table.New(sec.Users, table.Shallow[User]),
		Groups:           table.New(sec.Groups, (*Group).clone),
		Alerts:           table.New(owners[0], table.Same[Owner]),
		SchedulePolicies: table.New(owners[1], table.Same[Owner]),
		Workflows:        table.New(owners[2], table.Same[Owner]),
	}, nil
}

// guid is a stable GUID-shaped id for a user.
func guid(id int) string {
	h := fmt.Sprintf("%032X", id)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	owners := func(t *table.Table[string, Owner]) map[string]*Owner {
		out := map[string]*Owner{}
		for k, o := range t.All() {
			out[k] = &o
		}
		return out
	}
	return section{Tokens: st.Tokens.Map(), Users: st.Users.Map(), Groups: st.Groups.Map(),
		Alerts: owners(st.Alerts), SchedulePolicies: owners(st.SchedulePolicies), Workflows: owners(st.Workflows)}
}
