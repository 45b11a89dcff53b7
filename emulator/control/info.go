package control

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

func (a *API) routes(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"routes": a.eng.Routes()})
}

func (a *API) specs(w http.ResponseWriter, _ *http.Request) {
	var out []string
	for _, v := range a.eng.VendorNames() {
		out = append(out, Prefix+"/specs/"+v+".yaml")
	}
	writeJSON(w, http.StatusOK, map[string]any{"specs": out})
}

func (a *API) vendorSpec(w http.ResponseWriter, r *http.Request) {
	name, _ := pathVar(r, "vendor")
	raw, err := a.eng.Spec(name)
	if err != nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no spec %q (known: %s)", name, strings.Join(a.eng.VendorNames(), ", ")))
		return
	}
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(raw)
}

// controlSpec serves the control API's own OpenAPI document.
func (a *API) controlSpec(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(spec)
}

func (a *API) catalogue(w http.ResponseWriter, _ *http.Request) {
	c, err := a.eng.Catalogue()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "reading the specs: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"vendors": c})
}

// credential mints a working credential of a vendor against the loaded
// scenario (or ?session=, which it starts as a vendor request would, as
// CredentialIn does in-process), for `offboard token VENDOR --url`.
func (a *API) credential(w http.ResponseWriter, r *http.Request) {
	vendor, _ := pathVar(r, "vendor")
	session := r.URL.Query().Get("session")
	header, value, err := a.eng.CredentialIn(session, vendor)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"vendor": vendor, "scenario": a.eng.ScenarioName(), "session": session,
		"header": header, "value": value})
}

// noSession says a session is not live, and how one starts.
func noSession(id string) string {
	return "no live session " + strconv.Quote(id) + "; a session starts with its first vendor request or " +
		"PUT /__admin/sessions/{id}/scenario (GET /__admin/sessions lists them)"
}
