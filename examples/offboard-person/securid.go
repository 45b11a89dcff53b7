package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// securid disables a Cloud Access Service user, then deletes it now: only
// a disabled user that is not pending deletion can go (409 otherwise),
// and a user whose identity source is SCIM-managed or Azure AD only the
// identity provider may remove (405). Every request carries a fresh RS256
// JWT signed with the API key.
type securid struct {
	cl       *client
	url      string // https://tenant.access.securid.com/AdminInterface/restapi
	audience string
	accessID string
	key      *rsa.PrivateKey
	user     string
}

func (s *securid) vendor() *vendor {
	return &vendor{name: "securid", disable: s.disable, remove: s.remove, verify: s.verify}
}

// bearer signs the API's JWT: sub the access id, aud the admin REST URL,
// valid five minutes.
func (s *securid) bearer() (string, error) {
	now := time.Now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{"sub": s.accessID, "aud": s.audience,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()})
	return t.SignedString(s.key)
}

func (s *securid) send(ctx context.Context, what, method, path string, body []byte) (*answer, error) {
	b, err := s.bearer()
	if err != nil {
		return nil, err
	}
	h := headers("Authorization", "Bearer "+b)
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	return s.cl.do(ctx, call{what: "securid " + what, method: method, url: s.url + path, header: h, body: body})
}

func (s *securid) userPath() string { return "/v1/users/" + url.PathEscape(s.user) }

func (s *securid) disable(ctx context.Context) error {
	a, err := s.send(ctx, "disable", http.MethodPut, s.userPath()+"/userStatus", jsonBody(map[string]string{"userStatus": "Disabled"}))
	if err != nil {
		return err
	}
	return s.refused(a)
}

// refused reads an answer of a user's change or delete.
func (s *securid) refused(a *answer) error {
	switch a.status {
	case http.StatusOK:
		return nil
	case http.StatusMethodNotAllowed:
		return &blocked{"the identity source manages this user (405): only the identity provider may remove it"}
	case http.StatusConflict:
		return &blocked{"the user is pending deletion (409): an administrator must clear markDeleted first"}
	}
	return unexpected(a)
}

func (s *securid) remove(ctx context.Context) error {
	a, err := s.send(ctx, "delete", http.MethodDelete, s.userPath(), nil)
	if err != nil {
		return err
	}
	if a.status == http.StatusNotFound {
		return nil // a 404 after a lost answer: gone already
	}
	return s.refused(a)
}

func (s *securid) verify(ctx context.Context) error {
	a, err := s.send(ctx, "search", http.MethodPost, "/v1/users/search", jsonBody(map[string]any{"searchText": s.user, "pageSize": 100}))
	if err != nil {
		return err
	}
	var page struct {
		Users []struct {
			ID string `json:"id"`
		} `json:"users"`
	}
	if a.status != http.StatusOK || json.Unmarshal(a.body, &page) != nil {
		return unexpected(a)
	}
	for _, u := range page.Users {
		if u.ID == s.user {
			return fmt.Errorf("user %s is still found", s.user)
		}
	}
	return nil
}
