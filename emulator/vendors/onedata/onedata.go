// Package onedata emulates the user-removal part of the Onedata Onezone
// REST API (DELETE /api/v3/onezone/users/{id}).
package onedata

import (
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Admin privileges this emulator checks.
const (
	PrivDelete = "oz_users_delete"
	PrivList   = "oz_users_list"
	PrivView   = "oz_users_view"
)

var knownPrivileges = []string{PrivDelete, PrivList, PrivView}

// Vendor is the Onedata Onezone emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "onedata" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"remove_user": v.removeUser,
		"get_user":    v.getUser,
		"list_users":  v.listUsers,
	}
}

// State is Onezone's users and the tokens that act for them. Sessions
// share the loaded scenario's tables and keep only their own changes.
type State struct {
	Users  *kit.Table[string, *User]  `json:"users"`
	Tokens *kit.Table[string, *Token] `json:"tokens"`

	byUsername *kit.Table[string, string] // for Basic logins
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
}

func (u *User) clone() *User {
	c := *u
	c.Emails = slices.Clone(u.Emails)
	c.Privileges = slices.Clone(u.Privileges)
	return &c
}

// Token is an access token acting for a user.
type Token struct {
	User    string `yaml:"user" json:"user"`
	Revoked bool   `yaml:"revoked" json:"revoked"`
}

func (t *Token) clone() *Token { c := *t; return &c }

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	return &State{Users: s.Users.Clone(), Tokens: s.Tokens.Clone(), byUsername: s.byUsername.Clone()}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Users: map[string]*User{}, Tokens: map[string]*Token{}}
	if err := kit.Decode(node, "onedata", &sec); err != nil {
		return nil, err
	}
	var errs kit.Errors
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
		Users:      kit.NewTable(sec.Users, (*User).clone),
		Tokens:     kit.NewTable(sec.Tokens, (*Token).clone),
		byUsername: kit.NewTable(byUsername, kit.Same[string]),
	}, nil
}

// caller is who a request authenticates as: "" when it sent no credentials.
func (s *State) caller(r *kit.Request) (string, error) {
	auth := r.Header.Get("Authorization")
	token := r.Header.Get("X-Auth-Token")
	if token == "" {
		token, _ = kit.Bearer(auth)
	}
	switch {
	case token != "":
		tok, ok := s.Tokens.Get(token)
		switch {
		case !ok:
			return "", errBadToken
		case tok.Revoked:
			return "", errTokenRevoked
		case !s.Users.Has(tok.User):
			return "", errTokenInvalid
		}
		return tok.User, nil
	case kit.IsBasic(auth):
		name, password, ok := kit.Basic(auth)
		if !ok {
			return "", errBadBasic
		}
		id, ok := s.byUsername.Get(name)
		u, found := s.Users.Get(id)
		if !ok || !found || u.Password == "" || u.Password != password {
			return "", errBadBasic
		}
		return id, nil
	}
	return "", nil
}

func (s *State) allowed(caller, privilege string) bool {
	u, ok := s.Users.Get(caller)
	return ok && slices.Contains(u.Privileges, privilege)
}

// removeUser follows the real server's order of checks: bad credentials,
// then an unknown user (404 even for anonymous callers), then missing
// credentials, then the privilege.
func (Vendor) removeUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	caller, err := st.caller(r)
	if err != nil {
		return kit.Response{}, err
	}
	id := r.Params["id"]
	u, ok := st.Users.Get(id)
	if !ok {
		return kit.Response{}, errNotFound
	}
	if caller == "" {
		return kit.Response{}, errUnauthorized
	}
	if !st.allowed(caller, PrivDelete) {
		return kit.Response{}, errForbidden
	}
	st.byUsername.Delete(u.Username)
	st.Users.Delete(id)
	return kit.Response{Status: http.StatusNoContent, Header: http.Header{}}, nil
}

type userInfo struct {
	UserID           string   `json:"userId"`
	FullName         string   `json:"fullName"`
	Username         string   `json:"username"`
	LinkedAccounts   []any    `json:"linkedAccounts"`
	Emails           []string `json:"emails"`
	BasicAuthEnabled bool     `json:"basicAuthEnabled"`
}

func (Vendor) getUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	caller, err := st.caller(r)
	if err != nil {
		return kit.Response{}, err
	}
	id := r.Params["id"]
	u, ok := st.Users.Get(id)
	if !ok {
		return kit.Response{}, errNotFound
	}
	if caller == "" {
		return kit.Response{}, errUnauthorized
	}
	if caller != id && !st.allowed(caller, PrivView) {
		return kit.Response{}, errForbidden
	}
	body := userInfo{UserID: id, FullName: u.FullName, Username: u.Username, LinkedAccounts: []any{},
		Emails: u.Emails, BasicAuthEnabled: u.Password != ""}
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(body)), nil
}

func (Vendor) listUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	caller, err := st.caller(r)
	if err != nil {
		return kit.Response{}, err
	}
	if caller == "" {
		return kit.Response{}, errUnauthorized
	}
	if !st.allowed(caller, PrivList) {
		return kit.Response{}, errForbidden
	}
	ids := st.Users.Keys()
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(struct {
		Users []string `json:"users"`
	}{ids})), nil
}

// Error implements kit.Vendor: every error in Onezone's
// {"error":{"id","details","description"}} shape.
func (Vendor) Error(_ *kit.Request, err error) kit.Response {
	ae := kit.Classify(err, fromKit, errInternal)
	return ae.response()
}

func fromKit(e *kit.Error) *apiError {
	switch e.Kind {
	case kit.NoRoute:
		return errNotFound
	case kit.MethodNotAllowed:
		return errNotSupported
	case kit.BadRequest:
		if e.Param != "" {
			return badValueString(e.Param)
		}
		return errMalformedData
	case kit.TooLarge:
		return errMalformedData
	case kit.Fault:
		return byStatus(e.Status)
	}
	return errInternal
}

// byStatus is the documented error for a status, what an injected fault
// of that status answers.
func byStatus(status int) *apiError {
	switch status {
	case http.StatusBadRequest:
		return badValueString("name") // the seed's own example
	case http.StatusUnauthorized:
		return errUnauthorized
	case http.StatusForbidden:
		return errForbidden
	case http.StatusNotFound:
		return errNotFound
	case http.StatusInternalServerError:
		return errInternal
	}
	e := *errInternal
	e.status = status
	return &e
}

// Credential implements kit.Credentialer: a token, else the Basic
// credentials, of a user holding oz_users_delete.
func (Vendor) Credential(s kit.State, _ time.Time) (string, string, error) {
	st := s.(*State)
	for k, t := range st.Tokens.All() {
		if !t.Revoked && st.allowed(t.User, PrivDelete) {
			return "X-Auth-Token", k, nil
		}
	}
	for id, u := range st.Users.All() {
		if u.Password != "" && st.allowed(id, PrivDelete) {
			return "Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username+":"+u.Password)), nil
		}
	}
	return "", "", errors.New("the scenario has no onedata user with " + PrivDelete + " and a token or password")
}
