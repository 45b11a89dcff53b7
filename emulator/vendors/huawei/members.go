package huawei

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/offboard/offboard/emulator/kit"
)

// memberRequest is the body of "Adding a Workspace User" (AddWorkSpaceUsers)
// and of the role change, as Huawei's terraform provider sends both:
// type 0 (users) or 1 (groups), user_ids, groups, roles_ids.
type memberRequest struct {
	Type    *int `json:"type"`
	UserIDs []struct {
		UserID        string `json:"user_id"`
		UserName      string `json:"user_name"`
		DomainID      string `json:"domain_id"`
		DomainName    string `json:"domain_name"`
		IsDomainOwner any    `json:"is_domain_owner"` // the page's example sends "false", a string
	} `json:"user_ids"`
	Groups []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"groups"`
	RolesIDs []struct {
		RoleID string `json:"role_id"`
	} `json:"roles_ids"`
}

// roles reads roles_ids into role codes.
func (req *memberRequest) roles() ([]string, error) {
	if len(req.RolesIDs) == 0 {
		return nil, badRequest("roles_ids is required")
	}
	var codes []string
	for _, r := range req.RolesIDs {
		wr, ok := roleByID(r.RoleID)
		if !ok {
			return nil, badRequest(fmt.Sprintf("role %s does not exist", r.RoleID))
		}
		if !slices.Contains(codes, wr.Code) {
			codes = append(codes, wr.Code)
		}
	}
	return codes, nil
}

// readMembers reads an add or update body and its role codes, which both
// require.
func readMembers(r *kit.Request) (*memberRequest, []string, error) {
	var req memberRequest
	if err := json.Unmarshal(r.Body, &req); err != nil {
		return nil, nil, badRequest("request body is not valid JSON")
	}
	codes, err := req.roles()
	if err != nil {
		return nil, nil, err
	}
	return &req, codes, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	}
	return false
}

// caller names who a request acts as, for create_user and update_user.
func (st *State) caller(r *kit.Request) string {
	if t, ok := st.Tokens.Get(r.Header.Get("X-Auth-Token")); ok && t.User != "" {
		return t.User
	}
	if sig, ok := parseSignature(r.Header.Get("Authorization")); ok {
		if k, ok := st.AccessKeys.Get(sig.access); ok && k.User != "" {
			return k.User
		}
	}
	return "api"
}

// addUsers adds users (type 0) to a workspace with the given roles; all
// or none, as the delete. An id already a member is a 400.
func (Vendor) addUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	w, err := st.workspace(r, false)
	if err != nil {
		return kit.Response{}, err
	}
	req, codes, err := readMembers(r)
	if err != nil {
		return kit.Response{}, err
	}
	if req.Type == nil {
		return kit.Response{}, badRequest("type is required")
	}
	if *req.Type != 0 {
		return kit.Response{}, badRequest("adding user groups (type 1) is not emulated")
	}
	if len(req.UserIDs) == 0 {
		return kit.Response{}, badRequest("user_ids is required for type 0")
	}
	wid := r.Params["workspace_id"]
	for _, u := range req.UserIDs {
		switch {
		case u.UserID == "":
			return kit.Response{}, badRequest("user_id is required")
		case w.Users.Has(u.UserID):
			return kit.Response{}, badRequest(fmt.Sprintf("user %s is already a member of workspace %s", u.UserID, wid))
		}
	}
	w, _ = st.workspace(r, true)
	by := st.caller(r)
	for _, u := range req.UserIDs {
		w.Users.Set(u.UserID, &Member{ID: membershipID(wid, u.UserID), Name: u.UserName, DisplayName: u.UserName,
			DomainID: u.DomainID, DomainName: u.DomainName, DomainOwner: truthy(u.IsDomainOwner),
			Roles: slices.Clone(codes), Created: r.Now, CreatedBy: by})
	}
	return documented(http.StatusOK, result{IsSuccess: true}), nil
}

// updateUser sets a member's roles (PUT .../users/{user_id}, the body
// of the add).
func (Vendor) updateUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	w, err := st.workspace(r, false)
	if err != nil {
		return kit.Response{}, err
	}
	id := r.Params["user_id"]
	if !w.Users.Has(id) {
		return kit.Response{}, badRequest(fmt.Sprintf("user %s is not a member of workspace %s", id, r.Params["workspace_id"]))
	}
	_, codes, err := readMembers(r)
	if err != nil {
		return kit.Response{}, err
	}
	w, _ = st.workspace(r, true)
	m, _ := w.Users.Mut(id)
	m.Roles, m.Updated, m.UpdatedBy = codes, r.Now, st.caller(r)
	return documented(http.StatusOK, result{IsSuccess: true}), nil
}

// listRoles is ListWorkspaceRoles: an array of ApigRoleVo.
func (Vendor) listRoles(_ *kit.Request, _ kit.State) (kit.Response, error) {
	out := make([]role, len(workspaceRoles))
	for i, r := range workspaceRoles {
		out[i] = roleVo(r)
	}
	return documented(http.StatusOK, out), nil
}
