package xmlschema

import (
	"context"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/go-cmp/cmp"
)

// components holds schemas in the shapes Commvault's XML takes.
const components = `
openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Generic:
      type: object
      xml: {name: App_GenericResp}
      required: [errorCode]
      properties:
        errorCode: {type: integer, xml: {attribute: true}}
        errorString: {type: string, xml: {attribute: true}}
    Entity:
      type: object
      xml: {name: entity}
      properties:
        userId: {type: integer, xml: {attribute: true}}
        userName: {type: string, xml: {attribute: true}}
    Named:
      type: object
      properties:
        name: {type: string, xml: {attribute: true}}
    Users:
      type: object
      xml: {name: App_GetUsersResponse}
      properties:
        users:
          type: array
          items:
            type: object
            xml: {name: users}
            properties:
              enableUser: {type: boolean, xml: {attribute: true}}
              entity: {$ref: '#/components/schemas/Entity'}
              alert:
                type: array
                items: {$ref: '#/components/schemas/Named'}
              tags:
                type: array
                xml: {wrapped: true}
                items: {type: string, xml: {name: tag}}
              note: {type: string}
    UsersOrError:
      oneOf:
        - $ref: '#/components/schemas/Users'
        - $ref: '#/components/schemas/Generic'
`

func schemas(t *testing.T) openapi3.Schemas {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData([]byte(components))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

func TestDecodeReadsAnnotations(t *testing.T) {
	sc := schemas(t)
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<App_GetUsersResponse>
  <users enableUser="false">
    <entity userId="6" userName="jsmith"/>
    <alert name="Disk space low"/><alert name="Backup failed"/>
    <tags><tag>a</tag><tag>b</tag></tags>
    <note>leaving</note>
  </users>
  <users enableUser="true"/>
</App_GetUsersResponse>`
	got, picked, err := Decode([]byte(doc), sc["UsersOrError"].Value)
	if err != nil {
		t.Fatal(err)
	}
	if picked != sc["Users"].Value {
		t.Error("the root element did not pick the Users alternative")
	}
	want := map[string]any{"users": []any{
		map[string]any{
			"enableUser": false,
			"entity":     map[string]any{"userId": 6.0, "userName": "jsmith"},
			"alert":      []any{map[string]any{"name": "Disk space low"}, map[string]any{"name": "Backup failed"}},
			"tags":       []any{"a", "b"},
			"note":       "leaving",
		},
		map[string]any{"enableUser": true},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("value (-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	sc := schemas(t)
	for _, tc := range []struct {
		name, schema, doc string
		wantErr           string // "" for a document that fits
	}{
		{"generic", "Generic", `<App_GenericResp errorCode="2" errorString="no such user"/>`, ""},
		{"oneOf picks by root", "UsersOrError", `<App_GenericResp errorCode="2"/>`, ""},
		{"missing required attribute", "Generic", `<App_GenericResp errorString="x"/>`, "errorCode"},
		{"integer attribute not a number", "Generic", `<App_GenericResp errorCode="two"/>`, `"two" is not a integer`},
		{"boolean spelled otherwise", "Users", `<App_GetUsersResponse><users enableUser="1"/></App_GetUsersResponse>`, `"1" is not a boolean`},
		{"wrong root", "Generic", `<App_GenericResponse errorCode="0"/>`, "root element <App_GenericResponse>; the schema's is <App_GenericResp>"},
		{"wrong root of oneOf", "UsersOrError", `<Other/>`, "the schema's are <App_GetUsersResponse>, <App_GenericResp>"},
		{"undeclared attribute", "Generic", `<App_GenericResp errorCode="0" extra="1"/>`, `attribute "extra" is not in the schema`},
		{"element under another name", "Users", `<App_GetUsersResponse><users><user userId="1"/></users></App_GetUsersResponse>`, "element <user> is not in the schema"},
		{"two where the schema has one", "Users", `<App_GetUsersResponse><users><entity/><entity/></users></App_GetUsersResponse>`, "2 <entity> elements"},
		{"text in an object", "Generic", `<App_GenericResp errorCode="0">hello</App_GenericResp>`, "text where the schema has an object"},
		{"not xml", "Generic", `{"errorCode":0}`, "xml:"},
		{"empty", "Generic", ``, "xml:"},
		{"unclosed", "Generic", `<App_GenericResp errorCode="0">`, "xml:"},
		{"namespace declarations are not properties", "Generic", `<App_GenericResp xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" errorCode="0"/>`, ""},
		{"deep", "Users", `<App_GetUsersResponse><users>` + strings.Repeat("<entity>", 100) + `</users></App_GetUsersResponse>`, "xml:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.doc), sc[tc.schema].Value)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("Check passed; want an error with %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("Check: %v; want %q in it", err, tc.wantErr)
			}
		})
	}
}

// FuzzCheck: any document, however broken, gets a verdict without a panic.
func FuzzCheck(f *testing.F) {
	f.Add([]byte(`<App_GenericResp errorCode="2" errorString="x"/>`))
	f.Add([]byte(`<App_GetUsersResponse><users enableUser="true"><entity userId="1"/></users></App_GetUsersResponse>`))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	doc, err := openapi3.NewLoader().LoadFromData([]byte(components))
	if err != nil {
		f.Fatal(err)
	}
	sc := doc.Components.Schemas["UsersOrError"].Value
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = Check(data, sc)
	})
}

// TestEncodeIsDecodesInverse: a value written by Encode reads back as
// itself, and the document is the one a hand would write.
func TestEncodeIsDecodesInverse(t *testing.T) {
	sc := schemas(t)
	value := map[string]any{"users": []any{
		map[string]any{
			"enableUser": true,
			"entity":     map[string]any{"userId": 6.0, "userName": "j&smith"},
			"alert":      []any{map[string]any{"name": "Disk <low>"}},
			"tags":       []any{"a", "b"},
			"note":       "leaving",
		},
	}}
	doc, err := Encode(value, sc["UsersOrError"].Value)
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<App_GetUsersResponse><users enableUser="true"><alert name="Disk &lt;low&gt;"/>` +
		`<entity userId="6" userName="j&amp;smith"/><note>leaving</note><tags><tag>a</tag><tag>b</tag></tags></users></App_GetUsersResponse>`
	if string(doc) != want {
		t.Errorf("Encode:\n got %s\nwant %s", doc, want)
	}
	back, _, err := Decode(doc, sc["UsersOrError"].Value)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(value, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := Encode("not an object", sc["UsersOrError"].Value); err == nil {
		t.Error("Encode took a value that fits no alternative")
	}
}
