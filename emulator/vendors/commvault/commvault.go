// Package commvault emulates the user-deletion part of the Commvault REST
// API: DELETE User with ownership transfer, XML or JSON by Accept.
package commvault

import (
	"github.com/offboard/offboard/emulator/kit"
)

// Vendor is the Commvault emulation.
type Vendor struct{}

// New returns the vendor.
func New() Vendor { return Vendor{} }

// Name implements kit.Vendor.
func (Vendor) Name() string { return "commvault" }

// Operations implements kit.Vendor.
func (v Vendor) Operations() map[string]kit.Handler {
	return map[string]kit.Handler{
		"getService":         v.getService,
		"deleteUser":         v.deleteUser,
		"getUser":            v.getUser,
		"modifyUser":         v.modifyUser,
		"listUsers":          v.listUsers,
		"createUser":         v.createUser,
		"getUserGroup":       v.getUserGroup,
		"modifyUserGroup":    v.modifyUserGroup,
		"unlockUsers":        v.unlockUsers,
		"getTwoFactorStatus": v.getTwoFactorStatus,
		"listUserGroups":     v.listUserGroups,
		"login":              v.login,
		"whoAmI":             v.whoAmI,
		"logout":             v.logout,
		"renewLoginToken":    v.renewLoginToken,
	}
}
