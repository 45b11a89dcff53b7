package main

import (
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator"
)

// baseURLs are each server a vendor's spec names, as a client sets its
// base URL against this emulator: the spec's host is ours, its other
// variables their defaults.
func baseURLs(em *emulator.Emulator, vendor, ours string) []string {
	raw, err := em.Spec(vendor)
	if err != nil {
		return nil // the vendor has no spec to read: nothing to announce
	}
	var doc struct {
		Servers []struct {
			URL       string `yaml:"url"`
			Variables map[string]struct {
				Default string `yaml:"default"`
			} `yaml:"variables"`
		} `yaml:"servers"`
	}
	// Only the top-level servers block is read: a whole spec is about
	// 100 KB of YAML, and this runs at start-up.
	if err := yaml.Unmarshal(serversBlock(raw), &doc); err != nil {
		return nil // our own embedded spec: a test holds that it parses
	}
	var out []string
	for _, s := range doc.Servers {
		u := s.URL
		if i := strings.Index(u, "://"); i >= 0 {
			rest := u[i+3:]
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				u = rest[j:]
			} else {
				u = ""
			}
		}
		for name, v := range s.Variables {
			u = strings.ReplaceAll(u, "{"+name+"}", url.PathEscape(v.Default))
		}
		out = append(out, ours+u)
	}
	return out
}

// serversBlock is the spec's top-level "servers:" key and its lines.
func serversBlock(spec []byte) []byte {
	text := string(spec)
	i := strings.Index(text, "\nservers:")
	if i < 0 {
		return nil
	}
	block := text[i+1:]
	end := len(block)
	for j := strings.IndexByte(block, '\n'); j >= 0 && j+1 < len(block); {
		next := block[j+1:]
		if next != "" && next[0] != ' ' && next[0] != '-' && next[0] != '\n' && next[0] != '#' {
			end = j + 1
			break
		}
		k := strings.IndexByte(next, '\n')
		if k < 0 {
			break
		}
		j += k + 1
	}
	return []byte(block[:end])
}
