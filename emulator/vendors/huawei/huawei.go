// Package huawei emulates the workspace-user part of Huawei Cloud DataArts
// Studio behind Huawei's API gateway (token and AK/SK authentication).
package huawei

import (
	"fmt"
	"net/http"
	"strconv"

	jsonv1 "github.com/go-json-experiment/json/v1"

	"github.com/offboard/offboard/emulator/kit"
)

// Vendor is the DataArts Studio emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "huawei" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"deleteWorkspaceUsers":    v.deleteUsers,
		"listWorkspaceUsers":      v.listUsers,
		"addWorkspaceUsers":       v.addUsers,
		"updateWorkspaceUserRole": v.updateUser,
		"listWorkspaceRoles":      v.listRoles,
	}
}

// workspace finds the request's workspace, to read it or, with write,
// as a copy this session owns.
func (st *State) workspace(r *kit.Request, write bool) (*Workspace, error) {
	pid, wid := r.Params["project_id"], r.Params["workspace_id"]
	p, ok := st.Projects.Get(pid)
	if !ok {
		return nil, badRequest(fmt.Sprintf("project %s does not exist", pid))
	}
	w, ok := p.Workspaces.Get(wid)
	if !ok {
		return nil, badRequest(fmt.Sprintf("workspace %s does not exist", wid))
	}
	if write {
		p, _ = st.Projects.Mut(pid)
		w, _ = p.Workspaces.Mut(wid)
	}
	return w, nil
}

type result struct {
	Message   *string `json:"message"`
	IsSuccess bool    `json:"is_success"`
}

// deleteUsers removes every listed member, or none: an unknown id fails
// the whole request before anything changes.
func (Vendor) deleteUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	w, err := s.(*State).workspace(r, false)
	if err != nil {
		return kit.Response{}, err
	}
	var req struct {
		UserIDs []string `json:"user_ids"`
	}
	// encoding/json's semantics on the v2 engine: the body every delete
	// decodes costs half the time and a quarter of the allocations.
	if err := jsonv1.Unmarshal(r.Body, &req); err != nil {
		return kit.Response{}, badRequest("request body is not valid JSON")
	}
	for _, id := range req.UserIDs {
		if !w.Users.Has(id) {
			return kit.Response{}, badRequest("user " + id + " is not a member of workspace " + r.Params["workspace_id"])
		}
	}
	if w.RejectDeletes != "" {
		msg := w.RejectDeletes
		return documented(http.StatusOK, result{Message: &msg}).Refused("is_success false", msg), nil
	}
	w, _ = s.(*State).workspace(r, true)
	for _, id := range req.UserIDs {
		w.Users.Delete(id)
	}
	return documented(http.StatusOK, result{IsSuccess: true}), nil
}

// role is ApigRoleVo (ListWorkspaceRoles): role_id, role_code,
// role_name, description.
type role struct {
	RoleID      string `json:"role_id"`
	RoleCode    string `json:"role_code"`
	RoleName    string `json:"role_name"`
	Description string `json:"description"`
}

func roleVo(r workspaceRole) role {
	return role{RoleID: r.ID, RoleCode: r.Code, RoleName: r.Name, Description: r.Description}
}

type user struct {
	ID              string `json:"id"`
	UserID          string `json:"user_id"`
	UserName        string `json:"user_name"`
	DomainID        string `json:"domain_id"`
	DomainName      string `json:"domain_name"`
	DisplayUserName string `json:"display_user_name"`
	DomainOwner     bool   `json:"domain_owner"`
	Description     string `json:"description"`
	WorkspaceID     string `json:"workspace_id"`
	Roles           []role `json:"roles"`
	CreateTime      int64  `json:"create_time"`
	CreateUser      string `json:"create_user"`
	UpdateTime      int64  `json:"update_time"`
	UpdateUser      string `json:"update_user"`
	Type            int    `json:"type"`
}

func (Vendor) listUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	w, err := s.(*State).workspace(r, false)
	if err != nil {
		return kit.Response{}, err
	}
	ids := w.Users.Keys()
	// The spec has validated both (limit 1 to 100, offset 0 or more); an
	// offset past the members, however large, is an empty page.
	limit, offset := 10, 0
	if v := r.Query.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if v := r.Query.Get("offset"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n > len(ids) {
			offset = len(ids) // past any int, or past the members
		} else {
			offset = n
		}
	}
	limit = max(limit, 1)
	start := min(max(offset, 0), len(ids))
	end := start + min(limit, len(ids)-start)
	page := struct {
		Count     int    `json:"count"`
		TotalPage int    `json:"total_page"`
		Data      []user `json:"data"`
	}{Count: len(ids), TotalPage: (len(ids) + limit - 1) / limit, Data: []user{}}
	for _, id := range ids[start:end] {
		m, _ := w.Users.Get(id)
		u := user{ID: m.ID, UserID: id, UserName: m.Name, DomainID: m.DomainID, DomainName: m.DomainName,
			DisplayUserName: m.DisplayName, DomainOwner: m.DomainOwner, Description: m.Description,
			WorkspaceID: r.Params["workspace_id"], Roles: []role{}, CreateTime: m.Created.UnixMilli(),
			CreateUser: m.CreatedBy, UpdateTime: m.updated().UnixMilli(), UpdateUser: m.updatedBy()}
		for _, code := range m.Roles {
			wr, _ := roleByCode(code)
			u.Roles = append(u.Roles, roleVo(wr))
		}
		page.Data = append(page.Data, u)
	}
	return documented(http.StatusOK, page), nil
}

// documented lays a body out as the vendor's documentation shows it:
// Jackson's pretty printer with the indentation the pages drop.
func documented(status int, v any) kit.Response {
	pretty, err := kit.JacksonPretty(kit.Compact(v))
	if err != nil {
		panic(err) // our own types always encode
	}
	// Drop each line's indentation, in place.
	out := pretty[:0]
	atLineStart := false
	for _, c := range pretty {
		if atLineStart && c == ' ' {
			continue
		}
		atLineStart = c == '\n'
		out = append(out, c)
	}
	resp := kit.Raw(status, kit.ContentJSON, out)
	resp.SetHeader("X-Request-Id", requestID()) // the gateway tags every answer
	return resp
}
