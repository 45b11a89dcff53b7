package offboard_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/offboard/offboard/emulator"
	offboard "github.com/offboard/offboard/testcontainers"
)

// These tests hold the image to what README's "Running the container"
// says: its user, health check, environment, flags, a read-only scenario
// mount with --watch, a graceful stop and its size.

// send makes one request and reads the answer.
func send(t *testing.T, method, url string, header map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, resp.Header, string(b)
}

// eventually polls cond every 200 ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); ; time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("%s: not within %v", what, d)
		}
	}
}

func TestImageUserHealthAndSize(t *testing.T) {
	ctr := run(t)
	ctx := context.Background()
	info, err := ctr.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.User != "65532:65532" {
		t.Errorf("the image's user is %q, want 65532:65532", info.Config.User)
	}
	// The process itself, as the host's kernel sees it.
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", info.State.Pid))
	if err != nil {
		t.Logf("cannot read the process's status from the host (%v); the image's user is checked above", err)
	} else if !strings.Contains(string(status), "\nUid:\t65532\t") {
		t.Errorf("the process does not run as 65532:\n%s", status)
	}
	if info.Config.Healthcheck == nil || len(info.Config.Healthcheck.Test) == 0 {
		t.Fatal("the image has no HEALTHCHECK")
	}
	eventually(t, 40*time.Second, "the health check says healthy", func() bool {
		info, err := ctr.Inspect(ctx)
		return err == nil && info.State.Health != nil && info.State.Health.Status == "healthy"
	})
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	img, err := cli.ImageInspect(ctx, image(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image %s: %.1f MB", image(t), float64(img.Size)/1e6)
	if img.Size > 25e6 {
		t.Errorf("the image is %.1f MB; the aim is under 25 MB", float64(img.Size)/1e6)
	}
}

// TestImageEnvironment: each environment variable README documents does
// what it says in the container.
func TestImageEnvironment(t *testing.T) {
	t.Run("OFFBOARD_SCENARIO", func(t *testing.T) {
		ctr := run(t, testcontainers.WithEnv(map[string]string{"OFFBOARD_SCENARIO": "arcgis-running-containers"}))
		if h, err := ctr.Client().Health(); err != nil || h.Scenario != "arcgis-running-containers" {
			t.Errorf("Health: %+v %v", h, err)
		}
	})
	t.Run("OFFBOARD_ADMIN_TOKEN", func(t *testing.T) {
		ctr := run(t, testcontainers.WithEnv(map[string]string{"OFFBOARD_ADMIN_TOKEN": "s3cret"}))
		if st, _, _ := send(t, "GET", ctr.BaseURL()+"/__admin/sessions", nil, ""); st != 401 {
			t.Errorf("the control API without the token: %d", st)
		}
		if st, _, _ := send(t, "GET", ctr.BaseURL()+"/__admin/sessions", map[string]string{"Authorization": "Bearer s3cret"}, ""); st != 200 {
			t.Errorf("with it: %d", st)
		}
		if st, _, _ := send(t, "GET", ctr.BaseURL()+"/__admin/health", nil, ""); st != 200 {
			t.Errorf("health without it: %d", st)
		}
	})
	t.Run("OFFBOARD_LOG_LEVEL", func(t *testing.T) {
		ctr := run(t, testcontainers.WithEnv(map[string]string{"OFFBOARD_LOG_LEVEL": "debug"}))
		send(t, "GET", ctr.BaseURL()+"/api/v3/onezone/users", map[string]string{"X-Auth-Token": "onedata-admin-token"}, "")
		eventually(t, 10*time.Second, "a debug line in the log", func() bool { return strings.Contains(logs(t, ctr), "level=DEBUG") })
	})
	t.Run("OFFBOARD_CORS_ORIGINS", func(t *testing.T) {
		ctr := run(t, testcontainers.WithEnv(map[string]string{"OFFBOARD_CORS_ORIGINS": "http://localhost:5173"}))
		pre := func(origin string) string {
			_, h, _ := send(t, "OPTIONS", ctr.BaseURL()+"/api/v3/onezone/users", map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST"}, "")
			return h.Get("Access-Control-Allow-Origin")
		}
		if got := pre("http://localhost:5173"); got != "http://localhost:5173" {
			t.Errorf("the dev server's preflight: %q", got)
		}
		if got := pre("https://elsewhere.example"); got != "" {
			t.Errorf("another origin's preflight: %q", got)
		}
	})
	t.Run("OFFBOARD_ADMIN_ORIGINS", func(t *testing.T) {
		ctr := run(t, testcontainers.WithEnv(map[string]string{"OFFBOARD_ADMIN_ORIGINS": "https://qa.example"}))
		if st, _, body := send(t, "POST", ctr.BaseURL()+"/__admin/reset", map[string]string{"Origin": "https://qa.example"}, ""); st != 200 {
			t.Errorf("reset from the allowed origin: %d %s", st, body)
		}
		if st, _, _ := send(t, "POST", ctr.BaseURL()+"/__admin/reset", map[string]string{"Origin": "https://evil.example"}, ""); st != 403 {
			t.Errorf("reset from another origin: %d", st)
		}
	})
	t.Run("OFFBOARD_ADDR and OFFBOARD_ADMIN_ADDR", func(t *testing.T) {
		// Two ports of its own: offboard.Run waits on 8080, so this one
		// starts the image directly.
		ctr, err := testcontainers.GenericContainer(context.Background(), testcontainers.GenericContainerRequest{
			ContainerRequest: testcontainers.ContainerRequest{
				Image:        image(t),
				ExposedPorts: []string{"9090/tcp", "9091/tcp"},
				Env:          map[string]string{"OFFBOARD_ADDR": "0.0.0.0:9090", "OFFBOARD_ADMIN_ADDR": "0.0.0.0:9091"},
				WaitingFor:   wait.ForHTTP("/__admin/health").WithPort("9091/tcp"),
			},
			Started: true,
		})
		testcontainers.CleanupContainer(t, ctr)
		if err != nil {
			t.Fatal(err)
		}
		vendor, admin := endpoint(t, ctr, "9090/tcp"), endpoint(t, ctr, "9091/tcp")
		if st, _, _ := send(t, "GET", vendor+"/api/v3/onezone/users", map[string]string{"X-Auth-Token": "onedata-admin-token"}, ""); st != 200 {
			t.Errorf("a vendor route on OFFBOARD_ADDR: %d", st)
		}
		if st, _, _ := send(t, "GET", admin+"/__admin/sessions", nil, ""); st != 200 {
			t.Errorf("the control API on OFFBOARD_ADMIN_ADDR: %d", st)
		}
		if st, _, _ := send(t, "GET", vendor+"/__admin/sessions", nil, ""); st == 200 {
			t.Error("the control API still answers on OFFBOARD_ADDR")
		}
		// The image's HEALTHCHECK follows OFFBOARD_ADMIN_ADDR.
		eventually(t, 40*time.Second, "healthy with the control API on its own port", func() bool {
			info, err := ctr.Inspect(context.Background())
			return err == nil && info.State.Health != nil && info.State.Health.Status == "healthy"
		})
	})
}

func endpoint(t *testing.T, ctr testcontainers.Container, port string) string {
	t.Helper()
	p, err := ctr.MappedPort(context.Background(), port)
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + p.Port()
}

func logs(t *testing.T, ctr testcontainers.Container) string {
	t.Helper()
	rc, err := ctr.Logs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, 4<<20))
	return string(b)
}

// TestImageFlags: serve's flags, given after the image's serve.
func TestImageFlags(t *testing.T) {
	ctr := run(t, offboard.WithFlags("--journal-size", "3", "--max-body", "256", "--max-sessions", "1"))
	for range 5 {
		send(t, "GET", ctr.BaseURL()+"/api/v3/onezone/users", map[string]string{"X-Auth-Token": "onedata-admin-token"}, "")
	}
	if entries, err := ctr.Client().Requests(emulator.Filter{}, 0); err != nil || len(entries) != 3 {
		t.Errorf("--journal-size 3 kept %d entries (%v)", len(entries), err)
	}
	big := `{"username":"` + strings.Repeat("x", 300) + `"}`
	if st, _, body := send(t, "POST", ctr.BaseURL()+"/SearchSvc/CVWebService.svc/User", map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, big); st != 413 {
		t.Errorf("--max-body 256, a 300-byte body: %d %s", st, body)
	}
	c := ctr.Client()
	for _, id := range []string{"one", "two"} {
		if err := c.LoadSessionRefs(id, "default"); err != nil {
			t.Fatal(err)
		}
	}
	if list, err := c.Sessions(); err != nil || len(list) != 1 || list[0].ID != "two" {
		t.Errorf("--max-sessions 1 keeps the newest only: %+v %v", list, err)
	}
}

// TestImageScenarioMountWithWatch: a team's scenarios mounted read-only,
// the root file system read-only too; --watch follows an edit on the
// host, and a bad edit keeps the state.
func TestImageScenarioMountWithWatch(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil { // the image's user reads it
		t.Fatal(err)
	}
	file := filepath.Join(dir, "team.yaml")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("name: team\nextends: default\n")
	ctr := run(t,
		testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.Binds = append(hc.Binds, dir+":/scenarios:ro")
			hc.ReadonlyRootfs = true
		}),
		offboard.WithScenario("/scenarios/team.yaml"),
		offboard.WithFlags("--watch"))
	c := ctr.Client()
	if h, err := c.Health(); err != nil || h.Scenario != "team" {
		t.Fatalf("the mounted scenario: %+v %v", h, err)
	}
	write("name: team-v2\nextends: default\n")
	eventually(t, 20*time.Second, "the edit reloaded", func() bool {
		h, err := c.Health()
		return err == nil && h.Scenario == "team-v2"
	})
	write("name: team-v3\nonedata:\n  users: [not a map]\n")
	eventually(t, 20*time.Second, "the bad edit reported", func() bool {
		return strings.Contains(logs(t, ctr), "scenario reload failed; keeping the old state")
	})
	if h, err := c.Health(); err != nil || h.Scenario != "team-v2" {
		t.Errorf("after a bad edit: %+v %v", h, err)
	}
}

// TestImageStopsGracefully: SIGTERM (docker stop) answers the request in
// flight, then exits 0.
func TestImageStopsGracefully(t *testing.T) {
	ctr := run(t)
	c := ctr.Client()
	if _, err := c.AddFaults("", emulator.Fault{Vendor: "onedata", Operation: "list_users", Latency: "3s"}); err != nil {
		t.Fatal(err)
	}
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("GET", ctr.BaseURL()+"/api/v3/onezone/users", nil)
		req.Header.Set("X-Auth-Token", "onedata-admin-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	// In flight: the fault has seen it, and holds it for 3 s.
	eventually(t, 10*time.Second, "the request in flight", func() bool {
		rules, err := c.Faults("")
		return err == nil && len(rules) == 1 && rules[0].Seen == 1
	})
	timeout := 20 * time.Second
	if err := ctr.Stop(context.Background(), &timeout); err != nil {
		t.Fatal(err)
	}
	if st := <-answered; st != 200 {
		t.Errorf("the request in flight got %d, want its answer (200)", st)
	}
	info, err := ctr.Inspect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.State.ExitCode != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0; log:\n%s", info.State.ExitCode, logs(t, ctr))
	}
}
