package drift

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// maxCaptured bounds what one exchange keeps of a body: a drift report
// holds both sides of every step.
const maxCaptured = 4 << 20

// Exchange is one request a side sent and the answer it got.
type Exchange struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	RequestBody string      `json:"requestBody,omitempty"`
	Status      int         `json:"status"`
	Header      http.Header `json:"header"`
	Body        string      `json:"body"`
	Error       string      `json:"error,omitempty"`
	Curl        string      `json:"curl"`
}

// recorder is a transport that keeps each exchange under the case that
// was running, in order.
type recorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	current string
	byCase  map[string][]Exchange
	secrets redactor
}

func newRecorder(next http.RoundTripper, secrets redactor) *recorder {
	if next == nil {
		next = http.DefaultTransport
	}
	return &recorder{next: next, byCase: map[string][]Exchange{}, secrets: secrets}
}

func (r *recorder) onCase(vendor, name string) {
	r.mu.Lock()
	r.current = vendor + "/" + name
	r.mu.Unlock()
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxCaptured))
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		reqBody = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	ex := Exchange{Method: req.Method, URL: r.secrets.clean(req.URL.String()), RequestBody: r.secrets.clean(string(reqBody)),
		Curl: curl(req, reqBody, r.secrets)}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		ex.Error = err.Error()
		r.add(ex)
		return nil, err
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxCaptured))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	ex.Status, ex.Header, ex.Body = resp.StatusCode, resp.Header.Clone(), r.secrets.clean(string(body))
	if rerr != nil {
		ex.Error = rerr.Error()
	}
	r.add(ex)
	return resp, nil
}

func (r *recorder) add(ex Exchange) {
	r.mu.Lock()
	r.byCase[r.current] = append(r.byCase[r.current], ex)
	r.mu.Unlock()
}

// redactor replaces each secret variable's value with
// ${OFFBOARD_VAR_name} (verify's environment spelling, "." as "__"), so a
// report reproduces a request, once those are exported, without holding
// a credential.
type redactor []struct{ value, name string }

func newRedactor(vars map[string]string, secret func(name string) bool) redactor {
	var r redactor
	for name, v := range vars {
		if secret(name) && len(v) >= 4 {
			r = append(r, struct{ value, name string }{v, name})
		}
	}
	// Longer values first, so that one secret inside another goes whole.
	slices.SortFunc(r, func(a, b struct{ value, name string }) int { return len(b.value) - len(a.value) })
	return r
}

func (r redactor) clean(s string) string {
	for _, sec := range r {
		s = strings.ReplaceAll(s, sec.value, "${"+envName(sec.name)+"}")
	}
	// Tokens a vendor issues during a run (a login's) are no variable's:
	// a field or attribute named token keeps its name, not its value.
	return issuedToken.ReplaceAllString(s, `${1}[redacted]${3}`)
}

// issuedToken is a JSON "token" value or an XML token attribute.
var issuedToken = regexp.MustCompile(`("token"\s*:\s*"|\btoken=")([^"]+)(")`)

// credentialHeaders carry a credential: a value of one that is no
// variable's (a token a login issued) is not written.
var credentialHeaders = map[string]bool{"Authorization": true, "Authtoken": true, "X-Auth-Token": true, "X-Esri-Authorization": true}

// curl is the request as a command to paste: every word single-quoted
// (nothing in it expands but the ${name} placeholders, which stand
// outside the quotes), secrets as ${name}.
func curl(req *http.Request, body []byte, secrets redactor) string {
	q := func(s string) string { return shellWord(secrets.clean(s)) }
	var b strings.Builder
	b.WriteString("curl -sS -X " + q(req.Method))
	for _, k := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[k] {
			if v = secrets.clean(v); credentialHeaders[k] && !strings.Contains(v, "${") {
				v = "[redacted]"
			}
			b.WriteString(" -H " + q(k+": "+v))
		}
	}
	if len(body) > 0 {
		b.WriteString(" --data-binary " + q(string(body)))
	}
	b.WriteString(" " + q(req.URL.String()))
	return b.String()
}

// shellWord quotes s for a POSIX shell, leaving ${name} placeholders
// outside the quotes so the shell fills them in.
func shellWord(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			b.WriteString(`'\''`)
		case strings.HasPrefix(s[i:], "${"):
			if j := strings.IndexByte(s[i:], '}'); j > 0 && isVarName(s[i+2:i+j]) {
				b.WriteString(`'"` + s[i:i+j+1] + `"'`)
				i += j
				continue
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// isVarName: a variable's name as the placeholder writes it.
func isVarName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// envName is a variable's name as verify reads it from the environment.
func envName(name string) string { return "OFFBOARD_VAR_" + strings.ReplaceAll(name, ".", "__") }
