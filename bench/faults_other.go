//go:build !unix

package bench

// minorFaults cannot tell on this system.
func minorFaults() int64 { return -1 }
