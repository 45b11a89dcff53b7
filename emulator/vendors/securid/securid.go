// Package securid emulates the user-deletion part of the RSA SecurID Cloud
// Access Service administration REST API.
package securid

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/signing"
)

// Limits of the service's JWT check.
const (
	maxLifetime = time.Hour
	clockSkew   = 60 * time.Second
	// DefaultAudience is the administration REST URL tokens are meant for
	// when a scenario names none.
	DefaultAudience = signing.SecurIDAudience
)

// Roles of an administration API key.
const (
	RoleSuperAdmin    = "super-admin"
	RoleHelpDeskAdmin = "help-desk-admin"
)

// Identity source types: users of the SCIM-managed ones cannot be deleted
// through this API (405).
const (
	SourceLDAP     = "ldap"
	SourceCloud    = "cloud"
	SourceSCIM     = "scim"
	SourceAzureAD  = "azure-ad"
	StatusEnabled  = "Enabled"
	StatusDisabled = "Disabled"
)

// Vendor is the Cloud Access Service emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "securid" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"deleteUser":       v.deleteUser,
		"updateUserStatus": v.updateUserStatus,
		"markDeleted":      v.markDeleted,
		"lookupUser":       v.lookupUser,
		"searchUsers":      v.searchUsers,
		"searchUsersV2":    v.searchUsers,
	}
}

// user finds the request's user, to read or, with write, as a copy this
// session owns.
func (st *State) user(r *kit.Request, write bool) (string, *User, error) {
	id := r.Params["userID"]
	u, ok := st.Users.Get(id)
	if !ok {
		return id, nil, errNotFound
	}
	if write {
		u, _ = st.Users.Mut(id)
	}
	return id, u, nil
}

func scimManaged(u *User) bool { return u.SourceType == SourceSCIM || u.SourceType == SourceAzureAD }

// deleteUser deletes only a Disabled user that is not pending deletion.
func (Vendor) deleteUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id, u, err := st.user(r, false)
	switch {
	case err != nil:
		return kit.Response{}, err
	case scimManaged(u):
		return kit.Response{}, errSCIM
	case u.MarkDeleted:
		return kit.Response{}, errPendingDeletion
	case u.UserStatus == StatusEnabled:
		return kit.Response{}, errEnabled
	}
	st.Users.Delete(id)
	return kit.Response{Status: http.StatusOK}, nil
}

// changeable finds the user a state change names and reads the change
// into body; SCIM-managed users cannot be changed here (405).
func (st *State) changeable(r *kit.Request, body any) (string, *User, error) {
	_, u, err := st.user(r, false)
	if err != nil {
		return "", nil, err
	}
	if scimManaged(u) {
		return "", nil, errSCIM
	}
	if err := json.Unmarshal(r.Body, body); err != nil {
		return "", nil, errBadRequest
	}
	return st.user(r, true)
}

func (Vendor) updateUserStatus(r *kit.Request, s kit.State) (kit.Response, error) {
	var body struct {
		UserStatus string `json:"userStatus"`
	}
	id, u, err := s.(*State).changeable(r, &body)
	if err != nil {
		return kit.Response{}, err
	}
	u.UserStatus = body.UserStatus
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(struct {
		ID         string `json:"id"`
		UserStatus string `json:"userStatus"`
	}{id, u.UserStatus})), nil
}

// flexBool is a boolean that also takes "true" and "false": markDeleted's
// page documents a boolean and shows {"markDeleted": "true"}.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`:
		*b = false
	default:
		return fmt.Errorf("not a boolean: %s", data)
	}
	return nil
}

func (Vendor) markDeleted(r *kit.Request, s kit.State) (kit.Response, error) {
	var body struct {
		MarkDeleted flexBool `json:"markDeleted"`
	}
	id, u, err := s.(*State).changeable(r, &body)
	if err != nil {
		return kit.Response{}, err
	}
	mark := bool(body.MarkDeleted)
	if u.MarkDeleted == mark {
		return kit.Response{}, errAlreadyMarked(mark)
	}
	u.MarkDeleted = mark
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(struct {
		ID          string `json:"id"`
		MarkDeleted bool   `json:"markDeleted"`
	}{id, u.MarkDeleted})), nil
}

type userDetails struct {
	ID             string `json:"id"`
	Email          string `json:"email"`
	FirstName      string `json:"firstName"`
	LastName       string `json:"lastName"`
	UserStatus     string `json:"userStatus"`
	MarkDeleted    bool   `json:"markDeleted"`
	IdentitySource string `json:"identitySource"`
}

func (Vendor) lookupUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	var body struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return kit.Response{}, errBadRequest
	}
	for id, u := range st.Users.All() {
		if strings.EqualFold(u.Email, body.Email) {
			return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(userDetails{id, u.Email, u.FirstName, u.LastName,
				u.UserStatus, u.MarkDeleted, u.IdentitySource})), nil
		}
	}
	return kit.Response{}, errNotFound
}

// searchUsers is the user search (/v1/users/search and /v2/users/search):
// searchText matched, case-insensitively, against the id, email and
// names; a page at a time (pageSize, pageNumber from 0).
func (Vendor) searchUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	var body struct {
		SearchText string `json:"searchText"`
		PageSize   *int   `json:"pageSize"`
		PageNumber int    `json:"pageNumber"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		return kit.Response{}, errBadRequest
	}
	size := 100
	if body.PageSize != nil {
		size = *body.PageSize
	}
	if size < 1 || size > 1000 || body.PageNumber < 0 { // the spec's bounds, again: no arithmetic past them
		return kit.Response{}, errBadRequest
	}
	q := strings.ToLower(body.SearchText)
	var found []userDetails
	for id, u := range st.Users.All() {
		hay := strings.ToLower(id + "\x00" + u.Email + "\x00" + u.FirstName + "\x00" + u.LastName + "\x00" + u.FirstName + " " + u.LastName)
		if strings.Contains(hay, q) {
			found = append(found, userDetails{id, u.Email, u.FirstName, u.LastName, u.UserStatus, u.MarkDeleted, u.IdentitySource})
		}
	}
	page := []userDetails{}
	pages := (len(found) + size - 1) / size
	if body.PageNumber < pages { // never multiplied past the results: no overflow
		from := body.PageNumber * size
		page = found[from:min(from+size, len(found))]
	}
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(struct {
		Users         []userDetails `json:"users"`
		PageNumber    int           `json:"pageNumber"`
		PageSize      int           `json:"pageSize"`
		TotalElements int           `json:"totalElements"`
		TotalPages    int           `json:"totalPages"`
	}{page, body.PageNumber, size, len(found), pages})), nil
}
