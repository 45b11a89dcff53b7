package testsuite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
)

func runStep(ctx context.Context, t Target, session string, vars map[string]string, st *Step) error {
	body := expand(st.Request.Body, vars)
	req, err := http.NewRequestWithContext(ctx, st.Request.Method, strings.TrimRight(t.BaseURL, "/")+expand(st.Request.Path, vars), strings.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range st.Request.Headers {
		req.Header.Set(k, expand(v, vars))
	}
	if _, ok := st.Request.Headers["Accept"]; !ok {
		req.Header["Accept"] = nil // Go sends none by default; keep it so
	}
	if session != "" {
		req.Header.Set(sessionHeader, session)
	}
	switch st.Request.Sign {
	case "":
	case "huawei-aksk":
		SignHuawei(req, []byte(body), vars["huawei.ak"], vars["huawei.sk"], time.Now())
	case "huawei-aksk-wrong-sk":
		SignHuawei(req, []byte(body), vars["huawei.ak"], "not-"+vars["huawei.sk"], time.Now())
	default:
		return fmt.Errorf("unknown signing scheme %q", st.Request.Sign)
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return unreachableError{fmt.Errorf("the target does not answer: %w", err)}
	}
	defer resp.Body.Close()
	got, err := readBounded(resp.Body, maxAnswer)
	var tooLarge errTooLarge
	if errors.As(err, &tooLarge) {
		return err
	}
	if err != nil {
		return unreachableError{fmt.Errorf("the target's answer broke off: %w", err)}
	}
	if resp.StatusCode != st.Expect.Status || (st.Expect.JSON != nil || st.Expect.XML != "") {
		if why := notTheVendor(resp, got, st.Expect.Status); why != "" {
			return unreachableError{errors.New(why)}
		}
	}
	expect := st.Expect
	if !t.Emulator && expect.Seed {
		// The seed's data is the emulator's alone: keep status and headers.
		expect = Expect{Status: expect.Status, Headers: expect.Headers}
	}
	if err := check(expect, vars, resp, got); err != nil {
		return err
	}
	if t.spec != nil {
		checkReq := req.Clone(ctx)
		checkReq.URL.Path = strings.TrimPrefix(req.URL.Path, strings.TrimRight(baseURLPath(t.BaseURL), "/"))
		if err := t.spec.Conforms(checkReq, []byte(body), resp.StatusCode, resp.Header, got); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.Capture)) {
		v, err := st.Capture[name].take(resp, got)
		if err != nil {
			return fmt.Errorf("capture %s: %w", name, err)
		}
		vars[name] = v
	}
	return nil
}

// notTheVendor tells an answer no vendor gives: a gateway's 502, 503 or
// 504, or an HTML page (a login form, a proxy's error) where the case
// expects something else.
func notTheVendor(resp *http.Response, body []byte, want int) string {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode != want && (resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout):
	case mt == "text/html":
	default:
		return ""
	}
	snippet := strings.Join(strings.Fields(string(body)), " ")
	if len(snippet) > 120 {
		snippet = snippet[:120] + "..."
	}
	return fmt.Sprintf("the target answers %d %s, as a gateway or a login page does, not the vendor: %s", resp.StatusCode, mt, snippet)
}

// baseURLPath is the path part of a base URL ("/sandbox" of
// "https://proxy/sandbox"), which the spec's paths do not have.
func baseURLPath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Path
}

func (c Capture) take(resp *http.Response, body []byte) (string, error) {
	var v string
	switch {
	case c.Header != "":
		v = resp.Header.Get(c.Header)
		if v == "" {
			return "", fmt.Errorf("no %s header", c.Header)
		}
	case c.JSON != "":
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			return "", fmt.Errorf("body is not JSON: %v", err)
		}
		found, ok := pointer(doc, c.JSON)
		if !ok {
			return "", fmt.Errorf("no %s in the body", c.JSON)
		}
		switch x := found.(type) {
		case string:
			v = x
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
	case c.XML != "":
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(body); err != nil {
			return "", fmt.Errorf("body is not XML: %v", err)
		}
		path, attr, _ := strings.Cut(c.XML, "@")
		el := doc.Root()
		if el != nil && path != "" {
			el = el.FindElement(path)
		}
		if el == nil || el.SelectAttr(attr) == nil {
			return "", fmt.Errorf("no %s in the body", c.XML)
		}
		v = el.SelectAttrValue(attr, "")
	default:
		return "", errors.New("say header, json or xml")
	}
	if c.Pattern != "" {
		re, err := regexp.Compile(c.Pattern)
		if err != nil {
			return "", err
		}
		m := re.FindStringSubmatch(v)
		if len(m) < 2 {
			return "", fmt.Errorf("%q does not match %s", v, c.Pattern)
		}
		v = m[1]
	}
	return v, nil
}

// pointer follows a JSON pointer ("/users/0/id") into a decoded value.
func pointer(v any, ptr string) (any, bool) {
	if ptr == "" || ptr == "/" {
		return v, true
	}
	for _, p := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[p]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_.-]+)\}`)

// expand replaces ${name} with its value; an unknown name stays as is,
// so the failure shows what was missing.
func expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}
