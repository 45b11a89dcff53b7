package kit

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestJacksonPretty(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"status":"success"}`, "{\n  \"status\" : \"success\"\n}"},
		{`{"error":{"code":500,"message":"m","details":null}}`, "{\n  \"error\" : {\n    \"code\" : 500,\n    \"message\" : \"m\",\n    \"details\" : null\n  }\n}"},
		{`{"a":[],"b":{},"c":["x","y"],"d":1.5e3}`, "{\n  \"a\" : [ ],\n  \"b\" : { },\n  \"c\" : [ \"x\", \"y\" ],\n  \"d\" : 1.5e3\n}"},
		{`{"a":[{"n":1},{"n":2}]}`, "{\n  \"a\" : [ {\n    \"n\" : 1\n  }, {\n    \"n\" : 2\n  } ]\n}"},
		{`{"q":"say \"hi\" <&>"}`, "{\n  \"q\" : \"say \\\"hi\\\" <&>\"\n}"},
	}
	for _, c := range cases {
		got, err := JacksonPretty([]byte(c.in))
		if err != nil || string(got) != c.want {
			t.Errorf("JacksonPretty(%s) =\n%s (%v)\nwant\n%s", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{`{"a":`, `{"a":1}x`, `]`} {
		if _, err := JacksonPretty([]byte(bad)); err == nil {
			t.Errorf("JacksonPretty(%q) accepted bad JSON", bad)
		}
	}
}

func TestCompactAndIndentedKeepOrderAndDoNotEscapeHTML(t *testing.T) {
	v := struct {
		Z string `json:"z"`
		A string `json:"a"`
	}{"<b>", "&"}
	if got := string(Compact(v)); got != `{"z":"<b>","a":"&"}` {
		t.Errorf("Compact: %s", got)
	}
	if got := string(Indented(v)); got != "{\n  \"z\": \"<b>\",\n  \"a\": \"&\"\n}" {
		t.Errorf("Indented: %s", got)
	}
}

type section struct {
	Users map[string]struct {
		State string   `yaml:"state"`
		Tags  []string `yaml:"tags"`
	} `yaml:"users"`
}

func TestDecodeIsStrict(t *testing.T) {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("users:\n  a:\n    stat: disabled\n"), &node); err != nil {
		t.Fatal(err)
	}
	var s section
	err := Decode(&node, "v", &s)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Line != 3 || fe.Column != 5 || fe.Field != "v.users.a.stat" || !strings.Contains(fe.Msg, `unknown field "stat" (known: state, tags)`) {
		t.Fatalf("got %v", err)
	}
	if err := yaml.Unmarshal([]byte("users:\n  a:\n    state: disabled\n    tags: [x]\n"), &node); err != nil {
		t.Fatal(err)
	}
	if err := Decode(&node, "v", &s); err != nil || s.Users["a"].State != "disabled" {
		t.Fatalf("good section: %v %+v", err, s)
	}
	if err := yaml.Unmarshal([]byte("users:\n  a:\n    tags: {x: 1}\n"), &node); err != nil {
		t.Fatal(err)
	}
	if err := Decode(&node, "v", &s); !errors.As(err, &fe) || fe.Line != 3 || !strings.Contains(fe.Msg, "expected a list") {
		t.Fatalf("wrong kind: %v", err)
	}
}

func TestFind(t *testing.T) {
	var node yaml.Node
	if err := yaml.Unmarshal([]byte("a:\n  b:\n    - x\n    - y\n"), &node); err != nil {
		t.Fatal(err)
	}
	if n := Find(&node, "a", "b", "1"); n == nil || n.Value != "y" || n.Line != 4 {
		t.Errorf("Find a.b[1] = %+v", n)
	}
	if n := Find(&node, "a", "nope"); n == nil || n.Line != 2 {
		t.Errorf("Find of a missing key should point at the deepest node found: %+v", n)
	}
}

func TestCredentials(t *testing.T) {
	if tok, ok := Bearer("bearer  abc "); !ok || tok != "abc" {
		t.Errorf("Bearer: %q %v", tok, ok)
	}
	if _, ok := Bearer("Basic abc"); ok {
		t.Error("Basic taken for Bearer")
	}
	if u, p, ok := Basic("Basic YWRtaW46cGFzczp3b3Jk"); !ok || u != "admin" || p != "pass:word" {
		t.Errorf("Basic: %q %q %v", u, p, ok)
	}
	if _, _, ok := Basic("Basic ***"); ok {
		t.Error("malformed Basic accepted")
	}
	if !IsBasic("basic x") || IsBasic("Bearer x") {
		t.Error("IsBasic")
	}
}
