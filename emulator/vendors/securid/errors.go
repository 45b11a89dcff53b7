package securid

import (
	"net/http"
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// apiError is one of the documented statuses with its documented
// description; the body shape is offboard's choice (the vendor's is
// undocumented).
type apiError struct {
	status  int
	message string
	cause   string // for the detail header only
}

func (e *apiError) Error() string {
	if e.cause != "" {
		return strconv.Itoa(e.status) + " " + e.message + " (" + e.cause + ")"
	}
	return strconv.Itoa(e.status) + " " + e.message
}

// body is the {"status","error","message"} answer, written without
// reflection since every error answer pays for it (FuzzErrorBody holds it
// to what encoding/json makes of the same fields).
func (e *apiError) body() []byte {
	text := http.StatusText(e.status)
	b := make([]byte, 0, 40+len(text)+len(e.message))
	b = append(b, `{"status":`...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, `,"error":`...)
	b = kit.AppendJSONString(b, text)
	b = append(b, `,"message":`...)
	b = kit.AppendJSONString(b, e.message)
	return append(b, '}')
}

const retryAfterSeconds = 60

var (
	errBadRequest      = &apiError{http.StatusBadRequest, "The request is malformed.", ""}
	errNotFound        = &apiError{http.StatusNotFound, "User is not found.", ""}
	errSCIM            = &apiError{http.StatusMethodNotAllowed, "Method Not Allowed. The method you are using is not allowed for users in the SCIM Managed and Azure Active Directory (SCIM) identity sources.", ""}
	errEnabled         = &apiError{http.StatusConflict, "The operation is not performed. User is in enabled state.", ""}
	errPendingDeletion = &apiError{http.StatusConflict, "The operation is not performed. User is in pending deletion state.", ""}
	errTooLarge        = &apiError{http.StatusRequestEntityTooLarge, "The request body is too large.", ""}
	// errUnsupportedMediaType is 415, which lookup (and search) document
	// for a body that is not application/json.
	errUnsupportedMediaType = &apiError{http.StatusUnsupportedMediaType, "Unsupported media type.", ""}
	errTooMany              = &apiError{http.StatusTooManyRequests, "Too many requests.", ""}
	errInternal             = &apiError{http.StatusInternalServerError, "Internal error occurred when processing the request.", ""}
)

func forbidden(cause string) *apiError {
	return &apiError{http.StatusForbidden, "Not authorized to perform the request.", cause}
}

func errAlreadyMarked(marked bool) *apiError {
	if marked {
		return &apiError{http.StatusConflict, "The operation is not performed. User is already in pending deletion state.", ""}
	}
	return &apiError{http.StatusConflict, "The operation is not performed. User is not in pending deletion state.", ""}
}

// Error implements kit.Vendor.
func (Vendor) Error(r *kit.Request, err error) kit.Response {
	ae := kit.Classify(err, fromKit, errInternal)
	if ae == errUnsupportedMediaType && !takesOnlyJSON[r.Operation] {
		ae = errBadRequest // the other operations document no 415
	}
	resp := kit.Raw(ae.status, kit.ContentJSON, ae.body()).Refused(strconv.Itoa(ae.status)+" "+http.StatusText(ae.status), ae.message)
	if ae.status == http.StatusTooManyRequests {
		resp.SetHeader("Retry-After", strconv.Itoa(retryAfterSeconds)) // a rate-limit fault may set its own
	}
	return resp
}

func fromKit(e *kit.Error) *apiError {
	switch e.Kind {
	case kit.NoRoute:
		return errNotFound
	case kit.MethodNotAllowed:
		return &apiError{http.StatusMethodNotAllowed, "Method Not Allowed.", ""}
	case kit.BadRequest:
		if e.Param == "Content-Type" {
			return errUnsupportedMediaType
		}
		return errBadRequest
	case kit.TooLarge:
		return errTooLarge
	case kit.Fault:
		switch e.Status {
		case http.StatusForbidden:
			return forbidden("injected")
		case http.StatusNotFound:
			return errNotFound
		case http.StatusMethodNotAllowed:
			return errSCIM
		case http.StatusConflict:
			return errEnabled
		case http.StatusTooManyRequests:
			return errTooMany
		case http.StatusInternalServerError:
			return errInternal
		}
		return &apiError{e.Status, http.StatusText(e.Status) + ".", ""}
	}
	return errInternal
}

// takesOnlyJSON are the operations whose pages document 415.
var takesOnlyJSON = map[string]bool{"lookupUser": true, "searchUsers": true, "searchUsersV2": true}
