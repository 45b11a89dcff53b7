package scenariotest

import (
	"bytes"
	"fmt"

	"github.com/offboard/offboard/scenarios"
	"gopkg.in/yaml.v3"
)

// vendors are the sections of the default scenario BigWorld grows.
func vendors() []string { return []string{"arcgis", "commvault", "huawei", "onedata", "securid"} }

// BigWorld is the default scenario with n more users in every vendor:
// ArcGIS workspaces (every tenth with a container) and portal users,
// Commvault users (every tenth owning an alert, in a group of ten),
// Huawei members, Onedata users, SecurID users of each identity source.
func BigWorld(n int) ([]byte, error) {
	data, err := scenarios.BuiltinSource("default")
	if err != nil {
		return nil, err
	}
	var w map[string]map[string]any
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	w = map[string]map[string]any{}
	for _, v := range vendors() {
		w[v] = top[v].(map[string]any)
	}
	rows := func(vendor string, path ...string) map[string]any {
		m := w[vendor]
		for _, p := range path {
			m = m[p].(map[string]any)
		}
		return m
	}
	cvUsers, cvGroups, cvAlerts := map[int]any{}, map[int]any{}, rows("commvault", "alerts")
	for id, u := range w["commvault"]["users"].(map[any]any) {
		cvUsers[id.(int)] = u
	}
	for id, g := range w["commvault"]["groups"].(map[any]any) {
		cvGroups[id.(int)] = g
	}
	sources := []string{"ldap", "cloud", "scim", "azure-ad"}
	for i := range n {
		name := fmt.Sprintf("u%05d", i)
		ws := map[string]any{}
		if i%10 == 0 {
			ws["containers"] = []string{"c-" + name}
		}
		rows("arcgis", "users")[name] = ws
		rows("arcgis", "logins")[name] = map[string]any{"password": "p", "role": "user", "email": name + "@example.com"}
		id := 1000 + i
		cvUsers[id] = map[string]any{"name": name, "email": name + "@example.com", "fullName": "User " + name, "disabled": i%3 == 0}
		if i%10 == 0 {
			cvAlerts["alert of "+name] = map[string]any{"user": id}
			cvGroups[100000+i] = map[string]any{"name": "group " + name, "description": "ten users", "users": []int{id, id + 1, id + 2}}
		}
		rows("huawei", "projects", "demo-project", "workspaces", "demo-workspace", "users")[fmt.Sprintf("%032x", i)] = map[string]any{
			"id": fmt.Sprintf("%032x", n+i), "name": name, "displayName": "User " + name, "domainId": "d", "domainName": "dn",
			"roles": []string{"DEVELOPER"}, "created": "2025-01-01T00:00:00Z", "createdBy": "demo-admin"}
		rows("onedata", "users")[fmt.Sprintf("%032x", i)] = map[string]any{"username": name, "fullName": "User " + name, "emails": []string{name + "@example.com"}, "blocked": i%7 == 0}
		rows("securid", "users")[fmt.Sprintf("00000000-0000-4000-8000-%012d", i)] = map[string]any{"email": name + "@example.com",
			"firstName": "User", "lastName": name, "userStatus": []string{"Enabled", "Disabled"}[i%2], "markDeleted": i%5 == 0,
			"identitySourceType": sources[i%4]}
	}
	w["commvault"]["users"], w["commvault"]["groups"] = cvUsers, cvGroups
	var b bytes.Buffer
	sw := scenarios.NewWriter(&b)
	sw.Field("name", "big")
	for _, v := range vendors() {
		sw.Field(v, w[v])
	}
	if err := sw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
