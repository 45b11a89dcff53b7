package remote

import (
	"net/http"
	"net/url"

	"github.com/offboard/offboard/emulator/engine"
)

// People tells how each person of a session's scenario ("" the shared
// one) stands, vendor by vendor.
func (c *Client) People(session string) ([]engine.Person, error) {
	var doc struct {
		People []engine.Person `json:"people"`
	}
	return doc.People, c.call(http.MethodGet, "/people", inSession(session), nil, "", &doc)
}

// Person tells how one person of a session's scenario stands.
func (c *Client) Person(session, id string) (engine.Person, error) {
	var p engine.Person
	return p, c.call(http.MethodGet, "/people/"+url.PathEscape(id), inSession(session), nil, "", &p)
}
