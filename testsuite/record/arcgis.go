package record

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

type arcgisToken struct {
	User string `yaml:"user"`
	Role string `yaml:"role"`
}

type arcgisLogin struct {
	Password string `yaml:"password"`
	Role     string `yaml:"role"`
	FullName string `yaml:"fullName"`
	Email    string `yaml:"email"`
	Disabled bool   `yaml:"disabled"`
}

type arcgisWorkspace struct {
	Containers []string `yaml:"containers"`
}

type arcgisPortal struct {
	ID         string `yaml:"id"`
	Name       string `yaml:"name"`
	Standalone bool   `yaml:"standalone"`
}

type arcgisSection struct {
	Portal arcgisPortal               `yaml:"portal"`
	Tokens map[string]arcgisToken     `yaml:"tokens"`
	Logins map[string]arcgisLogin     `yaml:"logins"`
	Users  map[string]arcgisWorkspace `yaml:"users"`
}

// The recording's own ArcGIS tokens.
const (
	arcgisAdminToken = "recorded-arcgis-admin-token"
	arcgisUserToken  = "recorded-arcgis-user-token"
	arcgisPage       = 100 // the portal's largest num
)

// arcgisRoles maps a portal role back to the Notebook Server's.
var arcgisRoles = map[string]string{"org_admin": "administrator", "org_publisher": "publisher", "org_user": "user"}

// arcgis is one ArcGIS read: the admin API and the portal under the
// context the admin path names.
type arcgis struct {
	r              *reader
	admin, context string
	token          string
}

// get reads an ArcGIS answer, which is HTTP 200 with {"error":...} when
// it is a refusal.
func (a arcgis) get(path string, q url.Values, v any) error {
	q.Set("f", "json")
	if a.token != "" && q.Get("token") == "" {
		q.Set("token", a.token)
	}
	ans, err := a.r.do("GET", path+"?"+q.Encode(), http.Header{}, nil)
	if err != nil {
		return err
	}
	var refusal struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(ans.body, &refusal) == nil && refusal.Error != nil {
		return &callError{method: "GET", path: path, msg: fmt.Sprintf("ArcGIS error %d%s", refusal.Error.Code, snippet([]byte(refusal.Error.Message)))}
	}
	if err := json.Unmarshal(ans.body, v); err != nil {
		return &callError{method: "GET", path: path, msg: "the answer is not ArcGIS's JSON: " + err.Error()}
	}
	return nil
}

// recordArcGIS reads the workspaces and containers (the admin API), the
// portal and its users (portals/self/users), and whose the tokens are.
func recordArcGIS(r *reader, out *VendorSummary) (any, map[string]string, error) {
	admin, token := r.vars["arcgis.admin"], r.vars["arcgis.token"]
	if admin == "" || token == "" {
		return nil, nil, errSkip
	}
	ctx, _, ok := strings.Cut(admin, "/notebooks/admin")
	if !ok {
		ctx = strings.TrimSuffix(admin, "/admin")
	}
	a := arcgis{r: r, admin: admin, context: ctx, token: token}
	var self struct{ Username, Role string }
	if err := a.get(ctx+"/sharing/rest/community/self", url.Values{}, &self); err != nil {
		return nil, nil, err
	}
	if self.Role != "org_admin" {
		return nil, nil, fmt.Errorf("arcgis.token is not an administrator's (its user is %s): a recording would hold only that user's own workspace", arcgisRoles[self.Role])
	}
	sec := arcgisSection{Tokens: map[string]arcgisToken{}, Logins: map[string]arcgisLogin{}, Users: map[string]arcgisWorkspace{}}
	if err := a.workspaces(&sec); err != nil {
		return nil, nil, err
	}
	if err := a.portal(&sec); err != nil {
		out.Unread = append(out.Unread, "the portal: "+err.Error())
	}
	if err := a.logins(&sec); err != nil {
		out.Unread = append(out.Unread, "the portal's users: "+err.Error())
	}
	minted := a.credentials(&sec, out)
	out.Counts["workspaces"], out.Counts["portal users"] = len(sec.Users), len(sec.Logins)
	out.Unread = append(out.Unread, "transferred folders inside a workspace: listUserWorkspaces does not show them; left out",
		"passwords: never shown; every portal user gets "+fmt.Sprintf("%q", recordedPassword))
	return sec, minted, nil
}

