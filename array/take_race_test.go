//go:build race

package array_test

// raceEnabled: the race detector drops sync.Pool's items at random, so
// allocation counts of pooled paths are only checked without it.
const raceEnabled = true
