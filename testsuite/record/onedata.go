package record

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

const onezone = "/api/v3/onezone"

// onedataUser is a user as the scenario holds one.
type onedataUser struct {
	Username     string   `yaml:"username"`
	FullName     string   `yaml:"fullName"`
	Emails       []string `yaml:"emails"`
	Password     string   `yaml:"password"`
	Privileges   []string `yaml:"privileges"`
	Blocked      bool     `yaml:"blocked"`
	CreationTime int64    `yaml:"creationTime"`
}

type onedataToken struct {
	User    string `yaml:"user"`
	Revoked bool   `yaml:"revoked"`
}

type onedataSection struct {
	Users  map[string]onedataUser  `yaml:"users"`
	Tokens map[string]onedataToken `yaml:"tokens"`
}

// adminPrivileges are what onedata.basic's admin holds ("oz_users_create,
// _delete, _list and _view"): Onezone's read API does not show a user's
// privileges to the recording, so the admin gets these and no one else any.
var adminPrivileges = []string{"oz_users_create", "oz_users_delete", "oz_users_list", "oz_users_update", "oz_users_view"}

// recordOnedata reads GET /users (every id) and GET /users/{id} for each.
func recordOnedata(r *reader, out *VendorSummary) (any, map[string]string, error) {
	var auths []http.Header
	if v := r.vars["onedata.token"]; v != "" {
		auths = append(auths, http.Header{"X-Auth-Token": {v}})
	}
	if v := r.vars["onedata.basic"]; v != "" {
		auths = append(auths, http.Header{"Authorization": {v}})
	}
	if len(auths) == 0 {
		return nil, nil, errSkip
	}
	var list struct {
		Users []string `json:"users"`
	}
	// The first credential the tenant takes reads the rest.
	var auth http.Header
	var err error
	for _, auth = range auths {
		if err = r.getJSON(onezone+"/users", auth, &list); err == nil {
			break
		}
	}
	if err != nil {
		return nil, nil, err
	}
	sec := onedataSection{Users: map[string]onedataUser{}, Tokens: map[string]onedataToken{}}
	for _, id := range list.Users {
		u, err := onedataRead(r, auth, id)
		if err != nil {
			out.Unread = append(out.Unread, err.Error())
			continue
		}
		sec.Users[id] = u
	}
	out.Counts["users"] = len(sec.Users)
	out.Unread = append(out.Unread, "privileges: not shown by GET /users/{id}; the admin (onedata.adminId) gets "+strings.Join(adminPrivileges, ", ")+", others none")
	return sec, onedataCredentials(r.vars, &sec, out), nil
}

func onedataRead(r *reader, auth http.Header, id string) (onedataUser, error) {
	var u struct {
		Username         string   `json:"username"`
		FullName         string   `json:"fullName"`
		Emails           []string `json:"emails"`
		BasicAuthEnabled bool     `json:"basicAuthEnabled"`
		Blocked          bool     `json:"blocked"`
		CreationTime     int64    `json:"creationTime"`
	}
	if err := r.getJSON(onezone+"/users/"+url.PathEscape(id), auth, &u); err != nil {
		return onedataUser{}, err
	}
	rec := onedataUser{Username: u.Username, FullName: u.FullName, Emails: u.Emails, Blocked: u.Blocked, CreationTime: u.CreationTime}
	if u.BasicAuthEnabled {
		rec.Password = recordedPassword
	}
	return rec, nil
}

// onedataCredentials mints the recording's tokens and Basic values for
// the credentials the variables hold.
func onedataCredentials(vars map[string]string, sec *onedataSection, out *VendorSummary) map[string]string {
	minted := map[string]string{}
	admin := vars["onedata.adminId"]
	if u, ok := sec.Users[admin]; ok {
		u.Privileges = adminPrivileges
		u.Password = recordedPassword
		sec.Users[admin] = u
		sec.Tokens["recorded-onedata-admin-token"] = onedataToken{User: admin}
		minted["onedata.token"] = "recorded-onedata-admin-token"
		minted["onedata.basic"] = basic(u.Username, recordedPassword)
		if vars["onedata.revokedToken"] != "" {
			sec.Tokens["recorded-onedata-revoked-token"] = onedataToken{User: admin, Revoked: true}
			minted["onedata.revokedToken"] = "recorded-onedata-revoked-token"
		}
	} else if admin != "" {
		out.Unread = append(out.Unread, "onedata.adminId is not among the users read: the recording has no admin credential")
	}
	if name := basicUser(vars["onedata.unprivileged"]); name != "" {
		for id, u := range sec.Users {
			if u.Username == name && id != admin {
				u.Password = recordedPassword
				sec.Users[id] = u
				minted["onedata.unprivileged"] = basic(name, recordedPassword)
			}
		}
	}
	out.Counts["tokens minted"] = len(sec.Tokens)
	return minted
}

// basicUser is the user name of a Basic value (a name, not the secret).
func basicUser(v string) string {
	scheme, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return ""
	}
	name, _, _ := strings.Cut(string(raw), ":")
	return name
}
