//go:build !race

package array_test

// raceEnabled: see take_race_test.go.
const raceEnabled = false
