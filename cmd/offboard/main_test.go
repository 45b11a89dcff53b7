package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the server's and the test's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestHelpAndUsage: every command answers --help with exit 0; a usage
// mistake exits 2 with a one-line hint (issue 14).
func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"serve", "--help"}, {"scenarios", "--help"}, {"validate", "--help"},
		{"health", "--help"}, {"token", "--help"}, {"verify", "--help"}, {"completion", "--help"},
		{"completion", "bash"}, {"completion", "zsh"}, {"completion", "fish"}, {"help", "serve"}, {"serve", "-h"},
	} {
		var out, errOut bytes.Buffer
		code := (CLI{Stdout: &out, Stderr: &errOut}).Run(context.Background(), args)
		if code != 0 || out.Len() == 0 {
			t.Errorf("%v: exit %d, %d bytes out, stderr %q", args, code, out.Len(), errOut.String())
		}
	}
	var out bytes.Buffer
	(CLI{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), []string{"token", "--help"})
	if !strings.Contains(out.String(), "token VENDOR") || !strings.Contains(out.String(), "arcgis, commvault, huawei, onedata, securid") {
		t.Errorf("token --help names neither VENDOR nor the vendors:\n%s", out.String())
	}
	for _, args := range [][]string{
		{"frobnicate"}, {"serve", "--nope"}, {"serve", "extra"}, {"validate"}, {"token"}, {"token", "a", "b"},
		{"verify"}, {"verify", "--target", "http://x", "--var", "novalue"}, {"scenarios", "x"}, {"serve", "--log-level", "loud"},
		{"health", "--url"}, {},
	} {
		var errOut bytes.Buffer
		code := (CLI{Stdout: io.Discard, Stderr: &errOut}).Run(context.Background(), args)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr %q", args, code, errOut.String())
		}
		if len(args) > 0 && (strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 || !strings.Contains(errOut.String(), "--help")) {
			t.Errorf("%v: the hint is not one line naming --help: %q", args, errOut.String())
		}
	}
}
