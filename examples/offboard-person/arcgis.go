package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// arcgis offboards a Notebook Server user: its containers are stopped
// (the delete is refused while any runs), then its workspace deleted.
// The admin API is {url}/notebooks/admin; tokens come from the portal's
// generateToken at {url}/sharing/rest/generateToken. ArcGIS answers its
// errors with HTTP 200 and {"error":{"code","message"}}.
type arcgis struct {
	cl              *client
	url             string // https://host/arcgis
	adminUser, pass string
	user            string
	token           string
}

// arcgisError is ArcGIS's error envelope.
type arcgisError struct {
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (g *arcgis) vendor() *vendor {
	return &vendor{name: "arcgis", stop: g.stopContainers, remove: g.deleteWorkspace, verify: g.verify}
}

// call calls the admin API with the token: a POST sends its parameters
// as a form, a GET in the query, as the reference pages show.
func (g *arcgis) call(ctx context.Context, method, what, path string, into any, kv ...string) error {
	if g.token == "" {
		if err := g.signIn(ctx); err != nil {
			return err
		}
	}
	c := call{what: "arcgis " + what, method: method, url: g.url + "/notebooks/admin" + path}
	params := formBody(append(kv, "f", "json", "token", g.token)...)
	if method == http.MethodGet {
		c.url += "?" + string(params)
	} else {
		c.header, c.body = headers("Content-Type", "application/x-www-form-urlencoded"), params
	}
	a, err := g.cl.do(ctx, c)
	if err != nil {
		return err
	}
	return decodeArcGIS(a, into)
}

func decodeArcGIS(a *answer, into any) error {
	var e arcgisError
	if a.status != http.StatusOK || json.Unmarshal(a.body, &e) != nil {
		return unexpected(a)
	}
	if e.Error != nil {
		return fmt.Errorf("error %d: %s", e.Error.Code, e.Error.Message)
	}
	if into != nil {
		return json.Unmarshal(a.body, into)
	}
	return nil
}

func (g *arcgis) signIn(ctx context.Context) error {
	a, err := g.cl.do(ctx, call{what: "arcgis generateToken", method: http.MethodPost, url: g.url + "/sharing/rest/generateToken",
		header: headers("Content-Type", "application/x-www-form-urlencoded"),
		body:   formBody("username", g.adminUser, "password", g.pass, "client", "referer", "referer", "offboard-person", "f", "json")})
	if err != nil {
		return err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if err := decodeArcGIS(a, &tok); err != nil {
		return fmt.Errorf("generateToken: %w", err)
	}
	g.token = tok.Token
	return nil
}

func (g *arcgis) stopContainers(ctx context.Context) error {
	var list struct {
		Containers []struct {
			ID   string `json:"containerId"`
			User string `json:"username"`
		} `json:"containers"`
	}
	if err := g.call(ctx, http.MethodGet, "containers", "/system/containers", &list); err != nil {
		return err
	}
	for _, c := range list.Containers {
		if c.User != g.user {
			continue
		}
		if err := g.call(ctx, http.MethodPost, "terminateContainer", "/system/containers/"+url.PathEscape(c.ID)+"/terminateContainer", nil); err != nil {
			return fmt.Errorf("terminate %s: %w", c.ID, err)
		}
	}
	return nil
}

func (g *arcgis) deleteWorkspace(ctx context.Context) error {
	err := g.call(ctx, http.MethodPost, "deleteUserWorkspace", "/dataaccess/deleteUserWorkspace", nil, "userName", g.user)
	if err != nil && g.gone(ctx) {
		return nil // a retry after the first attempt went through, or gone already
	}
	return err
}

// gone tells that the user has no workspace (false when that cannot be read).
func (g *arcgis) gone(ctx context.Context) bool {
	var list struct {
		Containers []struct {
			Name string `json:"Name"`
		} `json:"Containers"`
	}
	if g.call(ctx, http.MethodGet, "listUserWorkspaces", "/dataaccess/listUserWorkspaces", &list) != nil {
		return false
	}
	for _, w := range list.Containers {
		if w.Name == g.user {
			return false
		}
	}
	return true
}

func (g *arcgis) verify(ctx context.Context) error {
	if !g.gone(ctx) {
		return fmt.Errorf("the workspace of %s is still listed", g.user)
	}
	return nil
}
