package commvault

import (
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// account is a person's CommCell user: its id, and its name as requests
// may name it (byName, in any case).
type account struct {
	id   int
	name string
}

func (a account) Name() string   { return a.name }
func (a account) Keys() []string { return []string{strconv.Itoa(a.id), nameKey(a.name)} }

func nameKey(name string) string { return "name:" + foldName(name) }

// Account implements kit.Accounts: a person's Commvault account is a user
// of the loaded scenario, by name or by id.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	ref, err := kit.ScalarAccount(node, field)
	if err != nil {
		return nil, err
	}
	st := loaded.(*State)
	if id, ok := st.userByName(ref); ok {
		u, _ := st.Users.Get(id)
		return account{id, u.Name}, nil
	}
	if id, err := strconv.Atoi(ref); err == nil {
		if u, ok := st.Users.Get(id); ok {
			return account{id, u.Name}, nil
		}
	}
	return nil, kit.Errorf(node, field, "no Commvault user named or numbered %q in the scenario's commvault.users", ref)
}

// entityLabels are the owned-entity tables as people read them.
var entityLabels = map[string]string{"alerts": "alert", "schedulePolicies": "schedule policy", "workflows": "workflow"}

// AccountStatus implements kit.Accounts: a user is active, disabled, or
// gone. What it owned at load and still owns remains (ownership should
// move before it goes), as do its group memberships; what it owned and
// another user or group now owns has moved, to them; what it owned and
// no one that exists owns now was left without an owner.
func (Vendor) AccountStatus(accounts []kit.Account, loaded, now kit.State) []kit.AccountStatus {
	st, was := now.(*State), loaded.(*State)
	out := make([]kit.AccountStatus, len(accounts))
	for i, acc := range accounts {
		a := acc.(account)
		s := kit.AccountStatus{State: kit.AccountGone, Remaining: kit.NoneRemaining()}
		if u, ok := st.Users.Get(a.id); ok {
			s.State = kit.AccountActive
			if u.Disabled {
				s.State = kit.AccountDisabled
			}
		}
		out[i] = s
	}
	// One pass over each owned-entity table for every account.
	at := map[int]int{}
	for i, acc := range accounts {
		at[acc.(account).id] = i
	}
	for _, kind := range was.entityKinds() {
		label := entityLabels[kind.name]
		nowOwners := st.tableOf(kind.name)
		for _, name := range kind.owners.Keys() {
			owner, _ := kind.owners.Get(name)
			i, ours := at[owner.User]
			if owner.User == 0 || !ours {
				continue
			}
			cur, exists := nowOwners.Get(name)
			switch {
			case !exists:
				// The entity itself went: nothing to own.
			case cur.User == owner.User && st.Users.Has(owner.User):
				out[i].Remaining = append(out[i].Remaining, label+" "+name+" (owned still: ownership moves before the user goes)")
			case st.ownerName(cur) != "":
				out[i].Moved = append(out[i].Moved, label+" "+name+" to "+st.ownerName(cur))
			default:
				out[i].Remaining = append(out[i].Remaining, label+" "+name+", owned by no one")
			}
		}
	}
	for _, gid := range st.Groups.Keys() {
		g, _ := st.Groups.Get(gid)
		for _, uid := range g.Users {
			if i, ok := at[uid]; ok && st.Users.Has(uid) {
				out[i].Remaining = append(out[i].Remaining, "member of user group "+g.Name)
			}
		}
	}
	return out
}

// tableOf is an owned-entity table by its JSON name.
func (st *State) tableOf(name string) interface {
	Get(string) (Owner, bool)
} {
	for _, kind := range st.entityKinds() {
		if kind.name == name {
			return kind.owners
		}
	}
	return nil
}

// ownerName names an existing owner ("user kjones", "user group Tenant
// Admins"), or "" for one that does not exist.
func (st *State) ownerName(o Owner) string {
	if u, ok := st.Users.Get(o.User); ok && o.User != 0 {
		return "user " + u.Name
	}
	if g, ok := st.Groups.Get(o.Group); ok && o.Group != 0 {
		return "user group " + g.Name
	}
	return ""
}

// Subjects implements kit.Accounts: the user a request's path names (by
// id or byName) and the user ownership moves to.
func (Vendor) Subjects(r *kit.Request) []string {
	var out []string
	for _, raw := range []string{r.Params["userId"], first(r.Query["newUserId"])} {
		if raw == "" || raw == "0" {
			continue
		}
		if name, ok, err := byName(raw, "userName"); ok {
			if err == nil && name != "" {
				out = append(out, nameKey(name))
			}
			continue
		}
		out = append(out, strings.TrimSpace(raw))
	}
	return slices.Compact(out)
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
