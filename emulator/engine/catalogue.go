package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/kit"
)

// CatalogueEntry is one documented error of a vendor: an example of its
// spec, and the fault that makes an operation answer it.
type CatalogueEntry struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Name      string `json:"name"`
	Summary   string `json:"summary,omitempty"`
	// VendorError and Message are the vendor's name for the error and its
	// message, as its judge reads the example ("errorCode 2", "DAYU.4402").
	VendorError string `json:"vendorError"`
	Message     string `json:"message,omitempty"`
	ContentType string `json:"contentType"`
	Example     string `json:"example"`
	// Fault answers it: the status alone where the vendor's own rendering
	// of that status is the example, else the example's bytes.
	Fault faults.Fault `json:"fault"`
}

// Catalogue lists every documented error of every vendor, read from the
// specs' response examples (errors: a 4xx/5xx status, or a 200 whose body
// says it failed, as ArcGIS, Huawei and Commvault answer).
func (e *Engine) Catalogue() (map[string][]CatalogueEntry, error) {
	out := map[string][]CatalogueEntry{}
	for _, v := range e.vendors {
		entries, err := catalogue(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Name(), err)
		}
		out[v.Name()] = entries
	}
	return out, nil
}

func catalogue(v *vendorEntry) ([]CatalogueEntry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(v.spec, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	var entries []CatalogueEntry
	paths := child(root, "paths")
	if paths == nil {
		return nil, nil
	}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		pathKey, item := paths.Content[i].Value, paths.Content[i+1]
		for j := 0; j+1 < len(item.Content); j += 2 {
			method, op := strings.ToUpper(item.Content[j].Value), item.Content[j+1]
			opID := child(op, "operationId")
			responses := child(op, "responses")
			if opID == nil || responses == nil {
				continue
			}
			for k := 0; k+1 < len(responses.Content); k += 2 {
				status, err := strconv.Atoi(responses.Content[k].Value)
				if err != nil {
					continue
				}
				resp := resolve(root, responses.Content[k+1])
				content := child(resp, "content")
				if content == nil {
					continue
				}
				for m := 0; m+1 < len(content.Content); m += 2 {
					mt, media := content.Content[m].Value, content.Content[m+1]
					for _, ex := range examplesOf(root, media) {
						body, err := exampleBytes(ex.value)
						if err != nil {
							return nil, err
						}
						// The vendor's own judge says which examples are
						// errors, and names them.
						out := v.Outcome(kit.Response{Status: status, ContentType: mt, Body: body})
						if !out.Error {
							continue
						}
						entry := CatalogueEntry{Operation: opID.Value, Method: method, Path: pathKey, Status: status,
							Name: ex.name, Summary: ex.summary, ContentType: mt, Example: string(body),
							VendorError: out.Code, Message: out.Message}
						entry.Fault = faultFor(v, entry)
						entries = append(entries, entry)
					}
				}
			}
		}
	}
	slices.SortStableFunc(entries, func(a, b CatalogueEntry) int {
		if c := strings.Compare(a.Operation, b.Operation); c != 0 {
			return c
		}
		return a.Status - b.Status
	})
	return entries, nil
}

type example struct {
	name, summary string
	value         *yaml.Node
}

// resolve follows a local $ref ("#/components/responses/NotFound").
func resolve(root, n *yaml.Node) *yaml.Node {
	for range 8 {
		ref := child(n, "$ref")
		if ref == nil || !strings.HasPrefix(ref.Value, "#/") {
			return n
		}
		next := root
		for _, seg := range strings.Split(strings.TrimPrefix(ref.Value, "#/"), "/") {
			next = child(next, seg)
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

func examplesOf(root, media *yaml.Node) []example {
	if ex := child(media, "example"); ex != nil {
		return []example{{name: "example", value: ex}}
	}
	exs := child(media, "examples")
	if exs == nil {
		return nil
	}
	var out []example
	for i := 0; i+1 < len(exs.Content); i += 2 {
		ex := resolve(root, exs.Content[i+1])
		e := example{name: exs.Content[i].Value, value: child(ex, "value")}
		if s := child(ex, "summary"); s != nil {
			e.summary = s.Value
		}
		if e.value != nil {
			out = append(out, e)
		}
	}
	return out
}

// exampleBytes writes an example as a client receives it: a string as
// is (XML, text), anything else as compact JSON in the document's key order.
func exampleBytes(n *yaml.Node) ([]byte, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		return []byte(n.Value), nil
	}
	var b bytes.Buffer
	err := writeOrderedJSON(&b, n)
	return b.Bytes(), err
}

func writeOrderedJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeOrderedJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeOrderedJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.AliasNode:
		return writeOrderedJSON(b, n.Alias)
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		out, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.Write(out)
	}
	return nil
}

// faultFor picks the fault that answers an entry: the status alone when
// the vendor renders exactly the example for it, so its own bytes and
// headers (Retry-After, X-Request-Id) come with it; else the example.
func faultFor(v *vendorEntry, c CatalogueEntry) faults.Fault {
	f := faults.Fault{Vendor: v.Name(), Operation: c.Operation, Status: c.Status, Times: 1}
	if c.Status >= 400 {
		r := &kit.Request{Method: c.Method, Operation: c.Operation, Query: url.Values{}, Header: http.Header{}, Params: map[string]string{}}
		resp := v.Error(r, &kit.Error{Kind: kit.Fault, Status: c.Status})
		if resp.Status == c.Status && sameBody(resp.Body, []byte(c.Example)) {
			return f
		}
	}
	f.Body, f.ContentType = c.Example, c.ContentType
	return f
}

func sameBody(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil {
		ja, _ := json.Marshal(x)
		jb, _ := json.Marshal(y)
		return bytes.Equal(ja, jb)
	}
	return bytes.Equal(bytes.TrimSpace(a), bytes.TrimSpace(b))
}

// child is a mapping's value for key, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
