package huawei

import (
	"errors"
	"time"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// Authenticate implements kit.Authenticator: the gateway checks
// credentials before the service sees the request.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	st := s.(*State)
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		t, ok := st.Tokens.Get(tok)
		switch {
		case !ok:
			return gatewayAuth("decrypt token fail", "unknown X-Auth-Token")
		case !kit.Live(t.Expires, r.Now):
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
	if k, ok := table.FirstKey(s.(*State).Tokens, func(t *Token) bool { return kit.Live(t.Expires, now) }); ok {
		return "X-Auth-Token", k, nil
	}
	return "", "", errors.New("the scenario has no valid huawei token")
}
