// Package vendors is the one list of emulated vendors.
package vendors

import (
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/vendors/arcgis"
	"github.com/offboard/offboard/emulator/vendors/commvault"
	"github.com/offboard/offboard/emulator/vendors/huawei"
	"github.com/offboard/offboard/emulator/vendors/onedata"
	"github.com/offboard/offboard/emulator/vendors/securid"
)

// All returns every vendor, in a fixed order. Adding a vendor is one line here.
func All() []kit.Vendor {
	return []kit.Vendor{
		arcgis.New(),
		commvault.New(),
		huawei.New(),
		onedata.New(),
		securid.New(),
	}
}
