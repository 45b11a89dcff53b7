// Package arcgis emulates the workspace-deletion part of the ArcGIS
// Notebook Server administrator API, with its token checks, its f=
// output formats and its errors carried with HTTP 200.
package arcgis

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
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
	return map[string]kit.Handler{
		"deleteUserWorkspace":   v.deleteUserWorkspace,
		"transferUserWorkspace": v.transferUserWorkspace,
		"listUserWorkspaces":    v.listUserWorkspaces,
		"listContainers":        v.listContainers,
		"getContainer":          v.getContainer,
		"terminateContainer":    v.terminateContainer,
		"generateToken":         v.generateToken,
		"generateAdminToken":    v.generateToken,
	}
}

// State is the server's tokens, the portal logins that can generate tokens,
// and the users' workspaces with their running containers.
type State struct {
	Tokens *kit.Table[string, *Token]     `json:"tokens"`
	Logins *kit.Table[string, *Login]     `json:"logins"`
	Users  *kit.Table[string, *Workspace] `json:"users"`
}

type section struct {
	Tokens map[string]*Token     `yaml:"tokens"`
	Logins map[string]*Login     `yaml:"logins"`
	Users  map[string]*Workspace `yaml:"users"`
}

// Token is an issued token.
type Token struct {
	User    string    `yaml:"user,omitempty" json:"user,omitempty"`
	Role    string    `yaml:"role" json:"role"`
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"` // zero: never
}

// Login is a portal account that generateToken accepts.
type Login struct {
	Password string `yaml:"password" json:"password"`
	Role     string `yaml:"role" json:"role"`
}

// Workspace is a user's workspace directory and the containers running for them.
type Workspace struct {
	Containers []string `yaml:"containers" json:"containers"`
	// Folders are the workspaces transferred into this one
	// (transferUserWorkspace's targetFoldername).
	Folders []string `yaml:"folders,omitempty" json:"folders,omitempty"`
}

func (w *Workspace) clone() *Workspace {
	return &Workspace{Containers: slices.Clone(w.Containers), Folders: slices.Clone(w.Folders)}
}

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	return &State{Tokens: s.Tokens.Clone(), Logins: s.Logins.Clone(), Users: s.Users.Clone()}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Tokens: map[string]*Token{}, Logins: map[string]*Login{}, Users: map[string]*Workspace{}}
	if err := kit.Decode(node, "arcgis", &sec); err != nil {
		return nil, err
	}
	var errs kit.Errors
	for _, k := range slices.Sorted(maps.Keys(sec.Tokens)) {
		t := sec.Tokens[k]
		if t == nil {
			t = &Token{}
			sec.Tokens[k] = t
		}
		if t.Role == "" {
			t.Role = RoleAdministrator
		}
		if !slices.Contains(roles, t.Role) {
			errs.Add(kit.Find(node, "tokens", k, "role"), "arcgis.tokens."+k+".role", "unknown role %q (%s)", t.Role, kit.Known(roles))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(sec.Logins)) {
		l := sec.Logins[k]
		if l == nil || l.Password == "" {
			errs.Add(kit.Find(node, "logins", k), "arcgis.logins."+k+".password", "a login needs a password")
			continue
		}
		if l.Role == "" {
			l.Role = RoleUser
		}
		if !slices.Contains(roles, l.Role) {
			errs.Add(kit.Find(node, "logins", k, "role"), "arcgis.logins."+k+".role", "unknown role %q (%s)", l.Role, kit.Known(roles))
		}
	}
	owner := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(sec.Users)) {
		w := sec.Users[name]
		if w == nil {
			w = &Workspace{}
			sec.Users[name] = w
		}
		if w.Containers == nil {
			w.Containers = []string{} // one form for "none", however written
		}
		for i, c := range w.Containers {
			if prev, dup := owner[c]; dup {
				errs.Add(kit.Find(node, "users", name, "containers", strconv.Itoa(i)),
					fmt.Sprintf("arcgis.users.%s.containers[%d]", name, i), "container %q already runs for %s", c, prev)
			}
			owner[c] = name
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &State{
		Tokens: kit.NewTable(sec.Tokens, kit.Same[*Token]),
		Logins: kit.NewTable(sec.Logins, kit.Same[*Login]),
		Users:  kit.NewTable(sec.Users, (*Workspace).clone),
	}, nil
}

// ownerReadable are the operations a user who is not an administrator
// may call, for what they own: the containers pages ("those who are not
// administrators will only see the containers they own") and the 11.4
// list page ("the workspace directory ... for the user initiating the
// request").
var ownerReadable = map[string]bool{"listUserWorkspaces": true, "listContainers": true, "getContainer": true}

// Authenticate implements kit.Authenticator: the admin framework checks the
// token before the operation looks at its parameters.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	if r.Operation == "generateToken" || r.Operation == "generateAdminToken" {
		return nil
	}
	t, err := s.(*State).token(r)
	if err != nil {
		return err
	}
	if t.Role != RoleAdministrator && !ownerReadable[r.Operation] {
		return errNotAdministrator
	}
	return nil
}

// token is the request's valid token, from the form body, the query or
// X-Esri-Authorization.
func (st *State) token(r *kit.Request) (*Token, error) {
	raw := r.Value("token")
	if raw == "" {
		raw, _ = kit.Bearer(r.Header.Get("X-Esri-Authorization"))
	}
	if raw == "" {
		return nil, errTokenRequired
	}
	t, ok := st.Tokens.Get(raw)
	if !ok || (!t.Expires.IsZero() && !r.Now.Before(t.Expires)) {
		return nil, errInvalidToken
	}
	return t, nil
}

// sees tells whether the caller may see what user owns: an administrator
// sees everything, anyone else their own.
func (st *State) sees(r *kit.Request, user string) bool {
	t, err := st.token(r)
	return err == nil && (t.Role == RoleAdministrator || t.User != "" && t.User == user)
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

func (Vendor) generateToken(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	l, ok := st.Logins.Get(r.Value("username"))
	if !ok || l.Password != r.Value("password") {
		return kit.Response{}, errBadCredentials
	}
	minutes := 60
	if m, err := strconv.Atoi(r.Value("expiration")); err == nil && m > 0 {
		minutes = m
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw) // crypto/rand.Read never fails on supported platforms
	tok := hex.EncodeToString(raw)
	expires := r.Now.Add(time.Duration(minutes) * time.Minute)
	st.Tokens.Set(tok, &Token{User: r.Value("username"), Role: l.Role, Expires: expires})
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

// Credential implements kit.Credentialer: the first administrator token
// that has not expired, as Esri's clients send it in a header.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	st := s.(*State)
	for k, t := range st.Tokens.All() {
		if t.Role == RoleAdministrator && (t.Expires.IsZero() || now.Before(t.Expires)) {
			return "X-Esri-Authorization", "Bearer " + k, nil
		}
	}
	return "", "", errors.New("the scenario has no valid arcgis administrator token")
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	return section{Tokens: st.Tokens.Map(), Logins: st.Logins.Map(), Users: st.Users.Map()}
}
