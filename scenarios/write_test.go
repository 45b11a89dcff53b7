package scenarios_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/offboard/offboard/scenarios"
)

type writtenUser struct {
	Name    string    `yaml:"name"`
	Groups  []string  `yaml:"groups,omitempty"`
	Enabled bool      `yaml:"enabled,omitempty"`
	Seen    time.Time `yaml:"seen,omitempty"`
	Quota   int       `yaml:"quota,omitempty"`
}

type writtenSection struct {
	Users map[string]writtenUser `yaml:"users"`
	Notes []string               `yaml:"notes,omitempty"`
}

// TestWriterRoundTrips writes strings YAML would read as something else
// and reads them back as the same values.
func TestWriterRoundTrips(t *testing.T) {
	hostile := []string{"<<", "yes", "null", "~", "0x1F", "1e3", "- item", "a: b", "#x",
		"line\nbreak", "tab\there", "quote\"s", `back\slash`, "\u2028", "ünï", "", " lead"}
	in := writtenSection{Users: map[string]writtenUser{}, Notes: hostile}
	for i, s := range hostile {
		in.Users[s] = writtenUser{Name: s, Groups: []string{s, "g"}, Enabled: i%2 == 0,
			Seen: time.Date(2026, 12, 2, 19, 0, i, 0, time.UTC), Quota: i}
	}
	var b bytes.Buffer
	w := scenarios.NewWriter(&b)
	w.Field("name", "written")
	w.Field("arcgis", in)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := scenarios.Parse("written.yaml", b.Bytes())
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if f.Name != "written" {
		t.Errorf("name read back as %q", f.Name)
	}
	var out writtenSection
	if err := f.Sections["arcgis"].Node.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out); d != "" {
		t.Errorf("read back differs (-written +read):\n%s\n%s", d, b.String())
	}
}

// TestWriterRefusesWhatYAMLCannotHold: a string that is not UTF-8 has no
// YAML spelling, and a channel no YAML value at all.
func TestWriterRefusesWhatYAMLCannotHold(t *testing.T) {
	for name, v := range map[string]any{
		"invalid UTF-8": map[string]string{"k": "\xff\xfe"},
		"a channel":     map[string]any{"k": make(chan int)},
	} {
		var b bytes.Buffer
		w := scenarios.NewWriter(&b)
		w.Field("x", v)
		if err := w.Close(); err == nil || !strings.Contains(err.Error(), "YAML") {
			t.Errorf("%s: error %v, wrote %q", name, err, b.String())
		}
	}
}
