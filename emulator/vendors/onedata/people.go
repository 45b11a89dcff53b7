package onedata

import (
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Account implements kit.Accounts: a person's Onezone account is a user
// id of the loaded scenario.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	id, err := kit.ScalarAccount(node, field)
	if err != nil {
		return nil, err
	}
	if !loaded.(*State).Users.Has(id) {
		return nil, kit.Errorf(node, field, "no Onezone user %q in the scenario's onedata.users", id)
	}
	return kit.NamedAccount(id), nil
}

// AccountStatus implements kit.Accounts: a user is active, disabled while
// its access is blocked, or gone. Tokens that acted for a removed user
// stay, and are refused (tokenInvalid): nothing remains of them.
func (Vendor) AccountStatus(accounts []kit.Account, _, now kit.State) []kit.AccountStatus {
	st := now.(*State)
	out := make([]kit.AccountStatus, len(accounts))
	for i, a := range accounts {
		out[i] = kit.AccountStatus{State: kit.AccountGone, Remaining: kit.NoneRemaining()}
		if u, ok := st.Users.Get(a.Name()); ok {
			out[i].State = kit.AccountActive
			if u.Blocked {
				out[i].State = kit.AccountDisabled
			}
		}
	}
	return out
}

// Subjects implements kit.Accounts: the user a request's path names.
func (Vendor) Subjects(r *kit.Request) []string {
	if id := r.Params["id"]; id != "" {
		return []string{id}
	}
	return nil
}
