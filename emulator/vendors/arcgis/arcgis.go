// Package arcgis emulates the workspace-deletion part of the ArcGIS
// Notebook Server administrator API, with its token checks, its f=
// output formats and its errors carried with HTTP 200.
package arcgis

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// Roles a token or login can hold. Only administrators may use the admin API.
const (
	RoleAdministrator = "administrator"
	RolePublisher     = "publisher"
	RoleUser          = "user"
)

var roles = []string{RoleAdministrator, RolePublisher, RoleUser}

// Vendor is the ArcGIS Notebook Server emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "arcgis" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	ops := map[string]kit.Handler{
		"deleteUserWorkspace":      v.deleteUserWorkspace,
		"transferUserWorkspace":    v.transferUserWorkspace,
		"listUserWorkspaces":       v.listUserWorkspaces,
		"listContainers":           v.listContainers,
		"getContainer":             v.getContainer,
		"terminateContainer":       v.terminateContainer,
		"generateToken":            v.generateToken,
		"generateAdminToken":       v.generateToken,
		"getPortalInfo":            v.portalInfo,
		"postPortalInfo":           v.portalInfo,
		"getPortalSelf":            v.portalSelf,
		"postPortalSelf":           v.portalSelf,
		"getCommunitySelf":         v.communitySelf,
		"postCommunitySelf":        v.communitySelf,
		"getPortalUsers":           v.portalUsers,
		"postPortalUsers":          v.portalUsers,
		"getCommunityUser":         v.communityUser,
		"searchPortalUsers":        v.searchUsers,
		"postSearchPortalUsers":    v.searchUsers,
		"searchCommunityUsers":     v.searchUsers,
		"postSearchCommunityUsers": v.searchUsers,
		"postCommunityUser":        v.communityUser,
		"getServerInfo":            v.serverInfo,
		"postServerInfo":           v.serverInfo,
	}
	// Where arcgis-rest-js looks for the server's info: under each
	// operation's URL (see the spec).
	for _, op := range []string{"Containers", "Container", "TerminateContainer", "DeleteUserWorkspace",
		"TransferUserWorkspace", "ListUserWorkspaces"} {
		ops["serverInfoAt"+op] = v.serverInfo
	}
	return ops
}

func (Vendor) deleteUserWorkspace(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	name := r.Value("userName")
	w, ok := st.Users.Get(name)
	if !ok {
		return kit.Response{}, noWorkspace(name)
	}
	if len(w.Containers) > 0 {
		return kit.Response{}, errRunningContainers
	}
	st.Users.Delete(name)
	return render(r, statusSuccess), nil
}

type status struct {
	Status string `json:"status"`
}

var statusSuccess = status{"success"}

// transferUserWorkspace moves a user's workspace into another user's
// workspace, under targetFoldername (11.4 reference page: userName,
// targetUsername, targetFoldername; its sample also spells them
// transferUserName and transferFoldername, taken too). Like the delete,
// it is refused while the source user has running containers.
func (Vendor) transferUserWorkspace(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	name := r.Value("userName")
	target := firstValue(r, "targetUsername", "transferUserName")
	folder := firstValue(r, "targetFoldername", "transferFoldername")
	if target == "" {
		return kit.Response{}, missingParameter("targetUsername")
	}
	w, ok := st.Users.Get(name)
	if !ok {
		return kit.Response{}, noWorkspaceToTransfer(name)
	}
	if len(w.Containers) > 0 {
		return kit.Response{}, errTransferRunningContainers
	}
	if !st.Users.Has(target) {
		return kit.Response{}, noWorkspaceToTransfer(target)
	}
	if folder == "" {
		folder = name
	}
	tw, _ := st.Users.Mut(target)
	tw.Folders = append(tw.Folders, folder)
	return render(r, statusSuccess), nil
}

func firstValue(r *kit.Request, names ...string) string {
	for _, n := range names {
		if v := r.Value(n); v != "" {
			return v
		}
	}
	return ""
}

func (Vendor) listUserWorkspaces(r *kit.Request, s kit.State) (kit.Response, error) {
	type name struct {
		Name string `json:"Name"`
	}
	st := s.(*State)
	out := struct {
		Containers []name `json:"Containers"`
	}{Containers: []name{}}
	for _, u := range st.Users.Keys() {
		if st.sees(r, u) {
			out.Containers = append(out.Containers, name{u})
		}
	}
	return render(r, out), nil
}

