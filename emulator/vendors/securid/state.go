package securid

import (
	"crypto/rsa"
	"maps"
	"slices"

	"github.com/golang-jwt/jwt/v5"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// State is the tenant: its API keys and its users.
type State struct {
	Audience string                        `json:"audience"`
	APIKeys  *table.Table[string, *APIKey] `json:"apiKeys"` // by access id
	Users    *table.Table[string, *User]   `json:"users"`

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

// User is a CAS user: plain fields only, its table copies it shallowly
// (table.Shallow).
type User struct {
	Email          string `yaml:"email" json:"email"`
	FirstName      string `yaml:"firstName" json:"firstName"`
	LastName       string `yaml:"lastName" json:"lastName"`
	UserStatus     string `yaml:"userStatus" json:"userStatus"`
	MarkDeleted    bool   `yaml:"markDeleted" json:"markDeleted"`
	IdentitySource string `yaml:"identitySource" json:"identitySource"`
	SourceType     string `yaml:"identitySourceType" json:"identitySourceType"`
}

// Clone implements kit.State. Keys are immutable once parsed and shared.
func (s *State) Clone() kit.State {
	return &State{Audience: s.Audience, APIKeys: s.APIKeys.Clone(), Users: s.Users.Clone()}
}

// NewState implements kit.Vendor.
func (Vendor) NewState(node *yaml.Node) (kit.State, error) {
	sec := section{APIKeys: map[string]*APIKey{}, Users: map[string]*User{}}
	// What decoded is checked too: one run reports every mistake.
	var errs kit.Errors
	errs.Include(kit.Decode(node, "securid", &sec))
	if sec.Audience == "" {
		sec.Audience = DefaultAudience
	}
	for _, id := range slices.Sorted(maps.Keys(sec.APIKeys)) {
		if sec.APIKeys[id] == nil {
			sec.APIKeys[id] = &APIKey{}
		}
		checkKey(&errs, node, id, sec.APIKeys[id])
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
		APIKeys:  table.New(sec.APIKeys, table.Same[*APIKey]),
		Users:    table.New(sec.Users, table.Shallow[User]),
	}, nil
}

// Snapshot implements kit.Snapshotter.
func (Vendor) Snapshot(s kit.State) any {
	st := s.(*State)
	return section{Audience: st.Audience, APIKeys: st.APIKeys.Map(), Users: st.Users.Map()}
}

// checkKey completes an API key (a key without PEM takes the published
// test pair; a private key alone gives its public one) and checks it,
// parsing its keys for signing and verifying.
func checkKey(errs *kit.Errors, node *yaml.Node, id string, k *APIKey) {
	field := "securid.apiKeys." + id
	if k.PublicKey == "" && k.PrivateKey == "" {
		// No key material: offboard's published test pair.
		k.PublicKey, k.PrivateKey = testKeyPair()
	}
	if k.Role == "" {
		k.Role = RoleSuperAdmin
	}
	if k.Role != RoleSuperAdmin && k.Role != RoleHelpDeskAdmin {
		errs.Add(kit.Find(node, "apiKeys", id, "role"), field+".role",
			"unknown role %q (%s)", k.Role, kit.Known([]string{RoleHelpDeskAdmin, RoleSuperAdmin}))
	}
	if k.PublicKey == "" {
		var err error
		if k.PublicKey, err = publicOf(k.PrivateKey); err != nil {
			errs.Add(kit.Find(node, "apiKeys", id, "privateKey"), field+".privateKey", "not a PEM RSA private key: %v", err)
			return
		}
	}
	pub, err := jwt.ParseRSAPublicKeyFromPEM([]byte(k.PublicKey))
	if err != nil {
		errs.Add(kit.Find(node, "apiKeys", id, "publicKey"), field+".publicKey", "not a PEM RSA public key: %v", err)
		return
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
