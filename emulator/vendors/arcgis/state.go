package arcgis

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// State is the server's tokens, the portal logins that can generate tokens,
// and the users' workspaces with their running containers.
type State struct {
	Tokens *table.Table[string, *Token]     `json:"tokens"`
	Logins *table.Table[string, *Login]     `json:"logins"`
	Users  *table.Table[string, *Workspace] `json:"users"`
	Portal Portal                           `json:"portal"`
}

type section struct {
	Tokens map[string]*Token     `yaml:"tokens"`
	Logins map[string]*Login     `yaml:"logins"`
	Users  map[string]*Workspace `yaml:"users"`
	Portal Portal                `yaml:"portal,omitempty"`
}

// Portal is the portal the Notebook Server is federated with: its id (the
// users' orgId), its name, and whether the server is federated at all.
type Portal struct {
	ID   string `yaml:"id,omitempty" json:"id"`
	Name string `yaml:"name,omitempty" json:"name"`
	// Standalone: the server is not federated; its rest/info names no
	// owning system and points clients at its own generateToken.
	Standalone bool `yaml:"standalone,omitempty" json:"standalone"`
}

// The portal's defaults.
const (
	defaultPortalID   = "0123456789ABCDEF"
	defaultPortalName = "ArcGIS Enterprise (offboard)"
)

// Token is an issued token.
type Token struct {
	User    string    `yaml:"user,omitempty" json:"user,omitempty"`
	Role    string    `yaml:"role" json:"role"`
	Expires time.Time `yaml:"expires,omitempty" json:"expires,omitzero"` // zero: never
	// Issued: generateToken made it; at most table.MaxIssued live at once.
	Issued bool `yaml:"issued,omitempty" json:"issued,omitempty"`
}

// Login is a portal account that generateToken accepts, as community/self
// and community/users describe it.
type Login struct {
	Password string `yaml:"password" json:"password"`
	Role     string `yaml:"role" json:"role"`
	FullName string `yaml:"fullName,omitempty" json:"fullName,omitempty"`
	Email    string `yaml:"email,omitempty" json:"email,omitempty"`
	Disabled bool   `yaml:"disabled,omitempty" json:"disabled,omitempty"`
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
	return &State{Tokens: s.Tokens.Clone(), Logins: s.Logins.Clone(), Users: s.Users.Clone(), Portal: s.Portal}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{Tokens: map[string]*Token{}, Logins: map[string]*Login{}, Users: map[string]*Workspace{}}
	// What decoded is checked too: one run reports every mistake.
	var errs kit.Errors
	errs.Include(kit.Decode(node, "arcgis", &sec))
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
	if sec.Portal.ID == "" {
		sec.Portal.ID = defaultPortalID
	}
	if sec.Portal.Name == "" {
		sec.Portal.Name = defaultPortalName
	}
	return &State{
		Tokens: table.New(sec.Tokens, table.Same[*Token]),
		Logins: table.New(sec.Logins, table.Same[*Login]),
		Users:  table.New(sec.Users, (*Workspace).clone),
		Portal: sec.Portal,
	}, nil
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	return section{Tokens: st.Tokens.Map(), Logins: st.Logins.Map(), Users: st.Users.Map(), Portal: st.Portal}
}
