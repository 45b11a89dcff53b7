package emulator_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/journal"
)

// paths renders changes as "kind path/to/it" lines, sorted as recorded.
func paths(cs []journal.Change) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Kind + " " + strings.Join(c.Path, "/")
	}
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

// TestWhatARequestChanged: the journal says what each request changed,
// row by row and field by field, and the session what changed since its
// scenario: a removed user, ownership moved to another, a nested member.
func TestWhatARequestChanged(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	s := srv.Session(t)
	last := func() journal.Entry {
		t.Helper()
		list, err := srv.Emulator.Requests(emulator.Filter{Session: emulator.InSession(s.ID)}, 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("journal: %v %d", err, len(list))
		}
		return list[0]
	}

	// Onedata: a user removed.
	if got := s.Do(t, delJoe(nil)); got.Status != 204 {
		t.Fatalf("delete joe: %d", got.Status)
	}
	e := last()
	if got := paths(e.Changes); !has(got, "removed users/"+joe) {
		t.Errorf("the delete's changes: %q", got)
	}
	var before map[string]any
	if err := json.Unmarshal(e.Changes[0].Before, &before); err != nil || before["username"] != "joe" {
		t.Errorf("the removed row's value: %s (%v)", e.Changes[0].Before, err)
	}

	// Commvault: jsmith deleted, his schedule policy now kjones's.
	hdr := s.Credential(t, "commvault")
	hdr["Accept"] = "application/json"
	del := s.Do(t, emulatortest.Request{Method: "DELETE", Path: "/webconsole/api/User/6?newUserId=7", Header: hdr})
	if del.Status != 200 || !strings.Contains(string(del.Body), `"errorCode":0`) {
		t.Fatalf("commvault delete: %d %s", del.Status, del.Body)
	}
	got := paths(last().Changes)
	if !has(got, "removed users/6") {
		t.Errorf("commvault's changes lack the removed user: %q", got)
	}
	moved := false
	for _, c := range last().Changes {
		if c.Kind == "changed" && c.Path[0] != "users" && c.Path[len(c.Path)-1] == "user" && string(c.Before) == "6" && string(c.After) == "7" {
			moved = true
		}
	}
	if !moved {
		t.Errorf("no ownership moved from 6 to 7 in %q", got)
	}

	// Huawei: a member of a workspace, three tables deep.
	hw := s.Do(t, emulatortest.Request{Method: "POST", Path: "/v2/demo-project/demo-workspace/delete-users",
		Header: map[string]string{"X-Auth-Token": "demo-token", "Content-Type": "application/json"}, Body: `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`})
	if hw.Status != 200 {
		t.Fatalf("huawei delete: %d %s", hw.Status, hw.Body)
	}
	if got := paths(last().Changes); !has(got, "removed projects/demo-project/workspaces/demo-workspace/users/2d032145d82546b5b83cd7a6fd7d0afc") {
		t.Errorf("huawei's changes: %q", got)
	}

	// A read changes nothing and records nothing.
	s.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users", Header: map[string]string{"Authorization": basicAdm}})
	if c := last().Changes; len(c) != 0 {
		t.Errorf("a read recorded changes: %q", paths(c))
	}

	// Since the scenario: all of it, by vendor; the shared world none.
	since, err := srv.Emulator.Changes(s.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := paths(since["onedata"]); !has(got, "removed users/"+joe) {
		t.Errorf("onedata since load: %q", got)
	}
	if got := paths(since["commvault"]); !has(got, "removed users/6") {
		t.Errorf("commvault since load: %q", got)
	}
	if got := paths(since["huawei"]); !has(got, "removed projects/demo-project/workspaces/demo-workspace/users/2d032145d82546b5b83cd7a6fd7d0afc") {
		t.Errorf("huawei since load: %q", got)
	}
	shared, err := srv.Emulator.Changes("")
	if err != nil {
		t.Fatal(err)
	}
	for vendor, cs := range shared {
		if len(cs) != 0 {
			t.Errorf("the shared world changed in %s: %q", vendor, paths(cs))
		}
	}
	if _, err := srv.Emulator.Changes("nobody"); !errors.Is(err, emulator.ErrNotFound) {
		t.Errorf("changes of no session: %v", err)
	}
}

// TestReplay: a journaled request sent again into another session gets
// that session's answer; into its own, its own state's.
func TestReplay(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	s := srv.Session(t)
	if got := s.Do(t, delJoe(nil)); got.Status != 204 {
		t.Fatal(got.Status)
	}
	list, _ := srv.Emulator.Requests(emulator.Filter{Session: emulator.InSession(s.ID)}, 1)
	seq := list[0].Seq
	// Again in its own session: joe is gone, 404.
	again, err := srv.Emulator.Replay(seq, nil)
	if err != nil || again.Status != 404 || again.Session != s.ID || again.Seq <= seq {
		t.Errorf("replay into its own session: %+v %v", again, err)
	}
	// Into a fresh one: joe is there, 204, and that session lost him.
	other := "replay-target"
	into, err := srv.Emulator.Replay(seq, &other)
	if err != nil || into.Status != 204 || into.Session != other || len(into.Changes) == 0 {
		t.Errorf("replay into another session: %+v %v", into, err)
	}
	// Over HTTP: the same, and the errors.
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/requests/" + jsonNumber(seq) + "/replay?session=third"})
	if got.Status != 200 || !strings.Contains(string(got.Body), `"status": 204`) {
		t.Errorf("POST replay: %d %.300s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/requests/999999/replay"}); got.Status != 404 {
		t.Errorf("replay of nothing: %d", got.Status)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/requests/0/replay"}); got.Status != 400 {
		t.Errorf("replay of #0: %d", got.Status)
	}
}

func jsonNumber(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
