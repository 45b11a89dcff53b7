// Package huawei emulates the workspace-user part of Huawei Cloud DataArts
// Studio behind Huawei's API gateway (token and AK/SK authentication).
package huawei

import (
	"bytes"
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
		"deleteWorkspaceUsers": v.deleteUsers,
		"listWorkspaceUsers":   v.listUsers,
	}
}

// State is the gateway's credentials and the projects' workspaces.
type State struct {
	Tokens     map[string]*Token     `yaml:"tokens" json:"tokens"`
	AccessKeys map[string]*AccessKey `yaml:"accessKeys" json:"accessKeys"`
	Projects   map[string]*Project   `yaml:"projects" json:"projects"`
}

// Token is an IAM token the gateway accepts in X-Auth-Token.
type Token struct {
	User    string    `yaml:"user" json:"user"`
	Expires time.Time `yaml:"expires" json:"expires,omitzero"` // zero: never
}

// AccessKey is an AK/SK pair; the map key is the AK.
type AccessKey struct {
	Secret string `yaml:"secret" json:"secret"`
	User   string `yaml:"user" json:"user"`
}

// Project holds workspaces by id.
type Project struct {
	Workspaces map[string]*Workspace `yaml:"workspaces" json:"workspaces"`
}

// Workspace holds its members by user id.
type Workspace struct {
	Users map[string]*Member `yaml:"users" json:"users"`
	// RejectDeletes, when set, makes deletes answer 200 with
	// is_success false and this message, changing nothing (what
	// Terraform's provider treats as a failure).
	RejectDeletes string `yaml:"rejectDeletes" json:"rejectDeletes,omitempty"`
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
}

// Clone implements kit.State.
func (s *State) Clone() kit.State {
	c := &State{Tokens: map[string]*Token{}, AccessKeys: map[string]*AccessKey{}, Projects: map[string]*Project{}}
	for k, t := range s.Tokens {
		ct := *t
		c.Tokens[k] = &ct
	}
	for k, a := range s.AccessKeys {
		ca := *a
		c.AccessKeys[k] = &ca
	}
	for pid, p := range s.Projects {
		cp := &Project{Workspaces: map[string]*Workspace{}}
		for wid, w := range p.Workspaces {
			cw := &Workspace{Users: map[string]*Member{}, RejectDeletes: w.RejectDeletes}
			for uid, m := range w.Users {
				cm := *m
				cm.Roles = slices.Clone(m.Roles)
				cw.Users[uid] = &cm
			}
			cp.Workspaces[wid] = cw
		}
		c.Projects[pid] = cp
	}
	return c
}

// roleName is the display name of a workspace role code.
func roleName(code string) (string, bool) {
	switch code {
	case "ADMIN":
		return "Admin", true
	case "DEVELOPER":
		return "Developer", true
	case "OPERATOR":
		return "Operator", true
	case "VIEWER":
		return "Viewer", true
	case "DEPLOYER":
		return "Deployer", true
	}
	return "", false
}

// NewState implements kit.Vendor.
func (Vendor) NewState(section *yaml.Node) (kit.State, error) {
	st := &State{Tokens: map[string]*Token{}, AccessKeys: map[string]*AccessKey{}, Projects: map[string]*Project{}}
	if err := kit.Decode(section, "huawei", st); err != nil {
		return nil, err
	}
	for k, t := range st.Tokens {
		if t == nil {
			st.Tokens[k] = &Token{}
		}
	}
	for ak, a := range st.AccessKeys {
		if a == nil || a.Secret == "" {
			return nil, kit.Errorf(kit.Find(section, "accessKeys", ak), "huawei.accessKeys."+ak+".secret", "an access key needs its secret")
		}
	}
	for pid, p := range st.Projects {
		if p == nil {
			p = &Project{}
			st.Projects[pid] = p
		}
		if p.Workspaces == nil {
			p.Workspaces = map[string]*Workspace{}
		}
		for wid, w := range p.Workspaces {
			if w == nil {
				w = &Workspace{}
				p.Workspaces[wid] = w
			}
			if w.Users == nil {
				w.Users = map[string]*Member{}
			}
			for uid, m := range w.Users {
				if m == nil {
					m = &Member{}
					w.Users[uid] = m
				}
				if m.Roles == nil {
					m.Roles = []string{"DEVELOPER"}
				}
				if m.ID == "" {
					// A stable membership id, 32 hex like the service's.
					sum := sha256.Sum256([]byte(wid + "/" + uid))
					m.ID = hex.EncodeToString(sum[:16])
				}
				for i, role := range m.Roles {
					if _, ok := roleName(role); !ok {
						return nil, kit.Errorf(kit.Find(section, "projects", pid, "workspaces", wid, "users", uid, "roles", strconv.Itoa(i)),
							"huawei.projects."+pid+".workspaces."+wid+".users."+uid+".roles",
							"unknown role %q (known: ADMIN, DEPLOYER, DEVELOPER, OPERATOR, VIEWER)", role)
					}
				}
			}
		}
	}
	return st, nil
}

