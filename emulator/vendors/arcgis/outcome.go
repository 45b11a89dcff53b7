package arcgis

import (
	"bytes"
	"html"
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// Outcome implements kit.Judge: ArcGIS answers every request with HTTP
// 200; an error is the {"error":{"code","message","details"}} envelope
// (f=json, f=pjson) or the admin directory's error page (f=html), and its
// code names it (499 token required, 498 invalid token, ...).
func (Vendor) Outcome(resp kit.Response) kit.Outcome {
	body := bytes.TrimSpace(resp.Body)
	switch {
	case bytes.HasPrefix(body, []byte("{")):
		if !bytes.Contains(body, []byte(`"error"`)) {
			break
		}
		v := kit.DecodeJSON(body)
		if e, ok := kit.Field(v, "error").(map[string]any); ok {
			return kit.Outcome{Error: true, Code: kit.Text(e["code"]), Message: kit.Text(e["message"])}
		}
	case bytes.Contains(body, []byte(`<div class="error">`)):
		return kit.Outcome{Error: true, Code: between(body, "<b>Code: </b>", "</div>"),
			Message: html.UnescapeString(between(body, "<b>Error: </b>", "<br/>"))}
	}
	if resp.Status >= 400 {
		return kit.Outcome{Error: true, Code: strconv.Itoa(resp.Status)}
	}
	return kit.Outcome{}
}

// between is the text of b between the first start and the next end.
func between(b []byte, start, end string) string {
	_, after, ok := bytes.Cut(b, []byte(start))
	if !ok {
		return ""
	}
	text, _, _ := bytes.Cut(after, []byte(end))
	return string(bytes.TrimSpace(text))
}
