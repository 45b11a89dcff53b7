package emulator

import (
	"bufio"
	"bytes"
	"crypto/subtle"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/console"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
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
		{"/errors", []endpoint{{http.MethodGet, e.adminCatalogue}}},
		{"/faults/{index}", []endpoint{{http.MethodDelete, e.adminRemoveFault}}},
		{"/faults", []endpoint{{http.MethodGet, e.adminFaults}, {http.MethodPost, e.adminAddFaults}, {http.MethodDelete, e.adminClearFaults}}},
		{"/requests", []endpoint{{http.MethodGet, e.adminRequests}, {http.MethodDelete, e.adminClearRequests}}},
		{"/requests/count", []endpoint{{http.MethodPost, e.adminCountRequests}}},
		{"/requests/stream", []endpoint{{http.MethodGet, e.adminRequestStream}}},
		{"/openapi.yaml", []endpoint{{http.MethodGet, e.adminOpenAPI}}},
		{"/credentials/{vendor}", []endpoint{{http.MethodGet, e.adminCredential}}},
		{"/sessions", []endpoint{{http.MethodGet, e.adminSessions}}},
		{"/sessions/{id}", []endpoint{{http.MethodDelete, e.adminDropSession}}},
		{"/sessions/{id}/reset", []endpoint{{http.MethodPost, e.adminSessionReset}}},
		{"/sessions/{id}/scenario", []endpoint{{http.MethodPut, e.adminSessionLoad}, {http.MethodPost, e.adminSessionLoad}}},
		{"/sessions/{id}/state", []endpoint{{http.MethodGet, e.adminSessionState}}},
	}
	// The console's files hold no data: they load without the admin token,
	// and the page asks for it when the control API does.
	ui := http.StripPrefix("/__admin/ui/", console.Handler())
	r.PathPrefix("/ui/").Handler(ui).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/ui", http.RedirectHandler("/__admin/ui/", http.StatusMovedPermanently)).Methods(http.MethodGet, http.MethodHead)
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
	e.stateAs(w, r, r.URL.Query().Get("session"))
}

// stateAs answers a state read in the format asked: JSON (the default) or
// a scenario that loads back to the same world (?format=scenario).
func (e *Emulator) stateAs(w http.ResponseWriter, r *http.Request, session string) {
	switch r.URL.Query().Get("format") {
	case "", "json":
		e.writeState(w, session)
	case "scenario", "yaml":
		if sessionParam(w, session) {
			e.writeScenario(w, session)
		}
	default:
		writeAdminError(w, http.StatusBadRequest, "format: say json or scenario")
	}
}

// noSession answers a control read of a session that is not live.
func noSession(w http.ResponseWriter, id string) {
	writeAdminError(w, http.StatusNotFound, "no live session "+strconv.Quote(id)+
		"; a session starts with its first vendor request or PUT /__admin/sessions/{id}/scenario (GET /__admin/sessions lists them)")
}

// sessionParam reads a session id from the control request, answering 400
// for one no session could have.
func sessionParam(w http.ResponseWriter, id string) bool {
	if id != "" && !store.ValidSessionID(id) {
		writeAdminError(w, http.StatusBadRequest, fmt.Sprintf("session id must be 1 to %d characters of letters, digits and ._~-", store.MaxSessionID))
		return false
	}
	return true
}

