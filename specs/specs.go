// Package specs holds the vendors' OpenAPI documents, embedded in the
// binary, and loads and validates them.
package specs

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed *.yaml
var files embed.FS

// Names lists the embedded documents by vendor name, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// Raw returns the document of the named vendor as shipped.
func Raw(name string) ([]byte, error) {
	return files.ReadFile(name + ".yaml")
}

// Load parses the named document and validates it, examples included, so
// a spec whose examples drift from its schemas never loads.
func Load(name string) (*openapi3.T, error) {
	data, err := Raw(name)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", name, err)
	}
	return Parse(name, data)
}

// Document parses the named embedded document without validating it: the
// embedded documents are fixed at build time, and
// TestEverySpecLoadsAndValidates validates each (examples included) there,
// so start-up does not pay for it again.
func Document(name string) (*openapi3.T, error) {
	data, err := Raw(name)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", name, err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", name, err)
	}
	return doc, nil
}

// Parse loads and validates a document given as bytes.
func Parse(name string, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", name, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("spec %s: %w", name, err)
	}
	return doc, nil
}
