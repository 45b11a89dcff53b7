// Package onedata emulates the user-removal part of the Onedata Onezone
// REST API (DELETE /api/v3/onezone/users/{id}).
package onedata

import (
	"encoding/json"
	"net/http"

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
	return kit.Response{Status: http.StatusNoContent}, nil
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
	return kit.Response{Status: http.StatusNoContent}, nil
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
	return kit.Response{Status: http.StatusNoContent}, nil
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
	resp := kit.Response{Status: http.StatusCreated}
	resp.SetHeader("Location", r.BaseURL()+"/api/v3/onezone/users/"+id)
	return resp, nil
}

// newUserID is 32 lower-case hex characters, as Onezone's ids are.
func newUserID() string { return kit.RandomHex(16) }
