package emulator

import (
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/specs"
)

// maxFaultBytes bounds one POST /__admin/faults body.
const maxFaultBytes = 1 << 20

// mountAdmin registers the control API under /__admin.
func (e *Emulator) mountAdmin(r *mux.Router) {
	type endpoint struct {
		method string
		fn     http.HandlerFunc
	}
	table := []struct {
		path      string
		endpoints []endpoint
	}{
		{"/health", []endpoint{{http.MethodGet, e.adminHealth}, {http.MethodHead, e.adminHealth}}},
		{"/reset", []endpoint{{http.MethodPost, e.adminReset}}},
		{"/scenarios", []endpoint{{http.MethodGet, e.adminScenarios}}},
		{"/scenario", []endpoint{{http.MethodPut, e.adminLoad}, {http.MethodPost, e.adminLoad}}},
		{"/state", []endpoint{{http.MethodGet, e.adminState}}},
		{"/routes", []endpoint{{http.MethodGet, e.adminRoutes}}},
		{"/specs", []endpoint{{http.MethodGet, e.adminSpecList}}},
		{"/specs/{vendor}.yaml", []endpoint{{http.MethodGet, e.adminSpec}}},
		{"/faults", []endpoint{{http.MethodGet, e.adminFaults}, {http.MethodPost, e.adminAddFaults}, {http.MethodDelete, e.adminClearFaults}}},
		{"/requests", []endpoint{{http.MethodGet, e.adminRequests}, {http.MethodDelete, e.adminClearRequests}}},
		{"/requests/count", []endpoint{{http.MethodPost, e.adminCountRequests}}},
		{"/openapi.yaml", []endpoint{{http.MethodGet, e.adminOpenAPI}}},
		{"/sessions", []endpoint{{http.MethodGet, e.adminSessions}}},
		{"/sessions/{id}", []endpoint{{http.MethodDelete, e.adminDropSession}}},
		{"/sessions/{id}/reset", []endpoint{{http.MethodPost, e.adminSessionReset}}},
		{"/sessions/{id}/scenario", []endpoint{{http.MethodPut, e.adminSessionLoad}, {http.MethodPost, e.adminSessionLoad}}},
		{"/sessions/{id}/state", []endpoint{{http.MethodGet, e.adminSessionState}}},
	}
	for _, row := range table {
		var methods []string
		for _, ep := range row.endpoints {
			fn := ep.fn
			if row.path != "/health" {
				fn = e.requireAdminToken(fn)
			}
			r.HandleFunc(row.path, fn).Methods(ep.method)
			methods = append(methods, ep.method)
		}
		allow := strings.Join(methods, ", ")
		r.HandleFunc(row.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeAdminError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+allow)
		})
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeAdminError(w, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path+"; see GET /__admin/routes")
	})
}

func (e *Emulator) adminHealth(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "scenario": e.ScenarioName(), "vendors": e.VendorNames()})
}

func (e *Emulator) adminReset(w http.ResponseWriter, _ *http.Request) {
	e.Reset()
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "scenario": e.ScenarioName()})
}

func (e *Emulator) adminScenarios(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"current": e.ScenarioName(), "builtin": scenarios.Builtins()})
}

// readScenario takes a scenario from a control request: ?name=NAME, or a
// body that is either a built-in name or a whole YAML scenario.
func readScenario(r *http.Request) (*scenarios.File, error) {
	if name := r.URL.Query().Get("name"); name != "" {
		return scenarios.Builtin(name)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, scenarios.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil, errors.New("send a built-in scenario's name, ?name=NAME, or a YAML scenario as the body")
	}
	// A body that is one short word names a built-in.
	if name := strings.TrimSpace(string(body)); len(name) <= 64 && !strings.ContainsAny(name, ":\n{}[]#") {
		return scenarios.Builtin(name)
	}
	return scenarios.Parse("request body", body)
}

func (e *Emulator) adminLoad(w http.ResponseWriter, r *http.Request) {
	f, err := readScenario(r)
	if err == nil {
		err = e.LoadScenario(f)
	}
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "loaded", "scenario": f.Name})
}

func (e *Emulator) adminState(w http.ResponseWriter, r *http.Request) {
	e.writeState(w, r.URL.Query().Get("session"))
}

func (e *Emulator) writeState(w http.ResponseWriter, session string) {
	states := map[string]json.RawMessage{}
	var failed error
	e.store.Dump(session, e.VendorNames(), func(vendor string, st kit.State) {
		b, err := json.Marshal(st)
		if err != nil {
			failed = err
			return
		}
		states[vendor] = b
	})
	if failed != nil {
		writeAdminError(w, http.StatusInternalServerError, "encoding the state: "+failed.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scenario": e.ScenarioName(), "session": session, "vendors": states})
}

func (e *Emulator) adminRoutes(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"routes": e.routeList()})
}

