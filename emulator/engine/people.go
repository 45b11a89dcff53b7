package engine

import (
	"slices"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
	"github.com/offboard/offboard/scenarios"
)

// scenarioSlot is the snapshot key of the scenario's name, which the
// journal gives each entry.
const scenarioSlot = "scenario"

// scenarioName is a snapshot's scenario name, as the store keeps states.
type scenarioName string

// Clone implements kit.State: a name does not change.
func (n scenarioName) Clone() kit.State { return n }

// nameOf is the name of the scenario a snapshot was made from.
func nameOf(snap store.Snapshot) string {
	n, _ := snap[scenarioSlot].(scenarioName)
	return string(n)
}

// peopleSlot is the snapshot key of a scenario's people: read-only, made
// when the scenario loads, carried by each session's snapshot as a
// vendor's state is.
const peopleSlot = "people"

// peopleState is a scenario's people: each person's account in each
// vendor that has one, and which people a request naming an account is
// about. Never changed after it is made.
type peopleState struct {
	list  []personAccounts
	byKey map[string]map[string][]string // vendor -> account key -> person ids
}

type personAccounts struct {
	id       string
	accounts map[string]kit.Account // by vendor
}

// Clone implements kit.State: nothing changes it, so it is shared.
func (p *peopleState) Clone() kit.State { return p }

// maxPeople bounds a scenario's people: the people view's cost is the
// vendors' states once, plus this many lines.
const maxPeople = 10_000

// decodePeople reads a scenario's people against its vendors' loaded
// states; every mistake is positioned in the file that made it.
func (e *Engine) decodePeople(f *scenarios.File, snap store.Snapshot) (*peopleState, scenarios.Errors) {
	ps := &peopleState{byKey: map[string]map[string][]string{}}
	var errs scenarios.Errors
	fail := func(p scenarios.Person, fe *kit.FieldError) {
		errs = append(errs, &scenarios.Error{File: p.File, Line: fe.Line, Column: fe.Column, Field: fe.Field, Msg: fe.Msg})
	}
	if len(f.People) > maxPeople {
		p := f.People[maxPeople]
		fail(p, kit.Errorf(p.Key, scenarios.PeopleKey, "at most %d people", maxPeople))
		return ps, errs
	}
	owner := map[string]string{} // vendor + account name -> the person who has it
	for _, p := range f.People {
		pa := personAccounts{id: p.ID, accounts: map[string]kit.Account{}}
		for _, acc := range p.Accounts {
			field := scenarios.PeopleKey + "." + p.ID + "." + acc.Vendor
			v := e.byName[acc.Vendor]
			if v == nil {
				fail(p, kit.Errorf(acc.Key, field, "unknown vendor (known: %s)", strings.Join(e.VendorNames(), ", ")))
				continue
			}
			if snap[acc.Vendor] == nil {
				continue
			}
			a, err := v.Account(acc.Node, field, snap[acc.Vendor])
			if err != nil {
				for _, fe := range kit.AllFieldErrors(err) {
					fail(p, fe)
				}
				continue
			}
			if other, taken := owner[acc.Vendor+"\x00"+a.Name()]; taken && other != p.ID {
				fail(p, kit.Errorf(acc.Node, field, "%s's account %s is %s's already: an account is one person's", acc.Vendor, a.Name(), other))
				continue
			}
			owner[acc.Vendor+"\x00"+a.Name()] = p.ID
			pa.accounts[acc.Vendor] = a
			keys := ps.byKey[acc.Vendor]
			if keys == nil {
				keys = map[string][]string{}
				ps.byKey[acc.Vendor] = keys
			}
			for _, k := range a.Keys() {
				keys[k] = append(keys[k], p.ID)
			}
		}
		ps.list = append(ps.list, pa)
	}
	return ps, errs
}

// peopleOf names the people a request is about, by the accounts it names
// (sorted, each once); nil when the scenario names nobody in its vendor.
func peopleOf(snap store.Snapshot, v *vendorEntry, kr *kit.Request) []string {
	ps, _ := snap[peopleSlot].(*peopleState)
	if ps == nil || len(ps.byKey[v.Name()]) == 0 {
		return nil
	}
	keys := ps.byKey[v.Name()]
	var out []string
	for _, k := range v.Subjects(kr) {
		out = append(out, keys[k]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Person is how one person of a session's scenario stands, vendor by
// vendor: GET /__admin/people/{id}.
type Person struct {
	ID string `json:"id"`
	// Offboarded: every account the person had is gone, and nothing they
	// owned was left behind or without an owner.
	Offboarded bool `json:"offboarded"`
	// Vendors has every served vendor, state "none" where the person has
	// no account.
	Vendors map[string]PersonAccount `json:"vendors"`
}

// PersonAccount is a person's account in one vendor and how it stands.
type PersonAccount struct {
	// Account is how the scenario names it ("gis_joe", "jsmith"); empty
	// for none.
	Account string `json:"account,omitempty"`
	kit.AccountStatus
}

// People tells how each person of a session's scenario ("" the shared
// one) stands, in the scenario's order: computed from the vendors' states
// as they are now against the scenario, never kept beside them. A named
// session that does not exist is ErrNotFound and is not created.
func (e *Engine) People(session string) ([]Person, error) {
	if err := CheckSession(session); err != nil {
		return nil, err
	}
	loaded, now, ok := e.store.Views(session, e.VendorNames())
	if !ok {
		return nil, noSession(session)
	}
	ps, _ := loaded[peopleSlot].(*peopleState)
	if ps == nil {
		return []Person{}, nil
	}
	out := make([]Person, len(ps.list))
	for i, p := range ps.list {
		out[i] = Person{ID: p.id, Offboarded: true, Vendors: map[string]PersonAccount{}}
	}
	for _, v := range e.vendors {
		e.vendorStatus(v, ps, loaded[v.Name()], now[v.Name()], out)
	}
	return out, nil
}

// vendorStatus fills in one vendor's part of every person: one call to
// the vendor for all of its accounts.
func (e *Engine) vendorStatus(v *vendorEntry, ps *peopleState, loaded, now kit.State, out []Person) {
	var accounts []kit.Account
	var at []int
	for i, p := range ps.list {
		if a, ok := p.accounts[v.Name()]; ok {
			accounts = append(accounts, a)
			at = append(at, i)
		}
	}
	for i := range out {
		out[i].Vendors[v.Name()] = PersonAccount{AccountStatus: kit.AccountStatus{State: kit.AccountNone, Remaining: kit.NoneRemaining()}}
	}
	if len(accounts) == 0 || loaded == nil || now == nil {
		return
	}
	statuses := v.AccountStatus(accounts, loaded, now)
	for j, i := range at {
		st := statuses[j]
		if st.Remaining == nil {
			st.Remaining = kit.NoneRemaining()
		}
		out[i].Vendors[v.Name()] = PersonAccount{Account: accounts[j].Name(), AccountStatus: st}
		if st.State != kit.AccountGone || len(st.Remaining) > 0 {
			out[i].Offboarded = false
		}
	}
}

// Person tells how one person of a session's scenario stands.
func (e *Engine) Person(session, id string) (Person, error) {
	people, err := e.People(session)
	if err != nil {
		return Person{}, err
	}
	for _, p := range people {
		if p.ID == id {
			return p, nil
		}
	}
	return Person{}, errorf(ErrNotFound, "no person %q in the scenario's people", id)
}
