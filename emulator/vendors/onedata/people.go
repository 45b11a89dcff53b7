package onedata

import (
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Account implements kit.Accounts: a person's account is a user id of the loaded scenario.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	return kit.IDAccount(node, field, "onedata.users", loaded.(*State).Users.Has)
}

// AccountStatus implements kit.Accounts: a user is active, disabled while
// its access is blocked, or gone. Tokens that acted for a removed user
// stay, and are refused (tokenInvalid): nothing remains of them.
func (Vendor) AccountStatus(accounts []kit.Account, _, now kit.State) []kit.AccountStatus {
	st := now.(*State)
	return kit.EachAccount(accounts, func(a kit.Account, s *kit.AccountStatus) {
		if u, ok := st.Users.Get(a.Name()); ok {
			s.State = kit.AccountActive
			if u.Blocked {
				s.State = kit.AccountDisabled
			}
		}
	})
}

// Subjects implements kit.Accounts: the user a request's path names.
func (Vendor) Subjects(r *kit.Request) []string { return kit.ParamSubjects(r, "id") }