// Authenticate implements kit.Authenticator: the gateway checks
// credentials before the service sees the request.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	st := s.(*State)
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		t, ok := st.Tokens[tok]
		switch {
		case !ok:
			return gatewayAuth("decrypt token fail", "unknown X-Auth-Token")
		case !t.Expires.IsZero() && !r.Now.Before(t.Expires):
			return gatewayAuth("token expires", "X-Auth-Token expired at "+t.Expires.Format(time.RFC3339))
		}
		return nil
	}
	if auth := r.Header.Get("Authorization"); auth != "" {
		sig, ok := parseSignature(auth)
		if !ok {
			return gatewayAuth("verify aksk signature fail", "Authorization is not an SDK-HMAC-SHA256 signature")
		}
		key, ok := st.AccessKeys[sig.access]
		if !ok {
			return gatewayAuth("verify aksk signature fail", "unknown access key "+sig.access)
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
	for _, k := range slices.Sorted(maps.Keys(st.Tokens)) {
		if t := st.Tokens[k]; t.Expires.IsZero() || now.Before(t.Expires) {
			return "X-Auth-Token", k, nil
		}
	}
	return "", "", errors.New("the scenario has no valid huawei token")
}

func (st *State) workspace(r *kit.Request) (*Workspace, error) {
	p := st.Projects[r.Params["project_id"]]
	if p == nil {
		return nil, badRequest(fmt.Sprintf("project %s does not exist", r.Params["project_id"]))
	}
	w := p.Workspaces[r.Params["workspace_id"]]
	if w == nil {
		return nil, badRequest(fmt.Sprintf("workspace %s does not exist", r.Params["workspace_id"]))
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
	w, err := s.(*State).workspace(r)
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
		if w.Users[id] == nil {
			return kit.Response{}, badRequest(fmt.Sprintf("user %s is not a member of workspace %s", id, r.Params["workspace_id"]))
		}
	}
	if w.RejectDeletes != "" {
		msg := w.RejectDeletes
		return documented(http.StatusOK, result{Message: &msg}), nil
	}
	for _, id := range req.UserIDs {
		delete(w.Users, id)
	}
	return documented(http.StatusOK, result{IsSuccess: true}), nil
}

type role struct {
	RoleID   string `json:"role_id"`
	RoleCode string `json:"role_code"`
	RoleName string `json:"role_name"`
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
	w, err := s.(*State).workspace(r)
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
	ids := slices.Sorted(maps.Keys(w.Users))
	page := struct {
		Count     int    `json:"count"`
		TotalPage int    `json:"total_page"`
		Data      []user `json:"data"`
	}{Count: len(ids), TotalPage: (len(ids) + limit - 1) / limit, Data: []user{}}
	for _, id := range ids[min(offset, len(ids)):min(offset+limit, len(ids))] {
		m := w.Users[id]
		u := user{ID: m.ID, UserID: id, UserName: m.Name, DomainID: m.DomainID, DomainName: m.DomainName,
			DisplayUserName: m.DisplayName, DomainOwner: m.DomainOwner, Description: m.Description,
			WorkspaceID: r.Params["workspace_id"], Roles: []role{}, CreateTime: m.Created.UnixMilli(),
			CreateUser: m.CreatedBy, UpdateTime: m.Created.UnixMilli(), UpdateUser: m.CreatedBy}
		for _, code := range m.Roles {
			name, _ := roleName(code)
			u.Roles = append(u.Roles, role{RoleID: roleID(code), RoleCode: code, RoleName: name})
		}
		page.Data = append(page.Data, u)
	}
	return documented(http.StatusOK, page), nil
}

// roleID is a stable 32-hex id for a role code.
func roleID(code string) string {
	return fmt.Sprintf("%032x", []byte(code))[:32]
}

// documented lays a body out as the vendor's documentation shows it:
// Jackson's pretty printer with the indentation the pages drop.
func documented(status int, v any) kit.Response {
	pretty, err := kit.JacksonPretty(kit.Compact(v))
	if err != nil {
		panic(err) // our own types always encode
	}
	lines := bytes.Split(pretty, []byte("\n"))
	for i, l := range lines {
		lines[i] = bytes.TrimLeft(l, " ")
	}
	resp := kit.Raw(status, kit.ContentJSON, bytes.Join(lines, []byte("\n")))
	resp.Header.Set("X-Request-Id", requestID()) // the gateway tags every answer
	return resp
}
