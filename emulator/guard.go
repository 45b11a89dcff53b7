package emulator

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// guardAdmin keeps browsers of other web origins, and DNS-rebound names,
// away from the control API. Browsers send Origin on every cross-origin
// fetch and on cross-site form posts, preflighted or not; curl, SDKs and
// test code send none, so they are unaffected.
func (e *Emulator) guardAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e.opts.hostCheck && !e.hostAllowed(r.Host) {
			writeAdminError(w, http.StatusForbidden, "the control API does not answer for Host "+r.Host+
				"; it listens on loopback and takes loopback names only (add a name with --allowed-host)")
			return
		}
		origin := r.Header.Get("Origin")
		switch {
		case origin != "" && !e.originAllowed(origin, r.Host):
			writeAdminError(w, http.StatusForbidden, "the control API refuses requests from the web origin "+origin+
				" (allow one with --admin-origin)")
			return
		case origin == "" && r.Header.Get("Sec-Fetch-Site") == "cross-site":
			writeAdminError(w, http.StatusForbidden, "the control API refuses cross-site requests")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed: the emulator's own origin (the console), or one allowed.
func (e *Emulator) originAllowed(origin, host string) bool {
	if slices.Contains(e.opts.adminOrigins, origin) || slices.Contains(e.opts.adminOrigins, "*") {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false // "null" (sandboxed frames, files) included
	}
	return strings.EqualFold(u.Host, host)
}

// hostAllowed: a loopback name or address, or one of --allowed-host.
func (e *Emulator) hostAllowed(hostport string) bool {
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
	for _, h := range e.opts.allowedHosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}
