package commvault

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

type groupsResponse struct {
	Groups []groupInfo `json:"userGroups"`
}

type groupEntity struct {
	ID   int    `json:"userGroupId"`
	Name string `json:"userGroupName"`
}

// groupInfo is a group as GET UserGroup answers it; its members are the
// objects cvpysdk's UserGroup.users reads (user['userName']).
type groupInfo struct {
	Entity      groupEntity   `json:"userGroupEntity"`
	Description string        `json:"description"`
	Users       []entity      `json:"users"`
	Owned       ownedEntities `json:"ownedEntities"`
}

func (st *State) groupInfo(id int, g *Group, owned ownership) groupInfo {
	info := groupInfo{Entity: groupEntity{ID: id, Name: g.Name}, Description: g.Description,
		Users: []entity{}, Owned: owned.of(Owner{Group: id})}
	for _, uid := range slices.Sorted(slices.Values(g.Users)) {
		if u, ok := st.Users.Get(uid); ok {
			info.Users = append(info.Users, entity{UserID: uid, UserName: u.Name, UserGUID: guid(uid)})
		}
	}
	return info
}

func (g groupsResponse) writeXML(w *xmlWriter) {
	w.start("App_GetUserGroupsResponse")
	for _, info := range g.Groups {
		w.start("userGroups", "description", info.Description)
		w.leaf("userGroupEntity", "userGroupId", strconv.Itoa(info.Entity.ID), "userGroupName", info.Entity.Name)
		for _, u := range info.Users {
			w.leaf("users", "userId", strconv.Itoa(u.UserID), "userName", u.UserName, "userGUID", u.UserGUID)
		}
		info.Owned.writeXML(w)
		w.end("userGroups")
	}
	w.end("App_GetUserGroupsResponse")
}

func (Vendor) listUserGroups(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	out := groupsResponse{Groups: []groupInfo{}}
	owned := st.ownership()
	for id, g := range st.Groups.All() {
		out.Groups = append(out.Groups, st.groupInfo(id, g, owned))
	}
	return render(r, http.StatusOK, out), nil
}

// findGroup resolves an id or byName(userGroupName='...') to a group.
func (st *State) findGroup(raw string) (int, error) {
	if name, ok, err := byName(raw, "userGroupName"); ok || err != nil {
		if err == nil {
			if id, found := st.groupByName(name); found {
				return id, nil
			}
		}
	} else if n, err := strconv.Atoi(raw); err == nil && st.Groups.Has(n) {
		return n, nil
	}
	return 0, fmt.Errorf("User group [%s] does not exist.", raw)
}

// getUserGroup answers {"userGroups":[{...}]}: cvpysdk reads it before a
// delete that moves ownership to a group, and raises when it is missing.
func (Vendor) getUserGroup(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id, err := st.findGroup(r.Params["userGroupId"])
	if err != nil {
		return render(r, http.StatusOK, genericResponse{ErrorCode: 2, ErrorString: err.Error()}), nil
	}
	g, _ := st.Groups.Get(id)
	return render(r, http.StatusOK, groupsResponse{Groups: []groupInfo{st.groupInfo(id, g, st.ownership())}}), nil
}

// operation is a membership change as cvpysdk sends it: a number (its
// NONE 0, OVERWRITE 1, ADD or UPDATE 2, DELETE 3, CLEAR 4) or, from the
// XML API, the name.
type operation int

const (
	opNone operation = iota
	opOverwrite
	opAdd
	opDelete
	opClear
)

func (o *operation) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*o = operation(n)
		return nil
	}
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	switch strings.ToUpper(name) {
	case "NONE", "":
		*o = opNone
	case "OVERWRITE":
		*o = opOverwrite
	case "ADD", "UPDATE":
		*o = opAdd
	case "DELETE":
		*o = opDelete
	case "CLEAR":
		*o = opClear
	default:
		return fmt.Errorf("unknown operation %q", name)
	}
	return nil
}

