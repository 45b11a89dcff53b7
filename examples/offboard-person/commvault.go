package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// commvault offboards a CommCell user: disabled first, then deleted with
// what it owns (alerts, schedule policies, workflows) moved to an heir.
// Commvault refuses with HTTP 200 and a non-zero errorCode.
type commvault struct {
	cl              *client
	url             string // https://host/webconsole/api
	adminUser, pass string
	user, heir      string
	token           string
}

func (c *commvault) vendor() *vendor {
	return &vendor{name: "commvault", disable: c.disable, remove: c.remove, verify: c.verify}
}

// byName is the API's way to name a user in a path or a query.
func byName(key, name string) string {
	return "byName(" + key + "='" + strings.ReplaceAll(name, "'", "''") + "')"
}

// refusal is the first non-zero errorCode of an answer (top-level, or in
// response[]), with its errorString.
func refusal(body []byte) (int, string) {
	var a struct {
		ErrorCode   int    `json:"errorCode"`
		ErrorString string `json:"errorString"`
		Response    []struct {
			ErrorCode   int    `json:"errorCode"`
			ErrorString string `json:"errorString"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &a) != nil {
		return -1, "not JSON"
	}
	if a.ErrorCode != 0 {
		return a.ErrorCode, a.ErrorString
	}
	for _, r := range a.Response {
		if r.ErrorCode != 0 {
			return r.ErrorCode, r.ErrorString
		}
	}
	return 0, ""
}

func (c *commvault) signIn(ctx context.Context) error {
	a, err := c.cl.do(ctx, call{what: "commvault Login", method: http.MethodPost, url: c.url + "/Login",
		header: headers("Content-Type", "application/json", "Accept", "application/json"),
		body:   jsonBody(map[string]string{"username": c.adminUser, "password": base64.StdEncoding.EncodeToString([]byte(c.pass))})})
	if err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if a.status != http.StatusOK || json.Unmarshal(a.body, &tok) != nil || tok.Token == "" {
		return fmt.Errorf("Login: %w", unexpected(a))
	}
	c.token = tok.Token
	return nil
}

// send calls the API signed in, JSON both ways.
func (c *commvault) send(ctx context.Context, what, method, path string, body []byte) (*answer, error) {
	if c.token == "" {
		if err := c.signIn(ctx); err != nil {
			return nil, err
		}
	}
	h := headers("Accept", "application/json", "Authtoken", c.token)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	a, err := c.cl.do(ctx, call{what: "commvault " + what, method: method, url: c.url + path, header: h, body: body})
	if err == nil && a.status != http.StatusOK {
		err = unexpected(a)
	}
	return a, err
}

func (c *commvault) userPath() string { return "/User/" + url.PathEscape(byName("userName", c.user)) }

func (c *commvault) disable(ctx context.Context) error {
	a, err := c.send(ctx, "disable", http.MethodPost, c.userPath(), jsonBody(map[string]any{"users": []map[string]any{{"enableUser": false}}}))
	if err != nil {
		return err
	}
	if code, msg := refusal(a.body); code != 0 {
		return fmt.Errorf("errorCode %d: %s", code, msg)
	}
	return nil
}

func (c *commvault) remove(ctx context.Context) error {
	q := "?newUserId=" + url.QueryEscape(byName("userName", c.heir)) + "&newUserGroupId=" + url.QueryEscape(byName("userGroupName", ""))
	a, err := c.send(ctx, "delete", http.MethodDelete, c.userPath()+q, nil)
	if err != nil {
		return err
	}
	if code, msg := refusal(a.body); code != 0 {
		if c.gone(ctx) {
			return nil // deleted by an attempt whose answer was lost
		}
		return fmt.Errorf("errorCode %d: %s", code, msg)
	}
	return nil
}

// gone tells that the user no longer exists.
func (c *commvault) gone(ctx context.Context) bool {
	a, err := c.send(ctx, "look up", http.MethodGet, c.userPath(), nil)
	if err != nil {
		return false
	}
	code, msg := refusal(a.body)
	return code != 0 && strings.Contains(msg, "does not exist")
}

func (c *commvault) verify(ctx context.Context) error {
	if !c.gone(ctx) {
		return fmt.Errorf("user %s is still there", c.user)
	}
	return nil
}
