package testsuite

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"sync"
)

// pools hands out the ids of Pool variables, each at most once per run,
// and remembers a pool found used up, so the cases after it fail at once.
type pools struct {
	mu      sync.Mutex
	used    map[string]int
	usedUp  map[string]error
	checked map[string]int // ids found gone by the vendor's look-up
}

// take hands out the next id of a pool that the vendor still has (when
// the pool names a look-up); an error when none is left.
func (p *pools) take(ctx context.Context, t Target, s *Suite, name string, vars map[string]string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.usedUp[name]; err != nil {
		return "", err
	}
	ids := strings.FieldsFunc(vars[name], func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
	for p.used[name] < len(ids) {
		id := ids[p.used[name]]
		p.used[name]++
		probe := s.Vars[name].Exists
		if probe == nil {
			return id, nil
		}
		there, err := probe.holds(ctx, t, name, id, vars)
		if err != nil {
			return "", err
		}
		if there {
			return id, nil
		}
		p.checked[name]++
	}
	err := usedUpError{name: name, ids: len(ids), gone: p.checked[name]}
	p.usedUp[name] = err
	return "", err
}

// usedUpError is a pool with no id left.
type usedUpError struct {
	name      string
	ids, gone int
}

func (e usedUpError) Error() string {
	why := fmt.Sprintf("this run used all %d", e.ids)
	if e.gone > 0 {
		why = fmt.Sprintf("%d of its %d ids are gone already (an earlier run deleted them), this run used the rest", e.gone, e.ids)
	}
	return fmt.Sprintf("pool %s is used up: %s; give it fresh ids (the sandbox stand-in: reload it with "+
		"PUT /__admin/scenario?name=sandbox; a real sandbox: README, \"Runs that repeat\")", e.name, why)
}

// holds runs the look-up for one id of pool name.
func (pr *Probe) holds(ctx context.Context, t Target, name, id string, vars map[string]string) (bool, error) {
	v := maps.Clone(vars)
	v[name] = id
	req, err := http.NewRequestWithContext(ctx, pr.Request.Method, strings.TrimRight(t.BaseURL, "/")+expand(pr.Request.Path, v),
		strings.NewReader(expand(pr.Request.Body, v)))
	if err != nil {
		return false, err
	}
	for k, val := range pr.Request.Headers {
		req.Header.Set(k, expand(val, v))
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return false, unreachableError{fmt.Errorf("looking %s %s up: the target does not answer: %w", name, id, err)}
	}
	defer resp.Body.Close()
	body, err := readBounded(resp.Body, maxAnswer)
	if err != nil {
		return false, fmt.Errorf("looking %s %s up: %w", name, id, err)
	}
	if why := notTheVendor(resp, body, pr.Status); why != "" {
		return false, unreachableError{errors.New(why)}
	}
	if resp.StatusCode != pr.Status {
		return false, fmt.Errorf("looking %s %s up: %s %s answered %d, want %d", name, id, req.Method, req.URL.Path, resp.StatusCode, pr.Status)
	}
	return strings.Contains(string(body), expand(pr.Contains, v)), nil
}
