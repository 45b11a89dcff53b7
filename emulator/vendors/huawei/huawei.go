// Package huawei emulates the workspace-user part of Huawei Cloud DataArts
// Studio behind Huawei's API gateway (token and AK/SK authentication).
package huawei

import (
	"crypto/sha256"
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

// Vendor is the DataArts Studio emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "huawei" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"deleteWorkspaceUsers":    v.deleteUsers,
		"listWorkspaceUsers":      v.listUsers,
		"addWorkspaceUsers":       v.addUsers,
		"updateWorkspaceUserRole": v.updateUser,
		"listWorkspaceRoles":      v.listRoles,
	}
}

// State is the gateway's credentials and the projects' workspaces.
// Sessions share the loaded scenario's tables and keep their own changes.
type State struct {
	Tokens     *kit.Table[string, *Token]     `json:"tokens"`
	AccessKeys *kit.Table[string, *AccessKey] `json:"accessKeys"`
	Projects   *kit.Table[string, *Project]   `json:"projects"`
}

type section struct {
	Tokens     map[string]*Token       `yaml:"tokens"`
	AccessKeys map[string]*AccessKey   `yaml:"accessKeys"`
	Projects   map[string]*projectYAML `yaml:"projects"`
}

type projectYAML struct {
	Workspaces map[string]*workspaceYAML `yaml:"workspaces"`
}

type workspaceYAML struct {
	Users         map[string]*Member `yaml:"users"`
	RejectDeletes string             `yaml:"rejectDeletes,omitempty"`
}

// Token is an IAM token the gateway accepts in X-Auth-Token.
type Token struct {
	User    string    `yaml:"user" json:"user"`
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"` // zero: never
}

// AccessKey is an AK/SK pair; the map key is the AK.
type AccessKey struct {
	Secret string `yaml:"secret" json:"secret"`
	User   string `yaml:"user" json:"user"`
}

// Project holds workspaces by id.
type Project struct {
	Workspaces *kit.Table[string, *Workspace] `json:"workspaces"`
}

func (p *Project) clone() *Project { return &Project{Workspaces: p.Workspaces.Clone()} }

// Workspace holds its members by user id.
type Workspace struct {
	Users *kit.Table[string, *Member] `json:"users"`
	// RejectDeletes, when set, makes deletes answer 200 with
	// is_success false and this message, changing nothing (what
	// Terraform's provider treats as a failure).
	RejectDeletes string `json:"rejectDeletes,omitempty"`
}

func (w *Workspace) clone() *Workspace {
	return &Workspace{Users: w.Users.Clone(), RejectDeletes: w.RejectDeletes}
}

// Member is a workspace user.
type Member struct {
	ID          string    `yaml:"id" json:"id"` // membership record id
	Name        string    `yaml:"name" json:"name"`
	DisplayName string    `yaml:"displayName" json:"displayName"`
	DomainID    string    `yaml:"domainId" json:"domainId"`
	DomainName  string    `yaml:"domainName" json:"domainName"`
	DomainOwner bool      `yaml:"domainOwner" json:"domainOwner"`
	Description string    `yaml:"description" json:"description"`
	Roles       []string  `yaml:"roles" json:"roles"` // role codes
	Created     time.Time `yaml:"created" json:"created"`
	CreatedBy   string    `yaml:"createdBy" json:"createdBy"`
	Updated     time.Time `yaml:"updated,omitempty" json:"updated,omitzero"`
	UpdatedBy   string    `yaml:"updatedBy,omitempty" json:"updatedBy,omitempty"`
}

func (m *Member) updated() time.Time {
	if m.Updated.IsZero() {
		return m.Created
	}
	return m.Updated
}

func (m *Member) updatedBy() string {
	if m.UpdatedBy == "" {
		return m.CreatedBy
	}
	return m.UpdatedBy
}

