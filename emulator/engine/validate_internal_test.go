package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// directRoutes are the routes whose bodies may take a directBody shortcut.
func directRoutes(t testing.TB, em *Engine) []*route {
	var out []*route
	for _, v := range em.vendors {
		for _, rt := range v.routes {
			if len(rt.direct) > 0 {
				out = append(out, rt)
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no route takes a body shortcut")
	}
	return out
}

// FuzzDirectBody: for every route with a body shortcut, any body and
// content type gets from the shortcut the verdict and the error
// kin-openapi's ValidateRequestBody gives.
func FuzzDirectBody(f *testing.F) {
	em, err := New(DefaultConfig())
	if err == nil {
		err = em.Ready()
	}
	if err != nil {
		f.Fatal(err)
	}
	routes := directRoutes(f, em)
	forms := []string{
		"userName=gis_joe&f=json&token=t", "userName=&f=json", "f=pjson", "userName=a&userName=b",
		"userName=&userName=b&f=", "userName=x&f=xml", "userName=x&f=JSON", "unknown=1", "=", "&&", "userName",
		"userName=%zz", "userName=a%20b&token=%E2%82%AC", "username=x&password=y&client=requestip&f=json",
		"userName=x;f=json", "userName=x&f=json&f=html", "f=&f=pjson&userName=u",
	}
	jsons := []string{
		`{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`, `{"user_ids":[]}`, `{"user_ids":[""]}`, `{"user_ids":"x"}`,
		`{}`, `[]`, `null`, `{"user_ids":["a"]} trailing`, `{"user_ids":["a"],"user_ids":["b"]}`, `{`, `"x"`, `1e999`,
		`{"blocked":true}`, `{"blocked":"yes"}`, `{"username":"u","password":"p"}`, `{"users":[{"user_id":"u","roles_ids":["r00001"]}]}`,
		`{"searchText":"x","pageSize":10}`, `{"email":"a@b.c"}`, "\xff", `{"a":1.5e3}`,
	}
	for i := range routes {
		for _, b := range forms {
			f.Add(i, b, formType)
		}
		for _, b := range jsons {
			f.Add(i, b, jsonType)
		}
	}
	f.Add(0, "userName=x", formType+"; charset=UTF-8")
	f.Add(0, "userName=x", "Application/X-WWW-Form-Urlencoded")
	f.Add(0, `{"a":1}`, "application/json; charset=utf-8")
	f.Fuzz(func(t *testing.T, i int, body, contentType string) {
		rt := routes[((i%len(routes))+len(routes))%len(routes)]
		r := httptest.NewRequest(rt.method, "http://h/x", strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		ex, readErr := em.newExchange(r, rt.op, map[string]string{})
		if readErr != nil {
			t.Skip()
		}
		for _, d := range rt.direct {
			if !d.applies(r, ex, rt.body) {
				continue
			}
			fast := d.validate(ex.validationInput(r, rt), rt.body, ex)
			slow := openapi3filter.ValidateRequestBody(context.Background(), ex.validationInput(r, rt), rt.body)
			if (fast == nil) != (slow == nil) || (fast != nil && fast.Error() != slow.Error()) {
				t.Fatalf("%s %q (%s): the shortcut says %v, kin-openapi says %v", rt.op, body, contentType, fast, slow)
			}
			if fast != nil {
				if a, b := toKitError(fast), toKitError(slow); *a != *b {
					t.Fatalf("%s %q: kit errors differ: %+v and %+v", rt.op, body, a, b)
				}
			}
		}
	})
}

// TestDirectBodyRoutes: the ArcGIS form operations and the JSON ones take
// a shortcut, and a content type other than the shortcut's does not.
func TestDirectBodyRoutes(t *testing.T) {
	em, err := New(DefaultConfig())
	if err == nil {
		err = em.Ready()
	}
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rt := range directRoutes(t, em) {
		var types []string
		for _, d := range rt.direct {
			types = append(types, d.mediaType)
		}
		got[rt.vendor.Name()+"/"+rt.op] = strings.Join(types, " ")
	}
	for op, want := range map[string]string{
		"arcgis/deleteUserWorkspace":   formType,
		"arcgis/transferUserWorkspace": formType,
		"huawei/deleteWorkspaceUsers":  jsonType,
		"huawei/addWorkspaceUsers":     jsonType,
	} {
		if got[op] != want {
			t.Errorf("%s: shortcuts for %q, want %q", op, got[op], want)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "http://h/x", strings.NewReader("x=1"))
	r.Header.Set("Content-Type", "text/plain")
	for _, rt := range directRoutes(t, em) {
		ex, _ := em.newExchange(r, rt.op, nil)
		for _, d := range rt.direct {
			if d.applies(r, ex, rt.body) {
				t.Errorf("%s: text/plain took the %s shortcut", rt.op, d.mediaType)
			}
		}
	}
}

// TestAcceptorCertifiesOnlyWhatItReadsWhole: the seed operations' bodies
// are compiled into acceptors; a usual conforming body is certified
// without kin-openapi, and every body the acceptor cannot read whole
// (escapes, non-ASCII, numbers, null, undeclared or repeated keys,
// trailing bytes) or that breaks the schema is left to kin-openapi,
// whose verdict on it is the one the request gets.
func TestAcceptorCertifiesOnlyWhatItReadsWhole(t *testing.T) {
	em, err := New(DefaultConfig())
	if err == nil {
		err = em.Ready()
	}
	if err != nil {
		t.Fatal(err)
	}
	accept := map[string]*acceptor{}
	for _, rt := range directRoutes(t, em) {
		for _, d := range rt.direct {
			accept[rt.op] = d.accept
		}
	}
	del, form := accept["deleteWorkspaceUsers"], accept["deleteUserWorkspace"]
	if del == nil || form == nil {
		t.Fatalf("the seed operations have no acceptor: huawei %v, arcgis %v", del, form)
	}
	for _, c := range []struct {
		body string
		want bool
	}{
		{`{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`, true},
		{" \n{ \"user_ids\" : [ \"a\" , \"b\" ] }\t", true},
		{`{"user_ids":[]}`, false},          // minItems 1
		{`{"user_ids":[""]}`, false},        // minLength 1
		{`{}`, false},                       // required
		{`{"user_ids":"a"}`, false},         // an array
		{`{"user_ids":["a"],"x":1}`, false}, // undeclared: kin-openapi decides
		{`{"user_ids":["a"],"user_ids":["b"]}`, false},
		{`{"user_ids":["a\u0041"]}`, false}, // an escape
		{`{"user_ids":["\u00e9"]}`, false},
		{"{\"user_ids\":[\"\xc3\xa9\"]}", false}, // past ASCII
		{`{"user_ids":[null]}`, false},
		{`{"user_ids":[1]}`, false},
		{`{"user_ids":["a"]} x`, false}, // trailing bytes
		{`{"user_ids":["a"]`, false},
		{`{"user_ids":["a",]}`, false},
		{`[{"user_ids":["a"]}]`, false},
	} {
		if got := del.acceptsJSON([]byte(c.body)); got != c.want {
			t.Errorf("delete-users %q: certified %v, want %v", c.body, got, c.want)
		}
	}
	for _, c := range []struct {
		body string
		want bool
	}{
		{"userName=gis_joe&f=json&token=t", true},
		{"userName=&userName=gis_joe", true}, // the first non-empty value, as kin-openapi's form decoder takes it
		{"userName=%C3%A9", true},            // a rune each, as kin-openapi counts
		{"userName=x&f=xml", false},          // not in f's enum
		{"userName=&f=json", false},          // minLength 1
		{"token=t", false},                   // userName is required
	} {
		values, err := url.ParseQuery(c.body)
		if err != nil {
			t.Fatal(err)
		}
		if got := form.acceptsForm(values); got != c.want {
			t.Errorf("deleteUserWorkspace %q: certified %v, want %v", c.body, got, c.want)
		}
	}
}
