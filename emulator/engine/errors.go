package engine

import (
	"errors"
	"fmt"
)

// The kinds of the Go API's errors, told apart with errors.Is; the
// control API answers them 404, 400 and 409.
var (
	ErrNotFound = errors.New("not found")     // no such session, vendor or fault rule
	ErrInvalid  = errors.New("invalid")       // a bad session id, scenario, fault or filter
	ErrConflict = errors.New("not available") // the state cannot give it (no credential in the scenario)
)

// apiError is an error of one of those kinds with its own message.
type apiError struct {
	kind error
	msg  string
	err  error // the cause, when there is one (a scenario's positioned errors)
}

func (e *apiError) Error() string { return e.msg }

func (e *apiError) Unwrap() []error {
	if e.err != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.kind}
}

func errorf(kind error, format string, args ...any) error {
	return &apiError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// invalid marks err, whatever it is, as an ErrInvalid keeping it.
func invalid(err error) error {
	if err == nil || errors.Is(err, ErrInvalid) {
		return err
	}
	return &apiError{kind: ErrInvalid, msg: err.Error(), err: err}
}
