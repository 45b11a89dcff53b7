//go:build race

package record_test

// raceOn: the race detector slows the big world's YAML parsing tenfold,
// and the race suite runs every package at once (the console's load test
// beside it needs the CPU); CI runs the 10,000-user world without the
// detector in a step of its own.
const raceOn = true
