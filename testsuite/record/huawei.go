package record

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/offboard/offboard/testsuite"
)

type huaweiMember struct {
	ID          string    `yaml:"id"`
	Name        string    `yaml:"name"`
	DisplayName string    `yaml:"displayName"`
	DomainID    string    `yaml:"domainId"`
	DomainName  string    `yaml:"domainName"`
	DomainOwner bool      `yaml:"domainOwner"`
	Description string    `yaml:"description"`
	Roles       []string  `yaml:"roles"`
	Created     time.Time `yaml:"created"`
	CreatedBy   string    `yaml:"createdBy"`
	Updated     time.Time `yaml:"updated"`
	UpdatedBy   string    `yaml:"updatedBy"`
}

type huaweiWorkspace struct {
	Users map[string]huaweiMember `yaml:"users"`
}

type huaweiProject struct {
	Workspaces map[string]huaweiWorkspace `yaml:"workspaces"`
}

type huaweiToken struct {
	User string `yaml:"user"`
}

type huaweiKey struct {
	Secret string `yaml:"secret"`
	User   string `yaml:"user"`
}

type huaweiSection struct {
	Tokens     map[string]huaweiToken   `yaml:"tokens"`
	AccessKeys map[string]huaweiKey     `yaml:"accessKeys"`
	Projects   map[string]huaweiProject `yaml:"projects"`
}

// The recording's own Huawei credentials, and the IAM user they stand
// for (Huawei's read calls do not say whose a token is).
const (
	huaweiRecToken  = "recorded-huawei-token"
	huaweiAK        = "RECORDEDACCESSKEY"
	huaweiSK        = "RECORDEDSECRETKEY"
	huaweiTokenUser = "recorded-admin"
	huaweiPage      = 100 // listWorkspaceUsers' largest limit
)

// recordHuawei pages through the members of the workspace the variables
// name (Huawei has no call listing a project's workspaces).
func recordHuawei(r *reader, out *VendorSummary) (any, map[string]string, error) {
	project, ws := r.vars["huawei.project"], r.vars["huawei.workspace"]
	if project == "" || ws == "" {
		return nil, nil, errSkip
	}
	auth := http.Header{}
	switch {
	case r.vars["huawei.token"] != "":
		auth.Set("X-Auth-Token", r.vars["huawei.token"])
	case r.vars["huawei.ak"] != "" && r.vars["huawei.sk"] != "":
		ak, sk := r.vars["huawei.ak"], r.vars["huawei.sk"]
		r.sign = func(req *http.Request, body []byte) { testsuite.SignHuawei(req, body, ak, sk, time.Now()) }
	default:
		return nil, nil, errSkip
	}
	members := map[string]huaweiMember{}
	path := "/v2/" + url.PathEscape(project) + "/" + url.PathEscape(ws) + "/users"
	for offset := 0; ; offset += huaweiPage {
		var page struct {
			Count int          `json:"count"`
			Data  []huaweiUser `json:"data"`
		}
		if err := r.getJSON(fmt.Sprintf("%s?limit=%d&offset=%d", path, huaweiPage, offset), auth, &page); err != nil {
			return nil, nil, err
		}
		for _, u := range page.Data {
			members[u.UserID] = u.member()
		}
		if len(page.Data) == 0 || offset+huaweiPage >= page.Count {
			break
		}
	}
	out.Counts["workspace members"] = len(members)
	user := tokenUser(members)
	out.Unread = append(out.Unread, "workspaces: only "+project+"/"+ws+" (the one the variables name; Huawei lists no project's workspaces)",
		"whose the token is: Huawei's reads do not say; the recording's token and access key act for "+user+
			" (the one IAM user who added every member, else "+huaweiTokenUser+")")
	sec := huaweiSection{
		Tokens:     map[string]huaweiToken{huaweiRecToken: {User: user}},
		AccessKeys: map[string]huaweiKey{huaweiAK: {Secret: huaweiSK, User: user}},
		Projects:   map[string]huaweiProject{project: {Workspaces: map[string]huaweiWorkspace{ws: {Users: members}}}},
	}
	return sec, map[string]string{"huawei.token": huaweiRecToken, "huawei.ak": huaweiAK, "huawei.sk": huaweiSK}, nil
}

// huaweiUser is a member as listWorkspaceUsers answers one.
type huaweiUser struct {
	ID              string `json:"id"`
	UserID          string `json:"user_id"`
	UserName        string `json:"user_name"`
	DomainID        string `json:"domain_id"`
	DomainName      string `json:"domain_name"`
	DisplayUserName string `json:"display_user_name"`
	DomainOwner     bool   `json:"domain_owner"`
	Description     string `json:"description"`
	Roles           []struct {
		RoleCode string `json:"role_code"`
	} `json:"roles"`
	CreateTime int64  `json:"create_time"`
	CreateUser string `json:"create_user"`
	UpdateTime int64  `json:"update_time"`
	UpdateUser string `json:"update_user"`
}

func (u huaweiUser) member() huaweiMember {
	m := huaweiMember{ID: u.ID, Name: u.UserName, DisplayName: u.DisplayUserName, DomainID: u.DomainID,
		DomainName: u.DomainName, DomainOwner: u.DomainOwner, Description: u.Description, Roles: []string{},
		Created: time.UnixMilli(u.CreateTime).UTC(), CreatedBy: u.CreateUser}
	for _, r := range u.Roles {
		m.Roles = append(m.Roles, r.RoleCode)
	}
	// An update the same as the creation is none: the scenario leaves it out.
	if u.UpdateTime != u.CreateTime {
		m.Updated = time.UnixMilli(u.UpdateTime).UTC()
	}
	if u.UpdateUser != u.CreateUser {
		m.UpdatedBy = u.UpdateUser
	}
	return m
}

// tokenUser guesses whose the vars' token is: the one IAM user who added
// every member (who set the workspace up), else a placeholder.
func tokenUser(members map[string]huaweiMember) string {
	by := ""
	for _, m := range members {
		switch {
		case m.CreatedBy == "":
		case by == "":
			by = m.CreatedBy
		case by != m.CreatedBy:
			return huaweiTokenUser
		}
	}
	if by == "" {
		return huaweiTokenUser
	}
	return by
}
