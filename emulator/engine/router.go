package engine

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/gorilla/mux"
	"github.com/offboard/offboard/emulator/internal/ownjson"
)

type ctxKey int

const (
	sessionKey      ctxKey = 1 // the session named by a /__session/ prefix
	originalPathKey ctxKey = 2 // the path as sent, when routing used its normal form
)

// SessionPrefix starts a vendor path served in a session:
// /__session/{wire form of the id}/<vendor path>, for clients whose base
// URL is all that can be set.
const SessionPrefix = "/__session/"

// ServeHTTP serves the vendors' routes, under their own paths or a
// session prefix; any other path gets a list of the routes.
func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A vendor may match paths loosely (Commvault: case-insensitively);
	// route on its normal form, and let handlers see the path as sent.
	if p := e.normalize(r.URL.Path); p != r.URL.Path {
		r2 := r.Clone(context.WithValue(r.Context(), originalPathKey, r.URL.Path))
		r2.URL.Path, r2.URL.RawPath = p, ""
		r = r2
	}
	if strings.HasPrefix(r.URL.Path, SessionPrefix) {
		e.serveSessionPrefix(w, r)
		return
	}
	for _, m := range e.mounts {
		if m.under(r.URL.Path) {
			m.vendor.router().serve(w, r)
			return
		}
	}
	e.serveUnknown(w, r)
}

// serveSessionPrefix serves /__session/{id}/<vendor path> as the vendor
// path in session id. The id is one path segment in its wire form, so a
// session named after a subtest ("TestX/sub") is /__session/TestX%2Fsub/.
func (e *Engine) serveSessionPrefix(w http.ResponseWriter, r *http.Request) {
	escaped := r.URL.EscapedPath()
	wire, rest, ok := strings.Cut(strings.TrimPrefix(escaped, SessionPrefix), "/")
	id, err := url.PathUnescape(wire)
	if !ok || wire == "" || err != nil || !strings.HasPrefix(escaped, SessionPrefix) {
		e.serveUnknown(w, r)
		return
	}
	rest = "/" + rest
	path, err := url.PathUnescape(rest)
	if err != nil {
		e.serveUnknown(w, r)
		return
	}
	if strings.HasPrefix(path, "/__admin") || strings.HasPrefix(path, SessionPrefix) {
		ownjson.Error(w, http.StatusNotFound, "the session prefix is for vendor paths; use /__admin/sessions/"+wire+"/... for control")
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), sessionKey, id))
	r2.URL.Path, r2.URL.RawPath = path, ""
	if path != rest {
		r2.URL.RawPath = rest
	}
	e.ServeHTTP(w, r2)
}

// sessionOf names the session of a request and whether it came by the
// path prefix (which wins over the header); err when the header's wire
// form does not decode.
func sessionOf(r *http.Request) (id string, viaPrefix bool, err error) {
	if id, ok := r.Context().Value(sessionKey).(string); ok {
		return id, true, nil
	}
	h := r.Header[HeaderSession]
	if len(h) == 0 || h[0] == "" {
		return "", false, nil
	}
	id, err = SessionFromWire(h[0])
	return id, false, err
}

// serveUnknown answers a path that belongs to no vendor, saying what exists.
func (e *Engine) serveUnknown(w http.ResponseWriter, r *http.Request) {
	ownjson.Write(w, http.StatusNotFound, map[string]any{
		"error":  "no route",
		"method": r.Method,
		"path":   r.URL.Path,
		"routes": e.Routes(),
	})
}

// normalize gives a path its vendor's normal form, asking only the vendor
// whose roots it is under.
func (e *Engine) normalize(p string) string {
	for _, v := range e.vendors {
		if v.norm == nil {
			continue
		}
		for _, root := range v.normRoots {
			if len(p) >= len(root) && strings.EqualFold(p[:len(root)], root) {
				return v.norm.NormalizePath(p)
			}
		}
	}
	return p
}

// operationOf finds the operation a request would be served by, and its
// path parameters; nil when it is none.
func (e *Engine) operationOf(r *http.Request) (*route, map[string]string) {
	p := e.normalize(r.URL.Path)
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = p, ""
	for _, m := range e.mounts {
		if !m.under(p) {
			continue
		}
		vm := m.vendor.router()
		var match mux.RouteMatch
		if !vm.Match(r2, &match) || match.MatchErr != nil {
			return nil, nil
		}
		return vm.routes[match.Route], match.Vars // nil for no operation
	}
	return nil, nil
}

// buildMounts puts each vendor's router behind its mount prefixes. A
// request is dispatched on the prefixes with plain string compares, so
// that mux's matching only ever runs over one vendor's routes.
func (e *Engine) buildMounts() {
	e.mounts = nil
	for _, v := range e.vendors {
		for _, p := range v.prefixes {
			e.mounts = append(e.mounts, mount{segs: prefixSegments(p), literal: literalLength(p), vendor: v})
		}
	}
	// The most specific prefix first, as the routes themselves are ordered.
	sort.SliceStable(e.mounts, func(i, j int) bool { return e.mounts[i].literal > e.mounts[j].literal })
}

// mount is one vendor prefix and the vendor whose routes lie under it.
type mount struct {
	segs    []string // literal segments, or "" for a {variable}
	literal int
	vendor  *vendorEntry
}

func prefixSegments(prefix string) []string {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = ""
		}
	}
	return segs
}

// under tells whether path lies under the prefix: each segment equal (or,
// for a variable, not empty) and followed by a slash.
func (m mount) under(path string) bool {
	for _, s := range m.segs {
		if len(path) == 0 || path[0] != '/' {
			return false
		}
		path = path[1:]
		i := strings.IndexByte(path, '/')
		if i <= 0 || (s != "" && path[:i] != s) {
			return false
		}
		path = path[i:]
	}
	return len(path) > 0 && path[0] == '/'
}
