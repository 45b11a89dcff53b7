package commvault

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// getService answers cvpysdk's probe: it sends GET {root}/ and goes on to
// Login only on HTTP 200 (cvpysdk.py, _is_valid_service).
func (Vendor) getService(r *kit.Request, _ kit.State) (kit.Response, error) {
	return kit.Raw(http.StatusOK, "text/plain;charset=utf-8", []byte("Commvault REST API\n")), nil
}

// userIndex is what a user's answer gathers from other tables: what each
// owner owns and each user's groups, made once per request.
type userIndex struct {
	owned  ownership
	groups map[int][]groupRef
}

func (st *State) userIndex() userIndex {
	idx := userIndex{owned: st.ownership(), groups: map[int][]groupRef{}}
	for gid, g := range st.Groups.All() {
		for _, uid := range g.Users {
			idx.groups[uid] = append(idx.groups[uid], groupRef{ID: gid, Name: g.Name})
		}
	}
	return idx
}

func (idx userIndex) userInfo(id int, u *User) userInfo {
	info := userInfo{Entity: entity{UserID: id, UserName: u.Name, UserGUID: guid(id)}, Email: u.Email,
		FullName: u.FullName, Description: u.Description, EnableUser: !u.Disabled, IsAccountLocked: u.Locked,
		Groups: idx.groups[id], Owned: idx.owned.of(Owner{User: id})}
	if info.Groups == nil {
		info.Groups = []groupRef{}
	}
	return info
}

func (Vendor) listUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	idx := st.userIndex()
	out := usersResponse{Users: []userInfo{}}
	for id, u := range st.Users.All() {
		out.Users = append(out.Users, idx.userInfo(id, u))
	}
	return render(r, http.StatusOK, out), nil
}

// getUser is "GET User Properties": by id (cvpysdk adds ?Level=50) or by
// byName(userName='...'), answering {"users":[{...}]}. An unknown user is
// HTTP 200 with errorCode 2, as the API's other refusals.
func (Vendor) getUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id, err := st.findUser(r.Params["userId"])
	if err != nil {
		return render(r, http.StatusOK, genericResponse{ErrorCode: 2, ErrorString: err.Error()}), nil
	}
	u, _ := st.Users.Get(id)
	return render(r, http.StatusOK, usersResponse{Users: []userInfo{st.userIndex().userInfo(id, u)}}), nil
}

// findUser resolves an id or byName(userName='...') to a user.
func (st *State) findUser(raw string) (int, error) {
	if name, ok, err := byName(raw, "userName"); ok || err != nil {
		if err != nil {
			return 0, fmt.Errorf("Invalid user [%s]: %v.", raw, err)
		}
		id, found := st.userByName(name)
		if !found {
			return 0, fmt.Errorf("User [%s] does not exist.", name)
		}
		return id, nil
	}
	id, err := strconv.Atoi(raw)
	if err != nil || !st.Users.Has(id) {
		return 0, fmt.Errorf("User with id [%s] does not exist.", raw)
	}
	return id, nil
}

// userRequest is the body of create and modify, as cvpysdk sends it:
// {"users":[{...}]}.
type userRequest struct {
	Users []struct {
		UserEntity struct {
			UserName string `json:"userName"`
		} `json:"userEntity"`
		Email                  *string          `json:"email"`
		FullName               *string          `json:"fullName"`
		Description            *string          `json:"description"`
		Password               *string          `json:"password"` // base64
		EnableUser             *bool            `json:"enableUser"`
		SystemGeneratePassword bool             `json:"systemGeneratePassword"`
		GroupsOperation        operation        `json:"associatedUserGroupsOperationType"`
		AssociatedUserGroups   []map[string]any `json:"associatedUserGroups"`
	} `json:"users"`
}

func readUserRequest(r *kit.Request) (*userRequest, error) {
	var req userRequest
	if err := json.Unmarshal(r.Body, &req); err != nil || len(req.Users) == 0 {
		return nil, badRequest("the body is not {\"users\":[{...}]}")
	}
	return &req, nil
}

// modifyUser is POST User/{id}: enableUser (the disable step of
// offboarding), email, fullName, description, password. cvpysdk reads
// response[0].errorCode and errorString.
func (Vendor) modifyUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	id, err := st.findUser(r.Params["userId"])
	if err != nil {
		return userAnswer(r, 2, "Failed to update user properties. "+err.Error(), 0, ""), nil
	}
	req, err := readUserRequest(r)
	if err != nil {
		return kit.Response{}, err
	}
	in := req.Users[0]
	var password []byte
	if in.Password != nil {
		if password, err = base64.StdEncoding.DecodeString(*in.Password); err != nil {
			return userAnswer(r, 2, "Failed to update user properties. The password must be base64-encoded.", 0, ""), nil
		}
	}
	groups, err := st.groupIDs(in.AssociatedUserGroups)
	if err != nil {
		return userAnswer(r, 2, "Failed to update user properties. "+err.Error(), 0, ""), nil
	}
	if len(groups) > 0 || in.GroupsOperation == opOverwrite || in.GroupsOperation == opClear {
		st.changeMembership(id, in.GroupsOperation, groups)
	}
	u, _ := st.Users.Mut(id)
	if in.EnableUser != nil {
		u.Disabled = !*in.EnableUser
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{{in.Email, &u.Email}, {in.FullName, &u.FullName}, {in.Description, &u.Description}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if in.Password != nil {
		u.Password = string(password)
	}
	return userAnswer(r, 0, "", id, u.Name), nil
}

// createUser is POST User with {"users":[{"userEntity":{"userName"},...}]},
// as cvpysdk's Users.add sends it.
func (Vendor) createUser(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	req, err := readUserRequest(r)
	if err != nil {
		return kit.Response{}, err
	}
	in := req.Users[0]
	name := strings.TrimSpace(in.UserEntity.UserName)
	switch {
	case name == "":
		return userAnswer(r, 2, "Failed to create user. A user name is required.", 0, ""), nil
	case func() bool { _, taken := st.userByName(name); return taken }():
		return userAnswer(r, 2, "Failed to create user. User ["+name+"] already exists.", 0, ""), nil
	}
	u := &User{Name: name}
	if in.Password != nil && *in.Password != "" {
		p, err := base64.StdEncoding.DecodeString(*in.Password)
		if err != nil {
			return userAnswer(r, 2, "Failed to create user. The password must be base64-encoded.", 0, ""), nil
		}
		u.Password = string(p)
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{{in.Email, &u.Email}, {in.FullName, &u.FullName}, {in.Description, &u.Description}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	groups, err := st.groupIDs(in.AssociatedUserGroups)
	if err != nil {
		return userAnswer(r, 2, "Failed to create user. "+err.Error(), 0, ""), nil
	}
	id := st.nextUserID()
	st.Users.Set(id, u)
	for _, gid := range groups {
		g, _ := st.Groups.Mut(gid)
		g.Users = append(g.Users, id)
	}
	return userAnswer(r, 0, "", id, name), nil
}

// nextUserID is one past the largest user id.
func (st *State) nextUserID() int {
	next := 1
	for id := range st.Users.Unordered() {
		next = max(next, id+1)
	}
	return next
}
