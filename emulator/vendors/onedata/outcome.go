package onedata

import (
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// Outcome implements kit.Judge: Onezone's errors carry an error status and
// {"error":{"id","description"}} (ctool's error modules); the id names it.
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	if resp.Status < 400 {
		return kit.Outcome{}
	}
	v := kit.DecodeJSON(resp.Body)
	out := kit.Outcome{Error: true, Code: kit.Text(kit.Field(v, "error", "id")), Message: kit.Text(kit.Field(v, "error", "description"))}
	if out.Code == "" {
		out.Code = strconv.Itoa(resp.Status)
	}
	return out
}
