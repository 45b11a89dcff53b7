package commvault

import (
	"bytes"
	"strings"

	"github.com/beevik/etree"
)

// xmlDocument lays a document out as the vendor's sample response: the
// declaration with standalone="no", then every line indented by one more
// space than etree's two-space indentation gives.
func xmlDocument(root *etree.Element) []byte {
	var buf bytes.Buffer
	buf.Grow(512) // the usual answer's size: one allocation
	// The declaration is always the same bytes: written as such rather than
	// through a Document and a ProcInst token built for every answer.
	buf.WriteString(xmlDeclaration)
	// Token by token rather than through a Document's WriteTo, which
	// allocates a 4 KB bufio.Writer per answer; memory needs no buffering.
	p := &prefixer{w: &buf}
	var settings etree.WriteSettings // a Document's defaults
	if elementsOnly(root, 0) {
		// The answers are elements and attributes only: laid out as they
		// are written, without the whitespace tokens indenting inserts.
		writeIndented(p, root, 1, &settings)
	} else {
		root.IndentWithSettings(&etree.IndentSettings{Spaces: 2})
		root.WriteTo(p, &settings)
	}
	return bytes.TrimRight(buf.Bytes(), "\n ")
}

// elementsOnly tells a tree of elements without text or other tokens.
func elementsOnly(e *etree.Element, depth int) bool {
	if depth > 64 {
		return false
	}
	for _, c := range e.Child {
		ce, ok := c.(*etree.Element)
		if !ok || !elementsOnly(ce, depth+1) {
			return false
		}
	}
	return true
}

// writeIndented writes an element as etree writes it after
// IndentWithSettings(Spaces: 2) at level (the root's is 1): each child on
// a line of its own, two spaces deeper, and the end tag a level back.
func writeIndented(p *prefixer, e *etree.Element, level int, s *etree.WriteSettings) {
	p.WriteByte('<')
	p.WriteString(e.FullTag())
	for i := range e.Attr {
		p.WriteByte(' ')
		e.Attr[i].WriteTo(p, s)
	}
	if len(e.Child) == 0 {
		p.WriteString("/>")
		return
	}
	p.WriteByte('>')
	for _, c := range e.Child {
		newline(p, level)
		writeIndented(p, c.(*etree.Element), level+1, s)
	}
	newline(p, level-1)
	p.WriteString("</")
	p.WriteString(e.FullTag())
	p.WriteByte('>')
}

// newline starts a line indented to level, as etree's indent does.
func newline(p *prefixer, level int) {
	_ = p.WriteByte('\n')
	for range level {
		p.w.WriteString("  ")
	}
}

// xmlDeclaration starts every document, with the one-space indentation of
// the line after it.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8" standalone="no" ?>` + "\n "

// prefixer writes one space after every newline, the sample's layout. It
// is an etree.Writer.
type prefixer struct{ w *bytes.Buffer }

func (p *prefixer) WriteString(s string) (int, error) {
	if strings.IndexByte(s, '\n') < 0 {
		return p.w.WriteString(s)
	}
	return p.Write([]byte(s))
}

func (p *prefixer) WriteByte(c byte) error {
	p.w.WriteByte(c)
	if c == '\n' {
		p.w.WriteByte(' ')
	}
	return nil
}

func (p *prefixer) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.w.Write(b)
			break
		}
		p.w.Write(b[:i+1])
		p.w.WriteByte(' ')
		b = b[i+1:]
	}
	return n, nil
}
