package huawei

import (
	"encoding/json"
	"slices"
	"testing"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/offboard/offboard/emulator/kit"
)

// FuzzErrorBodies: the bodies written by hand are byte for byte what the
// reflective renderers (documented, kit.Compact) give for the same fields.
func FuzzErrorBodies(f *testing.F) {
	f.Add("DAYU.4402", "The operation failed, detail msg user <x> is not a member.")
	f.Add("APIGW.0301", "Incorrect IAM authentication information: x-auth-token not found")
	f.Add("", "\"quoted\"\n\ttabbed \u2028 \xff")
	f.Fuzz(func(t *testing.T, code, msg string) {
		se := &serviceError{400, code, msg}
		want := documented(400, struct {
			Code string `json:"error_code"`
			Msg  string `json:"error_msg"`
		}{code, msg}).Body
		if got := serviceBody(se); string(got) != string(want) {
			t.Fatalf("serviceBody:\n%s\nwant:\n%s", got, want)
		}
		ge := &gatewayError{401, code, msg, "test"}
		id := requestID()
		want = kit.Compact(struct {
			Msg       string `json:"error_msg"`
			Code      string `json:"error_code"`
			RequestID string `json:"request_id"`
		}{msg, code, id})
		if got := gatewayBody(ge, id); string(got) != string(want) {
			t.Fatalf("gatewayBody:\n%s\nwant:\n%s", got, want)
		}
	})
}

func TestRequestIDs(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := requestID()
		if len(id) != 32 || seen[id] {
			t.Fatalf("request id %q: want 32 hex characters, each new", id)
		}
		for _, c := range id {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				t.Fatalf("request id %q: not lower-case hex", id)
			}
		}
		seen[id] = true
	}
}

// FuzzDeleteBodyDecodesAsEncodingJSON: the delete's body is decoded by
// encoding/json's semantics on the v2 engine; for any bytes it reads what
// encoding/json reads (duplicate keys, names in another case, invalid
// UTF-8, numbers where strings go), and refuses what it refuses.
func FuzzDeleteBodyDecodesAsEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"user_ids":["a"]}`, `{"USER_IDS":["a"]}`, `{"user_ids":["a"],"user_ids":["b"]}`,
		"{\"user_ids\":[\"\xff\"]}", `{"user_ids":[1]}`, `{"user_ids":null}`, `[]`, ``, `{"user_ids":["a"]} x`, `{"User_Ids":["\u00e9"]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		type req struct {
			UserIDs []string `json:"user_ids"`
		}
		var a, b req
		errA, errB := json.Unmarshal(body, &a), jsonv1.Unmarshal(body, &b)
		if (errA == nil) != (errB == nil) || errA == nil && !slices.Equal(a.UserIDs, b.UserIDs) {
			t.Fatalf("%q: encoding/json %v %q, jsonv1 %v %q", body, errA, a.UserIDs, errB, b.UserIDs)
		}
	})
}