func (a arcgis) workspaces(sec *arcgisSection) error {
	var ws struct {
		Containers []struct{ Name string } `json:"Containers"`
	}
	if err := a.get(a.admin+"/dataaccess/listUserWorkspaces", url.Values{}, &ws); err != nil {
		return err
	}
	for _, w := range ws.Containers {
		sec.Users[w.Name] = arcgisWorkspace{Containers: []string{}}
	}
	var cs struct {
		Containers []struct {
			ContainerID string `json:"containerId"`
			Username    string `json:"username"`
		} `json:"containers"`
	}
	if err := a.get(a.admin+"/system/containers", url.Values{}, &cs); err != nil {
		return err
	}
	for _, c := range cs.Containers {
		w := sec.Users[c.Username]
		w.Containers = append(w.Containers, c.ContainerID)
		sec.Users[c.Username] = w
	}
	return nil
}

// portal reads the portal's id and name, and whether the server is
// federated with it (its rest/info names an owning system).
func (a arcgis) portal(sec *arcgisSection) error {
	var self struct{ ID, Name string }
	if err := a.get(a.context+"/sharing/rest/portals/self", url.Values{}, &self); err != nil {
		return err
	}
	info := a.context + "/notebooks/rest/info"
	if !strings.Contains(a.admin, "/notebooks/admin") {
		info = a.context + "/rest/info"
	}
	var si struct {
		OwningSystemURL string `json:"owningSystemUrl"`
	}
	if err := a.get(info, url.Values{}, &si); err != nil {
		return err
	}
	sec.Portal = arcgisPortal{ID: self.ID, Name: self.Name, Standalone: si.OwningSystemURL == ""}
	return nil
}

// logins pages through the portal's users.
func (a arcgis) logins(sec *arcgisSection) error {
	for start := 1; start > 0; {
		var page struct {
			NextStart int `json:"nextStart"`
			Users     []struct {
				Username, FullName, Email, Role string
				Disabled                        bool
			} `json:"users"`
		}
		q := url.Values{"start": {fmt.Sprint(start)}, "num": {fmt.Sprint(arcgisPage)}}
		if err := a.get(a.context+"/sharing/rest/portals/self/users", q, &page); err != nil {
			return err
		}
		for _, u := range page.Users {
			l := arcgisLogin{Password: recordedPassword, Role: arcgisRoles[u.Role], Email: u.Email, Disabled: u.Disabled}
			if l.Role == "" {
				l.Role = "user"
			}
			if u.FullName != u.Username { // the portal shows the user name for a user without a full name
				l.FullName = u.FullName
			}
			sec.Logins[u.Username] = l
		}
		if page.NextStart <= start || len(page.Users) == 0 {
			break
		}
		start = page.NextStart
	}
	return nil
}

// credentials mints the recording's tokens for the users the variables'
// tokens belong to (community/self says whose a token is).
func (a arcgis) credentials(sec *arcgisSection, out *VendorSummary) map[string]string {
	minted := map[string]string{}
	for _, t := range []struct{ from, to, role string }{
		{"arcgis.token", arcgisAdminToken, "administrator"}, {"arcgis.userToken", arcgisUserToken, "user"},
	} {
		tok := a.r.vars[t.from]
		if tok == "" {
			continue
		}
		var self struct{ Username string }
		if err := a.get(a.context+"/sharing/rest/community/self", url.Values{"token": {tok}}, &self); err != nil {
			out.Unread = append(out.Unread, "whose "+t.from+" is: "+err.Error())
		}
		sec.Tokens[t.to] = arcgisToken{User: self.Username, Role: t.role}
		minted[t.from] = t.to
	}
	if name := a.r.vars["arcgis.login.username"]; name != "" {
		if _, ok := sec.Logins[name]; ok {
			minted["arcgis.login.password"] = recordedPassword
		}
	}
	return minted
}
