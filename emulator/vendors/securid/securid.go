// Package securid emulates the user-deletion part of the RSA SecurID Cloud
// Access Service administration REST API.
package securid

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"gopkg.in/yaml.v3"

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

// State is the tenant: its API keys and its users.
type State struct {
	Audience string                      `json:"audience"`
	APIKeys  *kit.Table[string, *APIKey] `json:"apiKeys"` // by access id
	Users    *kit.Table[string, *User]   `json:"users"`

	// verified caches the claims of tokens whose signature checked out: a
	// signature over the same bytes with the same key does not change, and
	// RSA verification is most of a request's cost. Times are checked anew.
	verified map[string]*claims
}

type section struct {
	Audience string             `yaml:"audience"`
	APIKeys  map[string]*APIKey `yaml:"apiKeys"`
	Users    map[string]*User   `yaml:"users"`
}

// maxVerified bounds the cache; it empties when full.
const maxVerified = 1024

// APIKey is an administration API key.
type APIKey struct {
	Role      string `yaml:"role" json:"role"`
	PublicKey string `yaml:"publicKey" json:"publicKey"`
	// PrivateKey is optional and for tests only: it lets `offboard token
	// securid` mint a bearer token.
	PrivateKey string `yaml:"privateKey" json:"-"`

	public  *rsa.PublicKey
	private *rsa.PrivateKey
}

// User is a CAS user.
type User struct {
	Email          string `yaml:"email" json:"email"`
	FirstName      string `yaml:"firstName" json:"firstName"`
	LastName       string `yaml:"lastName" json:"lastName"`
	UserStatus     string `yaml:"userStatus" json:"userStatus"`
	MarkDeleted    bool   `yaml:"markDeleted" json:"markDeleted"`
	IdentitySource string `yaml:"identitySource" json:"identitySource"`
	SourceType     string `yaml:"identitySourceType" json:"identitySourceType"`
}

func (u *User) clone() *User { c := *u; return &c }