func (m *Member) clone() *Member {
	c := *m
	c.Roles = slices.Clone(m.Roles)
	return &c
}

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	return &State{Tokens: s.Tokens.Clone(), AccessKeys: s.AccessKeys.Clone(), Projects: s.Projects.Clone()}
}

// workspaceRole is one of a workspace's roles. The ids r00001 to r00004
// are the ones the "Adding a Workspace User" page names; DEPLOYER's is
// offboard's.
type workspaceRole struct {
	ID, Code, Name, Description string
}

var workspaceRoles = []workspaceRole{
	{"r00001", "ADMIN", "Admin", "Workspace administrator: manages the workspace, its members and their roles."},
	{"r00002", "DEVELOPER", "Developer", "Develops and tests data jobs and scripts."},
	{"r00003", "OPERATOR", "Operator", "Runs and monitors jobs."},
	{"r00004", "VIEWER", "Viewer", "Views the workspace's resources."},
	{"r00005", "DEPLOYER", "Deployer", "Deploys jobs to production."},
}

// roleCodes are the workspace roles, by code.
var roleCodes = []string{"ADMIN", "DEPLOYER", "DEVELOPER", "OPERATOR", "VIEWER"}

func roleByCode(code string) (workspaceRole, bool) {
	for _, r := range workspaceRoles {
		if r.Code == code {
			return r, true
		}
	}
	return workspaceRole{}, false
}

func roleByID(id string) (workspaceRole, bool) {
	for _, r := range workspaceRoles {
		if r.ID == id {
			return r, true
		}
	}
	return workspaceRole{}, false
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Tokens: map[string]*Token{}, AccessKeys: map[string]*AccessKey{}, Projects: map[string]*projectYAML{}}
	if err := kit.Decode(node, "huawei", &sec); err != nil {
		return nil, err
	}
	var errs kit.Errors
	for k, t := range sec.Tokens {
		if t == nil {
			sec.Tokens[k] = &Token{}
		}
	}
	for _, ak := range slices.Sorted(maps.Keys(sec.AccessKeys)) {
		if a := sec.AccessKeys[ak]; a == nil || a.Secret == "" {
			errs.Add(kit.Find(node, "accessKeys", ak), "huawei.accessKeys."+ak+".secret", "an access key needs its secret")
		}
	}
	projects := make(map[string]*Project, len(sec.Projects))
	for _, pid := range slices.Sorted(maps.Keys(sec.Projects)) {
		p := sec.Projects[pid]
		workspaces := map[string]*Workspace{}
		if p != nil {
			for _, wid := range slices.Sorted(maps.Keys(p.Workspaces)) {
				w := p.Workspaces[wid]
				if w == nil {
					w = &workspaceYAML{}
				}
				if w.Users == nil {
					w.Users = map[string]*Member{}
				}
				for _, uid := range slices.Sorted(maps.Keys(w.Users)) {
					m := w.Users[uid]
					if m == nil {
						m = &Member{}
						w.Users[uid] = m
					}
					if m.Roles == nil {
						m.Roles = []string{"DEVELOPER"}
					}
					if m.ID == "" {
						m.ID = membershipID(wid, uid)
					}
					for i, role := range m.Roles {
						if _, ok := roleByCode(role); !ok {
							errs.Add(kit.Find(node, "projects", pid, "workspaces", wid, "users", uid, "roles", strconv.Itoa(i)),
								fmt.Sprintf("huawei.projects.%s.workspaces.%s.users.%s.roles[%d]", pid, wid, uid, i),
								"unknown role %q (%s)", role, kit.Known(roleCodes))
						}
					}
				}
				workspaces[wid] = &Workspace{Users: kit.NewTable(w.Users, (*Member).clone), RejectDeletes: w.RejectDeletes}
			}
		}
		projects[pid] = &Project{Workspaces: kit.NewTable(workspaces, (*Workspace).clone)}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &State{
		Tokens:     kit.NewTable(sec.Tokens, kit.Same[*Token]),
		AccessKeys: kit.NewTable(sec.AccessKeys, kit.Same[*AccessKey]),
		Projects:   kit.NewTable(projects, (*Project).clone),
	}, nil
}

