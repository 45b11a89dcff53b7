package huawei

import (
	"encoding/json"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// account is a person's membership of one workspace: the member's user id
// there, with its project and workspace.
type account struct {
	Project   string `yaml:"project"`
	Workspace string `yaml:"workspace"`
	Member    string `yaml:"member"`
}

func (a account) Name() string { return a.Project + "/" + a.Workspace + "/" + a.Member }
func (a account) Keys() []string {
	return []string{memberKey(a.Project, a.Workspace, a.Member)}
}

func memberKey(project, workspace, member string) string {
	return project + "/" + workspace + "/" + member
}

// Account implements kit.Accounts: {project, workspace, member}, or the
// three as "project/workspace/member" (what an export writes), a member of
// a workspace of the loaded scenario.
func (Vendor) Account(node *yaml.Node, field string, loaded kit.State) (kit.Account, error) {
	var a account
	if node != nil && node.Kind == yaml.ScalarNode {
		parts := strings.Split(node.Value, "/")
		if len(parts) == 3 {
			a = account{Project: parts[0], Workspace: parts[1], Member: parts[2]}
		}
	} else if err := kit.Decode(node, field, &a); err != nil {
		return nil, err
	}
	if a.Project == "" || a.Workspace == "" || a.Member == "" {
		return nil, kit.Errorf(node, field, "{project, workspace, member} or project/workspace/member: the member's user id in a workspace, all three")
	}
	st := loaded.(*State)
	p, ok := st.Projects.Get(a.Project)
	if !ok {
		return nil, kit.Errorf(kit.Find(node, "project"), field+".project", "no project %q in the scenario's huawei.projects", a.Project)
	}
	w, ok := p.Workspaces.Get(a.Workspace)
	if !ok {
		return nil, kit.Errorf(kit.Find(node, "workspace"), field+".workspace", "no workspace %q in project %s", a.Workspace, a.Project)
	}
	if !w.Users.Has(a.Member) {
		return nil, kit.Errorf(kit.Find(node, "member"), field+".member", "no member %q in workspace %s", a.Member, a.Workspace)
	}
	return a, nil
}

// AccountStatus implements kit.Accounts: a member of the workspace is
// active; one no longer in it (or whose workspace went) is gone. DataArts
// Studio has no disabled members.
func (Vendor) AccountStatus(accounts []kit.Account, _, now kit.State) []kit.AccountStatus {
	st := now.(*State)
	return kit.EachAccount(accounts, func(acc kit.Account, s *kit.AccountStatus) {
		a := acc.(account)
		if p, ok := st.Projects.Get(a.Project); ok {
			if w, ok := p.Workspaces.Get(a.Workspace); ok && w.Users.Has(a.Member) {
				s.State = kit.AccountActive
			}
		}
	})
}

// Subjects implements kit.Accounts: the members a request names, in the
// workspace its path names: in the path (a role change), or in the body
// (user_ids, strings to delete or objects to add).
func (Vendor) Subjects(r *kit.Request) []string {
	project, workspace := r.Params["project_id"], r.Params["workspace_id"]
	if project == "" || workspace == "" {
		return nil
	}
	var ids []string
	if id := r.Params["user_id"]; id != "" {
		ids = append(ids, id)
	}
	if len(r.Body) > 0 && strings.Contains(string(r.Body), "user_ids") {
		var body struct {
			UserIDs []json.RawMessage `json:"user_ids"`
		}
		if json.Unmarshal(r.Body, &body) == nil {
			for _, raw := range body.UserIDs {
				var id string
				var obj struct {
					UserID string `json:"user_id"`
				}
				if json.Unmarshal(raw, &id) == nil {
					ids = append(ids, id)
				} else if json.Unmarshal(raw, &obj) == nil && obj.UserID != "" {
					ids = append(ids, obj.UserID)
				}
			}
		}
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, memberKey(project, workspace, id))
	}
	return out
}
