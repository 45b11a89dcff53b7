package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/beevik/etree"
)

// Difference is one way the emulator's answer to a step differs from the
// target's.
type Difference struct {
	Path   string `json:"path"`   // where: "status", "header Content-Type", "body.users[0].name", "body/App/@attr"
	Kind   string `json:"kind"`   // missing, added, changed type, changed value, order
	Target string `json:"target"` // the target's value, as text
	Emul   string `json:"emulator"`
}

func (d Difference) String() string {
	switch d.Kind {
	case "missing":
		return fmt.Sprintf("%s: missing from the emulator's answer (target: %s)", d.Path, d.Target)
	case "added":
		return fmt.Sprintf("%s: added by the emulator (%s)", d.Path, d.Emul)
	}
	return fmt.Sprintf("%s: %s: target %s, emulator %s", d.Path, d.Kind, d.Target, d.Emul)
}

// maxDepth bounds the nesting compared: the target is untrusted.
const maxDepth = 64

// comparer compares one pair of answers under a vendor's rules,
// following the volatile values it has seen.
type comparer struct {
	rules   Rules
	headers []string          // the headers the vendor's spec declares, beside Content-Type
	follow  map[string]string // a volatile value of the target -> the emulator's
	diffs   []Difference
}

func (c *comparer) add(path, kind, t, e string) {
	c.diffs = append(c.diffs, Difference{Path: path, Kind: kind, Target: clip(t), Emul: clip(e)})
}

// compare holds a pair of exchanges against each other.
func (c *comparer) compare(t, e Exchange) {
	if t.Status != e.Status {
		c.add("status", "changed value", fmt.Sprint(t.Status), fmt.Sprint(e.Status))
	}
	tm, _, _ := mime.ParseMediaType(t.Header.Get("Content-Type"))
	em, _, _ := mime.ParseMediaType(e.Header.Get("Content-Type"))
	if tm != em {
		c.add("header Content-Type", "changed value", tm, em)
	}
	for _, h := range c.headers {
		tv, tok := t.Header[h]
		ev, eok := e.Header[h]
		switch {
		case tok && !eok:
			c.add("header "+h, "missing", tv[0], "")
		case eok && !tok:
			c.add("header "+h, "added", "", ev[0])
		case tok:
			c.leaf("header "+h, c.followed(tv[0]), ev[0])
		}
	}
	tb, eb := c.followed(t.Body), e.Body
	switch {
	case strings.Contains(tm, "json") && json.Valid([]byte(tb)) && json.Valid([]byte(eb)):
		tv, err1 := parseJSON(tb)
		ev, err2 := parseJSON(eb)
		if err1 == nil && err2 == nil {
			c.json("body", tv, ev, 0)
			return
		}
	case strings.Contains(tm, "xml"):
		td, ed := etree.NewDocument(), etree.NewDocument()
		if td.ReadFromString(tb) == nil && ed.ReadFromString(eb) == nil && td.Root() != nil && ed.Root() != nil {
			c.xml("body/"+td.Root().Tag, td.Root(), ed.Root(), 0)
			return
		}
	}
	if !c.rules.volatile("body", tb, eb) && tb != eb {
		c.add("body", "changed value", tb, eb)
	}
}

// followed is a target body with the volatile values already paired
// replaced by the emulator's, so a created id compares in later steps.
func (c *comparer) followed(s string) string {
	for t, e := range c.follow {
		s = strings.ReplaceAll(s, t, e)
	}
	return s
}

// leaf compares two scalars at a path: equal, volatile (and followed),
// or a difference.
func (c *comparer) leaf(path, t, e string) {
	if t == e {
		return
	}
	if c.rules.volatile(path, t, e) {
		c.pairUp(t, e)
		return
	}
	c.add(path, "changed value", t, e)
}

// pairUp follows a volatile value into later steps: the whole value, and
// each differing segment of a path or URL (a created id in a Location).
func (c *comparer) pairUp(t, e string) {
	t, e = strings.Trim(t, `"`), strings.Trim(e, `"`)
	if len(t) >= 8 && len(e) >= 8 {
		c.follow[t] = e
	}
	ts, es := strings.Split(t, "/"), strings.Split(e, "/")
	if len(ts) != len(es) || len(ts) < 2 {
		return
	}
	for i := range ts {
		if ts[i] != es[i] && len(ts[i]) >= 8 && len(es[i]) >= 8 {
			c.follow[ts[i]] = es[i]
		}
	}
}

// node is JSON with object keys in their order.
type node struct {
	kind string // object, array, string, number, bool, null
	keys []string
	obj  map[string]*node
	arr  []*node
	text string
}

func parseJSON(s string) (*node, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	n, err := readNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one value")
	}
	return n, nil
}

