package huawei

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/offboard/offboard/emulator/kit"
)

// serviceError is a DataArts Studio error: {"error_code","error_msg"}.
type serviceError struct {
	status int
	code   string
	msg    string
}

func (e *serviceError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.msg) }

// gatewayError is an API gateway error: compact, with the request id in
// the body and in x-request-id.
type gatewayError struct {
	status int
	code   string
	msg    string
	cause  string // for the detail header and the log
}

func (e *gatewayError) Error() string {
	return fmt.Sprintf("%d %s: %s (%s)", e.status, e.code, e.msg, e.cause)
}

// The documented texts; {0} is filled when the emulator knows the detail.
const (
	msgBadRequest = "The operation failed, detail msg %s."
	msgInternal   = "Internal server error: %s"
)

func badRequest(detail string) *serviceError {
	return &serviceError{http.StatusBadRequest, "DAYU.4402", fmt.Sprintf(msgBadRequest, detail)}
}

func internal(detail string) *serviceError {
	return &serviceError{http.StatusInternalServerError, "DAYU.3531", fmt.Sprintf(msgInternal, detail)}
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
	var se *serviceError
	var ge *gatewayError
	var ke *kit.Error
	switch {
	case errors.As(err, &se):
	case errors.As(err, &ge):
	case errors.As(err, &ke):
		se, ge = fromKit(ke)
	default:
		se = internal("unexpected failure")
	}
	if ge != nil {
		id := requestID()
		resp := kit.Raw(ge.status, kit.ContentJSON, kit.Compact(struct {
			Msg       string `json:"error_msg"`
			Code      string `json:"error_code"`
			RequestID string `json:"request_id"`
		}{ge.msg, ge.code, id}))
		resp.Header.Set("Server", "api-gateway")
		resp.Header.Set("X-Request-Id", id)
		return resp
	}
	return documented(se.status, struct {
		Code string `json:"error_code"`
		Msg  string `json:"error_msg"`
	}{se.code, se.msg})
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

// requestID is 32 random hex characters, as the gateway's ids are.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