// Clone implements kit.State. Keys are immutable once parsed and shared.
func (s *State) Clone() kit.State {
	return &State{Audience: s.Audience, APIKeys: s.APIKeys.Clone(), Users: s.Users.Clone()}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{APIKeys: map[string]*APIKey{}, Users: map[string]*User{}}
	if err := kit.Decode(node, "securid", &sec); err != nil {
		return nil, err
	}
	if sec.Audience == "" {
		sec.Audience = DefaultAudience
	}
	var errs kit.Errors
	for _, id := range slices.Sorted(maps.Keys(sec.APIKeys)) {
		k := sec.APIKeys[id]
		field := "securid.apiKeys." + id
		if k == nil {
			errs.Add(kit.Find(node, "apiKeys", id), field+".publicKey", "an API key needs its public key")
			delete(sec.APIKeys, id)
			continue
		}
		if k.Role == "" {
			k.Role = RoleSuperAdmin
		}
		if k.Role != RoleSuperAdmin && k.Role != RoleHelpDeskAdmin {
			errs.Add(kit.Find(node, "apiKeys", id, "role"), field+".role",
				"unknown role %q (%s)", k.Role, kit.Known([]string{RoleHelpDeskAdmin, RoleSuperAdmin}))
		}
		pub, err := jwt.ParseRSAPublicKeyFromPEM([]byte(k.PublicKey))
		if err != nil {
			errs.Add(kit.Find(node, "apiKeys", id, "publicKey"), field+".publicKey", "not a PEM RSA public key: %v", err)
			continue
		}
		k.public = pub
		if k.PrivateKey != "" {
			priv, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(k.PrivateKey))
			switch {
			case err != nil:
				errs.Add(kit.Find(node, "apiKeys", id, "privateKey"), field+".privateKey", "not a PEM RSA private key: %v", err)
			case !priv.PublicKey.Equal(pub):
				errs.Add(kit.Find(node, "apiKeys", id, "privateKey"), field+".privateKey", "does not match publicKey")
			default:
				k.private = priv
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(sec.Users)) {
		u := sec.Users[id]
		if u == nil {
			u = &User{}
			sec.Users[id] = u
		}
		field := "securid.users." + id
		switch u.UserStatus {
		case "":
			u.UserStatus = StatusEnabled
		case StatusEnabled, StatusDisabled:
		default:
			errs.Add(kit.Find(node, "users", id, "userStatus"), field+".userStatus",
				"unknown status %q (%s)", u.UserStatus, kit.Known([]string{StatusDisabled, StatusEnabled}))
		}
		switch u.SourceType {
		case "":
			u.SourceType = SourceLDAP
		case SourceLDAP, SourceCloud, SourceSCIM, SourceAzureAD:
		default:
			errs.Add(kit.Find(node, "users", id, "identitySourceType"), field+".identitySourceType",
				"unknown identity source type %q (%s)", u.SourceType, kit.Known([]string{SourceAzureAD, SourceCloud, SourceLDAP, SourceSCIM}))
		}
		if u.IdentitySource == "" {
			u.IdentitySource = map[string]string{SourceLDAP: "Corporate LDAP", SourceCloud: "Cloud Directory",
				SourceSCIM: "SCIM Managed", SourceAzureAD: "Azure Active Directory (SCIM)"}[u.SourceType]
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &State{
		Audience: sec.Audience,
		APIKeys:  kit.NewTable(sec.APIKeys, kit.Same[*APIKey]),
		Users:    kit.NewTable(sec.Users, (*User).clone),
	}, nil
}

// claims is what the service reads from the JWT.
type claims struct {
	jwt.RegisteredClaims
}

// Authenticate implements kit.Authenticator: the JWT is checked before
// anything else, and every failure is 403.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	st := s.(*State)
	raw, ok := kit.Bearer(r.Header.Get("Authorization"))
	if !ok {
		return forbidden("no bearer token")
	}
	c, ok := st.verified[raw]
	if !ok {
		c = &claims{}
		_, err := jwt.ParseWithClaims(raw, c, func(t *jwt.Token) (any, error) {
			// The authentication page fixes the header: {"typ":"JWT","alg":"RS256"}.
			if typ, _ := t.Header["typ"].(string); typ != "JWT" {
				return nil, fmt.Errorf("header typ is %q, not \"JWT\"", typ)
			}
			sub, _ := t.Claims.GetSubject()
			key, _ := st.APIKeys.Get(sub)
			if key == nil {
				return nil, fmt.Errorf("no API key with access id %q", sub)
			}
			return key.public, nil
		}, jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithoutClaimsValidation())
		if err != nil {
			return forbidden("JWT: " + err.Error())
		}
		if st.verified == nil || len(st.verified) >= maxVerified {
			st.verified = map[string]*claims{}
		}
		st.verified[raw] = c
	}
	key, _ := st.APIKeys.Get(c.Subject)
	if key == nil {
		return forbidden("JWT: no API key with access id " + c.Subject)
	}
	err := jwt.NewValidator(
		jwt.WithLeeway(clockSkew),
		jwt.WithAudience(st.Audience),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return r.Now }),
	).Validate(c)
	if err != nil {
		return forbidden("JWT: " + err.Error())
	}
	if c.IssuedAt == nil {
		return forbidden("JWT: iat is missing")
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life > maxLifetime {
		return forbidden(fmt.Sprintf("JWT: exp is %s after iat, more than %s", life, maxLifetime))
	}
	// Delete User Now needs a Super Administrator key; the state changes
	// and lookups take a Help Desk Administrator's too (each page: "an
	// API key that is associated with either the Super Administrator or
	// Help Desk Administrator role").
	if key.Role != RoleSuperAdmin && r.Operation == "deleteUser" {
		return forbidden("the API key's role is " + key.Role + ", not " + RoleSuperAdmin)
	}
	return nil
}

// Credential implements kit.Credentialer: a bearer token signed with the
// first super-admin key whose private key the scenario ships.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	st := s.(*State)
	for id, k := range st.APIKeys.All() {
		if k.private == nil || k.Role != RoleSuperAdmin {
			continue
		}
		tok, err := signing.SecurIDToken(k.private, id, st.Audience, now, maxLifetime)
		if err != nil {
			return "", "", err
		}
		return "Authorization", "Bearer " + tok, nil
	}
	return "", "", errors.New("the scenario has no securid super-admin API key with a privateKey")
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
	return kit.Response{Status: http.StatusOK, Header: http.Header{}}, nil
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
	if size < 1 || body.PageNumber < 0 {
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
	if from := body.PageNumber * size; from < len(found) {
		page = found[from:min(from+size, len(found))]
	}
	return kit.Raw(http.StatusOK, kit.ContentJSON, kit.Compact(struct {
		Users         []userDetails `json:"users"`
		PageNumber    int           `json:"pageNumber"`
		PageSize      int           `json:"pageSize"`
		TotalElements int           `json:"totalElements"`
		TotalPages    int           `json:"totalPages"`
	}{page, body.PageNumber, size, len(found), (len(found) + size - 1) / size})), nil
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	return section{Audience: st.Audience, APIKeys: st.APIKeys.Map(), Users: st.Users.Map()}
}
