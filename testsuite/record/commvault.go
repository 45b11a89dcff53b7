package record

import (
	"encoding/base64"
	"net/http"
	"strconv"
)

type commvaultUser struct {
	Name        string `yaml:"name"`
	Password    string `yaml:"password"`
	Email       string `yaml:"email"`
	FullName    string `yaml:"fullName"`
	Description string `yaml:"description"`
	Disabled    bool   `yaml:"disabled"`
	Locked      bool   `yaml:"locked"`
}

type commvaultGroup struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Users       []int  `yaml:"users"`
}

type commvaultTok struct {
	User int `yaml:"user"`
}

type commvaultOwner struct {
	User  int `yaml:"user"`
	Group int `yaml:"group"`
}

type commvaultSection struct {
	Tokens           map[string]commvaultTok   `yaml:"tokens"`
	Users            map[int]commvaultUser     `yaml:"users"`
	Groups           map[int]commvaultGroup    `yaml:"groups"`
	Alerts           map[string]commvaultOwner `yaml:"alerts"`
	SchedulePolicies map[string]commvaultOwner `yaml:"schedulePolicies"`
	Workflows        map[string]commvaultOwner `yaml:"workflows"`
}

// commvaultToken is the recording's own Authtoken (a QSDK value of the
// shape Commvault issues; the hex spells nothing of the tenant's).
const commvaultToken = "QSDK 0ffb0a4d0ffb0a4d0ffb0a4d0ffb0a4d0ffb0a4d0ffb0a4d0ffb0a4d0ffb0a4d"

// ownedNames are an entity's owned entities as GET User and GET UserGroup
// answer them.
type ownedNames struct {
	Alerts           []string `json:"alerts"`
	SchedulePolicies []string `json:"schedulePolicies"`
	Workflows        []string `json:"workflows"`
}

// recordCommvault reads GET User and GET UserGroup: users, groups and
// their members, and what each user and group owns.
func recordCommvault(r *reader, out *VendorSummary) (any, map[string]string, error) {
	root, token := r.vars["commvault.root"], r.vars["commvault.token"]
	if root == "" || token == "" {
		return nil, nil, errSkip
	}
	h := http.Header{"Authtoken": {token}, "Accept": {"application/json"}}
	sec := commvaultSection{Tokens: map[string]commvaultTok{}, Users: map[int]commvaultUser{}, Groups: map[int]commvaultGroup{},
		Alerts: map[string]commvaultOwner{}, SchedulePolicies: map[string]commvaultOwner{}, Workflows: map[string]commvaultOwner{}}
	var users struct {
		ErrorCode   int    `json:"errorCode"`
		ErrorString string `json:"errorString"`
		Users       []struct {
			Entity struct {
				UserID   int    `json:"userId"`
				UserName string `json:"userName"`
			} `json:"userEntity"`
			Email, FullName, Description string
			EnableUser                   bool       `json:"enableUser"`
			IsAccountLocked              bool       `json:"isAccountLocked"`
			Owned                        ownedNames `json:"ownedEntities"`
		} `json:"users"`
	}
	if err := r.getJSON(root+"/User", h, &users); err != nil {
		return nil, nil, err
	}
	if users.ErrorCode != 0 {
		return nil, nil, &callError{method: "GET", path: root + "/User", msg: "errorCode " + strconv.Itoa(users.ErrorCode) + snippet([]byte(users.ErrorString))}
	}
	for _, u := range users.Users {
		sec.Users[u.Entity.UserID] = commvaultUser{Name: u.Entity.UserName, Email: u.Email, FullName: u.FullName,
			Description: u.Description, Disabled: !u.EnableUser, Locked: u.IsAccountLocked}
		sec.own(u.Owned, commvaultOwner{User: u.Entity.UserID})
	}
	if err := recordCommvaultGroups(r, root, h, &sec); err != nil {
		return nil, nil, err
	}
	out.Counts["users"], out.Counts["groups"] = len(sec.Users), len(sec.Groups)
	out.Counts["owned entities"] = len(sec.Alerts) + len(sec.SchedulePolicies) + len(sec.Workflows)
	out.Unread = append(out.Unread, "passwords: never shown; every user with one gets "+strconv.Quote(recordedPassword)+" where it is needed (commvault.username)",
		"two-factor status: Security/TwoFactorAuth/Status answers for the caller only; left off",
		"entities that no user or group owns: not in any owner's ownedEntities; left out")
	return sec, commvaultCredentials(r.vars, &sec, out), nil
}

func recordCommvaultGroups(r *reader, root string, h http.Header, sec *commvaultSection) error {
	var groups struct {
		Groups []struct {
			Entity struct {
				ID   int    `json:"userGroupId"`
				Name string `json:"userGroupName"`
			} `json:"userGroupEntity"`
			Description string `json:"description"`
			Users       []struct {
				UserID int `json:"userId"`
			} `json:"users"`
			Owned ownedNames `json:"ownedEntities"`
		} `json:"userGroups"`
	}
	if err := r.getJSON(root+"/UserGroup", h, &groups); err != nil {
		return err
	}
	for _, g := range groups.Groups {
		ids := []int{}
		for _, u := range g.Users {
			ids = append(ids, u.UserID)
		}
		sec.Groups[g.Entity.ID] = commvaultGroup{Name: g.Entity.Name, Description: g.Description, Users: ids}
		sec.own(g.Owned, commvaultOwner{Group: g.Entity.ID})
	}
	return nil
}

func (sec *commvaultSection) own(o ownedNames, owner commvaultOwner) {
	for _, n := range o.Alerts {
		sec.Alerts[n] = owner
	}
	for _, n := range o.SchedulePolicies {
		sec.SchedulePolicies[n] = owner
	}
	for _, n := range o.Workflows {
		sec.Workflows[n] = owner
	}
}

// commvaultCredentials gives commvault.username a password and a token of
// the recording's own.
func commvaultCredentials(vars map[string]string, sec *commvaultSection, out *VendorSummary) map[string]string {
	name := vars["commvault.username"]
	for id, u := range sec.Users {
		if u.Name == name {
			u.Password = recordedPassword
			sec.Users[id] = u
			sec.Tokens[commvaultToken] = commvaultTok{User: id}
			return map[string]string{"commvault.token": commvaultToken,
				"commvault.password": base64.StdEncoding.EncodeToString([]byte(recordedPassword))}
		}
	}
	out.Unread = append(out.Unread, "commvault.username is not among the users read: the recording has no credential")
	return nil
}
