package drift

import (
	_ "embed"
	"html/template"
	"io"
)

//go:embed report.html
var pageSource string

// page is parsed once per write: no package state.
func page() (*template.Template, error) {
	return template.New("drift").Funcs(template.FuncMap{"name": stepName}).Parse(pageSource)
}

// WriteHTML writes a self-contained page (no network): each step's two
// answers side by side, differences highlighted, grouped by vendor and
// filterable.
func (r *Report) WriteHTML(w io.Writer) error {
	t, err := page()
	if err != nil {
		return err
	}
	return t.Execute(w, struct {
		*Report
		Vendors []string
	}{r, r.vendorsOf()})
}
