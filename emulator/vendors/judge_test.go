package vendors_test

import (
	"bytes"
	"net/http"
	"runtime"
	"testing"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/vendors"
)

// hostile are bodies built to make a judge do more than read them once:
// the keys every judge looks for, repeated with nothing between them, as
// a user's description or a fault's body can hold them.
var hostile = []hostileBody{
	{"errorCode run", "errorCode", "", ""},
	{"errorCode in a JSON string", "errorCode", `{"description":"`, `"}`},
	{"quoted is_success run", `"is_success`, "", ""},
	{"is_success in a JSON string", `\"is_success`, `{"description":"`, `"}`},
	{"error keys", `"error":`, "{", "1}"},
	{"statusCode values", `"statusCode":1,`, "{", `"x":0}`},
	{"XML error attributes", `<error errorCode="1"/>`, "<a>", "</a>"},
	{"XML errList", `<errList errorCode="2" errLogMessage="x"/>`, "<r>", "</r>"},
	{"ArcGIS error page markers", `<div class="error"><b>Code: </b>`, "", "</div>"},
	{"nested arrays", "[", `{"response":`, ""},
	{"nested objects", `{"error":`, "", ""},
}

// hostileBody is unit repeated between open and close.
type hostileBody struct{ name, unit, open, close string }

// body is the hostile body at about n bytes.
func (h hostileBody) body(n int) []byte {
	var b bytes.Buffer
	b.WriteString(h.open)
	for b.Len() < n {
		b.WriteString(h.unit)
	}
	b.WriteString(h.close)
	return b.Bytes()
}

// allocated is the bytes fn allocates, on this goroutine's heap accounting.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// answersOf are the ways a vendor may be handed a body to judge.
func answersOf(body []byte) []kit.Response {
	var out []kit.Response
	for _, status := range []int{200, 404, 500} {
		for _, ct := range []string{"application/json", "application/xml", "text/html"} {
			out = append(out, kit.Response{Status: status, Header: http.Header{"Content-Type": {ct}}, Body: body})
		}
	}
	return out
}

// TestJudgesAreLinear: a judge reads a body in time and memory linear in
// its size, whatever its bytes (it once copied the rest of the body for
// each occurrence of its key: 1 MB of "errorCode" took 4.4 GB). Doubling
// a hostile body at most about doubles what judging it allocates, and it
// never allocates more than a small multiple of the body.
func TestJudgesAreLinear(t *testing.T) {
	const n = 256 << 10
	for _, v := range vendors.All() {
		for _, h := range hostile {
			t.Run(v.Name()+"/"+h.name, func(t *testing.T) {
				small, big := h.body(n), h.body(2*n)
				var a1, a2 uint64
				for _, resp := range answersOf(small) {
					a1 += allocated(func() { v.Outcome(resp) })
				}
				for _, resp := range answersOf(big) {
					a2 += allocated(func() { v.Outcome(resp) })
				}
				perByte := float64(a2) / float64(9*len(big))
				if a2 > 64<<10 && float64(a2) > 2.5*float64(a1) {
					t.Errorf("judging %d bytes allocated %d, %d bytes %d: %.2fx for 2x the body", len(small), a1, len(big), a2, float64(a2)/float64(a1))
				}
				if perByte > 48 {
					t.Errorf("judging %d bytes allocated %.1f bytes a byte", len(big), perByte)
				}
			})
		}
	}
}

// FuzzJudges: no body makes a judge panic, and none makes it allocate
// more than a bounded amount a byte.
func FuzzJudges(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.body(256), 200)
	}
	f.Add([]byte(`{"response":[{"errorCode":2,"errorString":"no"}]}`), 200)
	f.Add([]byte(`<App_GenericResp errorCode="2" errorString="x"/>`), 200)
	f.Add([]byte("{\n\"message\" : null,\n\"is_success\" : false\n}"), 200)
	f.Add([]byte(`{"error":{"code":498,"message":"Invalid token.","details":[]}}`), 200)
	f.Add([]byte(`{"error":{"id":"notFound","description":"The resource could not be found."}}`), 404)
	all := vendors.All()
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 100 || status > 599 {
			status = 200
		}
		for _, v := range all {
			for _, resp := range answersOf(body) {
				resp.Status = status
				var out kit.Outcome
				got := allocated(func() { out = v.Outcome(resp) })
				if bound := 256<<10 + 64*uint64(len(body)); got > bound {
					t.Fatalf("%s judged %d bytes with %d bytes allocated (bound %d)", v.Name(), len(body), got, bound)
				}
				if status >= 400 && !out.Error {
					t.Fatalf("%s judged a %d a success", v.Name(), status)
				}
			}
		}
	})
}
