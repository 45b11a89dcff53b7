package onedata

import (
	"fmt"
	"net/http"

	"github.com/offboard/offboard/emulator/kit"
)

// apiError is one entry of Onezone's error catalogue.
type apiError struct {
	status      int
	id          string
	description string
	details     any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.id, e.description) }

// body keeps the vendor's key order: id, details, description.
type body struct {
	Error struct {
		ID          string `json:"id"`
		Details     any    `json:"details,omitempty"`
		Description string `json:"description"`
	} `json:"error"`
}

type authError struct {
	AuthError struct {
		ID          string `json:"id"`
		Description string `json:"description"`
	} `json:"authError"`
}

func (e *apiError) response() kit.Response {
	var b body
	b.Error.ID, b.Error.Details, b.Error.Description = e.id, e.details, e.description
	return kit.Raw(e.status, kit.ContentJSON, kit.Indented(b))
}

func badAuth(id, description string) *apiError {
	var d authError
	d.AuthError.ID, d.AuthError.Description = id, description
	return &apiError{http.StatusUnauthorized, "unauthorized", "Provided authentication is not valid (see details).", d}
}

func badValueString(key string) *apiError {
	return &apiError{http.StatusBadRequest, "badValueString",
		fmt.Sprintf("Bad value: provided %q must be a string.", key), map[string]string{"key": key}}
}

// The catalogue, from the vendor's documentation.
var (
	errUnauthorized  = &apiError{http.StatusUnauthorized, "unauthorized", "You must authenticate yourself to perform this operation.", nil}
	errBadToken      = badAuth("badToken", "Provided token could not be understood by the server.")
	errTokenInvalid  = badAuth("tokenInvalid", "Provided token is not valid.")
	errTokenRevoked  = badAuth("tokenRevoked", "Provided token has been revoked.")
	errBadBasic      = badAuth("badBasicCredentials", "Invalid username or password.")
	errForbidden     = &apiError{http.StatusForbidden, "forbidden", "You are not authorized to perform this operation.", nil}
	errNotFound      = &apiError{http.StatusNotFound, "notFound", "The resource could not be found.", nil}
	errMalformedData = &apiError{http.StatusBadRequest, "malformedData", "Provided data could not be understood by the server.", nil}
	errNotSupported  = &apiError{http.StatusMethodNotAllowed, "notSupported", "This operation is not supported.", nil}
	errInternal      = &apiError{http.StatusInternalServerError, "internalServerError", "The server has encountered an error while processing this request.", nil}
)
