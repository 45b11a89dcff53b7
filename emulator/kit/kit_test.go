package kit

import (
	"errors"
	"fmt"
	"mime"
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

// TestDecodeReportsEveryMistakeAtItsValue: every error of a section at
// once, each at the offending value with its path (issue 14).
func TestDecodeReportsEveryMistakeAtItsValue(t *testing.T) {
	type user struct {
		Name  string   `yaml:"name"`
		ID    int      `yaml:"id"`
		On    bool     `yaml:"on"`
		Roles []string `yaml:"roles"`
	}
	var s struct {
		Users map[string]*user `yaml:"users"`
		Ports map[int]string   `yaml:"ports"`
	}
	src := "users:\n  a:\n    id: abc\n    on: maybe\n    roles: [x, {y: 1}]\n    nmae: joe\nports:\n  eighty: http\n"
	var node yaml.Node
	if err := yaml.Unmarshal([]byte(src), &node); err != nil {
		t.Fatal(err)
	}
	got := AllFieldErrors(Decode(&node, "v", &s))
	want := []string{
		`3:9: v.users.a.id: expected an integer, got "abc"`,
		`4:9: v.users.a.on: expected true or false, got "maybe"`,
		`5:16: v.users.a.roles[1]: expected a string, got a mapping`,
		`6:5: v.users.a.nmae: unknown field "nmae" (known: id, name, on, roles)`,
		`8:3: v.ports.eighty: expected an integer, got "eighty"`,
	}
	var lines []string
	for _, e := range got {
		lines = append(lines, e.Error())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestDecodeIsLinearInKeys: a mapping of 80,000 keys decodes without
// yaml.v3's key-by-key comparison (issue 13, finding 5); measured by
// BenchmarkDecodeLargeMapping, checked here for its result.
func TestDecodeLargeMapping(t *testing.T) {
	node := largeMapping(80_000)
	var m map[string]struct {
		Name string `yaml:"name"`
	}
	if err := Decode(node, "v", &m); err != nil || len(m) != 80_000 || m["u79999"].Name != "n79999" {
		t.Fatalf("err %v, %d entries", err, len(m))
	}
}

func largeMapping(n int) *yaml.Node {
	node := &yaml.Node{Kind: yaml.MappingNode}
	for i := range n {
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprintf("u%d", i)}
		v := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "name"},
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprintf("n%d", i)},
		}}
		node.Content = append(node.Content, k, v)
	}
	return node
}

func BenchmarkDecodeLargeMapping(b *testing.B) {
	for _, n := range []int{20_000, 80_000} {
		node := largeMapping(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				var m map[string]struct {
					Name string `yaml:"name"`
				}
				if err := Decode(node, "v", &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// MediaType must agree with mime.ParseMediaType's media type on any input
// (parameters aside): the pipeline switched from one to the other for
// speed alone.
func FuzzMediaType(f *testing.F) {
	for _, s := range []string{"", "application/json", "Application/JSON; charset=UTF-8", " text/xml ;", "json",
		"a/b/c", "a b/c", "/json", "application/", "text/plain;;", "multipart/form-data; boundary=x", "ÄPPLICATION/JSON",
		"application/x-www-form-urlencoded", "\tapplication/json\t", "a/b c", "a\x00/b", "K/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Parameters are not looked at: compare with what mime makes of
		// the part before them.
		base, _, _ := strings.Cut(s, ";")
		want, _, err := mime.ParseMediaType(base)
		if err != nil {
			want = ""
		}
		if got := MediaType(s); got != want {
			t.Fatalf("MediaType(%q) = %q, mime.ParseMediaType gives %q", s, got, want)
		}
	})
}

// AppendJSONString must write what Compact writes for the same string.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"uo\te`, "<&>", "\b\f\n\r\t\x00\x1f\x7f", "é ü 漢", "\u2028\u2029", "\xff\xfe", "a\xc3", "\U0001F600"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(AppendJSONString(nil, s)), string(Compact(s)); got != want {
			t.Fatalf("AppendJSONString(%q) = %s, Compact gives %s", s, got, want)
		}
	})
}
