package engine

import "github.com/offboard/offboard/emulator/kit"

// Credential mints a credential that works against the shared session's
// state of a vendor: the header a client sends and its value.
func (e *Engine) Credential(vendor string) (header, value string, err error) {
	return e.CredentialIn("", vendor)
}

// CredentialIn is Credential against one session's state (the session
// is created if it is not live).
func (e *Engine) CredentialIn(session, vendor string) (header, value string, err error) {
	if err := CheckSession(session); err != nil {
		return "", "", err
	}
	v, err := e.vendor(vendor)
	if err != nil {
		return "", "", err
	}
	c, ok := v.Vendor.(kit.Credentialer)
	if !ok {
		return "", "", errorf(ErrConflict, "vendor %s cannot mint credentials", vendor)
	}
	err = e.store.Slot(session, vendor).Do(func(s kit.State) error {
		var cerr error
		header, value, cerr = c.Credential(s, e.now())
		return cerr
	})
	if err != nil {
		return "", "", &apiError{kind: ErrConflict, msg: err.Error(), err: err}
	}
	return header, value, nil
}
