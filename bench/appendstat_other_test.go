//go:build !linux

package bench

// readCounters reports nothing outside Linux (see the Linux version).
func readCounters() (c counters, ok bool) { return c, false }
