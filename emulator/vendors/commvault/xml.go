package commvault

import (
	"bytes"
	"strings"

	"github.com/beevik/etree"
)

// xmlBody is a response that also has an XML form, which it writes
// element by element.
type xmlBody interface {
	writeXML(w *xmlWriter)
}

// xmlDocument lays an answer out as the vendor's sample response: the
// declaration with standalone="no", then every line indented by one more
// space than etree's two-space indentation gives.
func xmlDocument(v xmlBody) []byte {
	w := &xmlWriter{}
	w.p.w = &w.buf
	w.buf.Grow(512) // the usual answer's size: one allocation
	// The declaration is always the same bytes: written as such rather than
	// through a Document and a ProcInst token built for every answer.
	w.buf.WriteString(xmlDeclaration)
	v.writeXML(w)
	return w.buf.Bytes()
}

// xmlWriter writes an answer's elements as etree writes their tree after
// IndentWithSettings(Spaces: 2), without building the tree (an answer is
// elements and attributes only): each child on a line of its own, two
// spaces deeper, and an end tag a level back; attributes are written by
// etree's own Attr.WriteTo. With reference set it builds that etree tree
// instead, which the bytes are held to (TestXMLLayoutIsEtrees).
type xmlWriter struct {
	buf      bytes.Buffer
	p        prefixer
	settings etree.WriteSettings // a Document's defaults
	depth    int                 // elements started and not ended
	bare     bool                // the innermost start tag has no child yet: its '>' is unwritten

	reference bool
	root, cur *etree.Element
}

// start opens an element with its attributes, given as name, value pairs.
func (w *xmlWriter) start(tag string, kv ...string) {
	if w.reference {
		w.startReference(tag, kv)
		return
	}
	if w.depth > 0 {
		if w.bare {
			w.p.WriteByte('>')
		}
		newline(&w.p, w.depth)
	}
	w.p.WriteByte('<')
	w.p.WriteString(tag)
	for i := 0; i+1 < len(kv); i += 2 {
		w.p.WriteByte(' ')
		a := etree.Attr{Key: kv[i], Value: xmlSafe(kv[i+1])}
		a.WriteTo(&w.p, &w.settings)
	}
	w.depth++
	w.bare = true
}

// end closes the innermost element, tag.
func (w *xmlWriter) end(tag string) {
	if w.reference {
		w.cur = w.cur.Parent()
		return
	}
	w.depth--
	if w.bare {
		w.p.WriteString("/>")
		w.bare = false
		return
	}
	newline(&w.p, w.depth)
	w.p.WriteString("</")
	w.p.WriteString(tag)
	w.p.WriteByte('>')
}

// leaf is an element without children.
func (w *xmlWriter) leaf(tag string, kv ...string) {
	w.start(tag, kv...)
	w.end(tag)
}

// startReference builds the element in etree's tree.
func (w *xmlWriter) startReference(tag string, kv []string) {
	var el *etree.Element
	if w.cur == nil {
		el = etree.NewElement(tag)
		w.root = el
	} else {
		el = w.cur.CreateElement(tag)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		el.CreateAttr(kv[i], xmlSafe(kv[i+1]))
	}
	w.cur = el
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
