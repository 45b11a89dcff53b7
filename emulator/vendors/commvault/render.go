package commvault

import (
	"mime"
	"strconv"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
)

// Content types the web server sends.
const (
	contentXML  = "application/xml;charset=utf-8"
	contentJSON = "application/json;charset=utf-8"
)

// wantsJSON reads Accept: the best-quality of application/json and XML
// wins, the first listed on a tie; anything else, or nothing, is XML.
func wantsJSON(r *kit.Request) bool {
	accept := r.Header.Get("Accept")
	if !strings.ContainsAny(accept, ",;") {
		// One type without parameters, what clients send: read as mime
		// reads it, without its parameter map.
		mt := kit.MediaType(accept)
		return mt == "application/json" || strings.HasSuffix(mt, "+json")
	}
	bestQ, json := -1.0, false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		var isJSON bool
		switch {
		case mt == "application/json" || strings.HasSuffix(mt, "+json"):
			isJSON = true
		case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml") || mt == "*/*" || mt == "application/*":
		default:
			continue
		}
		if q > bestQ {
			bestQ, json = q, isJSON
		}
	}
	return json && bestQ > 0
}

// refusing is an answer that may refuse in its body (a non-zero
// errorCode), as cvpysdk reads it.
type refusing interface {
	refusal() (code int, msg string)
}

// render answers v in the format the client asked for, marked refused
// when its body says so.
func render(r *kit.Request, status int, v xmlBody) kit.Response {
	var resp kit.Response
	if wantsJSON(r) {
		resp = kit.Raw(status, contentJSON, kit.Compact(v))
	} else {
		resp = kit.Raw(status, contentXML, xmlDocument(v))
	}
	if rv, ok := v.(refusing); ok {
		if code, msg := rv.refusal(); code != 0 {
			resp = resp.Refused(errorCode(code), msg)
		}
	}
	return resp
}

// errorCode is the outcome code of a non-zero errorCode.
func errorCode(code int) string { return "errorCode " + strconv.Itoa(code) }

func (d deleteResponse) refusal() (int, string) { return firstRefusal(d.Response) }
func (u userResponse) refusal() (int, string)   { return firstRefusal(u.Response) }
func (g genericResponse) refusal() (int, string) {
	return g.ErrorCode, g.ErrorString
}
func (f renewFailure) refusal() (int, string) { return f.Error.Code, f.Error.Message }
func (l loginFailure) refusal() (int, string) {
	for _, e := range l.ErrList {
		if e.Code != 0 {
			return e.Code, e.Message
		}
	}
	return 0, ""
}

func firstRefusal(rs []deleteResult) (int, string) {
	for _, res := range rs {
		if res.ErrorCode != 0 {
			return res.ErrorCode, res.ErrorString
		}
	}
	return 0, ""
}

// xmlSafe replaces what XML 1.0 cannot carry even escaped (control
// characters from a client's path, say) with U+FFFD, so that every answer
// parses.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xfffe && r != 0xffff && !(r >= 0xd800 && r <= 0xdfff) {
			return r
		}
		return '\ufffd'
	}, s)
}

// deleteResponse is App_DeleteUserResponse. In JSON, response is an
// array, with processinginstructioninfo before it and warningMessage and
// entity.userName in each entry, as api.commvault.com shows it; the XML
// form stays the seed's sample, which carries neither.
type deleteResponse struct {
	Processing processingInfo `json:"processinginstructioninfo"`
	Response   []deleteResult `json:"response"`
}

type processingInfo struct {
	Attributes []nameValue `json:"attributes"`
}

type nameValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type deleteResult struct {
	ErrorCode      int     `json:"errorCode"`
	ErrorString    string  `json:"errorString"`
	WarningMessage string  `json:"warningMessage"`
	Entity         *entity `json:"entity,omitempty"`
}

type entity struct {
	UserID   int    `json:"userId"`
	UserName string `json:"userName,omitempty"`
	UserGUID string `json:"userGUID,omitempty"`
}

func (d deleteResponse) writeXML(w *xmlWriter) {
	w.start("App_DeleteUserResponse")
	for _, res := range d.Response {
		w.start("response", "errorCode", strconv.Itoa(res.ErrorCode), "errorString", res.ErrorString)
		if res.Entity != nil {
			w.leaf("entity", "userId", strconv.Itoa(res.Entity.UserID))
		}
		w.end("response")
	}
	w.end("App_DeleteUserResponse")
}

// deleteAnswer is a refused delete: HTTP 200, a non-zero errorCode.
func deleteAnswer(r *kit.Request, code int, msg string, _ int) kit.Response {
	return render(r, 200, deleteResponse{Processing: exitval(code), Response: []deleteResult{{ErrorCode: code, ErrorString: msg}}})
}

// deleteDone is a delete that happened.
func deleteDone(r *kit.Request, msg string, userID int, userName string) kit.Response {
	return render(r, 200, deleteResponse{Processing: exitval(0), Response: []deleteResult{{ErrorString: msg,
		Entity: &entity{UserID: userID, UserName: userName}}}})
}

func exitval(code int) processingInfo {
	return processingInfo{Attributes: []nameValue{{"exitval", strconv.Itoa(code)}}}
}

// userResponse answers create and modify: response[0] with errorCode and
// errorString (cvpysdk reads both) and the user.
type userResponse struct {
	Response []deleteResult `json:"response"`
}

func (u userResponse) writeXML(w *xmlWriter) {
	w.start("App_GenericResponse")
	for _, res := range u.Response {
		w.start("response", "errorCode", strconv.Itoa(res.ErrorCode), "errorString", res.ErrorString)
		if res.Entity != nil {
			w.leaf("entity", "userId", strconv.Itoa(res.Entity.UserID), "userName", res.Entity.UserName)
		}
		w.end("response")
	}
	w.end("App_GenericResponse")
}

func userAnswer(r *kit.Request, code int, msg string, userID int, userName string) kit.Response {
	res := deleteResult{ErrorCode: code, ErrorString: msg}
	if userID != 0 {
		res.Entity = &entity{UserID: userID, UserName: userName}
	}
	return render(r, 200, userResponse{Response: []deleteResult{res}})
}

type ownedEntities struct {
	Alerts           []string `json:"alerts"`
	SchedulePolicies []string `json:"schedulePolicies"`
	Workflows        []string `json:"workflows"`
}

func (o ownedEntities) writeXML(w *xmlWriter) {
	w.start("ownedEntities")
	for _, kind := range []struct {
		tag   string
		names []string
	}{{"alert", o.Alerts}, {"schedulePolicy", o.SchedulePolicies}, {"workflow", o.Workflows}} {
		for _, n := range kind.names {
			w.leaf(kind.tag, "name", n)
		}
	}
	w.end("ownedEntities")
}

type usersResponse struct {
	Users []userInfo `json:"users"`
}

type userInfo struct {
	Entity          entity `json:"userEntity"`
	Email           string `json:"email"`
	FullName        string `json:"fullName"`
	Description     string `json:"description"`
	EnableUser      bool   `json:"enableUser"`
	IsAccountLocked bool   `json:"isAccountLocked,omitempty"` // cvpysdk reads a missing one as false

	Groups []groupRef    `json:"associatedUserGroups"`
	Owned  ownedEntities `json:"ownedEntities"`
}

type groupRef struct {
	ID   int    `json:"userGroupId"`
	Name string `json:"userGroupName"`
}

func (u usersResponse) writeXML(w *xmlWriter) {
	w.start("App_GetUserPropertiesResponse")
	for _, info := range u.Users {
		kv := []string{"email", info.Email, "fullName", info.FullName,
			"description", info.Description, "enableUser", strconv.FormatBool(info.EnableUser)}
		if info.IsAccountLocked {
			kv = append(kv, "isAccountLocked", "true")
		}
		w.start("users", kv...)
		w.leaf("userEntity", "userId", strconv.Itoa(info.Entity.UserID), "userName", info.Entity.UserName,
			"userGUID", info.Entity.UserGUID)
		for _, g := range info.Groups {
			w.leaf("associatedUserGroups", "userGroupId", strconv.Itoa(g.ID), "userGroupName", g.Name)
		}
		info.Owned.writeXML(w)
		w.end("users")
	}
	w.end("App_GetUserPropertiesResponse")
}

type loginResponse struct {
	AliasName           string `json:"aliasName"`
	UserGUID            string `json:"userGUID"`
	LoginAttempts       int    `json:"loginAttempts"`
	RemainingLockTime   int    `json:"remainingLockTime"`
	SMTPAddress         string `json:"smtpAddress"`
	UserName            string `json:"userName"`
	ProviderType        int    `json:"providerType"`
	CCN                 int    `json:"ccn"`
	Token               string `json:"token"`
	ForcePasswordChange bool   `json:"forcePasswordChange"`
	IsAccountLocked     bool   `json:"isAccountLocked"`
}

func (l loginResponse) writeXML(w *xmlWriter) {
	w.leaf("DM2ContentIndexing_CheckCredentialResp",
		"aliasName", l.AliasName, "userGUID", l.UserGUID, "loginAttempts", strconv.Itoa(l.LoginAttempts),
		"remainingLockTime", strconv.Itoa(l.RemainingLockTime), "smtpAddress", l.SMTPAddress, "userName", l.UserName,
		"providerType", strconv.Itoa(l.ProviderType), "ccn", strconv.Itoa(l.CCN), "token", l.Token,
		"forcePasswordChange", strconv.FormatBool(l.ForcePasswordChange), "isAccountLocked", strconv.FormatBool(l.IsAccountLocked))
}

type loginFailure struct {
	ErrList []loginError `json:"errList"`
}

type loginError struct {
	Message string `json:"errLogMessage"`
	Code    int    `json:"errorCode"`
}

func (l loginFailure) writeXML(w *xmlWriter) {
	w.start("DM2ContentIndexing_CheckCredentialResp")
	for _, e := range l.ErrList {
		w.leaf("errList", "errLogMessage", e.Message, "errorCode", strconv.Itoa(e.Code))
	}
	w.end("DM2ContentIndexing_CheckCredentialResp")
}

// genericResponse is App_GenericResp, the shape of errors outside an
// operation's own response.
type genericResponse struct {
	ErrorCode   int    `json:"errorCode"`
	ErrorString string `json:"errorString"`
}

func (g genericResponse) writeXML(w *xmlWriter) {
	w.leaf("App_GenericResp", "errorCode", strconv.Itoa(g.ErrorCode), "errorString", g.ErrorString)
}
