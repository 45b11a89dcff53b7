package record

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"github.com/offboard/offboard/emulator/signing"
)

// The recording's own API key: a key pair generated for recordings and
// published with offboard (never trust it anywhere else), so that a
// recording is the same file each time and `offboard token securid` works
// against it.
var (
	//go:embed recording-key.pem
	recordingPrivateKey string
	//go:embed recording-key.pub.pem
	recordingPublicKey string
)

const recordingAccessID = "recorded-access-id"

type securidUser struct {
	Email          string `yaml:"email"`
	FirstName      string `yaml:"firstName"`
	LastName       string `yaml:"lastName"`
	UserStatus     string `yaml:"userStatus"`
	MarkDeleted    bool   `yaml:"markDeleted"`
	IdentitySource string `yaml:"identitySource"`
	SourceType     string `yaml:"identitySourceType"`
}

type securidKey struct {
	Role       string `yaml:"role"`
	PublicKey  string `yaml:"publicKey"`
	PrivateKey string `yaml:"privateKey"`
}

type securidSection struct {
	Audience string                 `yaml:"audience"`
	APIKeys  map[string]securidKey  `yaml:"apiKeys"`
	Users    map[string]securidUser `yaml:"users"`
}

// sourceTypes maps the identity source names the emulator's scenario
// defaults give back to their type; another name is a directory (ldap),
// which is how SecurID treats a source it does not manage by SCIM.
var sourceTypes = map[string]string{"Corporate LDAP": "ldap", "Cloud Directory": "cloud",
	"SCIM Managed": "scim", "Azure Active Directory (SCIM)": "azure-ad"}

// securidPage is the largest page the user search gives.
const securidPage = 1000

// recordSecurID pages through the user search with no search text.
func recordSecurID(r *reader, out *VendorSummary) (any, map[string]string, error) {
	bearer, base := r.vars["securid.bearer"], r.vars["securid.base"]
	if bearer == "" || base == "" {
		return nil, nil, errSkip
	}
	aud := r.vars["securid.audience"]
	if aud == "" {
		aud = signing.SecurIDAudience
	}
	sec := securidSection{Audience: aud, Users: map[string]securidUser{},
		APIKeys: map[string]securidKey{recordingAccessID: {Role: "super-admin", PublicKey: recordingPublicKey, PrivateKey: recordingPrivateKey}}}
	h := http.Header{"Authorization": {bearer}, "Content-Type": {"application/json"}}
	for page := 0; ; page++ {
		body, _ := json.Marshal(map[string]any{"searchText": "", "pageSize": securidPage, "pageNumber": page})
		var res struct {
			Users []struct {
				ID, Email, FirstName, LastName, UserStatus, IdentitySource string
				MarkDeleted                                                bool
			} `json:"users"`
			TotalPages int `json:"totalPages"`
		}
		if err := r.sendJSON("POST", base+"/users/search", h, body, &res); err != nil {
			return nil, nil, err
		}
		for _, u := range res.Users {
			typ, ok := sourceTypes[u.IdentitySource]
			if !ok {
				typ = "ldap"
			}
			sec.Users[u.ID] = securidUser{Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, UserStatus: u.UserStatus,
				MarkDeleted: u.MarkDeleted, IdentitySource: u.IdentitySource, SourceType: typ}
		}
		if page+1 >= res.TotalPages || len(res.Users) == 0 {
			break
		}
	}
	out.Counts["users"] = len(sec.Users)
	out.Unread = append(out.Unread, "identity source types: read from the source's name (SCIM and Azure AD names as the emulator gives them; any other name is a directory)",
		"API keys: the tenant's are not readable; the recording has its own ("+recordingAccessID+")")
	return sec, map[string]string{"securid.accessId": recordingAccessID, "securid.privateKey": recordingPrivateKey, "securid.audience": aud}, nil
}
