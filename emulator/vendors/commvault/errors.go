package commvault

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// apiError is an error answered as App_GenericResp with an HTTP status.
type apiError struct {
	status int
	code   int
	msg    string
	cause  string
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("%d errorCode %d: %s", e.status, e.code, e.msg)
	if e.cause != "" {
		s += " (" + e.cause + ")"
	}
	return s
}

func unauthorized(cause string) *apiError {
	return &apiError{http.StatusUnauthorized, 5, "Access denied. The Authtoken is missing, invalid or expired.", cause}
}

func badRequest(cause string) *apiError {
	return &apiError{http.StatusBadRequest, 2, "The request is not valid.", cause}
}

var (
	errNotFound = &apiError{http.StatusNotFound, 2, "The requested resource was not found.", ""}
	errInternal = &apiError{http.StatusInternalServerError, 2, "An internal error occurred.", ""}
)

// Error implements kit.Vendor.
func (Vendor) Error(r *kit.Request, err error) kit.Response {
	ae := kit.Classify(err, fromKit, errInternal)
	resp := render(r, ae.status, genericResponse{ErrorCode: ae.code, ErrorString: ae.msg})
	if !resp.Outcome.Error { // a code 0 of ours: still an error by its status
		resp = resp.Refused(strconv.Itoa(ae.status), ae.msg)
	}
	return resp
}

func fromKit(e *kit.Error) *apiError {
	switch e.Kind {
	case kit.NoRoute:
		return errNotFound
	case kit.MethodNotAllowed:
		return &apiError{http.StatusMethodNotAllowed, 2, "The HTTP method is not allowed for this resource.", ""}
	case kit.BadRequest:
		if e.Param != "" {
			return badRequest(e.In + " " + e.Param)
		}
		return badRequest(e.Detail)
	case kit.TooLarge:
		return &apiError{http.StatusRequestEntityTooLarge, 2, "The request body is too large.", ""}
	case kit.Fault:
		switch e.Status {
		case http.StatusUnauthorized:
			return unauthorized("injected")
		case http.StatusNotFound:
			return errNotFound
		}
		return &apiError{e.Status, 2, "The request failed: " + strings.ToLower(http.StatusText(e.Status)) + ".", "injected"}
	}
	return errInternal
}

// The web service roots; the web server matches them and the resource
// names case-insensitively.
const (
	rootCommandCenter = "/commandcenter/api"
	rootWebConsole    = "/webconsole/api"
	rootSearchSvc     = "/SearchSvc/CVWebService.svc"
)

// subPaths are the literal segments after a resource name, spelled as the
// spec has them: the web server matches these case-insensitively too.
func subPaths(resource string) []string {
	switch resource {
	case "User":
		return []string{"Unlock"}
	case "Security":
		return []string{"TwoFactorAuth", "Status"}
	}
	return nil
}

// NormalizeRoots implements kit.PathNormalizer.
func (Vendor) NormalizeRoots() []string {
	return []string{rootCommandCenter, rootWebConsole, rootSearchSvc}
}

// NormalizePath implements kit.PathNormalizer: the root, the resource name
// and the literal segments after it get the spec's spelling; ids and names
// keep theirs.
func (Vendor) NormalizePath(p string) string {
	for _, root := range [...]string{rootCommandCenter, rootWebConsole, rootSearchSvc} {
		if len(p) <= len(root) || !strings.EqualFold(p[:len(root)], root) || p[len(root)] != '/' {
			continue
		}
		seg, tail, _ := strings.Cut(p[len(root)+1:], "/")
		if seg == "" {
			if p[:len(root)] == root {
				return p // already in normal form: no copy
			}
			return root + p[len(root):] // the root itself
		}
		exact := p[:len(root)] == root
		for _, res := range [...]string{"User", "UserGroup", "Login", "WhoAmI", "Logout", "RenewLoginToken", "Security"} {
			if strings.EqualFold(seg, res) {
				exact = exact && seg == res
				seg = res
			}
		}
		var rest []string
		// The literals below the resource are matched from the first
		// segment on: a tail whose first segment is none (an id, a
		// byName) stays as it is, unsplit.
		first, _, _ := strings.Cut(tail, "/")
		if lits := subPaths(seg); tail != "" && lits != nil && strings.EqualFold(first, lits[0]) {
			rest = strings.Split(tail, "/")
			for i := 0; i < len(rest) && i < len(lits); i++ {
				if !strings.EqualFold(rest[i], lits[i]) {
					break
				}
				exact = exact && rest[i] == lits[i]
				rest[i] = lits[i]
			}
		}
		if exact {
			return p // already in normal form: no copy
		}
		if rest != nil {
			tail = strings.Join(rest, "/")
		}
		if tail != "" || strings.HasSuffix(p, "/") {
			tail = "/" + tail
		}
		return root + "/" + seg + tail
	}
	return p
}
