package control

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/scenarios"
)

// maxFaultBytes bounds one POST /__admin/faults body.
const maxFaultBytes = 1 << 20

func (a *API) faults(w http.ResponseWriter, r *http.Request) {
	session := r.URL.Query().Get("session")
	rules, err := a.eng.Faults(session)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": session, "rules": rules})
}

// addFaults takes one fault or a list, as JSON or YAML, in a scenario's
// faults format; mistakes are placed at their line in the body.
func (a *API) addFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFaultBytes+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "reading the body: "+err.Error())
		return
	}
	if len(body) > maxFaultBytes {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("faults over %d bytes", maxFaultBytes))
		return
	}
	doc, err := scenarios.ParseYAML("request body", body)
	if err != nil || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode && doc.Content[0].Kind != yaml.SequenceNode {
		msg := "send a fault (or a list of faults) as JSON or YAML"
		if err != nil {
			msg += ": " + err.Error()
		}
		writeError(w, http.StatusBadRequest, msg)
		return
	}
	list, err := a.eng.DecodeFaults(doc.Content[0])
	if err != nil {
		fail(w, err)
		return
	}
	n, err := a.eng.AddFaults(r.URL.Query().Get("session"), list...)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"status": "added", "added": len(list), "rules": n})
}

// removeFault drops one rule, by its place in GET /__admin/faults.
func (a *API) removeFault(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(mux.Vars(r)["index"])
	if err != nil {
		writeError(w, http.StatusBadRequest, "index: give the rule's place in GET /__admin/faults, from 0")
		return
	}
	if err := a.eng.RemoveFault(r.URL.Query().Get("session"), i); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "removed"})
}

func (a *API) clearFaults(w http.ResponseWriter, r *http.Request) {
	if err := a.eng.ClearFaults(r.URL.Query().Get("session")); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "cleared"})
}
