package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// streamHeartbeat keeps idle streams open through proxies that close
// quiet connections.
const streamHeartbeat = 15 * time.Second

// adminRequestStream sends each journal entry matching the query's filter
// as a Server-Sent Event as it is recorded: what the console's live
// journal shows. ?since=SEQ first replays the kept entries after SEQ, so a
// client that reconnects (Last-Event-ID) misses nothing the journal holds.
func (e *Emulator) adminRequestStream(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := r.Header.Get("Last-Event-ID"); id != "" && !q.Has("since") {
		q.Set("since", id)
	}
	f, err := filterFromQuery(q)
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	if e.journal == nil {
		writeAdminError(w, http.StatusNotFound, "the journal is off (--journal-size 0)")
		return
	}
	ch, cancel, ok := e.journal.subscribe()
	if !ok {
		writeAdminError(w, http.StatusTooManyRequests, fmt.Sprintf("%d journal streams are open already", maxJournalStreams))
		return
	}
	defer cancel()
	rc := http.NewResponseController(w)
	// A stream outlives the server's write timeout, which is for answers.
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	last := f.AfterSeq
	send := func(en Entry) bool {
		if en.Seq <= last || !f.match(en) {
			return true
		}
		last = en.Seq
		b, err := json.Marshal(en)
		if err != nil {
			return false
		}
		_, err = fmt.Fprintf(w, "id: %d\nevent: request\ndata: %s\n\n", en.Seq, b)
		return err == nil
	}
	fmt.Fprint(w, "retry: 2000\n\n")
	if q.Has("since") {
		for _, en := range e.journal.list(f) {
			if !send(en) {
				return
			}
		}
	}
	if rc.Flush() != nil {
		return
	}
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case en := <-ch:
			if !send(en) {
				return
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-e.closing:
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
