// Package offboard runs offboard's container image for tests, as
// testcontainers-go's own modules run theirs: Run starts it and waits on
// its health endpoint; the Container gives the base URL to point the code
// under test at, the emulator's Go API over HTTP (the same names and types
// as in-process, from github.com/offboard/offboard/emulator/remote) and a
// session per test.
//
//	ctr, err := offboard.Run(ctx, "offboard:latest", offboard.WithScenarioFile("testdata/team.yaml"))
//	...
//	defer testcontainers.TerminateContainer(ctr)
//	s := ctr.Session(t) // this test's own world
//	resp := s.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + id,
//		Header: s.Credential(t, "onedata")})
//
// It is a module of its own, so that offboard's main module does not
// depend on testcontainers.
package offboard

import (
	"context"
	"fmt"
	"net/netip"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/remote"
)

// Port is the port offboard's image listens on.
const Port = "8080/tcp"

// scenarioDir is where WithScenarioFile puts files in the container.
const scenarioDir = "/scenarios"

// Container is a running offboard.
type Container struct {
	testcontainers.Container
	baseURL string
	client  *remote.Client
}

// Run starts offboard's image img and waits until it answers its health
// check. The port is published on 127.0.0.1 only.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	req := testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        img,
			ExposedPorts: []string{Port},
			Env:          map[string]string{},
			Cmd:          []string{"serve"},
			WaitingFor:   wait.ForHTTP("/__admin/health").WithPort(Port).WithStatusCodeMatcher(func(status int) bool { return status == 200 }),
		},
		Started: true,
	}
	// Published on loopback only: nothing else on the network reaches it.
	loopback := testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		if hc.PortBindings == nil {
			hc.PortBindings = network.PortMap{}
		}
		hc.PortBindings[network.MustParsePort(Port)] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1")}}
	})
	for _, opt := range append([]testcontainers.ContainerCustomizer{loopback}, opts...) {
		if err := opt.Customize(&req); err != nil {
			return nil, fmt.Errorf("offboard: %w", err)
		}
	}
	ctr, err := testcontainers.GenericContainer(ctx, req)
	var c *Container
	if ctr != nil {
		c = &Container{Container: ctr}
	}
	if err != nil {
		return c, fmt.Errorf("offboard: starting %s: %w", img, err)
	}
	host, err := ctr.Host(ctx)
	if err != nil {
		return c, fmt.Errorf("offboard: %w", err)
	}
	port, err := ctr.MappedPort(ctx, Port)
	if err != nil {
		return c, fmt.Errorf("offboard: %w", err)
	}
	c.baseURL = "http://" + host + ":" + port.Port()
	var copts []remote.Option
	if tok := req.Env["OFFBOARD_ADMIN_TOKEN"]; tok != "" {
		copts = append(copts, remote.WithAdminToken(tok))
	}
	c.client = remote.New(c.baseURL, copts...)
	return c, nil
}

// BaseURL is where the vendor paths are (http://127.0.0.1:PORT): the base
// URL of every vendor client in the code under test.
func (c *Container) BaseURL() string { return c.baseURL }

// Client is the emulator's Go API over its control API: scenarios,
// sessions, faults, journal, state and credentials, with the names and
// types of the in-process emulator.
func (c *Container) Client() *remote.Client { return c.client }

// Session gives the test a world of its own in the container, named
// t.Name(), dropped when the test ends: its requests carry the session
// header, its credentials, faults and journal counts are its own.
func (c *Container) Session(t testing.TB) *emulatortest.Session {
	t.Helper()
	return emulatortest.NewSession(t, c.baseURL, c.client)
}

// WithScenario loads built-in scenarios or files already in the container
// (a mounted directory's), layered in order as serve's --scenario does.
func WithScenario(refs ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		for _, ref := range refs {
			if ref == "" || strings.Contains(ref, ",") {
				return fmt.Errorf("scenario %q: a name or path without commas", ref)
			}
		}
		addScenarios(req, refs...)
		return nil
	}
}

// WithScenarioFile copies scenario files of this machine into the
// container and loads them, layered in order.
func WithScenarioFile(paths ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		for _, p := range paths {
			in := path.Join(scenarioDir, fmt.Sprintf("%d-%s", len(req.Files), filepath.Base(p)))
			if strings.Contains(in, ",") {
				return fmt.Errorf("scenario file %q: a name without commas", p)
			}
			req.Files = append(req.Files, testcontainers.ContainerFile{HostFilePath: p, ContainerFilePath: in, FileMode: 0o644})
			addScenarios(req, in)
		}
		return nil
	}
}

func addScenarios(req *testcontainers.GenericContainerRequest, refs ...string) {
	list := req.Env["OFFBOARD_SCENARIO"]
	for _, r := range refs {
		if list != "" {
			list += ","
		}
		list += r
	}
	req.Env["OFFBOARD_SCENARIO"] = list
}

// WithAdminToken makes the control API ask for Authorization: Bearer
// token (health excepted); the Container's Client sends it.
func WithAdminToken(token string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Env["OFFBOARD_ADMIN_TOKEN"] = token
		return nil
	}
}

// WithFlags adds flags to serve: --journal-size 5000, --max-sessions 50,
// --cors-origin http://localhost:5173, ...
func WithFlags(flags ...string) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Cmd = append(req.Cmd, flags...)
		return nil
	}
}
