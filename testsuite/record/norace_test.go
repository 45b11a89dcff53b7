//go:build !race

package record_test

const raceOn = false
