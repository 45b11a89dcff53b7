package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/offboard/offboard/testsuite"
)

// Bounds on an untrusted target. A list answer may be large (Commvault's
// GET User has no paging: 50,000 users are about 20 MB), so the bound is
// larger than verify's, but it is a bound.
const (
	maxAnswer     = 64 << 20
	maxRetries    = 5
	maxRetryAfter = 60 * time.Second
)

// reader sends one vendor's read calls to the target: same-origin
// redirects only, bounded answers, Retry-After honoured on 429.
type reader struct {
	ctx    context.Context
	base   string
	client *http.Client
	vars   map[string]string
	sleep  func(context.Context, time.Duration) error
	calls  int
	onCall func()                      // progress
	sign   func(*http.Request, []byte) // signs each request, where the vendor signs (Huawei's AK/SK)
}

// answer is what one call got.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// callError is a read call the target refused or failed; its text holds
// nothing the target sent unescaped.
type callError struct {
	method, path string
	status       int
	msg          string
}

func (e *callError) Error() string {
	path, _, _ := strings.Cut(e.path, "?") // a query may hold a token
	if e.status != 0 {
		return fmt.Sprintf("%s %s: HTTP %d%s", e.method, path, e.status, e.msg)
	}
	return fmt.Sprintf("%s %s: %s", e.method, path, e.msg)
}

// do sends a request and returns a 2xx answer; anything else is an error.
func (r *reader) do(method, path string, header http.Header, body []byte) (*answer, error) {
	for attempt := 0; ; attempt++ {
		a, err := r.once(method, path, header, body)
		if err != nil {
			return nil, &callError{method: method, path: path, msg: testsuite.Sanitize(err.Error())}
		}
		if a.status == http.StatusTooManyRequests && attempt < maxRetries {
			if err := r.sleep(r.ctx, retryAfter(a.header.Get("Retry-After"), attempt)); err != nil {
				return nil, err
			}
			continue
		}
		if a.status < 200 || a.status > 299 {
			return nil, &callError{method: method, path: path, status: a.status, msg: snippet(a.body)}
		}
		return a, nil
	}
}

func (r *reader) once(method, path string, header http.Header, body []byte) (*answer, error) {
	req, err := http.NewRequestWithContext(r.ctx, method, r.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if r.sign != nil {
		r.sign(req, body)
	}
	r.calls++
	if r.onCall != nil {
		r.onCall()
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxAnswer {
		return nil, fmt.Errorf("the answer is over %d MiB; not read further", maxAnswer>>20)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// getJSON reads a JSON answer into v.
func (r *reader) getJSON(path string, header http.Header, v any) error {
	return r.sendJSON("GET", path, header, nil, v)
}

// sendJSON sends body (already encoded, or nil) and decodes the answer.
func (r *reader) sendJSON(method, path string, header http.Header, body []byte, v any) error {
	a, err := r.do(method, path, header, body)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		return &callError{method: method, path: path, msg: "the answer is not the vendor's JSON: " + testsuite.Sanitize(err.Error())}
	}
	return nil
}

// retryAfter is how long a 429 asks to wait: its Retry-After in seconds
// or as a date, else a back-off; never more than maxRetryAfter.
func retryAfter(h string, attempt int) time.Duration {
	d := time.Duration(1<<attempt) * time.Second
	if n, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = time.Until(t)
	}
	return min(max(d, 0), maxRetryAfter)
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// snippet is the start of an error answer, escaped, for the summary.
func snippet(b []byte) string {
	const n = 200
	if len(b) == 0 {
		return ""
	}
	s := string(b)
	if len(s) > n {
		s = s[:n] + "..."
	}
	return ": " + testsuite.Sanitize(strings.Join(strings.Fields(s), " "))
}

// errSkip is a vendor the vars do not give what recording it needs.
var errSkip = errors.New("skipped")
