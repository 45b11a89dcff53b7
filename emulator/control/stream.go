package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/offboard/offboard/emulator/engine"
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
	s := a.newStream(w, f)
	defer s.stop()
	if !s.deadline() {
		return
	}
	s.open()
	if q.Has("since") && !s.catchUp(a.eng) {
		return
	}
	if s.rc.Flush() != nil {
		return
	}
	s.follow(r, sub, a.eng.Closing())
}

// stream is one client's live feed of journal entries.
type stream struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	f       journal.Filter
	last    uint64 // the newest entry sent
	timeout time.Duration
	done    chan struct{}
}

// newStream sets a feed up; a shutdown ends it at once, even in the
// middle of a write its reader does not take.
func (a *API) newStream(w http.ResponseWriter, f journal.Filter) *stream {
	s := &stream{w: w, rc: http.NewResponseController(w), f: f, last: f.AfterSeq, timeout: a.opts.StreamWriteTimeout, done: make(chan struct{})}
	if s.timeout <= 0 {
		s.timeout = DefaultStreamWriteTimeout
	}
	go func() {
		select {
		case <-a.eng.Closing():
			_ = s.rc.SetWriteDeadline(time.Now())
		case <-s.done:
		}
	}()
	return s
}

func (s *stream) stop() { close(s.done) }

// deadline gives the next write a deadline of its own: the server's write
// timeout is for answers, and a stream that stops being read must end.
func (s *stream) deadline() bool { return s.rc.SetWriteDeadline(time.Now().Add(s.timeout)) == nil }

// open writes the stream's headers and its retry hint.
func (s *stream) open() {
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
	fmt.Fprint(s.w, "retry: 2000\n\n")
}

// send writes one entry the filter matches as an event; false when the
// client is gone.
func (s *stream) send(en journal.Entry) bool {
	if en.Seq <= s.last || !s.f.Match(&en) {
		return true
	}
	s.last = en.Seq
	b, err := json.Marshal(en)
	if err != nil {
		return false
	}
	_, err = fmt.Fprintf(s.w, "id: %d\nevent: request\ndata: %s\n\n", en.Seq, b)
	return err == nil
}

// catchUp sends the kept entries after ?since= first, so a client that
// reconnects misses nothing the journal holds.
func (s *stream) catchUp(eng *engine.Engine) bool {
	entries, _ := eng.Requests(s.f, 0) // the filter was checked when the stream opened
	for _, en := range entries {
		if !s.send(en) {
			return false
		}
	}
	return true
}

// follow sends each new entry as it is recorded, with a heartbeat, until
// the client goes or the emulator closes.
func (s *stream) follow(r *http.Request, sub *journal.Subscription, closing <-chan struct{}) {
	beat := time.NewTicker(streamHeartbeat)
	defer beat.Stop()
	for {
		select {
		case en := <-sub.C():
			if !s.deadline() || !s.send(en) {
				return
			}
		case <-beat.C:
			if !s.deadline() {
				return
			}
			if _, err := fmt.Fprint(s.w, ": keep-alive\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-closing:
			return
		}
		if s.rc.Flush() != nil {
			return
		}
	}
}
