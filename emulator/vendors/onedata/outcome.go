package onedata

import "github.com/offboard/offboard/emulator/kit"

// Outcome implements kit.Judge: Onezone's errors carry an error status and
// {"error":{"id","description"}} (ctool's error modules); the id names it.
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	return kit.ErrorOutcome(resp, []any{"error", "id"}, []any{"error", "description"})
}
