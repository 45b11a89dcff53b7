package securid

import (
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// Outcome implements kit.Judge: the service's errors carry an error status
// and {"status","error","message"}; the status and its reason name it.
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	out := kit.ErrorOutcome(resp, []any{"error"}, []any{"message"})
	if status := strconv.Itoa(resp.Status); out.Error && out.Code != status {
		out.Code = status + " " + out.Code
	}
	return out
}
