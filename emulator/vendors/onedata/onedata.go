// Package onedata emulates the user-removal part of the Onedata Onezone
// REST API (DELETE /api/v3/onezone/users/{id}).
package onedata

import (
	"encoding/base64"
	"errors"
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

// State is Onezone's users and the tokens that act for them.
type State struct {
	Users  map[string]*User  `json:"users"`
	Tokens map[string]*Token `json:"tokens"`

	byUsername map[string]string // built on first Basic login; nil after Clone
}

// User is a Onezone user.
type User struct {
	Username   string   `yaml:"username" json:"username"`
	FullName   string   `yaml:"fullName" json:"fullName"`
	Emails     []string `yaml:"emails" json:"emails"`
	Password   string   `yaml:"password" json:"password,omitempty"` // enables HTTP Basic for this user
	Privileges []string `yaml:"privileges" json:"privileges"`
}

// Token is an access token acting for a user.
type Token struct {
	User    string `yaml:"user" json:"user"`
	Revoked bool   `yaml:"revoked" json:"revoked"`
}

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	c := &State{Users: make(map[string]*User, len(s.Users)), Tokens: make(map[string]*Token, len(s.Tokens))}
	for id, u := range s.Users {
		cu := *u
		cu.Emails = slices.Clone(u.Emails)
		cu.Privileges = slices.Clone(u.Privileges)
		c.Users[id] = &cu
	}
	for t, tok := range s.Tokens {
		ct := *tok
		c.Tokens[t] = &ct
	}
	return c
}

// NewState implements kit.Vendor.
func (Vendor) NewState(section *yaml.Node) (kit.State, error) {
	st := &State{Users: map[string]*User{}, Tokens: map[string]*Token{}}
	if err := kit.Decode(section, "onedata", st); err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(st.Users)) {
		u := st.Users[id]
		if u == nil {
			u = &User{}
			st.Users[id] = u
		}
		if u.Emails == nil {
			u.Emails = []string{}
		}
		if u.Privileges == nil {
			u.Privileges = []string{}
		}
		for i, p := range u.Privileges {
			if !slices.Contains(knownPrivileges, p) {
				return nil, kit.Errorf(kit.Find(section, "users", id, "privileges", strconv.Itoa(i)), "onedata.users."+id+".privileges",
					"unknown privilege %q (known: %v)", p, knownPrivileges)
			}
		}
	}
	for _, t := range slices.Sorted(maps.Keys(st.Tokens)) {
		tok := st.Tokens[t]
		if tok == nil || st.Users[tok.User] == nil {
			return nil, kit.Errorf(kit.Find(section, "tokens", t), "onedata.tokens."+t+".user",
				"token acts for a user the scenario does not define")
		}
	}
	return st, nil
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
		tok, ok := s.Tokens[token]
		switch {
		case !ok:
			return "", errBadToken
		case tok.Revoked:
			return "", errTokenRevoked
		case s.Users[tok.User] == nil:
			return "", errTokenInvalid
		}
		return tok.User, nil
	case kit.IsBasic(auth):
		name, password, ok := kit.Basic(auth)
		if !ok {
			return "", errBadBasic
		}
		if s.byUsername == nil {
			s.byUsername = make(map[string]string, len(s.Users))
			for id, u := range s.Users {
				s.byUsername[u.Username] = id
			}
		}
		id, ok := s.byUsername[name]
		if u := s.Users[id]; !ok || u == nil || u.Password == "" || u.Password != password {
			return "", errBadBasic
		}
		return id, nil
	}
	return "", nil
}

func (s *State) allowed(caller, privilege string) bool {
	u := s.Users[caller]
	return u != nil && slices.Contains(u.Privileges, privilege)
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
	if st.Users[id] == nil {
		return kit.Response{}, errNotFound
	}
	if caller == "" {
		return kit.Response{}, errUnauthorized
	}
	if !st.allowed(caller, PrivDelete) {
		return kit.Response{}, errForbidden
	}
	if st.byUsername != nil {
		delete(st.byUsername, st.Users[id].Username)
	}
	delete(st.Users, id)
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
	u := st.Users[id]
	if u == nil {
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
	ids := slices.Sorted(maps.Keys(st.Users))
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
	for _, k := range slices.Sorted(maps.Keys(st.Tokens)) {
		if t := st.Tokens[k]; !t.Revoked && st.allowed(t.User, PrivDelete) {
			return "X-Auth-Token", k, nil
		}
	}
	for _, id := range slices.Sorted(maps.Keys(st.Users)) {
		if u := st.Users[id]; u.Password != "" && st.allowed(id, PrivDelete) {
			return "Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username+":"+u.Password)), nil
		}
	}
	return "", "", errors.New("the scenario has no onedata user with " + PrivDelete + " and a token or password")
}
