package specs

import "testing"

func TestEverySpecLoadsAndValidates(t *testing.T) {
	names := Names()
	if len(names) == 0 {
		t.Fatal("no specs embedded")
	}
	for _, name := range names {
		doc, err := Load(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if doc.Paths.Len() == 0 {
			t.Errorf("%s: no paths", name)
		}
	}
}

func TestBrokenExampleIsRejected(t *testing.T) {
	doc := []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [a], properties: {a: {type: integer}}}
              example: {a: "not a number"}
`)
	if _, err := Parse("broken", doc); err == nil {
		t.Fatal("a spec whose example breaks its schema loaded without error")
	}
}
