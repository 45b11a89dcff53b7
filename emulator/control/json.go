package control

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/emulator/internal/ownjson"
)

func writeJSON(w http.ResponseWriter, status int, v any) { ownjson.Write(w, status, v) }

func writeError(w http.ResponseWriter, status int, msg string) { ownjson.Error(w, status, msg) }

// fail answers an error of the engine's Go API with its status.
func fail(w http.ResponseWriter, err error) {
	writeError(w, statusOf(err), err.Error())
}

// statusOf maps the Go API's error kinds onto HTTP.
func statusOf(err error) int {
	switch {
	case errors.Is(err, engine.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, engine.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, engine.ErrConflict):
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

// pathVar is a path variable, percent-decoded (the router matches on the
// path as sent, so that "%2F" stays inside one segment).
func pathVar(r *http.Request, name string) (string, error) {
	v, err := url.PathUnescape(mux.Vars(r)[name])
	if err != nil {
		return "", fmt.Errorf("%s: not a percent-encoded path segment", name)
	}
	return v, nil
}

// sessionVar is the {id} of a session path, checked.
func sessionVar(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := engine.SessionFromWire(mux.Vars(r)["id"])
	if err != nil {
		fail(w, err)
		return "", false
	}
	return id, true
}

// streamList writes {"<countKey>": n, "<listKey>": [ item(0), ... ]} laid
// out as writeJSON does, one item at a time: a large answer is never
// whole in memory.
func streamList(w http.ResponseWriter, countKey string, n int, listKey string, item func(i int) any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	fmt.Fprintf(bw, "{\n  %q: %d,\n  %q: [", countKey, n, listKey)
	var one, pretty bytes.Buffer
	for i := range n {
		one.Reset()
		pretty.Reset()
		enc := json.NewEncoder(&one)
		if err := enc.Encode(item(i)); err != nil {
			// The count is written: rather than a whole answer that
			// lies, the client gets a broken one (it cannot happen for
			// our own types).
			panic(http.ErrAbortHandler)
		}
		_ = json.Indent(&pretty, bytes.TrimSuffix(one.Bytes(), []byte("\n")), "    ", "  ")
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(pretty.Bytes())
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	_ = bw.Flush()
}
