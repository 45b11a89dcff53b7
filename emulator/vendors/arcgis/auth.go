package arcgis

import (
	"errors"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// ownerReadable are the operations a user who is not an administrator
// may call, for what they own: the containers pages ("those who are not
// administrators will only see the containers they own") and the 11.4
// list page ("the workspace directory ... for the user initiating the
// request").
var ownerReadable = map[string]bool{"listUserWorkspaces": true, "listContainers": true, "getContainer": true,
	"getCommunitySelf": true, "postCommunitySelf": true, "getCommunityUser": true, "postCommunityUser": true,
	"searchCommunityUsers": true, "postSearchCommunityUsers": true}

// anonymous are the operations that take no token: sign-in and discovery
// (portals/self reads one when it is there).
func anonymous(op string) bool {
	switch op {
	case "generateToken", "generateAdminToken", "getPortalInfo", "postPortalInfo", "getPortalSelf", "postPortalSelf",
		"getServerInfo", "postServerInfo":
		return true
	}
	return strings.HasPrefix(op, "serverInfoAt")
}

// Authenticate implements kit.Authenticator: the admin framework checks the
// token before the operation looks at its parameters.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	if anonymous(r.Operation) {
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

func (st *State) token(r *kit.Request) (*Token, error) {
	raw := r.Value("token")
	if raw == "" {
		raw, _ = kit.Bearer(r.Header.Get("X-Esri-Authorization"))
	}
	if raw == "" {
		return nil, errTokenRequired
	}
	t, ok := st.Tokens.Get(raw)
	if !ok || !kit.Live(t.Expires, r.Now) {
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

// Credential implements kit.Credentialer: the first administrator token
// that has not expired, as Esri's clients send it in a header.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	if k, ok := table.FirstKey(s.(*State).Tokens, func(t *Token) bool { return t.Role == RoleAdministrator && kit.Live(t.Expires, now) }); ok {
		return "X-Esri-Authorization", "Bearer " + k, nil
	}
	return "", "", errors.New("the scenario has no valid arcgis administrator token")
}