// membershipID is a stable membership record id, 32 hex like the service's.
func membershipID(workspace, user string) string {
	sum := sha256.Sum256([]byte(workspace + "/" + user))
	return hex.EncodeToString(sum[:16])
}

// Authenticate implements kit.Authenticator: the gateway checks
// credentials before the service sees the request.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	st := s.(*State)
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		t, ok := st.Tokens.Get(tok)
		switch {
		case !ok:
			return gatewayAuth("decrypt token fail", "unknown X-Auth-Token")
		case !t.Expires.IsZero() && !r.Now.Before(t.Expires):
			// The gateway names the expiry as IAM writes expires_at.
			return gatewayAuth("token expires, expires_at: "+t.Expires.UTC().Format("2006-01-02T15:04:05.000000Z"),
				"X-Auth-Token expired at "+t.Expires.Format(time.RFC3339))
		}
		return nil
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		sig, ok := parseSignature(auth)
		if !ok {
			return gatewayAuth("verify aksk signature fail", "Authorization is not an SDK-HMAC-SHA256 signature")
		}
		key, ok := st.AccessKeys.Get(sig.access)
		if !ok {
			// The gateway masks the AK it could not find.
			return gatewayAuth("Get secretKey failed,ak:******,err:ak not exist", "unknown access key "+sig.access)
		}
		if err := verify(r, sig, key.Secret); err != nil {
			return gatewayAuth("verify aksk signature fail", err.Error())
		}
		return nil
	}
	return gatewayAuth("x-auth-token not found", "no X-Auth-Token and no Authorization")
}

// Credential implements kit.Credentialer: the first token that has not expired.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	st := s.(*State)
	for k, t := range st.Tokens.All() {
		if t.Expires.IsZero() || now.Before(t.Expires) {
			return "X-Auth-Token", k, nil
		}
	}
	return "", "", errors.New("the scenario has no valid huawei token")
}

// workspace finds the request's workspace, to read it or, with write,
// as a copy this session owns.
func (st *State) workspace(r *kit.Request, write bool) (*Workspace, error) {
	pid, wid := r.Params["project_id"], r.Params["workspace_id"]
	p, ok := st.Projects.Get(pid)
	if !ok {
		return nil, badRequest(fmt.Sprintf("project %s does not exist", pid))
	}
	w, ok := p.Workspaces.Get(wid)
	if !ok {
		return nil, badRequest(fmt.Sprintf("workspace %s does not exist", wid))
	}
	if write {
		p, _ = st.Projects.Mut(pid)
		w, _ = p.Workspaces.Mut(wid)
	}
	return w, nil
}

type result struct {
	Message   *string `json:"message"`
	IsSuccess bool    `json:"is_success"`
}

// deleteUsers removes every listed member, or none: an unknown id fails
// the whole request before anything changes.
func (Vendor) deleteUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	w, err := s.(*State).workspace(r, false)
	if err != nil {
		return kit.Response{}, err
	}
	var req struct {
		UserIDs []string `json:"user_ids"`
	}
	if err := json.Unmarshal(r.Body, &req); err != nil {
		return kit.Response{}, badRequest("request body is not valid JSON")
	}
	for _, id := range req.UserIDs {
		if !w.Users.Has(id) {
			return kit.Response{}, badRequest("user " + id + " is not a member of workspace " + r.Params["workspace_id"])
		}
	}
	if w.RejectDeletes != "" {
		msg := w.RejectDeletes
		return documented(http.StatusOK, result{Message: &msg}), nil
	}
	w, _ = s.(*State).workspace(r, true)
	for _, id := range req.UserIDs {
		w.Users.Delete(id)
	}
	return documented(http.StatusOK, result{IsSuccess: true}), nil
}

