package control

import "net/http"

// people answers how each person of a session's scenario stands
// (GET /__admin/people?session=).
func (a *API) people(w http.ResponseWriter, r *http.Request) {
	list, err := a.eng.People(r.URL.Query().Get("session"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(list), "people": list})
}

// person answers how one person stands (GET /__admin/people/{id}?session=).
func (a *API) person(w http.ResponseWriter, r *http.Request) {
	id, err := pathVar(r, "id")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	p, err := a.eng.Person(r.URL.Query().Get("session"), id)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