func (e *Emulator) writeState(w http.ResponseWriter, session string) {
	if !sessionParam(w, session) {
		return
	}
	states := map[string]json.RawMessage{}
	var failed error
	found := e.store.Dump(session, e.VendorNames(), func(vendor string, st kit.State) {
		b, err := json.Marshal(st)
		if err != nil {
			failed = err
			return
		}
		states[vendor] = b
	})
	if !found {
		noSession(w, session)
		return
	}
	if failed != nil {
		writeAdminError(w, http.StatusInternalServerError, "encoding the state: "+failed.Error())
		return
	}
	// Streamed vendor by vendor: a large state is never held twice.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	head, _ := json.Marshal(e.ScenarioName())
	sess, _ := json.Marshal(session)
	fmt.Fprintf(bw, "{\n  \"scenario\": %s,\n  \"session\": %s,\n  \"vendors\": {", head, sess)
	var pretty bytes.Buffer
	for i, name := range slices.Sorted(maps.Keys(states)) {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %q: ", name)
		pretty.Reset()
		_ = json.Indent(&pretty, states[name], "    ", "  ")
		bw.Write(pretty.Bytes())
		states[name] = nil // let it go
	}
	bw.WriteString("\n  }\n}\n")
	_ = bw.Flush()
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

// adminCredential mints a working credential of a vendor against the
// loaded scenario (or ?session=), for `offboard token VENDOR --url`.
func (e *Emulator) adminCredential(w http.ResponseWriter, r *http.Request) {
	vendor := mux.Vars(r)["vendor"]
	session := r.URL.Query().Get("session")
	if !sessionParam(w, session) {
		return
	}
	if !e.store.Exists(session) {
		noSession(w, session)
		return
	}
	header, value, err := e.CredentialIn(session, vendor)
	if err != nil {
		status := http.StatusConflict // the scenario holds none
		if _, ok := e.byName[vendor]; !ok {
			status = http.StatusNotFound
		}
		writeAdminError(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"vendor": vendor, "scenario": e.ScenarioName(), "session": session,
		"header": header, "value": value})
}

func (e *Emulator) adminSessions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"sessions": e.store.Sessions()})
}

func (e *Emulator) adminDropSession(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !sessionParam(w, id) {
		return
	}
	if !e.store.DropSession(id) {
		writeAdminError(w, http.StatusNotFound, "no session "+id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "dropped", "session": id})
}

func (e *Emulator) adminSessionReset(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !sessionParam(w, id) {
		return
	}
	if !e.store.ResetSession(id) {
		noSession(w, id)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "session": id})
}

func (e *Emulator) adminSessionLoad(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !sessionParam(w, id) {
		return
	}
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
	e.stateAs(w, r, mux.Vars(r)["id"])
}

// withFaults runs fn on the faults of the session named by ?session=,
// creating the session when write is set; it answers and reports false
// for a bad or (reading) missing session.
func (e *Emulator) withFaults(w http.ResponseWriter, r *http.Request, write bool, fn func(*faultState)) bool {
	id := r.URL.Query().Get("session")
	if !sessionParam(w, id) {
		return false
	}
	if !write && !e.store.Exists(id) {
		noSession(w, id)
		return false
	}
	_ = e.store.Slot(id, faultSlot).Do(func(s kit.State) error {
		fn(s.(*faultState))
		return nil
	})
	return true
}

func (e *Emulator) adminFaults(w http.ResponseWriter, r *http.Request) {
	out := []*faultRule{}
	if !e.withFaults(w, r, false, func(fs *faultState) {
		for _, rule := range fs.Rules {
			c := *rule
			out = append(out, &c)
		}
	}) {
		return
	}
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
	if !e.withFaults(w, r, true, func(cur *faultState) {
		cur.add(fs.Rules...)
		n = len(cur.Rules)
	}) {
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"status": "added", "added": len(fs.Rules), "rules": n})
}

// adminRemoveFault drops one rule, by its place in GET /__admin/faults.
func (e *Emulator) adminRemoveFault(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(mux.Vars(r)["index"])
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, "index: give the rule's place in GET /__admin/faults, from 0")
		return
	}
	removed := false
	if !e.withFaults(w, r, false, func(fs *faultState) { removed = fs.remove(i) }) {
		return
	}
	if !removed {
		writeAdminError(w, http.StatusNotFound, fmt.Sprintf("no fault rule %d", i))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "removed"})
}

func (e *Emulator) adminClearFaults(w http.ResponseWriter, r *http.Request) {
	if !e.withFaults(w, r, true, func(fs *faultState) { fs.clear() }) {
		return
	}
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
	want := []byte(e.opts.adminToken)
	return func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 7235): "bearer" is as good.
		got, ok := kit.Bearer(r.Header.Get("Authorization"))
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="offboard control API"`)
			writeAdminError(w, http.StatusUnauthorized, "the control API needs Authorization: Bearer <admin token>")
			return
		}
		next(w, r)
	}
}
