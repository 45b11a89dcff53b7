package journal

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Curl writes the entry's request as a curl command that sends it again
// exactly as it came: the method, the target as sent (escaped, with its
// session prefix), every header (the session's and the credentials
// included; curl's own defaults removed where the original had none) and
// the body. It is safe to paste into bash, zsh and fish whatever the
// request held: every argument is single-quoted with no quote or
// backslash inside, and bytes a terminal or shell could act on (control
// characters, invalid UTF-8) only ever appear as printf escapes.
func (e Entry) Curl() string {
	var b strings.Builder
	body := e.Body != "" && !safeText(e.Body)
	if body {
		b.WriteString("printf " + printfQuote(e.Body) + " | ")
	}
	b.WriteString("curl -sS --path-as-is -g")
	if e.Method == "HEAD" {
		b.WriteString(" --head")
	} else {
		b.WriteString(" -X " + shellArg(e.Method))
	}
	b.WriteString(" " + shellArg(e.URL()))
	for _, h := range e.curlHeaders() {
		b.WriteString(" \\\n  -H " + shellArg(h))
	}
	switch {
	case body:
		b.WriteString(" \\\n  --data-binary @-")
	case e.Body != "":
		b.WriteString(" \\\n  --data-raw " + shellArg(e.Body))
	}
	out := b.String()
	if e.Truncated || e.HeaderTruncated {
		out = "# the journal kept only part of this request (its body or headers were cut)\n" + out
	}
	return out
}

// curlHeaders are the -H arguments that make curl send the entry's
// headers and no others.
func (e Entry) curlHeaders() []string {
	var out []string
	for _, k := range slices.Sorted(mapKeys(e.Header)) {
		if k == "Content-Length" || k == "Host" {
			continue // curl sends both from the URL and the body
		}
		for _, v := range e.Header[k] {
			if v == "" {
				out = append(out, k+";") // curl's way to send an empty value
			} else {
				out = append(out, k+": "+v)
			}
		}
	}
	// What curl adds of its own when the original had none.
	for _, k := range []string{"User-Agent", "Accept", "Expect", "Content-Type"} {
		if _, ok := e.Header[k]; !ok {
			out = append(out, k+":")
		}
	}
	return out
}

func mapKeys(h Header) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range h {
			if !yield(k) {
				return
			}
		}
	}
}

// safeText tells text that may stand inside single quotes as it is: valid
// UTF-8 with no control character but newline and tab.
func safeText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\t' || r == utf8.RuneError
	})
}

// shellArg quotes one argument for bash, zsh and fish alike: single-quoted
// runs, with each quote and backslash outside them as \' and \\ (fish
// reads both escapes inside single quotes, the others do not; outside,
// all three read them alike). An argument that is not safe text becomes
// "$(printf ...)".
func shellArg(s string) string {
	if !safeText(s) {
		return `"$(printf ` + printfQuote(s) + `)"`
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString(`'\''`)
		case '\\':
			b.WriteString(`'\\'`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// printfQuote is a printf format, single-quoted, that prints s exactly:
// printable ASCII as it is but for the quote, the backslash and %, every
// other byte (and a leading -, which printf would read as an option) as
// \xHH. It holds no quote and no backslash pair, so bash, zsh and fish
// hand it to printf alike.
func printfQuote(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b.WriteString("%%")
		case c == '\'' || c == '\\' || c < 0x20 || c >= 0x7f || i == 0 && c == '-':
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// URL is the request's URL as the client sent it: its host (localhost
// when none was kept) and its target exactly, or the path and query.
func (e Entry) URL() string {
	target := e.Target
	if target == "" {
		target = e.Path
		if e.Query != "" {
			target += "?" + e.Query
		}
	}
	host := e.Host
	if host == "" {
		host = "localhost"
	}
	return "http://" + host + target
}
