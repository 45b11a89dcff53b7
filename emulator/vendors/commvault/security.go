package commvault

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/offboard/offboard/emulator/kit"
)

// unlockRequest is POST User/Unlock's body, as cvpysdk's User.unlock
// sends it.
type unlockRequest struct {
	LockedAccounts []struct {
		User struct {
			UserName string `json:"userName"`
			UserID   int    `json:"userId"`
		} `json:"user"`
	} `json:"lockedAccounts"`
}

type unlockResult struct {
	LockedAccounts []unlockStatus `json:"lockedAccounts"`
}

type unlockStatus struct {
	Status     string `json:"status"`
	StatusCode int    `json:"statusCode"`
	User       entity `json:"user"`
}

// Unlock statuses: the texts cvpysdk documents; the codes are offboard's.
const (
	unlocked  = "Unlock successful for user account"
	notLocked = "User account is not locked"
	noSuch    = "Unlock failed for user account"
)

// unlockUsers unlocks the named accounts; a locked user can log in again.
func (Vendor) unlockUsers(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	var req unlockRequest
	if err := json.Unmarshal(r.Body, &req); err != nil || len(req.LockedAccounts) == 0 {
		return kit.Response{}, badRequest(`the body is not {"lockedAccounts":[{"user":{...}}]}`)
	}
	out := unlockResult{LockedAccounts: []unlockStatus{}}
	for _, acc := range req.LockedAccounts {
		id, ok := acc.User.UserID, st.Users.Has(acc.User.UserID)
		if acc.User.UserName != "" {
			id, ok = st.userByName(acc.User.UserName)
		}
		res := unlockStatus{Status: noSuch, StatusCode: 2, User: entity{UserID: acc.User.UserID, UserName: acc.User.UserName}}
		if ok {
			u, _ := st.Users.Mut(id)
			res.User = entity{UserID: id, UserName: u.Name}
			res.Status, res.StatusCode = notLocked, 1
			if u.Locked {
				u.Locked = false
				res.Status, res.StatusCode = unlocked, 0
			}
		}
		out.LockedAccounts = append(out.LockedAccounts, res)
	}
	resp := kit.Raw(http.StatusOK, contentJSON, kit.Compact(out))
	for _, res := range out.LockedAccounts {
		if res.StatusCode != 0 { // the first account that did not unlock names the answer
			return resp.Refused("statusCode "+strconv.Itoa(res.StatusCode), res.Status), nil
		}
	}
	return resp, nil
}

type twoFactorStatus struct {
	ErrorCode    int            `json:"errorCode"`
	ErrorMessage string         `json:"errorMessage,omitempty"`
	Info         *twoFactorInfo `json:"twoFactorInfo,omitempty"`
}

type twoFactorInfo struct {
	Enabled  bool   `json:"isTwoFactorAuthenticationEnabled"`
	UserName string `json:"userName"`
}

// getTwoFactorStatus answers whether a user signs in with a second
// factor; cvpysdk asks it on every User refresh.
func (Vendor) getTwoFactorStatus(r *kit.Request, s kit.State) (kit.Response, error) {
	st := s.(*State)
	name := r.Query.Get("username")
	id, ok := st.userByName(name)
	if !ok {
		msg := "User [" + name + "] does not exist."
		return kit.Raw(http.StatusOK, contentJSON, kit.Compact(twoFactorStatus{ErrorCode: 2, ErrorMessage: msg})).
			Refused(errorCode(2), msg), nil
	}
	u, _ := st.Users.Get(id)
	return kit.Raw(http.StatusOK, contentJSON, kit.Compact(twoFactorStatus{Info: &twoFactorInfo{Enabled: u.TwoFactor, UserName: u.Name}})), nil
}
