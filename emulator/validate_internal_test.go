package emulator

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// formRoutes are the routes whose form bodies take flatForm's path.
func formRoutes(t testing.TB, em *Emulator) []*route {
	var out []*route
	for _, v := range em.vendors {
		for _, rt := range v.routes {
			if rt.form != nil {
				out = append(out, rt)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no route takes the flat-form path")
	}
	return out
}

// FuzzFlatForm: for every route with a flat form schema, any body and
// content type gets from flatForm the verdict and the error kin-openapi's
// ValidateRequestBody gives.
func FuzzFlatForm(f *testing.F) {
	em, err := New()
	if err != nil {
		f.Fatal(err)
	}
	routes := formRoutes(f, em)
	for _, body := range []string{
		"userName=gis_joe&f=json&token=t", "userName=&f=json", "f=pjson", "userName=a&userName=b",
		"userName=&userName=b&f=", "userName=x&f=xml", "userName=x&f=JSON", "unknown=1", "=", "&&", "userName",
		"userName=%zz", "userName=a%20b&token=%E2%82%AC", "username=x&password=y&client=requestip&f=json",
		"userName=x;f=json", "userName=x&f=json&f=html", "f=&f=pjson&userName=u",
	} {
		for i := range routes {
			f.Add(i, body, formType)
		}
	}
	f.Add(0, "userName=x", formType+"; charset=UTF-8")
	f.Add(0, "userName=x", "Application/X-WWW-Form-Urlencoded")
	f.Fuzz(func(t *testing.T, i int, body, contentType string) {
		rt := routes[((i%len(routes))+len(routes))%len(routes)]
		r := httptest.NewRequest(rt.method, "http://h/x", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		ex, readErr := em.newExchange(r, rt.op, map[string]string{})
		if readErr != nil {
			t.Skip()
		}
		if !rt.form.applies(r, ex, rt.body) {
			return // kin-openapi's own path
		}
		fast := rt.form.validate(ex.validationInput(r, rt), rt.body, ex.kr.Form)
		slow := openapi3filter.ValidateRequestBody(context.Background(), ex.validationInput(r, rt), rt.body)
		if (fast == nil) != (slow == nil) || (fast != nil && fast.Error() != slow.Error()) {
			t.Fatalf("%s %q (%s): flatForm says %v, kin-openapi says %v", rt.op, body, contentType, fast, slow)
		}
		if fast != nil {
			if a, b := toKitError(fast), toKitError(slow); *a != *b {
				t.Fatalf("%s %q: kit errors differ: %+v and %+v", rt.op, body, a, b)
			}
		}
	})
}

// TestFlatFormRoutes: the ArcGIS form operations take the fast path, and
// an operation whose form has a non-string property does not.
func TestFlatFormRoutes(t *testing.T) {
	em, err := New()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, rt := range formRoutes(t, em) {
		got[rt.vendor.Name()+"/"+rt.op] = true
	}
	for _, want := range []string{"arcgis/deleteUserWorkspace", "arcgis/transferUserWorkspace"} {
		if !got[want] {
			t.Errorf("%s does not take the flat-form path (have %v)", want, got)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "http://h/x", strings.NewReader("userName=x"))
	r.Header.Set("Content-Type", "application/json")
	for _, rt := range formRoutes(t, em) {
		ex, _ := em.newExchange(r, rt.op, nil)
		if rt.form.applies(r, ex, rt.body) {
			t.Errorf("%s: a JSON content type took the form path", rt.op)
		}
	}
}
