package kit

import "gopkg.in/yaml.v3"

// Accounts is implemented by every vendor: how one person's account
// stands in its state, for the people view (a scenario's people section
// names, per vendor, a person's account). The answer is computed from the
// state each time it is asked, never kept beside it.
type Accounts interface {
	// Account reads what names a person's account (the value under the
	// vendor's key in the people section, field its dotted path) and
	// checks it against the state as loaded: a mistake is a *FieldError
	// at the node, as a section's are.
	Account(node *yaml.Node, field string, loaded State) (Account, error)
	// AccountStatus tells how each account stands now, in the order
	// given: loaded is the state the scenario made, now the session's
	// (which may be the same). One call for all of them, so that its cost
	// is the state's size once, not once a person.
	AccountStatus(accounts []Account, loaded, now State) []AccountStatus
	// Subjects lists the keys (Account.Keys) of the accounts a request is
	// about: the user it deletes, disables or looks up, the one ownership
	// moves to. It reads the request only, in time linear in its size.
	Subjects(r *Request) []string
}

// Account is a vendor's reading of one person's account.
type Account interface {
	// Name is how the scenario named it, for people to read.
	Name() string
	// Keys are what a request names the account by (an id, a user name):
	// what Subjects gives for a request about it.
	Keys() []string
}

// The states of an account.
const (
	AccountActive   = "active"   // can sign in or be used
	AccountDisabled = "disabled" // still there, but disabled or blocked
	AccountGone     = "gone"     // deleted
	AccountNone     = "none"     // the person has no account in the vendor
)

// AccountStatus is how one account stands.
type AccountStatus struct {
	State string `json:"state"`
	// Remaining is what still stands in the way of the person being gone,
	// or what should have moved and did not, in the vendor's words ("a
	// running container c-1", "alert Disk space low, owned by no one");
	// empty, never nil, when nothing remains.
	Remaining []string `json:"remaining"`
	// Moved is what the account owned at load and went to someone else,
	// and to whom ("alert Disk space low to kjones").
	Moved []string `json:"moved,omitempty"`
}

// NamedAccount is an account named by one string that requests name it
// by too (a user id, a user name): most vendors' accounts.
type NamedAccount string

// Name implements Account.
func (a NamedAccount) Name() string { return string(a) }

// Keys implements Account.
func (a NamedAccount) Keys() []string { return []string{string(a)} }

// ScalarAccount reads an account named by one string: the node must be a
// non-empty scalar.
func ScalarAccount(node *yaml.Node, field string) (string, error) {
	if node == nil || node.Kind != yaml.ScalarNode || node.Value == "" {
		return "", Errorf(node, field, "the account's name or id, a string")
	}
	return node.Value, nil
}

// IDAccount reads an account named by an id the loaded state has (has
// says so); where names the table it must be in, for the mistake.
func IDAccount(node *yaml.Node, field, where string, has func(id string) bool) (Account, error) {
	id, err := ScalarAccount(node, field)
	if err != nil {
		return nil, err
	}
	if !has(id) {
		return nil, Errorf(node, field, "no user %q in the scenario's %s", id, where)
	}
	return NamedAccount(id), nil
}

// ParamSubjects is Subjects for a vendor whose requests name a user in
// one path parameter.
func ParamSubjects(r *Request, param string) []string {
	if id := r.Params[param]; id != "" {
		return []string{id}
	}
	return nil
}

// EachAccount makes AccountStatus of a vendor whose accounts stand on
// their own: each starts gone with nothing remaining, and fn fills in the
// account it finds.
func EachAccount(accounts []Account, fn func(a Account, s *AccountStatus)) []AccountStatus {
	out := make([]AccountStatus, len(accounts))
	for i, a := range accounts {
		out[i] = AccountStatus{State: AccountGone, Remaining: NoneRemaining()}
		fn(a, &out[i])
	}
	return out
}

// NoneRemaining is an empty list of what remains, which a status shows
// as [] rather than null.
func NoneRemaining() []string { return []string{} }
