// Package signing mints the credentials vendors' clients sign for
// themselves, for the vendor emulations that check them and the contract
// suite that sends them: one definition, so neither depends on the
// other's insides.
package signing

import (
	"crypto/rsa"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// SecurIDAudience is the administration REST URL SecurID tokens are meant
// for when nothing names another.
const SecurIDAudience = "https://access.securid.com/AdminInterface/restapi"

// SecurIDToken signs a JWT as a Cloud Access Service API client does:
// RS256, header typ JWT, claims sub (the key's access id), aud, iat, exp.
func SecurIDToken(key *rsa.PrivateKey, accessID, audience string, now time.Time, lifetime time.Duration) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Subject:   accessID,
		Audience:  jwt.ClaimStrings{audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(lifetime)),
	}).SignedString(key)
}
