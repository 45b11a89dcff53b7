package securid

import (
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Account implements kit.Accounts: a person's identity is a user id of
// the loaded scenario.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	id, err := kit.ScalarAccount(node, field)
	if err != nil {
		return nil, err
	}
	if !loaded.(*State).Users.Has(id) {
		return nil, kit.Errorf(node, field, "no SecurID user %q in the scenario's securid.users", id)
	}
	return kit.NamedAccount(id), nil
}

// AccountStatus implements kit.Accounts: Enabled is active, Disabled
// disabled, a deleted user gone; a user pending deletion, or whose
// identity source only the identity provider may change, says so in what
// remains, since either refuses the delete.
func (Vendor) AccountStatus(accounts []kit.Account, _, now kit.State) []kit.AccountStatus {
	st := now.(*State)
	out := make([]kit.AccountStatus, len(accounts))
	for i, a := range accounts {
		out[i] = kit.AccountStatus{State: kit.AccountGone, Remaining: kit.NoneRemaining()}
		u, ok := st.Users.Get(a.Name())
		if !ok {
			continue
		}
		out[i].State = kit.AccountDisabled
		if u.UserStatus == StatusEnabled {
			out[i].State = kit.AccountActive
		}
		if u.MarkDeleted {
			out[i].Remaining = append(out[i].Remaining, "pending deletion (markDeleted): a delete now is refused with 409")
		}
		if scimManaged(u) {
			out[i].Remaining = append(out[i].Remaining, "identity source "+u.SourceType+" manages this user: only the identity provider may remove it (delete answers 405)")
		}
	}
	return out
}

// Subjects implements kit.Accounts: the user a request's path names.
func (Vendor) Subjects(r *kit.Request) []string {
	if id := r.Params["userID"]; id != "" {
		return []string{id}
	}
	return nil
}
