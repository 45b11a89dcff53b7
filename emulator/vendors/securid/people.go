package securid

import (
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Account implements kit.Accounts: a person's account is a user id of the loaded scenario.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	return kit.IDAccount(node, field, "securid.users", loaded.(*State).Users.Has)
}

// AccountStatus implements kit.Accounts: Enabled is active, Disabled
// disabled, a deleted user gone; a user pending deletion, or whose
// identity source only the identity provider may change, says so in what
// remains, since either refuses the delete.
func (Vendor) AccountStatus(accounts []kit.Account, _, now kit.State) []kit.AccountStatus {
	st := now.(*State)
	return kit.EachAccount(accounts, func(a kit.Account, s *kit.AccountStatus) {
		u, ok := st.Users.Get(a.Name())
		if !ok {
			return
		}
		s.State = kit.AccountDisabled
		if u.UserStatus == StatusEnabled {
			s.State = kit.AccountActive
		}
		if u.MarkDeleted {
			s.Remaining = append(s.Remaining, "pending deletion (markDeleted): a delete now is refused with 409")
		}
		if scimManaged(u) {
			s.Remaining = append(s.Remaining, "identity source "+u.SourceType+" manages this user: only the identity provider may remove it (delete answers 405)")
		}
	})
}

// Subjects implements kit.Accounts: the user a request's path names.
func (Vendor) Subjects(r *kit.Request) []string { return kit.ParamSubjects(r, "userID") }
