package emulator_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
)

const carolOnedata = "0c000000000000000000000000000c0c"

func peopleWorld(t *testing.T) *emulator.Emulator {
	t.Helper()
	em, err := emulator.New(emulator.WithScenario("people"), emulator.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	return em
}

func deleteOnedata(t *testing.T, em *emulator.Emulator, session, id string) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodDelete, "/api/v3/onezone/users/"+id, nil)
	r.SetBasicAuth("admin", "password")
	if session != "" {
		r.Header.Set(emulator.HeaderSession, session)
	}
	w := httptest.NewRecorder()
	em.ServeHTTP(w, r)
	return w.Code
}

// TestJournalTagsThePeopleARequestNamed: a request about carol's account
// is tagged with her, found by the person filter; one about an account
// no person has carries no tag.
func TestJournalTagsThePeopleARequestNamed(t *testing.T) {
	em := peopleWorld(t)
	if code := deleteOnedata(t, em, "", carolOnedata); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code := deleteOnedata(t, em, "", "a5b469a2b0516b662a49da74d6d7d7bc"+"0"); code != 404 {
		t.Fatalf("delete of nobody: %d", code)
	}
	all, err := em.Requests(emulator.Filter{}, 0)
	if err != nil || len(all) != 2 {
		t.Fatalf("%d entries, %v", len(all), err)
	}
	if !slices.Equal(all[0].People, []string{"carol"}) || all[1].People != nil {
		t.Errorf("tags %q and %q, want [carol] and none", all[0].People, all[1].People)
	}
	for person, want := range map[string]int{"carol": 1, "bob": 0} {
		if n, err := em.CountRequests(emulator.Filter{Person: person}); err != nil || n != want {
			t.Errorf("person=%s: %d (%v), want %d", person, n, err, want)
		}
	}
	if _, err := em.CountRequests(emulator.Filter{Person: strings.Repeat("x", 65)}); !errors.Is(err, emulator.ErrInvalid) {
		t.Errorf("a 65-byte person: %v", err)
	}
}

// TestPeopleBelongToTheirSessionsScenario: a session that loaded the
// people scenario has its people, the shared world of another scenario
// has none, and a session that does not exist is not made by asking.
func TestPeopleBelongToTheirSessionsScenario(t *testing.T) {
	em, err := emulator.New(emulator.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	if err := em.LoadSessionRefs("job", "people"); err != nil {
		t.Fatal(err)
	}
	shared, err := em.People("")
	if err != nil || len(shared) != 0 {
		t.Errorf("the default world's people: %v %v", shared, err)
	}
	mine, err := em.People("job")
	if err != nil || len(mine) != 6 || mine[0].ID != "ann" {
		t.Fatalf("the session's people: %d %v", len(mine), err)
	}
	if _, err := em.People("nobody"); !errors.Is(err, emulator.ErrNotFound) || em.SessionExists("nobody") {
		t.Errorf("an unknown session: %v", err)
	}
	if _, err := em.Person("job", "zed"); !errors.Is(err, emulator.ErrNotFound) {
		t.Errorf("an unknown person: %v", err)
	}
	if len(mine[0].Vendors) != len(emulator.Vendors()) {
		t.Errorf("ann has %d vendors, want every one", len(mine[0].Vendors))
	}
}

// TestAnExportKeepsThePeopleStillThere: a world exported after carol's
// Onezone account went loads back, with her other accounts and without
// the one that is gone (a scenario cannot name an account it lacks).
func TestAnExportKeepsThePeopleStillThere(t *testing.T) {
	em := peopleWorld(t)
	deleteOnedata(t, em, "", carolOnedata)
	out, err := em.Export("")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "\npeople:\n") {
		t.Fatalf("no people in the export:\n%s", out)
	}
	if err := em.LoadYAML("export.yaml", out); err != nil {
		t.Fatalf("the export does not load: %v", err)
	}
	carol, err := em.Person("", "carol")
	if err != nil {
		t.Fatal(err)
	}
	if carol.Vendors["onedata"].State != "none" || carol.Vendors["commvault"].State != "active" {
		t.Errorf("carol after the export: %+v", carol.Vendors)
	}
}

// TestThePeopleViewCostsItsWorldOnce: twice the people and accounts cost
// about twice the allocations (maps growing in steps make it a little
// more), not four times: each vendor is asked once for all its accounts.
func TestThePeopleViewCostsItsWorldOnce(t *testing.T) {
	cost := func(n int) float64 {
		var b strings.Builder
		b.WriteString("commvault:\n  users:\n    1: {name: admin}\n")
		for i := range n {
			fmt.Fprintf(&b, "    %d: {name: u%d}\n", i+10, i)
		}
		b.WriteString("  alerts:\n")
		for i := range n {
			fmt.Fprintf(&b, "    a%d: {user: %d}\n", i, i+10)
		}
		b.WriteString("people:\n")
		for i := range n {
			fmt.Fprintf(&b, "  p%d: {commvault: u%d}\n", i, i)
		}
		em, err := emulator.New(emulator.WithScenarioYAML("big.yaml", []byte(b.String())), emulator.WithLogger(discardLogger()))
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(3, func() {
			if ps, err := em.People(""); err != nil || len(ps) != n {
				t.Fatalf("%d people, %v", len(ps), err)
			}
		})
	}
	small, big := cost(1000), cost(2000)
	if big > 3*small {
		t.Errorf("1,000 people: %.0f allocations; 2,000: %.0f (more than linear)", small, big)
	}
}

// TestEntriesSayTheirScenario: each entry names the scenario its session
// had loaded when it was answered (the console once showed the current
// scenario above entries of another), route errors included.
func TestEntriesSayTheirScenario(t *testing.T) {
	em, err := emulator.New(emulator.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	deleteOnedata(t, em, "", carolOnedata)
	if err := em.LoadSessionRefs("job", "people"); err != nil {
		t.Fatal(err)
	}
	deleteOnedata(t, em, "job", carolOnedata)
	r := httptest.NewRequest(http.MethodGet, "/api/v3/onezone/nowhere", nil)
	r.Header.Set(emulator.HeaderSession, "job")
	em.ServeHTTP(httptest.NewRecorder(), r)
	if err := em.LoadRefs("onedata-unknown-user"); err != nil {
		t.Fatal(err)
	}
	deleteOnedata(t, em, "", carolOnedata)
	all, err := em.Requests(emulator.Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range all {
		got = append(got, en.Scenario)
	}
	if want := []string{"default", "people", "people", "onedata-unknown-user"}; !slices.Equal(got, want) {
		t.Errorf("scenarios %q, want %q", got, want)
	}
}
