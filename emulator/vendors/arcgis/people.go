package arcgis

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// account is a person's notebook workspace, by user name, and the
// containers it ran at load (a request about one is about its owner).
type account struct {
	name       string
	containers []string
}

func (a account) Name() string { return a.name }

func (a account) Keys() []string {
	keys := []string{a.name}
	for _, c := range a.containers {
		keys = append(keys, containerKey(c))
	}
	return keys
}

func containerKey(id string) string { return "container:" + id }

// Account implements kit.Accounts: a person's ArcGIS account is the user
// name of a workspace (or a portal login) of the loaded scenario.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	name, err := kit.ScalarAccount(node, field)
	if err != nil {
		return nil, err
	}
	st := loaded.(*State)
	w, ok := st.Users.Get(name)
	if !ok && !st.Logins.Has(name) {
		return nil, kit.Errorf(node, field, "no ArcGIS user %q in the scenario's arcgis.users or arcgis.logins", name)
	}
	a := account{name: name}
	if ok {
		a.containers = slices.Clone(w.Containers)
	}
	return a, nil
}

// AccountStatus implements kit.Accounts: a user with a workspace is
// active (disabled when its portal login is); without one, gone. Running
// containers remain, since they refuse the delete; a workspace moved into
// another user's says where it went.
func (Vendor) AccountStatus(accounts []kit.Account, loaded, now kit.State) []kit.AccountStatus {
	st, was := now.(*State), loaded.(*State)
	// Where each workspace went: the users whose folders grew since load.
	movedTo := map[string][]string{}
	for user, w := range st.Users.All() {
		before, _ := was.Users.Get(user)
		for _, f := range w.Folders {
			if before == nil || !slices.Contains(before.Folders, f) {
				movedTo[f] = append(movedTo[f], user)
			}
		}
	}
	out := make([]kit.AccountStatus, len(accounts))
	for i, acc := range accounts {
		name := acc.Name()
		s := kit.AccountStatus{State: kit.AccountGone, Remaining: kit.NoneRemaining()}
		if w, ok := st.Users.Get(name); ok {
			s.State = kit.AccountActive
			if l, ok := st.Logins.Get(name); ok && l.Disabled {
				s.State = kit.AccountDisabled
			}
			for _, c := range w.Containers {
				s.Remaining = append(s.Remaining, "a running container "+c+" (the delete is refused until it is terminated)")
			}
		} else if l, ok := st.Logins.Get(name); ok && !was.Users.Has(name) {
			// A portal login without a workspace: nothing to delete here.
			s.State = kit.AccountActive
			if l.Disabled {
				s.State = kit.AccountDisabled
			}
		}
		for _, to := range movedTo[name] {
			s.Moved = append(s.Moved, "workspace to "+to+" (a folder "+name+")")
		}
		out[i] = s
	}
	return out
}

// Subjects implements kit.Accounts: the user a request names (userName,
// the transfer's target, a community user) and the container it acts on.
func (Vendor) Subjects(r *kit.Request) []string {
	var out []string
	for _, v := range []string{r.Value("userName"), firstValue(r, "targetUsername", "transferUserName"), r.Params["username"]} {
		if v != "" {
			out = append(out, v)
		}
	}
	if c := r.Params["containerId"]; c != "" {
		out = append(out, containerKey(c))
	}
	return out
}
