package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// onedata blocks a Onezone user's access, then removes the user (204),
// as an administrator with oz_users_update and oz_users_delete, over
// HTTP Basic.
type onedata struct {
	cl              *client
	url             string // https://onezone.example.org/api/v3/onezone
	adminUser, pass string
	user            string
}

func (o *onedata) vendor() *vendor {
	return &vendor{name: "onedata", disable: o.block, remove: o.remove, verify: o.verify}
}

func (o *onedata) send(ctx context.Context, what, method, path string, body []byte) (*answer, error) {
	c := call{what: "onedata " + what, method: method, url: o.url + "/users/" + url.PathEscape(o.user) + path, body: body,
		header: headers("Authorization", "Basic "+basic(o.adminUser, o.pass))}
	if body != nil {
		c.header.Set("Content-Type", "application/json")
	}
	return o.cl.do(ctx, c)
}

func (o *onedata) block(ctx context.Context) error {
	a, err := o.send(ctx, "block", http.MethodPatch, "/access_block", jsonBody(map[string]bool{"blocked": true}))
	if err != nil {
		return err
	}
	if a.status != http.StatusNoContent {
		return unexpected(a)
	}
	return nil
}

func (o *onedata) remove(ctx context.Context) error {
	a, err := o.send(ctx, "delete", http.MethodDelete, "", nil)
	switch {
	case err != nil:
		return err
	case a.status == http.StatusNoContent, a.status == http.StatusNotFound:
		return nil // a 404 after a lost answer: gone already
	}
	return unexpected(a)
}

func (o *onedata) verify(ctx context.Context) error {
	a, err := o.send(ctx, "look up", http.MethodGet, "", nil)
	if err != nil {
		return err
	}
	if a.status != http.StatusNotFound {
		return fmt.Errorf("user %s still answers %d", o.user, a.status)
	}
	return nil
}
