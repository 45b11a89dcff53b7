package specs

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:generate go run ./internal/specgen

// Route is one operation of a spec under one of its servers: what the
// emulator routes on before the spec itself is parsed. The table of every
// embedded spec's routes is generated at build time (routes_gen.go, by go
// generate ./specs) and TestRouteTableIsCurrent holds it to the specs, so
// start-up routes from it and parses the documents concurrently.
type Route struct {
	Method      string // upper case
	Path        string // the spec's path template
	OperationID string
	Server      string // the server URL the operation is served under
}

// Routes is the generated route table of the named embedded spec.
func Routes(name string) ([]Route, error) {
	rs := table(name)
	if rs == nil {
		return nil, fmt.Errorf("spec %s: not in the route table (go generate ./specs)", name)
	}
	return rs, nil
}

// ResponseHeaders lists, sorted, the headers the named embedded spec's
// responses declare (Location, Retry-After, X-Request-Id): what a browser
// client must be let read, from the generated table.
func ResponseHeaders(name string) []string { return responseHeaders(name) }

// ExtractResponseHeaders lists, sorted and in canonical form, the headers
// a document's responses declare.
func ExtractResponseHeaders(doc *openapi3.T) []string {
	set := map[string]bool{}
	add := func(rs *openapi3.Responses) {
		for _, ref := range rs.Map() {
			if ref != nil && ref.Value != nil {
				for name := range ref.Value.Headers {
					set[http.CanonicalHeaderKey(name)] = true
				}
			}
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			if op.Responses != nil {
				add(op.Responses)
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Extract lists a document's routes in the table's order: paths in
// kin-openapi's matching order, methods sorted, servers as the operation,
// its path item or the document names them.
func Extract(doc *openapi3.T) ([]Route, error) {
	var out []Route
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		servers := doc.Servers
		if len(item.Servers) > 0 {
			servers = item.Servers
		}
		ops := item.Operations()
		methods := make([]string, 0, len(ops))
		for m := range ops {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		for _, method := range methods {
			op := ops[method]
			if op.OperationID == "" {
				return nil, fmt.Errorf("%s %s has no operationId", method, path)
			}
			opServers := servers
			if op.Servers != nil && len(*op.Servers) > 0 {
				opServers = *op.Servers
			}
			for _, srv := range opServers {
				out = append(out, Route{Method: strings.ToUpper(method), Path: path, OperationID: op.OperationID, Server: srv.URL})
			}
		}
	}
	return out, nil
}