// groupIDs resolves {"userGroupName"} or {"userGroupId"} references.
func (st *State) groupIDs(refs []map[string]any) ([]int, error) {
	var out []int
	for _, ref := range refs {
		if name, _ := ref["userGroupName"].(string); name != "" {
			id, ok := st.groupByName(name)
			if !ok {
				return nil, fmt.Errorf("User group [%s] does not exist.", name)
			}
			out = append(out, id)
			continue
		}
		if n, ok := ref["userGroupId"].(float64); ok {
			if !st.Groups.Has(int(n)) {
				return nil, fmt.Errorf("User group with id [%d] does not exist.", int(n))
			}
			out = append(out, int(n))
		}
	}
	return out, nil
}

// changeMembership applies a user's group operation: add to, remove from,
// become a member of exactly, or leave every group.
func (st *State) changeMembership(user int, op operation, groups []int) {
	for gid, g := range st.Groups.Unordered() {
		in := slices.Contains(g.Users, user)
		if want := op.member(in, slices.Contains(groups, gid)); want != in {
			st.setMember(gid, user, want)
		}
	}
}

// member tells whether a membership stands after the operation: in says
// whether it stands now, named whether the request names it.
func (op operation) member(in, named bool) bool {
	switch op {
	case opAdd:
		return in || named
	case opDelete:
		return in && !named
	case opOverwrite:
		return named
	case opClear:
		return false
	}
	return in
}

// setMembers applies a group's member operation to every user at once, in
// time linear in the users and members: the members that stay keep their
// order, those added follow by id.
func (st *State) setMembers(gid int, op operation, named map[int]bool) {
	g, _ := st.Groups.Get(gid)
	members := make(map[int]bool, len(g.Users))
	for _, u := range g.Users {
		members[u] = true
	}
	var added []int
	removed := map[int]bool{}
	for uid := range st.Users.Unordered() {
		switch want := op.member(members[uid], named[uid]); {
		case want && !members[uid]:
			added = append(added, uid)
		case !want && members[uid]:
			removed[uid] = true
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return
	}
	mg, _ := st.Groups.Mut(gid)
	kept := slices.DeleteFunc(slices.Clone(mg.Users), func(u int) bool { return removed[u] })
	slices.Sort(added)
	mg.Users = append(kept, added...)
}

// setMember adds a user to a group or removes it.
func (st *State) setMember(gid, user int, member bool) {
	g, _ := st.Groups.Mut(gid)
	if member {
		g.Users = append(g.Users, user)
	} else {
		g.Users = slices.DeleteFunc(g.Users, func(u int) bool { return u == user })
	}
}

// groupRequest is POST UserGroup/{id}'s body, as cvpysdk's
// UserGroup._send_request sends it.
type groupRequest struct {
	Groups []struct {
		Description *string   `json:"description"`
		UsersOp     operation `json:"usersOperationType"`
		Users       []struct {
			UserName string `json:"userName"`
			UserID   int    `json:"userId"`
		} `json:"users"`
	} `json:"groups"`
}

// modifyUserGroup changes a group's members (overwrite, add, delete) and
// description; cvpysdk reads response[0].errorCode.
func (Vendor) modifyUserGroup(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	gid, err := st.findGroup(r.Params["userGroupId"])
	if err != nil {
		return userAnswer(r, 2, "Failed to update user group properties. "+err.Error(), 0, ""), nil
	}
	var req groupRequest
	if err := json.Unmarshal(r.Body, &req); err != nil || len(req.Groups) == 0 {
		return kit.Response{}, badRequest("the body is not {\"groups\":[{...}]}")
	}
	in := req.Groups[0]
	named := make(map[int]bool, len(in.Users))
	byName := st.nameIndex(len(in.Users))
	for _, u := range in.Users {
		id, ok := u.UserID, st.Users.Has(u.UserID)
		if u.UserName != "" {
			id, ok = byName(u.UserName)
		}
		if !ok {
			return userAnswer(r, 2, fmt.Sprintf("Failed to update user group properties. User [%s] does not exist.", cmpName(u.UserName, u.UserID)), 0, ""), nil
		}
		named[id] = true
	}
	st.setMembers(gid, in.UsersOp, named)
	if in.Description != nil {
		mg, _ := st.Groups.Mut(gid)
		mg.Description = *in.Description
	}
	return userAnswer(r, 0, "", 0, ""), nil
}

func cmpName(name string, id int) string {
	if name != "" {
		return name
	}
	return strconv.Itoa(id)
}
