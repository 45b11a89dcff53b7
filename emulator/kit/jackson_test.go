package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// jacksonByTokens is the former token-by-token JacksonPretty, kept as the
// reference the byte scanner must agree with.
// re-lays compact JSON the way Jackson's default pretty
// printer does, which is what Java services' "pretty" outputs look like:
// `"key" : value`, two-space indentation, arrays inline as `[ a, b ]`,
// and empty containers as `{ }` and `[ ]`. Key order is kept.
func jacksonByTokens(compact []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(compact))
	dec.UseNumber()
	var out bytes.Buffer
	if err := jacksonValue(dec, &out, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("jackson: trailing data after the value")
	}
	return out.Bytes(), nil
}

func jacksonValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return jacksonObject(dec, out, depth)
		case '[':
			return jacksonArray(dec, out, depth)
		}
		return fmt.Errorf("jackson: unexpected %q", t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if s, ok := t.(string); ok {
			b = Compact(s)
		}
		out.Write(b)
		return nil
	}
}

func jacksonObject(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if !dec.More() {
		_, err := dec.Token()
		out.WriteString("{ }")
		return err
	}
	out.WriteString("{")
	first := true
	for dec.More() {
		if !first {
			out.WriteString(",")
		}
		first = false
		out.WriteString("\n")
		out.WriteString(strings.Repeat("  ", depth+1))
		key, err := dec.Token()
		if err != nil {
			return err
		}
		out.Write(Compact(key))
		out.WriteString(" : ")
		if err := jacksonValue(dec, out, depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	out.WriteString("\n")
	out.WriteString(strings.Repeat("  ", depth))
	out.WriteString("}")
	return nil
}

func jacksonArray(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if !dec.More() {
		_, err := dec.Token()
		out.WriteString("[ ]")
		return err
	}
	out.WriteString("[ ")
	first := true
	for dec.More() {
		if !first {
			out.WriteString(", ")
		}
		first = false
		if err := jacksonValue(dec, out, depth); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	out.WriteString(" ]")
	return nil
}

// randomJSON builds a value of every JSON kind, nested a few levels.
func randomJSON(r *rand.Rand, depth int) any {
	switch k := r.IntN(8); {
	case depth > 3 || k < 3:
		switch r.IntN(5) {
		case 0:
			return nil
		case 1:
			return r.IntN(2) == 0
		case 2:
			return r.Float64() * 1e6
		case 3:
			return r.IntN(1000) - 500
		}
		return []string{"", "a", "with \"quotes\" and \\ backslash", "<b>&amp;</b>", "ünï", "{[,:]}", "line\nbreak"}[r.IntN(7)]
	case k < 5:
		out := make([]any, r.IntN(4))
		for i := range out {
			out[i] = randomJSON(r, depth+1)
		}
		return out
	default:
		n := r.IntN(4)
		out := map[string]any{}
		for i := range n {
			out[fmt.Sprintf("k%d,:{", i)] = randomJSON(r, depth+1)
		}
		return out
	}
}

// TestJacksonScannerAgreesWithTokens: the one-pass scanner lays out 5,000
// random documents exactly as the token-by-token version did.
func TestJacksonScannerAgreesWithTokens(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		compact := Compact(randomJSON(r, 0))
		want, err := jacksonByTokens(compact)
		if err != nil {
			t.Fatal(err)
		}
		got, err := JacksonPretty(compact)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("case %d: %s\ngot  %q (%v)\nwant %q", i, compact, got, err, want)
		}
	}
	if _, err := JacksonPretty([]byte("{not json")); err == nil {
		t.Error("invalid JSON accepted")
	}
	_ = strings.TrimSpace
	_ = io.EOF
	_ = json.Valid
}

func BenchmarkJacksonPretty(b *testing.B) {
	body := Compact(map[string]any{"error_code": "DAYU.4402", "error_msg": "The operation failed, detail msg user x is not a member."})
	b.Run("scanner", func(b *testing.B) {
		for b.Loop() {
			_, _ = JacksonPretty(body)
		}
	})
	b.Run("tokens", func(b *testing.B) {
		for b.Loop() {
			_, _ = jacksonByTokens(body)
		}
	})
}
