//go:build !race

package console_test

const raceOn = false
