package commvault

import (
	"bytes"
	"strconv"

	"github.com/beevik/etree"

	"github.com/offboard/offboard/emulator/kit"
)

// Outcome implements kit.Judge: Commvault refuses with HTTP 200 as often
// as not, and cvpysdk reads the refusal from the body: a non-zero
// errorCode (top-level, or in response[i] and errList[i]), an error
// object, a non-zero statusCode of an unlock. JSON and XML alike; the
// code names it ("errorCode 2"), errorString or errLogMessage says why.
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	body := bytes.TrimSpace(resp.Body)
	var out kit.Outcome
	if resp.Status < 400 && !refusal(body) {
		return out // every errorCode and statusCode 0, nothing else that refuses
	}
	switch {
	case bytes.HasPrefix(body, []byte("<")):
		out = xmlOutcome(body)
	case bytes.HasPrefix(body, []byte("{")):
		if bytes.Contains(body, []byte(`"errorCode"`)) || bytes.Contains(body, []byte(`"errList"`)) ||
			bytes.Contains(body, []byte(`"error"`)) || bytes.Contains(body, []byte(`"statusCode"`)) {
			out = jsonOutcome(kit.DecodeJSON(body), 0)
		}
	}
	if !out.Error && resp.Status >= 400 {
		out = kit.Outcome{Error: true, Code: strconv.Itoa(resp.Status)}
	}
	return out
}

// jsonOutcome finds the first refusal in a decoded answer.
func jsonOutcome(v any, depth int) kit.Outcome {
	if depth > 8 {
		return kit.Outcome{}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, field := range [...]string{"errorCode", "statusCode"} {
			if code := kit.Text(v[field]); code != "" && code != "0" {
				msg := kit.Text(v["errorString"])
				for _, alt := range [...]string{"errLogMessage", "errorMessage", "status"} {
					if msg == "" {
						msg = kit.Text(v[alt])
					}
				}
				return kit.Outcome{Error: true, Code: field + " " + code, Message: msg}
			}
		}
		for _, key := range [...]string{"response", "errList", "error", "lockedAccounts"} {
			if out := jsonOutcome(v[key], depth+1); out.Error {
				return out
			}
		}
	case []any:
		for _, item := range v {
			if out := jsonOutcome(item, depth+1); out.Error {
				return out
			}
		}
	}
	return kit.Outcome{}
}

// xmlOutcome finds the first element with a non-zero errorCode.
func xmlOutcome(body []byte) kit.Outcome {
	if len(body) > 1<<20 || !bytes.Contains(body, []byte("errorCode")) {
		return kit.Outcome{}
	}
	doc := etree.NewDocument()
	if doc.ReadFromBytes(body) != nil || doc.Root() == nil {
		return kit.Outcome{}
	}
	for _, el := range append([]*etree.Element{doc.Root()}, doc.Root().FindElements("//*")...) {
		if code := el.SelectAttrValue("errorCode", "0"); code != "0" && code != "" {
			msg := el.SelectAttrValue("errorString", el.SelectAttrValue("errLogMessage", ""))
			return kit.Outcome{Error: true, Code: "errorCode " + code, Message: msg}
		}
	}
	return kit.Outcome{}
}

// refusal tells, without decoding, whether a body may hold a refusal: a
// non-zero errorCode or statusCode, an errList or an error object.
func refusal(body []byte) bool {
	if bytes.Contains(body, []byte(`"errList"`)) || bytes.Contains(body, []byte("<errList")) ||
		bytes.Contains(body, []byte(`"error"`)) || bytes.Contains(body, []byte("<error ")) {
		return true
	}
	for _, key := range [...]string{"errorCode", "statusCode"} {
		for v := range kit.Values(body, key) {
			if string(v) != "0" {
				return true
			}
		}
	}
	return false
}
