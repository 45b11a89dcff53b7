package arcgis

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// Versions the info resources report: Enterprise 11.5, runtime 11.0.
const (
	fullVersion    = "11.5.0"
	runtimeVersion = "11.0"
	currentVersion = 11.5
	portalVersion  = "2025.1"
)

// serverInfo is "Notebook Server info (REST info)" and the portal's "Info".
type serverInfo struct {
	OwningSystemURL       string   `json:"owningSystemUrl,omitempty"`
	FullVersion           string   `json:"fullVersion,omitempty"`
	CurrentRuntimeVersion string   `json:"currentRuntimeVersion,omitempty"`
	CurrentVersion        float64  `json:"currentVersion,omitempty"`
	AuthInfo              authInfo `json:"authInfo"`
}

type authInfo struct {
	TokenServicesURL     string `json:"tokenServicesUrl"`
	IsTokenBasedSecurity bool   `json:"isTokenBasedSecurity"`
}

// context is the web context a request came under ("arcgis" by default,
// and always for the 11.4 URL family).
func context(r *kit.Request) string {
	if c := r.Params["context"]; c != "" {
		return c
	}
	return "arcgis"
}

// portalURL is the portal's root, as a client reached offboard.
func portalURL(r *kit.Request) string { return r.BaseURL() + "/" + context(r) }

// serverInfo answers the Notebook Server's info: federated with the
// portal (its tokens, traded at its generateToken), or standalone.
func (Vendor) serverInfo(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	info := serverInfo{FullVersion: fullVersion, CurrentRuntimeVersion: runtimeVersion, CurrentVersion: currentVersion,
		AuthInfo: authInfo{IsTokenBasedSecurity: true, TokenServicesURL: portalURL(r) + "/sharing/rest/generateToken"}}
	if st.Portal.Standalone {
		admin := r.BaseURL() + "/" + context(r) + "/notebooks/admin"
		if strings.Contains(r.Path, "/arcgis/admin/") || strings.HasPrefix(r.Path, "/arcgis/rest/") {
			admin = r.BaseURL() + "/arcgis/admin"
		}
		info.AuthInfo.TokenServicesURL = admin + "/generateToken"
	} else {
		info.OwningSystemURL = portalURL(r)
	}
	return render(r, info), nil
}

// portalInfo answers the portal's info: its own tokens.
func (Vendor) portalInfo(r *kit.Request, _ kit.State) (kit.Response, error) {
	return render(r, serverInfo{OwningSystemURL: portalURL(r),
		AuthInfo: authInfo{IsTokenBasedSecurity: true, TokenServicesURL: portalURL(r) + "/sharing/rest/generateToken"}}), nil
}

// portalUser is a portal user as "User" and "User Self" describe one.
type portalUser struct {
	Username   string   `json:"username"`
	ID         string   `json:"id"`
	FullName   string   `json:"fullName"`
	FirstName  string   `json:"firstName"`
	LastName   string   `json:"lastName"`
	Email      string   `json:"email,omitempty"`
	OrgID      string   `json:"orgId"`
	Role       string   `json:"role"`
	Privileges []string `json:"privileges"`
	Level      string   `json:"level"`
	Access     string   `json:"access"`
	Provider   string   `json:"provider"`
	Disabled   bool     `json:"disabled"`
	Created    int64    `json:"created"`
	Modified   int64    `json:"modified"`
}

// created is when offboard's portal users were made (2024-01-01, in
// milliseconds): fixed, so answers compare.
const created = 1704067200000

// portalRoles maps a login's role to the portal's role and a few of its
// privileges (the portal's own lists are longer).
func portalRole(role string) (string, []string) {
	switch role {
	case RoleAdministrator:
		return "org_admin", []string{"portal:admin:viewUsers", "portal:admin:updateUsers", "portal:admin:deleteUsers",
			"portal:admin:viewItems", "portal:user:createItem", "premium:user:createNotebooks"}
	case RolePublisher:
		return "org_publisher", []string{"portal:publisher:publishFeatures", "portal:user:createItem", "premium:user:createNotebooks"}
	}
	return "org_user", []string{"portal:user:createItem", "portal:user:joinGroup"}
}

func (st *State) user(name string, l *Login) portalUser {
	role, privileges := portalRole(l.Role)
	sum := sha256.Sum256([]byte(st.Portal.ID + "/" + name))
	full := l.FullName
	if full == "" {
		full = name
	}
	first, last, _ := strings.Cut(full, " ")
	return portalUser{Username: name, ID: hex.EncodeToString(sum[:16]), FullName: full, FirstName: first, LastName: last,
		Email: l.Email, OrgID: st.Portal.ID, Role: role, Privileges: privileges, Level: "2", Access: "org",
		Provider: "arcgis", Disabled: l.Disabled, Created: created, Modified: created}
}

// communitySelf answers the token's user.
func (Vendor) communitySelf(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	t, err := st.token(r)
	if err != nil {
		return kit.Response{}, err
	}
	l, ok := st.Logins.Get(t.User)
	if !ok {
		// A token the scenario made without a portal login: an account of
		// the token's role, named by its user.
		l = &Login{Role: t.Role}
	}
	return render(r, st.user(t.User, l)), nil
}

// communityUser answers a named user of the portal.
func (Vendor) communityUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	name := r.Params["username"]
	l, ok := st.Logins.Get(name)
	if !ok {
		return kit.Response{}, errUserNotFound
	}
	return render(r, st.user(name, l)), nil
}

type portalSelf struct {
	ID                           string      `json:"id"`
	Name                         string      `json:"name"`
	IsPortal                     bool        `json:"isPortal"`
	PortalName                   string      `json:"portalName"`
	PortalHostname               string      `json:"portalHostname"`
	CurrentVersion               string      `json:"currentVersion"`
	AuthorizedCrossOriginDomains []string    `json:"authorizedCrossOriginDomains"`
	User                         *portalUser `json:"user,omitempty"`
}

// portalSelf answers the portal, with the token's user when there is one.
func (Vendor) portalSelf(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	out := portalSelf{ID: st.Portal.ID, Name: st.Portal.Name, IsPortal: true, PortalName: st.Portal.Name,
		PortalHostname: r.BaseHost() + "/" + context(r), CurrentVersion: portalVersion, AuthorizedCrossOriginDomains: []string{}}
	if t, err := st.token(r); err == nil {
		l, ok := st.Logins.Get(t.User)
		if !ok {
			l = &Login{Role: t.Role}
		}
		u := st.user(t.User, l)
		out.User = &u
	}
	return render(r, out), nil
}
