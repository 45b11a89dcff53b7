package securid

import (
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// Outcome implements kit.Judge: the service's errors carry an error status
// and {"status","error","message"}; the status and its reason name it.
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	if resp.Status < 400 {
		return kit.Outcome{}
	}
	v := kit.DecodeJSON(resp.Body)
	code := strconv.Itoa(resp.Status)
	if reason := kit.Text(kit.Field(v, "error")); reason != "" {
		code += " " + reason
	}
	return kit.Outcome{Error: true, Code: code, Message: kit.Text(kit.Field(v, "message"))}
}
