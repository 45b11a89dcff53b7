// Package ownjson writes offboard's own JSON answers (the control API's,
// and the engine's for a path no vendor serves), never a vendor's: those
// are each vendor's bytes.
package ownjson

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Write answers pretty JSON with a final newline, sandboxed so that a
// browser opening a control URL runs nothing in it.
func Write(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	body = append(body, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client has gone; there is no one to tell
}

// Error answers {"error": msg}.
func Error(w http.ResponseWriter, status int, msg string) {
	Write(w, status, map[string]string{"error": msg})
}
