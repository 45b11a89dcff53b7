package huawei

import (
	"github.com/offboard/offboard/emulator/kit"
)

// Outcome implements kit.Judge: an error status with {"error_code",
// "error_msg"} (the gateway's APIGW.* or the service's DAYU.*), or HTTP 200
// with "is_success": false, which Huawei's own tools (Terraform's
// provider) treat as a failure.
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	if resp.Status >= 400 {
		return kit.ErrorOutcome(resp, []any{"error_code"}, []any{"error_msg"})
	}
	refused := false
	for v := range kit.Values(resp.Body, `"is_success`) {
		refused = string(v) == "false"
		break // the first is the envelope's own
	}
	if !refused {
		return kit.Outcome{}
	}
	v := kit.DecodeJSON(resp.Body)
	if ok, isBool := kit.Field(v, "is_success").(bool); isBool && !ok {
		return kit.Outcome{Error: true, Code: "is_success false", Message: kit.Text(kit.Field(v, "message"))}
	}
	return kit.Outcome{}
}
