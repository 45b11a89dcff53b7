package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/offboard/offboard/emulator/journal"
)

// streamHeartbeat keeps idle streams open through proxies that close
// quiet connections.
const streamHeartbeat = 15 * time.Second

// DefaultStreamWriteTimeout is how long one write to a journal stream may
// block: a reader that stops reading loses its stream, and its place,
// after it.
const DefaultStreamWriteTimeout = 5 * time.Second

// streamRequests sends each journal entry matching the query's filter as
// a Server-Sent Event as it is recorded: what the console's live journal
// shows. ?since=SEQ first replays the kept entries after SEQ, so a client
// that reconnects (Last-Event-ID) misses nothing the journal holds.
func (a *API) streamRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := r.Header.Get("Last-Event-ID"); id != "" && !q.Has("since") {
		q.Set("since", id)
	}
	f, err := filterFromQuery(q)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if a.eng.JournalSize() == 0 {
		writeError(w, http.StatusNotFound, "the journal is off (--journal-size 0)")
		return
	}
	sub, err := a.eng.SubscribeRequests()
	if err != nil {
		writeError(w, http.StatusTooManyRequests, fmt.Sprintf("%d journal streams are open already", journal.MaxSubscriptions))
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// Each write has a deadline of its own: the server's write timeout is
	// for answers, and a stream that stops being read must end.
	timeout := a.opts.StreamWriteTimeout
	if timeout <= 0 {
		timeout = DefaultStreamWriteTimeout
	}
	deadline := func() bool { return rc.SetWriteDeadline(time.Now().Add(timeout)) == nil }
	// A shutdown ends the stream at once, even in the middle of a write
	// its reader does not take.
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-a.eng.Closing():
			_ = rc.SetWriteDeadline(time.Now())
		case <-done:
		}
	}()
	if !deadline() {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	last := f.AfterSeq
	send := func(en journal.Entry) bool {
		if en.Seq <= last || !f.Match(&en) {
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
		entries, _ := a.eng.Requests(f, 0)
		for _, en := range entries {
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
		case en := <-sub.C():
			if !deadline() || !send(en) {
				return
			}
		case <-beat.C:
			if !deadline() {
				return
			}
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-a.eng.Closing():
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
