//go:build race

package emulator_test

// raceOn: the race detector adds allocations of its own, which are not
// the request path's.
const raceOn = true
