package huawei

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// serviceError is a DataArts Studio error: {"error_code","error_msg"}.
type serviceError struct {
	status int
	code   string
	msg    string
}

func (e *serviceError) Error() string { return strconv.Itoa(e.status) + " " + e.code + ": " + e.msg }

// gatewayError is an API gateway error: compact, with the request id in
// the body and in x-request-id.
type gatewayError struct {
	status int
	code   string
	msg    string
	cause  string // for the detail header and the log
}

func (e *gatewayError) Error() string {
	return strconv.Itoa(e.status) + " " + e.code + ": " + e.msg + " (" + e.cause + ")"
}

// The documented texts, "{0}" filled when the emulator knows the detail.
func badRequest(detail string) *serviceError {
	return &serviceError{http.StatusBadRequest, "DAYU.4402", "The operation failed, detail msg " + detail + "."}
}

func internal(detail string) *serviceError {
	return &serviceError{http.StatusInternalServerError, "DAYU.3531", "Internal server error: " + detail}
}

func gatewayAuth(reason, cause string) *gatewayError {
	return &gatewayError{http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: " + reason, cause}
}

var (
	errNoSuchAPI = &gatewayError{http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment", "no route"}
	errTooLarge  = &gatewayError{http.StatusRequestEntityTooLarge, "APIGW.0201", "Request entity too large", "body over the limit"}
	errThrottled = &gatewayError{http.StatusTooManyRequests, "APIGW.0308", "The throttling threshold has been reached", "throttled"}
)

// Error implements kit.Vendor.
func (Vendor) Error(_ *kit.Request, err error) kit.Response {
	se, ge := classify(err)
	if ge != nil {
		id := requestID()
		resp := kit.Raw(ge.status, kit.ContentJSON, gatewayBody(ge, id)).Refused(ge.code, ge.msg)
		resp.SetHeader("Server", "api-gateway")
		resp.SetHeader("X-Request-Id", id)
		return resp
	}
	resp := kit.Raw(se.status, kit.ContentJSON, serviceBody(se)).Refused(se.code, se.msg)
	resp.SetHeader("X-Request-Id", requestID())
	return resp
}

// classify finds the service or gateway error err is or wraps; an
// engine error is mapped by fromKit.
func classify(err error) (*serviceError, *gatewayError) {
	switch e := err.(type) { // unwrapped, the usual case: no errors.As
	case *serviceError:
		return e, nil
	case *gatewayError:
		return nil, e
	case *kit.Error:
		return fromKit(e)
	}
	// Declared past the usual case's return: errors.As takes their
	// addresses, which puts them on the heap from where they are declared.
	var se *serviceError
	if errors.As(err, &se) {
		return se, nil
	}
	var ge *gatewayError
	if errors.As(err, &ge) {
		return nil, ge
	}
	var ke *kit.Error
	if errors.As(err, &ke) {
		return fromKit(ke)
	}
	return internal("unexpected failure"), nil
}

// serviceBody is documented's layout of {"error_code","error_msg"},
// written without reflection since every service error pays for it
// (FuzzErrorBodies holds the two to the same bytes).
func serviceBody(se *serviceError) []byte {
	b := make([]byte, 0, 40+len(se.code)+len(se.msg))
	b = append(b, "{\n\"error_code\" : "...)
	b = kit.AppendJSONString(b, se.code)
	b = append(b, ",\n\"error_msg\" : "...)
	b = kit.AppendJSONString(b, se.msg)
	return append(b, "\n}"...)
}

// gatewayBody is the gateway's compact {"error_msg","error_code","request_id"}.
func gatewayBody(ge *gatewayError, id string) []byte {
	b := make([]byte, 0, 56+len(ge.msg)+len(ge.code)+len(id))
	b = append(b, `{"error_msg":`...)
	b = kit.AppendJSONString(b, ge.msg)
	b = append(b, `,"error_code":`...)
	b = kit.AppendJSONString(b, ge.code)
	b = append(b, `,"request_id":`...)
	b = kit.AppendJSONString(b, id)
	return append(b, '}')
}

func fromKit(e *kit.Error) (*serviceError, *gatewayError) {
	switch e.Kind {
	case kit.NoRoute, kit.MethodNotAllowed:
		return nil, errNoSuchAPI
	case kit.TooLarge:
		return nil, errTooLarge
	case kit.BadRequest:
		switch {
		case e.Param != "":
			return badRequest(fmt.Sprintf("parameter %s is invalid", e.Param)), nil
		case e.In == "body":
			return badRequest("request body is invalid"), nil
		}
		return badRequest("request is invalid"), nil
	case kit.Fault:
		return byStatus(e.Status)
	}
	return internal("unexpected failure"), nil
}

// byStatus is what an injected fault of a status answers: the documented
// example, its {0} left as documented.
func byStatus(status int) (*serviceError, *gatewayError) {
	switch status {
	case http.StatusBadRequest:
		return &serviceError{status, "DAYU.4402", "The operation failed, detail msg {0}."}, nil
	case http.StatusUnauthorized:
		return nil, gatewayAuth("x-auth-token not found", "injected")
	case http.StatusNotFound:
		return nil, errNoSuchAPI
	case http.StatusTooManyRequests:
		return nil, errThrottled
	}
	return &serviceError{status, "DAYU.3531", "Internal server error: {0}"}, nil
}

// requestID is 32 random hex characters, as the gateway's ids are. They
// need to be unique, not unpredictable: math/rand's generator, not a
// system call per answer.
func requestID() string {
	var raw [16]byte
	binary.LittleEndian.PutUint64(raw[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(raw[8:], rand.Uint64())
	var out [32]byte
	hex.Encode(out[:], raw[:])
	return string(out[:])
}
