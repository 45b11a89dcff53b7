// Command offboard-person offboards one person across the five vendors
// offboard emulates, as an offboarding tool would: plain HTTP, each call
// as the vendor documents it, in the order that matters (disable the
// accounts, stop what runs for them, delete them moving what they own,
// then read back that each is gone). It retries a 429 after its
// Retry-After and a 5xx or a dropped connection with a growing pause,
// stops a vendor on a refusal it cannot fix, and prints what it did.
//
// It is offboard's reference client for testing an offboarding tool end
// to end: point it at `offboard serve --scenario people` and read
// GET /__admin/people afterwards.
//
//	offboard-person --base http://127.0.0.1:8080 \
//	  --arcgis-user gis_bob --arcgis-admin siteadmin:siteadmin-password \
//	  --commvault-user bjones --commvault-heir kim --commvault-admin admin:admin-password \
//	  --huawei-member demo-project/demo-workspace/0b0b... --huawei-token demo-token \
//	  --onedata-user 0b00...0b0b --onedata-admin admin:password \
//	  --securid-user 0b0b0000-... --securid-key key.pem --securid-access-id offboard-test-access-id
package main

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is one person's accounts and the credentials to remove them.
type config struct {
	base                                  string
	arcgisURL, arcgisUser, arcgisAdmin    string
	cvURL, cvUser, cvHeir, cvAdmin        string
	hwURL, hwMember, hwToken              string
	odURL, odUser, odAdmin                string
	sdURL, sdUser, sdKey, sdAccess, sdAud string
	tries                                 int
	maxWait, backoff                      time.Duration
	jsonOut                               bool
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("offboard-person", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.base, "base", os.Getenv("OFFBOARD_URL"), "one base URL for every vendor (offboard serves all five on one address)")
	fs.StringVar(&c.arcgisURL, "arcgis-url", "", "ArcGIS web adaptor, e.g. https://gis.example.com/arcgis (default BASE/arcgis)")
	fs.StringVar(&c.arcgisUser, "arcgis-user", "", "the person's notebook user name")
	fs.StringVar(&c.arcgisAdmin, "arcgis-admin", os.Getenv("ARCGIS_ADMIN"), "administrator USER:PASSWORD for generateToken (env ARCGIS_ADMIN)")
	fs.StringVar(&c.cvURL, "commvault-url", "", "Commvault web service root (default BASE/webconsole/api)")
	fs.StringVar(&c.cvUser, "commvault-user", "", "the person's CommCell user name")
	fs.StringVar(&c.cvHeir, "commvault-heir", "", "the user who takes over what the person owns")
	fs.StringVar(&c.cvAdmin, "commvault-admin", os.Getenv("COMMVAULT_ADMIN"), "USER:PASSWORD for Login (env COMMVAULT_ADMIN)")
	fs.StringVar(&c.hwURL, "huawei-url", "", "DataArts Studio endpoint (default BASE)")
	fs.StringVar(&c.hwMember, "huawei-member", "", "PROJECT/WORKSPACE/USER_ID of the person's membership")
	fs.StringVar(&c.hwToken, "huawei-token", os.Getenv("HUAWEI_TOKEN"), "IAM token for X-Auth-Token (env HUAWEI_TOKEN)")
	fs.StringVar(&c.odURL, "onedata-url", "", "Onezone REST root (default BASE/api/v3/onezone)")
	fs.StringVar(&c.odUser, "onedata-user", "", "the person's Onezone user id")
	fs.StringVar(&c.odAdmin, "onedata-admin", os.Getenv("ONEDATA_ADMIN"), "administrator USER:PASSWORD, HTTP Basic (env ONEDATA_ADMIN)")
	fs.StringVar(&c.sdURL, "securid-url", "", "Cloud Access Service admin REST root (default BASE/AdminInterface/restapi)")
	fs.StringVar(&c.sdUser, "securid-user", "", "the person's SecurID user id")
	fs.StringVar(&c.sdKey, "securid-key", os.Getenv("SECURID_KEY_FILE"), "PEM file of the API key's private key (env SECURID_KEY_FILE)")
	fs.StringVar(&c.sdAccess, "securid-access-id", os.Getenv("SECURID_ACCESS_ID"), "the API key's access id (env SECURID_ACCESS_ID)")
	fs.StringVar(&c.sdAud, "securid-audience", "https://access.securid.com/AdminInterface/restapi", "the JWT's aud: the admin REST URL the key was made for")
	fs.IntVar(&c.tries, "tries", 5, "attempts a request gets through 429s, 5xx and dropped connections")
	fs.DurationVar(&c.maxWait, "max-wait", 30*time.Second, "the longest Retry-After honoured")
	fs.DurationVar(&c.backoff, "backoff", 200*time.Millisecond, "the first pause after a 5xx or a dropped connection (doubling)")
	fs.BoolVar(&c.jsonOut, "json", false, "print the outcome of each vendor as JSON on the last line")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, nil
}

