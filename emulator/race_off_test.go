//go:build !race

package emulator_test

const raceOn = false
