package control

import "net/http"

func (a *API) sessions(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"sessions": a.eng.Sessions()})
}

func (a *API) dropSession(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionVar(w, r)
	if !ok {
		return
	}
	if err := a.eng.DropSession(id); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "dropped", "session": id})
}

func (a *API) resetSession(w http.ResponseWriter, r *http.Request) {
	id, ok := sessionVar(w, r)
	if !ok {
		return
	}
	if err := a.eng.ResetSession(id); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "reset", "session": id})
}
