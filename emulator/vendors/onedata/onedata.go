// Package onedata emulates the user-removal part of the Onedata Onezone
// REST API (DELETE /api/v3/onezone/users/{id}).
package onedata

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
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
	PrivCreate = "oz_users_create"
	PrivDelete = "oz_users_delete"
	PrivList   = "oz_users_list"
	PrivUpdate = "oz_users_update"
	PrivView   = "oz_users_view"
)

var knownPrivileges = []string{PrivCreate, PrivDelete, PrivList, PrivUpdate, PrivView}

// defaultCreationTime is a user's creationTime when the scenario gives none.
const defaultCreationTime = 1704067200 // 2024-01-01T00:00:00Z

// Vendor is the Onedata Onezone emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "onedata" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"remove_user":              v.removeUser,
		"remove_current_user":      v.removeCurrentUser,
		"get_user":                 v.getUser,
		"list_users":               v.listUsers,
		"create_user":              v.createUser,
		"toggle_user_access_block": v.toggleAccessBlock,
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
		Users:      kit.NewTable(sec.Users, (*User).clone),
		Tokens:     kit.NewTable(sec.Tokens, (*Token).clone),
		byUsername: kit.NewTable(byUsername, kit.Same[string]),
	}, nil
}

// caller is who a request authenticates as: "" when it sent no
// credentials. Tokens come in X-Auth-Token, the deprecated "macaroon"
// header (the swagger's info section still shows it) or as a bearer.
func (s *State) caller(r *kit.Request) (string, error) {
	auth := r.Header.Get("Authorization")
	token := r.Header.Get("X-Auth-Token")
	if token == "" {
		token = r.Header.Get("Macaroon")
	}
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
		}
		u, ok := s.Users.Get(tok.User)
		switch {
		case !ok:
			return "", errTokenInvalid
		case u.Blocked:
			return "", errUserBlocked
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
		if u.Blocked {
			return "", errUserBlocked
		}
		return id, nil
	}
	return "", nil
}

func (s *State) allowed(caller, privilege string) bool {
	u, ok := s.Users.Get(caller)
	return ok && slices.Contains(u.Privileges, privilege)
}

// authorized applies the real server's order of checks to an operation
// on user id: bad credentials, then an unknown user (404 even for
// anonymous callers), then missing credentials, then the privilege. A user
// may do anything to their own record (oz-worker user_logic_plugin.erl
// authorizes ?USER(UserId) on #gri{id = UserId}).
func (s *State) authorized(r *kit.Request, id, privilege string) (*User, error) {
	caller, err := s.caller(r)
	if err != nil {
		return nil, err
	}
	u, ok := s.Users.Get(id)
	if !ok {
		return nil, errNotFound
	}
	if caller == "" {
		return nil, errUnauthorized
	}
	if caller != id && !s.allowed(caller, privilege) {
		return nil, errForbidden
	}
	return u, nil
}

// remove deletes a user. Tokens that acted for them stay and are answered
// tokenInvalid, their subject being gone.
func (s *State) remove(id string, u *User) {
	s.byUsername.Delete(u.Username)
	s.Users.Delete(id)
}

func (Vendor) removeUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id := r.Params["id"]
	u, err := st.authorized(r, id, PrivDelete)
	if err != nil {
		return kit.Response{}, err
	}
	st.remove(id, u)
	return kit.Response{Status: http.StatusNoContent, Header: http.Header{}}, nil
}

// removeCurrentUser is DELETE /user: the caller removes their own account.
func (Vendor) removeCurrentUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	caller, err := st.caller(r)
	if err != nil {
		return kit.Response{}, err
	}
	if caller == "" {
		return kit.Response{}, errUnauthorized
	}
	u, _ := st.Users.Get(caller)
	st.remove(caller, u)
	return kit.Response{Status: http.StatusNoContent, Header: http.Header{}}, nil
}

// protectedInfo is UserProtectedInfo as oz-worker's translator sends it:
// the current fields and the legacy ones (name, login, alias, emailList),
// keys sorted as jiffy writes an Erlang map.
func protectedInfo(id string, u *User) map[string]any {
	return map[string]any{
		"userId": id, "fullName": u.FullName, "username": u.Username, "linkedAccounts": []any{},
		"emails": u.Emails, "basicAuthEnabled": u.Password != "", "blocked": u.Blocked,
		"creationTime": u.CreationTime,
		"name":         u.FullName, "login": u.Username, "alias": u.Username, "emailList": u.Emails,
	}
}

func (Vendor) getUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id := r.Params["id"]
	u, err := st.authorized(r, id, PrivView)
	if err != nil {
		return kit.Response{}, err
	}
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(protectedInfo(id, u))), nil
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
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(map[string]any{"users": st.Users.Keys()})), nil
}

// toggleAccessBlock is PATCH /users/{id}/access_block {"blocked": bool}:
// a blocked user's credentials stop working everywhere.
func (Vendor) toggleAccessBlock(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id := r.Params["id"]
	if _, err := st.authorized(r, id, PrivUpdate); err != nil {
		return kit.Response{}, err
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return kit.Response{}, errMalformedData
	}
	raw, ok := body["blocked"]
	if !ok {
		return kit.Response{}, missingRequiredValue("blocked")
	}
	blocked, ok := raw.(bool)
	if !ok {
		return kit.Response{}, badValueBoolean("blocked")
	}
	u, _ := st.Users.Mut(id)
	u.Blocked = blocked
	return kit.Response{Status: http.StatusNoContent, Header: http.Header{}}, nil
}

// createUser is POST /users: a new account with Basic authentication
// when a password is given; 201 and the new user's URL in Location.
func (Vendor) createUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	caller, err := st.caller(r)
	if err != nil {
		return kit.Response{}, err
	}
	if caller == "" {
		return kit.Response{}, errUnauthorized
	}
	if !st.allowed(caller, PrivCreate) {
		return kit.Response{}, errForbidden
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return kit.Response{}, errMalformedData
	}
	u := &User{Emails: []string{}, Privileges: []string{}, CreationTime: r.Now.Unix()}
	for key, to := range map[string]*string{"username": &u.Username, "password": &u.Password, "fullName": &u.FullName} {
		if v, ok := body[key]; ok {
			str, isString := v.(string)
			if !isString {
				return kit.Response{}, badValueString(key)
			}
			*to = str
		}
	}
	if u.Username != "" && st.byUsername.Has(u.Username) {
		return kit.Response{}, identifierOccupied("username")
	}
	if u.FullName == "" {
		u.FullName = "Unnamed User" // oz-worker's ?DEFAULT_USER_NAME
	}
	id := newUserID()
	st.Users.Set(id, u)
	if u.Username != "" {
		st.byUsername.Set(u.Username, id)
	}
	resp := kit.Response{Status: http.StatusCreated, Header: http.Header{}}
	resp.Header.Set("Location", r.BaseURL()+"/api/v3/onezone/users/"+id)
	return resp, nil
}

// newUserID is 32 lower-case hex characters, as Onezone's ids are.
func newUserID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails on supported platforms
	return hex.EncodeToString(b[:])
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

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	return section{Users: st.Users.Map(), Tokens: st.Tokens.Map()}
}
