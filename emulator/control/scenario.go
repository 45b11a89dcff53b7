package control

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/offboard/offboard/scenarios"
)

func (a *API) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.eng.Health())
}

func (a *API) reset(w http.ResponseWriter, _ *http.Request) {
	a.eng.Reset()
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "scenario": a.eng.ScenarioName()})
}

func (a *API) scenarios(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"current": a.eng.ScenarioName(), "builtin": a.eng.Scenarios()})
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
	return scenarios.Parse(bodyName(r), body)
}

// bodyName is what a scenario body's mistakes are named by: ?file= (the
// client's own file name, as the Go API's LoadYAML takes it), or "request
// body".
func bodyName(r *http.Request) string {
	name := r.URL.Query().Get("file")
	if name == "" || len(name) > 256 || strings.ContainsFunc(name, unicode.IsControl) {
		return "request body"
	}
	return name
}

func (a *API) loadScenario(w http.ResponseWriter, r *http.Request) {
	var f *scenarios.File
	var err error
	if names := r.URL.Query()["name"]; len(names) > 1 {
		err = a.loadBuiltins(names)
	} else if f, err = readScenario(r); err == nil {
		err = a.eng.LoadScenario(f)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "loaded", "scenario": a.eng.ScenarioName()})
}

// loadBuiltins layers built-in scenarios, each over the one before, as
// serve's repeated --scenario does; only built-in names (never a path of
// the server's) are taken.
func (a *API) loadBuiltins(names []string) error {
	for _, name := range names {
		if _, err := scenarios.Builtin(name); err != nil {
			return err
		}
	}
	return a.eng.LoadRefs(names...)
}

// loadSessionBuiltins layers built-in scenarios for one session.
func (a *API) loadSessionBuiltins(id string, names []string) error {
	for _, name := range names {
		if _, err := scenarios.Builtin(name); err != nil {
			return err
		}
	}
	return a.eng.LoadSessionRefs(id, names...)
}

func (a *API) loadSessionScenario(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionVar(w, r)
	if !ok {
		return
	}
	if names := r.URL.Query()["name"]; len(names) > 1 {
		err := a.loadSessionBuiltins(id, names)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "loaded", "session": id, "scenario": names[len(names)-1]})
		return
	}
	f, err := readScenario(r)
	if err == nil {
		err = a.eng.LoadSessionScenario(id, f)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "loaded", "session": id, "scenario": f.Name})
}

func (a *API) state(w http.ResponseWriter, r *http.Request) {
	a.stateAs(w, r, r.URL.Query().Get("session"))
}

func (a *API) sessionState(w http.ResponseWriter, r *http.Request) {
	if id, ok := sessionVar(w, r); ok {
		a.stateAs(w, r, id)
	}
}

// stateAs answers a state read in the format asked: JSON (the default) or
// a scenario that loads back to the same world (?format=scenario).
func (a *API) stateAs(w http.ResponseWriter, r *http.Request, session string) {
	switch r.URL.Query().Get("format") {
	case "", "json":
		a.writeState(w, session)
	case "scenario", "yaml":
		// A large world takes seconds to write and check; the server's
		// write timeout is for ordinary answers.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(5 * time.Minute))
		out, err := a.eng.Export(session)
		if err != nil {
			fail(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/yaml")
		w.Header().Set("Content-Disposition", `attachment; filename="offboard-snapshot.yaml"`)
		_, _ = w.Write(out)
	default:
		writeError(w, http.StatusBadRequest, "format: say json or scenario")
	}
}

// writeState streams the state vendor by vendor: a large state is never
// held twice.
func (a *API) writeState(w http.ResponseWriter, session string) {
	seq := a.eng.JournalSeq() // before the read: every entry up to it is in the state
	states, err := a.eng.State(session)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	head, _ := json.Marshal(a.eng.ScenarioName())
	sess, _ := json.Marshal(session)
	fmt.Fprintf(bw, "{\n  \"scenario\": %s,\n  \"session\": %s,\n  \"journalSeq\": %d,\n  \"vendors\": {", head, sess, seq)
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
