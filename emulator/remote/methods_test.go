package remote_test

import (
	"reflect"
	"testing"

	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/emulator/remote"
)

// TestRemoteMatchesTheGoAPI: the remote client has each method of the
// in-process Go API under the same name and type, but for the deliberate
// exceptions, each with its reason (README says the two share names).
func TestRemoteMatchesTheGoAPI(t *testing.T) {
	except := map[string]string{
		"LoadScenario":        "takes a parsed *scenarios.File: over HTTP, LoadRefs or LoadYAML",
		"LoadSessionScenario": "the same: LoadSessionRefs or LoadSessionYAML",
		"SubscribeRequests":   "a channel in-process; over HTTP the SSE stream of /__admin/requests/stream",
		"Inspect":             "hands a vendor's live state to a function: only in-process",
		"Conforms":            "checks an answer against the specs in this process: no HTTP round trip needed",
		"Close":               "frees the in-process emulator; a remote one is its process's",
		"Check":               "checks scenario refs against this process's files",
		"JournalSize":         "the in-process journal's capacity; remote callers read /__admin/health",
		"JournalSeq":          "the in-process journal's counter; remote callers read /__admin/state's journalSeq",
		"Ready":               "in-process readiness; remote callers poll Health",
		"SessionExists":       "Sessions lists them over HTTP",
		"VendorNames":         "Routes and Catalogue name the vendors over HTTP",
		"Routes":              "answered as JSON over HTTP: a different type",
		"Health":              "answered as JSON over HTTP: a different type",
		"Scenarios":           "answered as JSON over HTTP: a different type",
		"ScenarioName":        "the remote Health says it",
		"ClearRequests":       "a remote call can fail: it adds the error",
		"Reset":               "a remote call can fail: it adds the error",
		"Sessions":            "a remote call can fail: it adds the error",
	}
	api := reflect.TypeFor[engine.API]()
	client := reflect.TypeFor[*remote.Client]()
	same := 0
	for i := range api.NumMethod() {
		m := api.Method(i)
		rm, ok := client.MethodByName(m.Name)
		var got reflect.Type
		if ok {
			// A method of the client takes its receiver first: compare the rest.
			got = reflect.FuncOf(ins(rm.Type, 1), outs(rm.Type), rm.Type.IsVariadic())
		}
		if _, excepted := except[m.Name]; excepted {
			if got == m.Type {
				t.Errorf("%s is listed as an exception but the two are alike: take it off the list", m.Name)
			}
			continue
		}
		if !ok {
			t.Errorf("remote.Client has no %s %s", m.Name, m.Type)
			continue
		}
		if got != m.Type {
			t.Errorf("%s: in-process %s, remote %s", m.Name, m.Type, got)
			continue
		}
		same++
	}
	if same < 15 {
		t.Errorf("only %d methods compared alike", same)
	}
}

func ins(f reflect.Type, skip int) []reflect.Type {
	var out []reflect.Type
	for i := skip; i < f.NumIn(); i++ {
		out = append(out, f.In(i))
	}
	return out
}

func outs(f reflect.Type) []reflect.Type {
	var out []reflect.Type
	for i := range f.NumOut() {
		out = append(out, f.Out(i))
	}
	return out
}
