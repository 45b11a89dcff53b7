package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// driver sends one request as fast as it is answered over conns
// connections for d; rate > 0 holds it to that many requests a second.
type driver func(t vegeta.Target, d time.Duration, conns, rate int) result

// pickDriver is wrk (two threads, as the measure) when it is on
// the PATH or asked for, else vegeta, which is a Go library here.
func pickDriver(name string) (string, driver, error) {
	switch name {
	case "vegeta":
		return "vegeta", attack, nil
	case "wrk", "":
		if _, err := exec.LookPath("wrk"); err != nil {
			if name == "wrk" {
				return "", nil, fmt.Errorf("--driver wrk: wrk is not on the PATH (Debian: apt-get install wrk)")
			}
			return "vegeta", attack, nil
		}
		dir, err := os.MkdirTemp("", "offboard-wrk")
		if err != nil {
			return "", nil, err
		}
		return "wrk", func(t vegeta.Target, d time.Duration, conns, rate int) result {
			r, err := wrkAttack(dir, t, d, conns)
			if err != nil {
				fmt.Fprintln(os.Stderr, "load: wrk:", err)
				return result{errs: 1}
			}
			return r
		}, nil
	}
	return "", nil, fmt.Errorf("--driver %q: wrk or vegeta", name)
}

// wrkAttack runs wrk with two threads against one request, written as the
// Lua script wrk takes for a method, headers and a body.
func wrkAttack(dir string, t vegeta.Target, d time.Duration, conns int) (result, error) {
	script := filepath.Join(dir, "request.lua")
	if err := os.WriteFile(script, wrkScript(t), 0o600); err != nil {
		return result{}, err
	}
	out, err := exec.Command("wrk", "-t2", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(max(1, int(d.Seconds())))+"s",
		"--latency", "-s", script, t.URL).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("%v: %s", err, out)
	}
	return parseWrk(out)
}

// wrkScript sets wrk's request: every string a Lua literal with each byte
// outside printable ASCII, the quote and the backslash written \ddd.
func wrkScript(t vegeta.Target) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "wrk.method = %s\n", luaString(t.Method))
	if len(t.Body) > 0 {
		fmt.Fprintf(&b, "wrk.body = %s\n", luaString(string(t.Body)))
	}
	for k, vs := range t.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "wrk.headers[%s] = %s\n", luaString(k), luaString(v))
		}
	}
	return b.Bytes()
}

func luaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			fmt.Fprintf(&b, "\\%03d", c)
			continue
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String()
}

// parseWrk reads requests/s, the 50th and 99th latency percentiles and
// the socket errors from wrk's report.
func parseWrk(out []byte) (result, error) {
	var r result
	found := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return r, fmt.Errorf("requests/s %q", f[1])
			}
			r.rps, found = v, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return r, fmt.Errorf("latency %q", f[1])
			}
			if f[0] == "50%" {
				r.p50 = d
			} else {
				r.p99 = d
			}
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			for _, part := range strings.Split(strings.Join(f[2:], " "), ",") {
				if kv := strings.Fields(part); len(kv) == 2 {
					n, _ := strconv.Atoi(kv[1])
					r.errs += n
				}
			}
		}
	}
	if !found {
		return r, fmt.Errorf("no Requests/sec in wrk's report: %s", out)
	}
	return r, nil
}