// run offboards the person the flags name; 0 when every vendor is done,
// 1 when one is blocked or failed, 2 on a usage mistake.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "offboard-person:", err)
		}
		return 2
	}
	cl := &client{http: &http.Client{Timeout: 30 * time.Second}, tries: max(c.tries, 1), maxWait: c.maxWait, backoff: c.backoff,
		log: func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }}
	vendors, err := c.vendors(cl)
	if err != nil {
		fmt.Fprintln(stderr, "offboard-person:", err)
		return 2
	}
	if len(vendors) == 0 {
		fmt.Fprintln(stderr, "offboard-person: name at least one account (--arcgis-user, --commvault-user, --huawei-member, --onedata-user, --securid-user)")
		return 2
	}
	report := offboard(ctx, vendors, stdout)
	code := 0
	for _, o := range report {
		if o.Result != "done" {
			code = 1
		}
	}
	if c.jsonOut {
		b, _ := json.Marshal(report) // our own values
		fmt.Fprintln(stdout, string(b))
	}
	return code
}

// vendors builds the vendors the flags name an account in.
func (c config) vendors(cl *client) ([]*vendor, error) {
	or := func(u, path string) string {
		if u != "" {
			return strings.TrimSuffix(u, "/")
		}
		return strings.TrimSuffix(c.base, "/") + path
	}
	var out []*vendor
	if c.arcgisUser != "" {
		user, pass, ok := strings.Cut(c.arcgisAdmin, ":")
		if !ok {
			return nil, errors.New("--arcgis-admin: USER:PASSWORD")
		}
		out = append(out, (&arcgis{cl: cl, url: or(c.arcgisURL, "/arcgis"), adminUser: user, pass: pass, user: c.arcgisUser}).vendor())
	}
	if c.cvUser != "" {
		user, pass, ok := strings.Cut(c.cvAdmin, ":")
		if !ok || c.cvHeir == "" {
			return nil, errors.New("--commvault-user needs --commvault-heir and --commvault-admin USER:PASSWORD")
		}
		out = append(out, (&commvault{cl: cl, url: or(c.cvURL, "/webconsole/api"), adminUser: user, pass: pass, user: c.cvUser, heir: c.cvHeir}).vendor())
	}
	if c.hwMember != "" {
		parts := strings.Split(c.hwMember, "/")
		if len(parts) != 3 || c.hwToken == "" {
			return nil, errors.New("--huawei-member PROJECT/WORKSPACE/USER_ID needs --huawei-token")
		}
		out = append(out, (&huawei{cl: cl, url: or(c.hwURL, ""), token: c.hwToken, project: parts[0], space: parts[1], member: parts[2]}).vendor())
	}
	if c.odUser != "" {
		user, pass, ok := strings.Cut(c.odAdmin, ":")
		if !ok {
			return nil, errors.New("--onedata-admin: USER:PASSWORD")
		}
		out = append(out, (&onedata{cl: cl, url: or(c.odURL, "/api/v3/onezone"), adminUser: user, pass: pass, user: c.odUser}).vendor())
	}
	if c.sdUser != "" {
		key, err := readKey(c.sdKey)
		if err != nil || c.sdAccess == "" {
			return nil, fmt.Errorf("--securid-user needs --securid-key and --securid-access-id: %v", err)
		}
		out = append(out, (&securid{cl: cl, url: or(c.sdURL, "/AdminInterface/restapi"), audience: c.sdAud, accessID: c.sdAccess, key: key, user: c.sdUser}).vendor())
	}
	return out, nil
}

func readKey(path string) (*rsa.PrivateKey, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return jwt.ParseRSAPrivateKeyFromPEM(pem)
}

// basic is an HTTP Basic credential.
func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}
