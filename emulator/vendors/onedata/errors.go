package onedata

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// apiError is one entry of Onezone's error catalogue.
type apiError struct {
	status      int
	id          string
	description string
	details     map[string]any
}

func (e *apiError) Error() string { return strconv.Itoa(e.status) + " " + e.id + ": " + e.description }

// response encodes the error as oz-worker does: compact JSON (ctool's
// json_utils:encode, jiffy without the pretty option) of Erlang maps,
// whose keys come out sorted, so "description" precedes "details" and "id".
func (e *apiError) response() kit.Response {
	return e.encode().Refused(e.id, e.description)
}

func (e *apiError) encode() kit.Response {
	if e.details == nil {
		// The usual answer (notFound, forbidden...), written without
		// encoding/json's map sorting: FuzzErrorResponse holds the two alike.
		b := make([]byte, 0, 40+len(e.description)+len(e.id))
		b = append(b, `{"error":{"description":`...)
		b = kit.AppendJSONString(b, e.description)
		b = append(b, `,"id":`...)
		b = kit.AppendJSONString(b, e.id)
		return kit.Raw(e.status, kit.ContentJSON, append(b, "}}"...))
	}
	obj := map[string]any{"id": e.id, "description": e.description}
	if e.details != nil {
		obj["details"] = e.details
	}
	return kit.Raw(e.status, kit.ContentJSON, kit.Compact(map[string]any{"error": obj}))
}

func badAuth(id, description string) *apiError {
	return &apiError{http.StatusUnauthorized, "unauthorized", "Provided authentication is not valid (see details).",
		map[string]any{"authError": map[string]any{"id": id, "description": description}}}
}

func badValueString(key string) *apiError {
	return &apiError{http.StatusBadRequest, "badValueString",
		fmt.Sprintf("Bad value: provided %q must be a string.", key), map[string]any{"key": key}}
}

func badValueBoolean(key string) *apiError {
	return &apiError{http.StatusBadRequest, "badValueBoolean",
		fmt.Sprintf("Bad value: provided %q must be a boolean.", key), map[string]any{"key": key}}
}

func missingRequiredValue(key string) *apiError {
	return &apiError{http.StatusBadRequest, "missingRequiredValue",
		fmt.Sprintf("Missing required value: %s.", key), map[string]any{"key": key}}
}

func identifierOccupied(key string) *apiError {
	return &apiError{http.StatusBadRequest, "badValueIdentifierOccupied",
		fmt.Sprintf("Bad value: provided identifier (%q) is already occupied.", key), map[string]any{"key": key}}
}

// The catalogue, from the vendor's documentation and ctool's od_error_* modules.
var (
	errUnauthorized  = &apiError{http.StatusUnauthorized, "unauthorized", "You must authenticate yourself to perform this operation.", nil}
	errBadToken      = badAuth("badToken", "Provided token could not be understood by the server.")
	errTokenInvalid  = badAuth("tokenInvalid", "Provided token is not valid.")
	errTokenRevoked  = badAuth("tokenRevoked", "Provided token has been revoked.")
	errBadBasic      = badAuth("badBasicCredentials", "Invalid username or password.")
	errUserBlocked   = badAuth("userBlocked", "This user account has been blocked by the administrator and cannot be used unless it is unblocked again.")
	errForbidden     = &apiError{http.StatusForbidden, "forbidden", "You are not authorized to perform this operation.", nil}
	errNotFound      = &apiError{http.StatusNotFound, "notFound", "The resource could not be found.", nil}
	errMalformedData = &apiError{http.StatusBadRequest, "malformedData", "Provided data could not be understood by the server.", nil}
	errNotSupported  = &apiError{http.StatusMethodNotAllowed, "notSupported", "This operation is not supported.", nil}
	errInternal      = &apiError{http.StatusInternalServerError, "internalServerError", "The server has encountered an error while processing this request.", nil}
)

// Error implements kit.Vendor: every error in Onezone's
// {"error":{"id","details","description"}} shape.
func (Vendor) Error(_ *kit.Request, err error) kit.Response {
	ae := kit.Classify(err, fromKit, errInternal)
	return ae.response()
}

func fromKit(e *kit.Error) *apiError {
	switch e.Kind {
	case kit.NoRoute:
		return errNotFound
	case kit.MethodNotAllowed:
		return errNotSupported
	case kit.BadRequest:
		if e.Param != "" {
			return badValueString(e.Param)
		}
		return errMalformedData
	case kit.TooLarge:
		return errMalformedData
	case kit.Fault:
		return byStatus(e.Status)
	}
	return errInternal
}

// byStatus is the documented error for a status, what an injected fault
// of that status answers.
func byStatus(status int) *apiError {
	switch status {
	case http.StatusBadRequest:
		return badValueString("name") // the seed's own example
	case http.StatusUnauthorized:
		return errUnauthorized
	case http.StatusForbidden:
		return errForbidden
	case http.StatusNotFound:
		return errNotFound
	case http.StatusInternalServerError:
		return errInternal
	}
	e := *errInternal
	e.status = status
	return &e
}
