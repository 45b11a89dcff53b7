package record_test

import (
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios/scenariotest"
)

// TestRecordingABigWorld: 10,000 users a vendor round-trip as well.
func TestRecordingABigWorld(t *testing.T) {
	n := 10_000
	if raceOn {
		n = 1_000 // the same checks on a smaller world; see raceOn
	}
	orig := serve(t, emulator.WithScenarioYAML("big", bigWorld(t, n)), emulatorVars(t))
	rec, _, sum := recordWorld(t, orig)
	for _, v := range sum.Vendors {
		if v.Skipped != "" {
			t.Fatalf("%s not recorded: %s", v.Vendor, v.Skipped)
		}
		most := 0
		for _, c := range v.Counts {
			most = max(most, c)
		}
		if most < n {
			t.Errorf("%s: counts %v, want %d of something", v.Vendor, v.Counts, n)
		}
	}
	sameReads(t, orig, rec, recordedVendors(sum))
	sameExports(t, orig, rec, recordedVendors(sum))
}

func bigWorld(t *testing.T, n int) []byte {
	t.Helper()
	b, err := scenariotest.BigWorld(n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
