package huawei

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// State is the gateway's credentials and the projects' workspaces.
// Sessions share the loaded scenario's tables and keep their own changes.
type State struct {
	Tokens     *table.Table[string, *Token]     `json:"tokens"`
	AccessKeys *table.Table[string, *AccessKey] `json:"accessKeys"`
	Projects   *table.Table[string, *Project]   `json:"projects"`
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
	Workspaces *table.Table[string, *Workspace] `json:"workspaces"`
}

func (p *Project) clone() *Project { return &Project{Workspaces: p.Workspaces.Clone()} }

// Workspace holds its members by user id.
type Workspace struct {
	Users *table.Table[string, *Member] `json:"users"`
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
	// What decoded is checked too: one run reports every mistake.
	var errs kit.Errors
	errs.Include(kit.Decode(node, "huawei", &sec))
	for k, t := range sec.Tokens {
		if t == nil {
			sec.Tokens[k] = &Token{}
		}
	}
	for _, ak := range slices.Sorted(maps.Keys(sec.AccessKeys)) {
		a := sec.AccessKeys[ak]
		if a == nil {
			a = &AccessKey{}
			sec.AccessKeys[ak] = a
		}
		if a.Secret == "" {
			// No secret given: one made from the access key, the same at
			// every load, shown by the state and by offboard token huawei.
			a.Secret = GeneratedSecret(ak)
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
				workspaces[wid] = &Workspace{Users: table.New(w.Users, (*Member).clone), RejectDeletes: w.RejectDeletes}
			}
		}
		projects[pid] = &Project{Workspaces: table.New(workspaces, (*Workspace).clone)}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &State{
		Tokens:     table.New(sec.Tokens, table.Same[*Token]),
		AccessKeys: table.New(sec.AccessKeys, table.Same[*AccessKey]),
		Projects:   table.New(projects, (*Project).clone),
	}, nil
}

// membershipID is a stable membership record id, 32 hex like the service's.
func membershipID(workspace, user string) string {
	sum := sha256.Sum256([]byte(workspace + "/" + user))
	return hex.EncodeToString(sum[:16])
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

// GeneratedSecret is the secret key (SK) an access key (AK) gets when its
// scenario gives none: a test scenario signs without inventing one, and
// the same AK always has the same SK.
func GeneratedSecret(ak string) string {
	sum := sha256.Sum256([]byte("offboard huawei sk " + ak))
	return "OFFBOARD" + strings.ToUpper(hex.EncodeToString(sum[:16]))
}
