package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestStartUpNamesEachVendorsBaseURL: serve logs, for each vendor, the
// base URLs a client sets, and a client set to them gets the vendor.
func TestStartUpNamesEachVendorsBaseURL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, stderr, _ := serveInBackground(t, ctx)
	var bases map[string][]string
	for range 50 {
		bases = map[string][]string{}
		for _, m := range regexp.MustCompile(`msg=vendor name=(\w+) base="?([^"\n]+)"?`).FindAllStringSubmatch(stderr.String(), -1) {
			bases[m[1]] = strings.Fields(m[2])
		}
		if len(bases) == 5 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(bases) != 5 {
		t.Fatalf("start-up names %d vendors' base URLs:\n%s", len(bases), stderr.String())
	}
	calls := []struct {
		vendor, path, header, value string
	}{
		{"arcgis", "/dataaccess/listUserWorkspaces?f=json&token=arcgis-user-token", "", ""},
		{"commvault", "/User", "Authtoken", "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8"},
		{"huawei", "/v2/demo-project/demo-workspace/users", "X-Auth-Token", "demo-token"},
		{"onedata", "/users", "Authorization", "Basic YWRtaW46cGFzc3dvcmQ="},
	}
	for _, c := range calls {
		req, err := http.NewRequest("GET", bases[c.vendor][0]+c.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.header != "" {
			req.Header.Set(c.header, c.value)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("X-Offboard-Detail") == "" && resp.Header.Get("Content-Type") == "" {
			t.Errorf("%s at %s: %d", c.vendor, req.URL, resp.StatusCode)
		}
	}
	if want := "/AdminInterface/restapi"; !strings.HasSuffix(bases["securid"][0], want) {
		t.Errorf("securid's base %v does not end in %s", bases["securid"], want)
	}
}
