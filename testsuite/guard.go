package testsuite

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// A verify target is untrusted: what it answers is bounded before it is
// read, parsed, compared or printed.
const (
	maxAnswer     = 4 << 20  // bytes of a vendor answer read
	maxControl    = 64 << 10 // bytes of a control API answer read
	maxDepth      = 64       // nesting of a JSON answer compared or shown
	maxDiffLines  = 400      // lines of each side a diff looks at
	maxLineBytes  = 400      // bytes of one line a diff shows
	maxReport     = 16 << 10 // bytes of one case's failure text
	clientTimeout = 30 * time.Second
)

// NewClient is the HTTP client verify uses: it follows a redirect only
// within the target's own origin, so credentials (Authtoken, X-Auth-Token,
// an ArcGIS token in a re-sent body) never reach another host.
func NewClient() *http.Client {
	return &http.Client{Timeout: clientTimeout, CheckRedirect: sameOrigin}
}

// sameOrigin refuses a redirect to another scheme, host or port.
func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	from := via[0].URL
	if !strings.EqualFold(req.URL.Scheme, from.Scheme) || !strings.EqualFold(req.URL.Host, from.Host) {
		return fmt.Errorf("the target redirected to another origin (%s); verify does not follow it, so no credential leaves the target",
			Sanitize(origin(req.URL)))
	}
	return nil
}

func origin(u *url.URL) string { return u.Scheme + "://" + u.Host }

// errTooLarge is an answer over its bound.
type errTooLarge struct{ limit int64 }

func (e errTooLarge) Error() string {
	return fmt.Sprintf("the answer is over %d KiB, more than any documented answer; not read further", e.limit>>10)
}

// readBounded reads at most limit bytes of a body (decompressed, when the
// transport decompresses), and fails past it.
func readBounded(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b[:limit], errTooLarge{limit}
	}
	return b, nil
}

// jsonDepth is how deep a JSON text nests (outside strings).
func jsonDepth(b []byte) int {
	depth, most, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			most = max(most, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return most
}

// Sanitize escapes what must not reach a terminal or a JUnit file: control
// characters (ESC sequences) other than new lines and tabs, and invalid
// UTF-8.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) && r != '\n' && r != '\t' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) && r != '\n' && r != '\t':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clip cuts s to at most n bytes, saying so.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n... (%d more bytes not shown)", len(s)-cut)
}
