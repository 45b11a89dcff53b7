package engine

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/offboard/offboard/emulator/kit"
)

// write sends a response value. The cause of an error goes to the log and
// one header; the body is what the vendor would send.
func (e *Engine) write(w http.ResponseWriter, r *http.Request, ex *exchange, v *vendorEntry, op string, resp kit.Response, cause error) {
	kr := &ex.kr
	h := w.Header()
	// The values this writer adds share one backing array: one
	// allocation for Content-Type, Content-Length and the detail.
	own := make([]string, 0, 3)
	if resp.ContentType != "" {
		own = append(own, resp.ContentType)
		h["Content-Type"] = own[0:1:1]
	}
	for k, vals := range resp.Header {
		h[k] = vals
	}
	// No answer of a vendor route, a fault's own HTML body included, may
	// run script in offboard's origin (where the control API and console
	// live): the browser renders it in a sandbox, and never sniffs a type.
	h["Content-Security-Policy"] = e.sandboxCSP
	h["X-Content-Type-Options"] = e.nosniff
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	// The answer as its vendor means it: a Commvault errorCode in a 200 is
	// as much an error as a 404, and says so in the detail header too.
	resp.Status = status
	out := outcomeOf(resp)
	var detail string // the cause once, for the header, the journal and the log
	switch {
	case cause != nil:
		detail = cause.Error()
	case out.Error:
		detail = "vendor error " + out.Code
		if out.Message != "" {
			detail += ": " + out.Message
		}
	}
	if detail != "" {
		// Canonical keys, set directly: Set would canonicalize them again.
		own = append(own, headerSafe(truncate(oneLine(detail), 512)))
		h[HeaderDetail] = own[len(own)-1 : len(own) : len(own)]
	}
	if status != http.StatusNoContent && status != http.StatusNotModified {
		own = append(own, strconv.Itoa(len(resp.Body)))
		h["Content-Length"] = own[len(own)-1 : len(own) : len(own)]
	}
	w.WriteHeader(status)
	sent := resp.Body
	if r.Method == http.MethodHead || status == http.StatusNoContent {
		sent = nil
	}
	_, _ = w.Write(sent)
	e.record(r, ex, v.Name(), op, status, cause, detail, out, h, sent)
	// Info logs every answer that is an error by its vendor's semantics
	// (a Commvault errorCode in a 200 as a 404), once; debug every answer.
	level := slog.LevelDebug
	if cause != nil || out.Error {
		level = slog.LevelInfo
	}
	if !e.log.Enabled(r.Context(), level) {
		return // building the attributes costs more than the rest of the write
	}
	attrs := []any{"vendor", v.Name(), "operation", op, "method", r.Method, "path", kr.Path, "status", status, "session", kr.Session}
	if detail != "" {
		attrs = append(attrs, "cause", detail)
	}
	e.log.Log(r.Context(), level, "request", attrs...)
}

// outcomeOf is what an answer means to its vendor: what its maker said,
// and an error status is an error whatever else it says.
func outcomeOf(resp kit.Response) kit.Outcome {
	if !resp.Outcome.Error && resp.Status >= 400 {
		return kit.Outcome{Error: true, Code: strconv.Itoa(resp.Status)}
	}
	return resp.Outcome
}

// headerSafe escapes what may not stand in a header value: control
// characters (a NUL from a client's path would make curl, Go and Node
// reject the whole answer) and, for clients that take only ASCII,
// everything past it.
func headerSafe(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7e:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine folds runs of white space into one space and trims the ends.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c > ' ' && c < utf8.RuneSelf {
			continue
		}
		// A single space between words is already folded; anything else
		// (other white space, a control, non-ASCII whose Unicode spaces
		// strings.Fields knows) takes the slow way.
		if s[i] != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ' {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s // already one line: no copy
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
