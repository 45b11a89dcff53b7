package commvault

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// loginRequest is Login's body: JSON {"username","password"} or the
// documented XML <DM2ContentIndexing_CheckCredentialReq username password/>.
type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"` // base64
}

func readLogin(r *kit.Request) (loginRequest, bool) {
	var req loginRequest
	body := strings.TrimSpace(string(r.Body))
	if strings.HasPrefix(body, "<") {
		doc := etree.NewDocument()
		if doc.ReadFromString(body) != nil || doc.Root() == nil || doc.Root().Tag != "DM2ContentIndexing_CheckCredentialReq" {
			return req, false
		}
		req.Username = doc.Root().SelectAttrValue("username", "")
		req.Password = doc.Root().SelectAttrValue("password", "")
		return req, true
	}
	return req, json.Unmarshal(r.Body, &req) == nil
}

// login checks a user name and base64 password and issues a new token.
// A failed login is HTTP 200 with an errList.
func (Vendor) login(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	req, ok := readLogin(r)
	if !ok {
		return kit.Response{}, badRequest("the body is not a login request")
	}
	id, found := st.userByName(req.Username)
	u, _ := st.Users.Get(id)
	password, err := base64.StdEncoding.DecodeString(req.Password)
	switch {
	case !found || err != nil || u.Password == "" || string(password) != u.Password:
		return render(r, http.StatusOK, loginFailure{ErrList: []loginError{{Message: "Invalid Username or Password", Code: 5}}}), nil
	case u.Disabled:
		return render(r, http.StatusOK, loginFailure{ErrList: []loginError{{Message: "User account is disabled.", Code: 5}}}), nil
	case u.Locked:
		return render(r, http.StatusOK, loginFailure{ErrList: []loginError{{Message: "User account is locked. Contact the administrator to unlock it.", Code: 5}}}), nil
	}
	tok := st.issueToken(id, r.Now)
	return render(r, http.StatusOK, loginResponse{AliasName: strconv.Itoa(id), UserGUID: guid(id), SMTPAddress: u.Email,
		UserName: u.Name, ProviderType: 1, Token: tok}), nil
}

// issueToken makes a session token that expires after sessionIdle
// without use; at most table.MaxIssued live in a world.
func (st *State) issueToken(user int, now time.Time) string {
	tok := "QSDK " + kit.RandomHex(48)
	st.Tokens.Set(tok, &Token{User: user, Expires: now.Add(sessionIdle), Issued: true})
	table.PruneIssued(st.Tokens, now, func(t *Token) (time.Time, bool) { return t.Expires, t.Issued })
	return tok
}

// whoAmI names the token's user: JSON {"user":{...}} or XML
// CvEntities_ProcessingInstructionInfo, both read by cvpysdk's who_am_i.
func (Vendor) whoAmI(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	_, _, key := st.token(r)
	t, _ := st.Tokens.Get(key) // Authenticate checked it
	u, _ := st.Users.Get(t.User)
	return render(r, http.StatusOK, whoAmIResponse{User: entity{UserID: t.User, UserName: u.Name, UserGUID: guid(t.User)}}), nil
}

// logout ends the token's session; cvpysdk reads the text on HTTP 200.
func (Vendor) logout(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	_, _, key := st.token(r)
	st.Tokens.Delete(key)
	return kit.Raw(http.StatusOK, "text/plain;charset=utf-8", []byte("User logged out")), nil
}

// renewLoginToken trades a token, expired or not, for a new one: cvpysdk
// sends {"sessionId": <the Authtoken it holds>, "deviceId"} after a 401
// and reads "token", or error.errLogMessage.
func (Vendor) renewLoginToken(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	var req struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(r.Body, &req); err != nil {
		return kit.Response{}, badRequest("the body is not {\"sessionId\":...}")
	}
	key := strings.TrimSpace(req.SessionID)
	if !st.Tokens.Has(key) && st.Tokens.Has("QSDK "+key) {
		key = "QSDK " + key
	}
	t, ok := st.Tokens.Get(key)
	var u *User
	if ok {
		u, ok = st.Users.Get(t.User)
	}
	if !ok || u.Disabled {
		return render(r, http.StatusOK, renewFailure{Error: loginError{Message: "Invalid session: the token cannot be renewed.", Code: 5}}), nil
	}
	st.Tokens.Delete(key)
	return render(r, http.StatusOK, renewResponse{Token: st.issueToken(t.User, r.Now)}), nil
}

type whoAmIResponse struct {
	User entity `json:"user"`
}

func (a whoAmIResponse) writeXML(w *xmlWriter) {
	w.start("CvEntities_ProcessingInstructionInfo")
	w.leaf("user", "userId", strconv.Itoa(a.User.UserID), "userName", a.User.UserName, "userGUID", a.User.UserGUID)
	w.end("CvEntities_ProcessingInstructionInfo")
}

type renewResponse struct {
	Token string `json:"token"`
}

func (t renewResponse) writeXML(w *xmlWriter) {
	w.leaf("DM2ContentIndexing_CheckCredentialResp", "token", t.Token)
}

type renewFailure struct {
	Error loginError `json:"error"`
}

func (f renewFailure) writeXML(w *xmlWriter) {
	w.start("DM2ContentIndexing_CheckCredentialResp")
	w.leaf("error", "errLogMessage", f.Error.Message, "errorCode", strconv.Itoa(f.Error.Code))
	w.end("DM2ContentIndexing_CheckCredentialResp")
}
