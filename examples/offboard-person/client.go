package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// client sends a vendor's requests and retries what the vendors document
// as passing: a 429 after its Retry-After, a 5xx and a dropped connection
// after a growing pause. Anything else is the caller's to read.
type client struct {
	http    *http.Client
	tries   int           // attempts a request gets
	maxWait time.Duration // the longest Retry-After honoured
	backoff time.Duration // the first pause after a 5xx or a dropped connection
	log     func(format string, args ...any)
}

// answer is a vendor's answer, read whole (at most maxAnswer bytes).
type answer struct {
	status int
	header http.Header
	body   []byte
}

// maxAnswer bounds what one answer may cost to read: a target that
// streams forever is refused, not followed.
const maxAnswer = 4 << 20

// call is one request, built afresh for each attempt.
type call struct {
	what   string // for the log: "securid delete"
	method string
	url    string
	header http.Header
	body   []byte
}

// do sends c until an answer that is not a retry, or the attempts run out.
func (cl *client) do(ctx context.Context, c call) (*answer, error) {
	pause := cl.backoff
	var last error
	for attempt := 1; attempt <= cl.tries; attempt++ {
		a, err := cl.once(ctx, c)
		wait := pause
		switch {
		case err != nil:
			last = err
			cl.log("%s: attempt %d: %v; again in %s", c.what, attempt, err, wait)
		case a.status == http.StatusTooManyRequests:
			last = fmt.Errorf("429 Too Many Requests")
			wait = cl.retryAfter(a.header, pause)
			cl.log("%s: attempt %d: 429, Retry-After %q; again in %s", c.what, attempt, a.header.Get("Retry-After"), wait)
		case a.status >= 500:
			last = fmt.Errorf("%d %s", a.status, http.StatusText(a.status))
			cl.log("%s: attempt %d: %d; again in %s", c.what, attempt, a.status, wait)
		default:
			return a, nil
		}
		if attempt == cl.tries {
			break
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		pause *= 2
	}
	return nil, fmt.Errorf("%s: gave up after %d attempts: %w", c.what, cl.tries, last)
}

// once sends one attempt.
func (cl *client) once(ctx context.Context, c call) (*answer, error) {
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxAnswer {
		return nil, errors.New("an answer over 4 MiB")
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// retryAfter reads Retry-After in seconds, capped; fallback when absent.
func (cl *client) retryAfter(h http.Header, fallback time.Duration) time.Duration {
	n, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || n < 0 {
		return fallback
	}
	return min(time.Duration(n)*time.Second, cl.maxWait)
}
