package commvault

import (
	"errors"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// unauthenticated are the operations a client calls before it holds a
// working token: the service probe, Login, and RenewLoginToken (cvpysdk
// renews with the expired token it holds).
var unauthenticated = map[string]bool{"getService": true, "login": true, "renewLoginToken": true}

// Authenticate implements kit.Authenticator: every other operation needs
// a valid Authtoken (or the same token as "Authorization: Bearer"),
// checked before anything else.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	if unauthenticated[r.Operation] {
		return nil
	}
	st := s.(*State)
	raw, _, found := st.token(r)
	if raw == "" {
		return unauthorized("no Authtoken header")
	}
	t, ok := st.Tokens.Get(found)
	switch {
	case !ok:
		return unauthorized("unknown Authtoken")
	case !kit.Live(t.Expires, r.Now):
		return unauthorized("Authtoken expired at " + t.Expires.Format(time.RFC3339))
	}
	u, ok := st.Users.Get(t.User)
	switch {
	case !ok:
		return unauthorized("the Authtoken's user was deleted")
	case u.Disabled:
		return unauthorized("the Authtoken's user is disabled")
	}
	if t.Issued {
		// Use keeps a session alive: its idle time starts again.
		if mt, ok := st.Tokens.Mut(found); ok {
			mt.Expires = r.Now.Add(sessionIdle)
		}
	}
	return nil
}

// token reads the request's token: the Authtoken header, else an
// "Authorization: Bearer" access token (the API also documents that
// form). found is the key of the token it names, "" when none: a bearer
// value may be sent with or without its "QSDK " prefix.
func (st *State) token(r *kit.Request) (raw, scheme, found string) {
	raw, scheme = strings.TrimSpace(r.Header.Get("Authtoken")), "Authtoken"
	if raw == "" {
		raw, _ = kit.Bearer(r.Header.Get("Authorization"))
		scheme = "Bearer"
	}
	switch {
	case raw == "":
		return "", "", ""
	case st.Tokens.Has(raw):
		return raw, scheme, raw
	case scheme == "Bearer" && st.Tokens.Has("QSDK "+raw):
		return raw, scheme, "QSDK " + raw
	}
	return raw, scheme, raw
}

// Credential implements kit.Credentialer.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	st := s.(*State)
	if k, ok := table.FirstKey(st.Tokens, func(t *Token) bool { return kit.Live(t.Expires, now) && st.Users.Has(t.User) }); ok {
		return "Authtoken", k, nil
	}
	return "", "", errors.New("the scenario has no valid commvault Authtoken")
}