// role is ApigRoleVo (ListWorkspaceRoles): role_id, role_code,
// role_name, description.
type role struct {
	RoleID      string `json:"role_id"`
	RoleCode    string `json:"role_code"`
	RoleName    string `json:"role_name"`
	Description string `json:"description"`
}

func roleVo(r workspaceRole) role {
	return role{RoleID: r.ID, RoleCode: r.Code, RoleName: r.Name, Description: r.Description}
}

type user struct {
	ID              string `json:"id"`
	UserID          string `json:"user_id"`
	UserName        string `json:"user_name"`
	DomainID        string `json:"domain_id"`
	DomainName      string `json:"domain_name"`
	DisplayUserName string `json:"display_user_name"`
	DomainOwner     bool   `json:"domain_owner"`
	Description     string `json:"description"`
	WorkspaceID     string `json:"workspace_id"`
	Roles           []role `json:"roles"`
	CreateTime      int64  `json:"create_time"`
	CreateUser      string `json:"create_user"`
	UpdateTime      int64  `json:"update_time"`
	UpdateUser      string `json:"update_user"`
	Type            int    `json:"type"`
}

func (Vendor) listUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	w, err := s.(*State).workspace(r, false)
	if err != nil {
		return kit.Response{}, err
	}
	limit, offset := 10, 0
	if v := r.Query.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v) // validated against the spec already
	}
	if v := r.Query.Get("offset"); v != "" {
		offset, _ = strconv.Atoi(v)
	}
	ids := w.Users.Keys()
	page := struct {
		Count     int    `json:"count"`
		TotalPage int    `json:"total_page"`
		Data      []user `json:"data"`
	}{Count: len(ids), TotalPage: (len(ids) + limit - 1) / limit, Data: []user{}}
	for _, id := range ids[min(offset, len(ids)):min(offset+limit, len(ids))] {
		m, _ := w.Users.Get(id)
		u := user{ID: m.ID, UserID: id, UserName: m.Name, DomainID: m.DomainID, DomainName: m.DomainName,
			DisplayUserName: m.DisplayName, DomainOwner: m.DomainOwner, Description: m.Description,
			WorkspaceID: r.Params["workspace_id"], Roles: []role{}, CreateTime: m.Created.UnixMilli(),
			CreateUser: m.CreatedBy, UpdateTime: m.updated().UnixMilli(), UpdateUser: m.updatedBy()}
		for _, code := range m.Roles {
			wr, _ := roleByCode(code)
			u.Roles = append(u.Roles, roleVo(wr))
		}
		page.Data = append(page.Data, u)
	}
	return documented(http.StatusOK, page), nil
}

// documented lays a body out as the vendor's documentation shows it:
// Jackson's pretty printer with the indentation the pages drop.
func documented(status int, v any) kit.Response {
	pretty, err := kit.JacksonPretty(kit.Compact(v))
	if err != nil {
		panic(err) // our own types always encode
	}
	// Drop each line's indentation, in place.
	out := pretty[:0]
	atLineStart := false
	for _, c := range pretty {
		if atLineStart && c == ' ' {
			continue
		}
		atLineStart = c == '\n'
		out = append(out, c)
	}
	resp := kit.Raw(status, kit.ContentJSON, out)
	resp.Header["X-Request-Id"] = []string{requestID()} // the gateway tags every answer
	return resp
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	projects := map[string]*projectYAML{}
	for pid, p := range st.Projects.All() {
		py := &projectYAML{Workspaces: map[string]*workspaceYAML{}}
		for wid, w := range p.Workspaces.All() {
			py.Workspaces[wid] = &workspaceYAML{Users: w.Users.Map(), RejectDeletes: w.RejectDeletes}
		}
		projects[pid] = py
	}
	return section{Tokens: st.Tokens.Map(), AccessKeys: st.AccessKeys.Map(), Projects: projects}
}
