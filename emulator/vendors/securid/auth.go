package securid

import (
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/signing"
)

// claims is what the service reads from the JWT.
type claims struct {
	jwt.RegisteredClaims
}

// Authenticate implements kit.Authenticator: the JWT is checked before
// anything else, and every failure is 403.
func (Vendor) Authenticate(r *kit.Request, s kit.State) error {
	st := s.(*State)
	raw, ok := kit.Bearer(r.Header.Get("Authorization"))
	if !ok {
		return forbidden("no bearer token")
	}
	c, ok := st.verified[raw]
	if !ok {
		c = &claims{}
		_, err := jwt.ParseWithClaims(raw, c, func(t *jwt.Token) (any, error) {
			// The authentication page fixes the header: {"typ":"JWT","alg":"RS256"}.
			if typ, _ := t.Header["typ"].(string); typ != "JWT" {
				return nil, fmt.Errorf("header typ is %q, not \"JWT\"", typ)
			}
			sub, _ := t.Claims.GetSubject()
			key, _ := st.APIKeys.Get(sub)
			if key == nil {
				return nil, fmt.Errorf("no API key with access id %q", sub)
			}
			return key.public, nil
		}, jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}), jwt.WithoutClaimsValidation())
		if err != nil {
			return forbidden("JWT: " + err.Error())
		}
		if st.verified == nil || len(st.verified) >= maxVerified {
			st.verified = map[string]*claims{}
		}
		st.verified[raw] = c
	}
	key, _ := st.APIKeys.Get(c.Subject)
	if key == nil {
		return forbidden("JWT: no API key with access id " + c.Subject)
	}
	err := jwt.NewValidator(
		jwt.WithLeeway(clockSkew),
		jwt.WithAudience(st.Audience),
		jwt.WithIssuedAt(),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return r.Now }),
	).Validate(c)
	if err != nil {
		return forbidden("JWT: " + err.Error())
	}
	if c.IssuedAt == nil {
		return forbidden("JWT: iat is missing")
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life > maxLifetime {
		return forbidden(fmt.Sprintf("JWT: exp is %s after iat, more than %s", life, maxLifetime))
	}
	// Delete User Now needs a Super Administrator key; the state changes
	// and lookups take a Help Desk Administrator's too (each page: "an
	// API key that is associated with either the Super Administrator or
	// Help Desk Administrator role").
	if key.Role != RoleSuperAdmin && r.Operation == "deleteUser" {
		return forbidden("the API key's role is " + key.Role + ", not " + RoleSuperAdmin)
	}
	return nil
}

// Credential implements kit.Credentialer: a bearer token signed with the
// first super-admin key whose private key the scenario ships.
func (Vendor) Credential(s kit.State, now time.Time) (string, string, error) {
	st := s.(*State)
	for id, k := range st.APIKeys.All() {
		if k.private == nil || k.Role != RoleSuperAdmin {
			continue
		}
		tok, err := signing.SecurIDToken(k.private, id, st.Audience, now, maxLifetime)
		if err != nil {
			return "", "", err
		}
		return "Authorization", "Bearer " + tok, nil
	}
	return "", "", errors.New("the scenario has no securid super-admin API key with a privateKey")
}
