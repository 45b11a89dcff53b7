package engine

import (
	"encoding/json"
	"net/http"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/journal"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/scenarios"
)

// API is the engine's Go API: what a Go test can do, under the names the
// control API's operations give in x-go-method. *Engine implements it;
// the emulator facade carries exactly these methods and none of the
// engine's insides (its unguarded ServeHTTP, the YAML decoding the control
// API uses). A method added here is a deliberate change of the API
// (api_test.go holds the list).
type API interface {
	// Scenarios
	Scenarios() []scenarios.Info
	ScenarioName() string
	Check(refs ...string) error
	LoadRefs(refs ...string) error
	LoadYAML(name string, data []byte) error
	LoadScenario(f *scenarios.File) error
	Reset()

	// Sessions
	Sessions() []SessionInfo
	SessionExists(id string) bool
	LoadSessionScenario(id string, f *scenarios.File) error
	LoadSessionRefs(id string, refs ...string) error
	LoadSessionYAML(id, name string, data []byte) error
	ResetSession(id string) error
	DropSession(id string) error

	// State
	State(session string) (map[string]json.RawMessage, error)
	Export(session string) ([]byte, error)
	Changes(session string) (map[string][]journal.Change, error)
	Inspect(session, vendor string, fn func(kit.State)) error

	// People
	People(session string) ([]Person, error)
	Person(session, id string) (Person, error)

	// Faults
	AddFaults(session string, fs ...faults.Fault) (int, error)
	Faults(session string) ([]faults.Rule, error)
	RemoveFault(session string, i int) error
	ClearFaults(session string) error

	// Journal
	Requests(f journal.Filter, limit int) ([]journal.Entry, error)
	CountRequests(f journal.Filter) (int, error)
	ClearRequests() int
	SubscribeRequests() (*journal.Subscription, error)
	Replay(seq uint64, into *string) (journal.Entry, error)
	RequestCurl(seq uint64) (string, error)
	JournalSeq() uint64
	JournalSize() int

	// Vendors, specs and credentials
	VendorNames() []string
	Routes() []string
	Spec(vendor string) ([]byte, error)
	Catalogue() (map[string][]CatalogueEntry, error)
	Credential(vendor string) (header, value string, err error)
	CredentialIn(session, vendor string) (header, value string, err error)
	Conforms(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error

	// Life
	Health() Health
	Ready() error
	Close()
}

var _ API = (*Engine)(nil)