func (e *Emulator) adminSpecList(w http.ResponseWriter, _ *http.Request) {
	var out []string
	for _, v := range e.vendors {
		out = append(out, "/__admin/specs/"+v.Name()+".yaml")
	}
	writeJSON(w, http.StatusOK, map[string]any{"specs": out})
}

func (e *Emulator) adminSpec(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["vendor"]
	v, ok := e.byName[name]
	if !ok {
		writeAdminError(w, http.StatusNotFound, fmt.Sprintf("no spec %q (known: %s)", name, strings.Join(specs.Names(), ", ")))
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(v.spec)
}

func (e *Emulator) adminSessions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"sessions": e.store.Sessions()})
}

func (e *Emulator) adminDropSession(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !e.store.DropSession(id) {
		writeAdminError(w, http.StatusNotFound, "no session "+id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "dropped", "session": id})
}

func (e *Emulator) adminSessionReset(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	e.store.ResetSession(id)
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "session": id})
}

func (e *Emulator) adminSessionLoad(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	f, err := readScenario(r)
	var snapErr error
	if err == nil {
		snap, serr := e.snapshot(f)
		if serr == nil {
			e.store.LoadSession(id, snap)
		}
		snapErr = serr
	}
	if err == nil {
		err = snapErr
	}
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "loaded", "session": id, "scenario": f.Name})
}

func (e *Emulator) adminSessionState(w http.ResponseWriter, r *http.Request) {
	e.writeState(w, mux.Vars(r)["id"])
}

// withFaults runs fn on the faults of the session named by ?session=.
func (e *Emulator) withFaults(r *http.Request, fn func(*faultState)) {
	_ = e.store.Slot(r.URL.Query().Get("session"), faultSlot).Do(func(s kit.State) error {
		fn(s.(*faultState))
		return nil
	})
}

func (e *Emulator) adminFaults(w http.ResponseWriter, r *http.Request) {
	var out []*faultRule
	e.withFaults(r, func(fs *faultState) {
		for _, rule := range fs.Rules {
			c := *rule
			out = append(out, &c)
		}
	})
	writeJSON(w, http.StatusOK, map[string]any{"session": r.URL.Query().Get("session"), "rules": out})
}

// adminAddFaults takes one fault or a list, as JSON or YAML.
func (e *Emulator) adminAddFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFaultBytes+1))
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	if len(body) > maxFaultBytes {
		writeAdminError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("faults over %d bytes", maxFaultBytes))
		return
	}
	doc, err := scenarios.ParseYAML("request body", body)
	if err != nil || len(doc.Content) != 1 {
		msg := "send a fault (or a list of faults) as JSON or YAML"
		if err != nil {
			msg += ": " + err.Error()
		}
		writeAdminError(w, http.StatusBadRequest, msg)
		return
	}
	node := doc.Content[0]
	if node.Kind == yaml.MappingNode {
		node = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{node}, Line: node.Line, Column: node.Column}
	}
	fs, err := e.decodeFaults(node)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	var n int
	e.withFaults(r, func(cur *faultState) {
		cur.Rules = append(cur.Rules, fs.Rules...)
		n = len(cur.Rules)
	})
	writeJSON(w, http.StatusCreated, map[string]any{"status": "added", "added": len(fs.Rules), "rules": n})
}

func (e *Emulator) adminClearFaults(w http.ResponseWriter, r *http.Request) {
	e.withFaults(r, func(fs *faultState) { fs.Rules = nil })
	writeJSON(w, http.StatusOK, map[string]any{"status": "cleared"})
}

//go:embed adminapi.yaml
var adminSpec []byte

// adminOpenAPI serves the control API's own OpenAPI document.
func (e *Emulator) adminOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(adminSpec)
}

// AdminSpec is the control API's OpenAPI document.
func AdminSpec() []byte { return adminSpec }

// requireAdminToken guards a control endpoint when an admin token is set.
func (e *Emulator) requireAdminToken(next http.HandlerFunc) http.HandlerFunc {
	if e.opts.adminToken == "" {
		return next
	}
	want := []byte("Bearer " + e.opts.adminToken)
	return func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="offboard control API"`)
			writeAdminError(w, http.StatusUnauthorized, "the control API needs Authorization: Bearer <admin token>")
			return
		}
		next(w, r)
	}
}