func readNode(dec *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nested deeper than %d", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			n := &node{kind: "object", obj: map[string]*node{}}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				child, err := readNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				key := k.(string)
				if _, dup := n.obj[key]; !dup {
					n.keys = append(n.keys, key)
				}
				n.obj[key] = child
			}
			_, err := dec.Token()
			return n, err
		}
		n := &node{kind: "array"}
		for dec.More() {
			child, err := readNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.arr = append(n.arr, child)
		}
		_, err := dec.Token()
		return n, err
	case string:
		return &node{kind: "string", text: v}, nil
	case json.Number:
		return &node{kind: "number", text: v.String()}, nil
	case bool:
		return &node{kind: "bool", text: fmt.Sprint(v)}, nil
	}
	return &node{kind: "null", text: "null"}, nil
}

func (n *node) String() string {
	if n.kind == "string" {
		b, _ := json.Marshal(n.text)
		return string(b)
	}
	if n.kind == "object" || n.kind == "array" {
		return n.kind
	}
	return n.text
}

func (c *comparer) json(path string, t, e *node, depth int) {
	if c.rules.ignored(path) {
		return
	}
	if t.kind != e.kind {
		if !c.rules.volatile(path, t.String(), e.String()) {
			c.add(path, "changed type", t.kind+" "+t.String(), e.kind+" "+e.String())
		}
		return
	}
	switch t.kind {
	case "object":
		for _, k := range t.keys {
			if _, ok := e.obj[k]; !ok && !c.rules.ignored(path+"."+k) {
				c.add(path+"."+k, "missing", t.obj[k].String(), "")
			}
		}
		for _, k := range e.keys {
			if tv, ok := t.obj[k]; ok {
				c.json(path+"."+k, tv, e.obj[k], depth+1)
			} else if !c.rules.ignored(path + "." + k) {
				c.add(path+"."+k, "added", "", e.obj[k].String())
			}
		}
		c.order(path, t.keys, e.keys, e.obj)
	case "array":
		for i := 0; i < max(len(t.arr), len(e.arr)); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(e.arr):
				c.add(p, "missing", t.arr[i].String(), "")
			case i >= len(t.arr):
				c.add(p, "added", "", e.arr[i].String())
			default:
				c.json(p, t.arr[i], e.arr[i], depth+1)
			}
		}
	default:
		c.leaf(path, t.String(), e.String())
	}
}

// order reports keys both answers have in another order: a client
// reading bytes (or a golden file) sees it.
func (c *comparer) order(path string, tk, ek []string, eobj map[string]*node) {
	var common []string
	for _, k := range tk {
		if _, ok := eobj[k]; ok {
			common = append(common, k)
		}
	}
	i := 0
	for _, k := range ek {
		if i < len(common) && k == common[i] {
			i++
			continue
		}
		for _, ck := range common[i:] {
			if ck == k {
				c.add(path, "order", strings.Join(common, ","), strings.Join(keysIn(ek, common), ","))
				return
			}
		}
	}
}

func keysIn(keys, of []string) []string {
	var out []string
	for _, k := range keys {
		for _, o := range of {
			if k == o {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

func (c *comparer) xml(path string, t, e *etree.Element, depth int) {
	if depth > maxDepth || c.rules.ignored(path) {
		return
	}
	if t.Tag != e.Tag {
		c.add(path, "changed value", "<"+t.Tag+">", "<"+e.Tag+">")
		return
	}
	for _, a := range t.Attr {
		p := path + "/@" + a.Key
		if ea := e.SelectAttr(a.Key); ea == nil {
			if !c.rules.ignored(p) {
				c.add(p, "missing", a.Value, "")
			}
		} else if !c.rules.ignored(p) {
			c.leaf(p, a.Value, ea.Value)
		}
	}
	for _, a := range e.Attr {
		if t.SelectAttr(a.Key) == nil && !c.rules.ignored(path+"/@"+a.Key) {
			c.add(path+"/@"+a.Key, "added", "", a.Value)
		}
	}
	if tt, et := strings.TrimSpace(t.Text()), strings.TrimSpace(e.Text()); tt != et {
		c.leaf(path+"/text()", tt, et)
	}
	tc, ec := t.ChildElements(), e.ChildElements()
	for i := 0; i < max(len(tc), len(ec)); i++ {
		switch {
		case i >= len(ec):
			c.add(fmt.Sprintf("%s/%s[%d]", path, tc[i].Tag, i), "missing", "<"+tc[i].Tag+">", "")
		case i >= len(tc):
			c.add(fmt.Sprintf("%s/%s[%d]", path, ec[i].Tag, i), "added", "", "<"+ec[i].Tag+">")
		default:
			c.xml(fmt.Sprintf("%s/%s[%d]", path, tc[i].Tag, i), tc[i], ec[i], depth+1)
		}
	}
}

// clip bounds a value shown in a difference.
func clip(s string) string {
	const n = 300
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
