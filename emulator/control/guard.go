package control

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// guard keeps browsers of other web origins, and DNS-rebound names, away
// from the control API. Browsers send Origin on every cross-origin fetch
// and on cross-site form posts, preflighted or not; curl, SDKs and test
// code send none, so they are unaffected.
func (a *API) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.opts.HostCheck && !a.hostAllowed(r.Host) {
			writeError(w, http.StatusForbidden, "the control API does not answer for Host "+r.Host+
				"; it listens on loopback and takes loopback names only (add a name with --allowed-host)")
			return
		}
		origin := r.Header.Get("Origin")
		switch {
		case origin != "" && !a.originAllowed(origin, r.Host):
			writeError(w, http.StatusForbidden, "the control API refuses requests from the web origin "+origin+
				" (allow one with --admin-origin)")
			return
		case origin == "" && r.Header.Get("Sec-Fetch-Site") == "cross-site":
			writeError(w, http.StatusForbidden, "the control API refuses cross-site requests")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed: the emulator's own origin (the console), or one allowed.
func (a *API) originAllowed(origin, host string) bool {
	if slices.Contains(a.opts.AdminOrigins, origin) || slices.Contains(a.opts.AdminOrigins, "*") {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // "null" (sandboxed frames, files) included
	}
	return strings.EqualFold(u.Host, host)
}

// hostAllowed: a loopback name or address, or one of AllowedHosts.
func (a *API) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, h := range a.opts.AllowedHosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

// requireToken guards an endpoint when an admin token is set.
func (a *API) requireToken(next http.HandlerFunc) http.HandlerFunc {
	if a.opts.AdminToken == "" {
		return next
	}
	want := []byte(a.opts.AdminToken)
	return func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 7235): "bearer" is as good.
		got, ok := kit.Bearer(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="offboard control API"`)
			writeError(w, http.StatusUnauthorized, "the control API needs Authorization: Bearer <admin token>")
			return
		}
		next(w, r)
	}
}
