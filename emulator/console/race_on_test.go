//go:build race

package console_test

// raceOn: the race detector's build answers a few hundred requests a
// second on two cores, under a load test that asks 1,000.
const raceOn = true
