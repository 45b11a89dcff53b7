package securid

import (
	"crypto/x509"
	"encoding/pem"

	"github.com/golang-jwt/jwt/v5"
)

// testKeyPEM is offboard's published, test-only RSA key pair (the default
// scenario's): an API key a scenario gives no key material takes it, so a
// test scenario needs no PEM and offboard token and Credential sign with
// it. Never trust it anywhere else.
const testKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCZj7EAzoig23zG
9skwlb4m0aHhnPTg0JXtujq+B1LmSy64bvhR+rsR3O3Ml85lBhZC4Y8kG3z9Wzjb
aei3qGK5ZcrfIDnkel1emW8f7hoaws4Qh9e+8dq9nGYXMw1fRqFsmyR93dBi/kDY
kugfSnKYiLi1z6C4fd7gMmVUq/BLhpK9ITGBaPHPOVUnBKid6IgBYSpA8wPeEGpn
LnemK1hWMyU91c3Bj4bJ9XrEXzTnH4aEDXZURpV5u0UWUGj2j21ttT5lTr0ZwQOq
qr/bbnXPaajLeQEaTmgjvFiZyvXoqZrYwrlw+MgYioaW6eL//FrSe/32Iys2/hqT
SWOw+pSXAgMBAAECggEASU8u6jqvQVPnSrkQLVCfebrEdIfQ4+7QVLB+ULAAZI7p
3ASmKcTwP8PgBrdGQjZYtE8oXc19qxo8l4sFHYCWuPmek0y4NpowLvRC99Rcw//S
DlQ7rB2cFr8ugc7OiHiYodei4S/exxOoc3wWsrGA6c8Dl1Bq4wi8OP32ICkBS5xS
sonhgiUBEYS9y0iU5VP2qIPljnGOHsrxAwFZ75K6reN4iCj7VbbuhvK40+q92lk7
cDcSxBy313AypDuNCN9sz/9V9qoSjl9iDihlcGZYMihJI7qPL75L6ehXdouhk1ck
xqklBuXa0Z9ejTTIyzTneTKdKFX/tC30H6hu7Km3qQKBgQDQJlrnfnHbRrHG/Q2R
QqGS07LCOd6mmiqZPo5jPt7QDGl+qnec6RsWaA2hxdJLgox5xdkyrKbJj3fUxtWT
DXM6CgIZrXjYGSa3msnz/YWQ2UqnpqTCzUXT1NwJuQ+Uvznop0fIIJ/FBeX3eiXu
PMVehmHT/tVKCK1pDp3vGlV4kwKBgQC83MtHqb22P24npcTI8CGGFVFn1jB3SDnE
5usaktb7s++D1ioELkbk7qn3dcUu7wCH5kTNBq6uOF8YImTKTfpaZB2pPSQ2vXFb
hazXi28ODIMc1Ssl/SEYqdyGXPBNPxCAiVOBpkVo1RPaeZU15uqr9mZjL3MwzTGn
yuskS22KbQKBgDTVd3+JFeddw2RJ+Tak3hRBzf8E52IMgcGSIlxIqg/PBrwTEvdu
J+UBFmy4pM9r3LJQKPh24IMK+pS0v6Nq55OU1MGlyaW4hJ5YGOjosg15SjzRzMJx
jkbdodiJ882C2HUYeNzwgv1kqOGvTI9zN3ntzEkeRw9asoGXJzl4yrcnAoGAAkbP
FIART18YXtX6t0ldvhYHsy67ytRODfeSofFfMg2LN5WfUAmWxS+zUM5UoCo1YW3/
KlGITYVUcCAKAv5JpElMqjuYcih6c1X7LWX64rp34iMXsA+LFJcHl38LToMSGdqN
7SQp9geLg7ivecTc01HXDh8GTnJKxPEHQJrAKUkCgYBG8cgPcUhX8WVb60sqZFlC
KTU0w2ySvmdOymmyCsmebuGWedhJin5TMa2eZ2XbbAsKy9EqoCgVNLOZwZ1ktgKs
PZVChQsCHXtUg6xjXUrfgOrUqCazO6rXkozs6ubllrXkNQO0yiTk5Ekcqz1yXeiw
8l3k0572vcB6o3fIrktEnQ==
-----END PRIVATE KEY-----`

// testKeyPair is the published pair as PEM text: the public key, then the
// private one.
func testKeyPair() (public, private string) {
	pub, err := publicOf(testKeyPEM)
	if err != nil {
		panic(err) // a constant: a mistake here is offboard's, found by its tests
	}
	return pub, testKeyPEM + "\n"
}

// publicOf is the public key of a PEM private key, as PEM: a scenario may
// give the private key alone.
func publicOf(private string) (string, error) {
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(private))
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
