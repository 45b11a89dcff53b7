package onedata

import (
	"encoding/base64"
	"errors"
	"slices"
	"time"

	"github.com/offboard/offboard/emulator/kit"
)

// caller is who a request authenticates as: "" when it sent no
// credentials. Tokens come in X-Auth-Token, the deprecated "macaroon"
// header (the swagger's info section still shows it) or as a bearer.
func (s *State) caller(r *kit.Request) (string, error) {
	auth := r.Header.Get("Authorization")
	token := r.Header.Get("X-Auth-Token")
	if token == "" {
		token = r.Header.Get("Macaroon")
	}
	if token == "" {
		token, _ = kit.Bearer(auth)
	}
	switch {
	case token != "":
		tok, ok := s.Tokens.Get(token)
		switch {
		case !ok:
			return "", errBadToken
		case tok.Revoked:
			return "", errTokenRevoked
		}
		u, ok := s.Users.Get(tok.User)
		switch {
		case !ok:
			return "", errTokenInvalid
		case u.Blocked:
			return "", errUserBlocked
		}
		return tok.User, nil
	case kit.IsBasic(auth):
		name, password, ok := kit.Basic(auth)
		if !ok {
			return "", errBadBasic
		}
		id, ok := s.byUsername.Get(name)
		u, found := s.Users.Get(id)
		if !ok || !found || u.Password == "" || u.Password != password {
			return "", errBadBasic
		}
		if u.Blocked {
			return "", errUserBlocked
		}
		return id, nil
	}
	return "", nil
}

func (s *State) allowed(caller, privilege string) bool {
	u, ok := s.Users.Get(caller)
	return ok && slices.Contains(u.Privileges, privilege)
}

// authorized applies the real server's order of checks to an operation
// on user id: bad credentials, then an unknown user (404 even for
// anonymous callers), then missing credentials, then the privilege. A user
// may do anything to their own record (oz-worker user_logic_plugin.erl
// authorizes ?USER(UserId) on #gri{id = UserId}).
func (s *State) authorized(r *kit.Request, id, privilege string) (*User, error) {
	caller, err := s.caller(r)
	if err != nil {
		return nil, err
	}
	u, ok := s.Users.Get(id)
	if !ok {
		return nil, errNotFound
	}
	if caller == "" {
		return nil, errUnauthorized
	}
	if caller != id && !s.allowed(caller, privilege) {
		return nil, errForbidden
	}
	return u, nil
}

// Credential implements kit.Credentialer: a token, else the Basic
// credentials, of a user holding oz_users_delete.
func (Vendor) Credential(s kit.State, _ time.Time) (string, string, error) {
	st := s.(*State)
	for k, t := range st.Tokens.All() {
		if !t.Revoked && st.allowed(t.User, PrivDelete) {
			return "X-Auth-Token", k, nil
		}
	}
	for id, u := range st.Users.All() {
		if u.Password != "" && st.allowed(id, PrivDelete) {
			return "Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username+":"+u.Password)), nil
		}
	}
	return "", "", errors.New("the scenario has no onedata user with " + PrivDelete + " and a token or password")
}