// container is one of a container's documented properties ("username -
// The user assigned the container"); the host details are fixed.
type container struct {
	HostName    string `json:"hostName"`
	ContainerID string `json:"containerId"`
	Username    string `json:"username"`
	Type        string `json:"type"`
}

func newContainer(id, user string) container {
	return container{HostName: "localhost", ContainerID: id, Username: user, Type: "openNotebook"}
}

func (Vendor) listContainers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	out := struct {
		Containers []container `json:"containers"`
	}{Containers: []container{}}
	for u, w := range st.Users.All() {
		if !st.sees(r, u) {
			continue
		}
		for _, c := range w.Containers {
			out.Containers = append(out.Containers, newContainer(c, u))
		}
	}
	return render(r, out), nil
}

// getContainer is one container, for its owner or an administrator.
func (Vendor) getContainer(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id := r.Params["containerId"]
	for u, w := range st.Users.Unordered() {
		if slices.Contains(w.Containers, id) {
			if !st.sees(r, u) {
				return kit.Response{}, errNotAdministrator
			}
			return render(r, newContainer(id, u)), nil
		}
	}
	return kit.Response{}, noContainer(id)
}

func (Vendor) terminateContainer(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id := r.Params["containerId"]
	for u, w := range st.Users.All() {
		if i := slices.Index(w.Containers, id); i >= 0 {
			w, _ = st.Users.Mut(u)
			w.Containers = slices.Delete(w.Containers, i, i+1)
			return render(r, statusSuccess), nil
		}
	}
	return kit.Response{}, noContainer(id)
}

// maxTokenMinutes is the longest token generateToken issues: two weeks.
const maxTokenMinutes = 14 * 24 * 60

func (Vendor) generateToken(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	var user, role string
	switch {
	case r.Value("username") != "" || r.Value("password") != "":
		l, ok := st.Logins.Get(r.Value("username"))
		if !ok || l.Password != r.Value("password") || l.Disabled {
			return kit.Response{}, errBadCredentials
		}
		user, role = r.Value("username"), l.Role
	case r.Value("token") != "" && r.Operation == "generateToken":
		// The portal trades its own token for a federated server's
		// (generateTokenForServer: token and serverUrl, no password).
		t, ok := st.Tokens.Get(r.Value("token"))
		if !ok || !kit.Live(t.Expires, r.Now) {
			return kit.Response{}, errInvalidToken
		}
		if r.Value("serverUrl") == "" {
			return kit.Response{}, missingParameter("serverUrl")
		}
		user, role = t.User, t.Role
	default:
		return kit.Response{}, errNoLogin
	}
	// Minutes, 60 by default; at most the server's maximum token
	// expiration, two weeks by default (generateToken, ArcGIS REST API).
	minutes := 60
	if m, err := strconv.Atoi(r.Value("expiration")); err == nil && m > 0 {
		minutes = min(m, maxTokenMinutes)
	}
	tok := kit.RandomHex(24)
	expires := r.Now.Add(time.Duration(minutes) * time.Minute)
	st.Tokens.Set(tok, &Token{User: user, Role: role, Expires: expires, Issued: true})
	table.PruneIssued(st.Tokens, r.Now, func(t *Token) (time.Time, bool) { return t.Expires, t.Issued })
	return render(r, struct {
		Token   string `json:"token"`
		Expires int64  `json:"expires"`
		SSL     bool   `json:"ssl"`
	}{tok, expires.UnixMilli(), true}), nil
}

// format is the request's f, defaulting to html as the server does. An
// unknown f is answered as json: the client asked for something machine-read.
func format(r *kit.Request) string {
	switch f := strings.ToLower(r.Value("f")); f {
	case "json", "pjson", "html":
		return f
	case "":
		return "html"
	}
	return "json"
}

// render writes v in the request's format, always with HTTP 200.
func render(r *kit.Request, v any) kit.Response {
	body := kit.Compact(v)
	switch format(r) {
	case "pjson":
		pretty, err := kit.JacksonPretty(body)
		if err != nil {
			panic("arcgis: re-laying our own JSON: " + err.Error())
		}
		return kit.Raw(http.StatusOK, contentJSON, pretty)
	case "html":
		return kit.Raw(http.StatusOK, kit.ContentHTML, htmlPage(r.Operation, body, nil))
	}
	return kit.Raw(http.StatusOK, contentJSON, body)
}

const contentJSON = "application/json;charset=utf-8"
