package onedata

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// State is Onezone's users and the tokens that act for them. Sessions
// share the loaded scenario's tables and keep only their own changes.
type State struct {
	Users  *table.Table[string, *User]  `json:"users"`
	Tokens *table.Table[string, *Token] `json:"tokens"`

	byUsername *table.Table[string, string] // for Basic logins
}

// section is the scenario's onedata section as written.
type section struct {
	Users  map[string]*User  `yaml:"users"`
	Tokens map[string]*Token `yaml:"tokens"`
}

// User is a Onezone user.
type User struct {
	Username   string   `yaml:"username" json:"username"`
	FullName   string   `yaml:"fullName" json:"fullName"`
	Emails     []string `yaml:"emails" json:"emails"`
	Password   string   `yaml:"password" json:"password,omitempty"` // enables HTTP Basic for this user
	Privileges []string `yaml:"privileges" json:"privileges"`
	// Blocked users cannot authenticate (PATCH .../access_block).
	Blocked bool `yaml:"blocked" json:"blocked"`
	// CreationTime is the account's creation, in Unix seconds.
	CreationTime int64 `yaml:"creationTime" json:"creationTime"`
}

func (u *User) clone() *User {
	c := *u
	c.Emails = slices.Clone(u.Emails)
	c.Privileges = slices.Clone(u.Privileges)
	return &c
}

// Token is an access token acting for a user: plain fields only, its
// table copies it shallowly (table.Shallow).
type Token struct {
	User    string `yaml:"user" json:"user"`
	Revoked bool   `yaml:"revoked" json:"revoked"`
}

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	return &State{Users: s.Users.Clone(), Tokens: s.Tokens.Clone(), byUsername: s.byUsername.Clone()}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Users: map[string]*User{}, Tokens: map[string]*Token{}}
	// What decoded is checked too: one run reports every mistake.
	var errs kit.Errors
	errs.Include(kit.Decode(node, "onedata", &sec))
	byUsername := make(map[string]string, len(sec.Users))
	for _, id := range slices.Sorted(maps.Keys(sec.Users)) {
		u := sec.Users[id]
		if u == nil {
			u = &User{}
			sec.Users[id] = u
		}
		if u.Emails == nil {
			u.Emails = []string{}
		}
		if u.Privileges == nil {
			u.Privileges = []string{}
		}
		if u.CreationTime == 0 {
			u.CreationTime = defaultCreationTime
		}
		for i, p := range u.Privileges {
			if !slices.Contains(knownPrivileges, p) {
				errs.Add(kit.Find(node, "users", id, "privileges", strconv.Itoa(i)), fmt.Sprintf("onedata.users.%s.privileges[%d]", id, i),
					"unknown privilege %q (%s)", p, kit.Known(knownPrivileges))
			}
		}
		if u.Username != "" {
			byUsername[u.Username] = id
		}
	}
	for _, t := range slices.Sorted(maps.Keys(sec.Tokens)) {
		tok := sec.Tokens[t]
		if tok == nil || sec.Users[tok.User] == nil {
			errs.Add(kit.Find(node, "tokens", t, "user"), "onedata.tokens."+t+".user",
				"token acts for a user the scenario does not define")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &State{
		Users:      table.New(sec.Users, (*User).clone),
		Tokens:     table.New(sec.Tokens, table.Shallow[Token]),
		byUsername: table.New(byUsername, table.Same[string]),
	}, nil
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	return section{Users: st.Users.Map(), Tokens: st.Tokens.Map()}
}
