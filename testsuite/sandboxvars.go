package testsuite

import _ "embed"

//go:embed sandbox/offboard.yaml
var sandboxVarsFile []byte

// SandboxVars are the variables of the sandbox stand-in (`serve --scenario
// sandbox`), testsuite/sandbox/offboard.yaml: what a Go test that plays a
// tenant with the stand-in passes to verify, record or drift.
func SandboxVars() (map[string]string, error) {
	return ReadVars("sandbox/offboard.yaml", sandboxVarsFile)
}
