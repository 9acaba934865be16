//go:build !unix

package benchdata

// MinorFaults cannot tell on this system.
func MinorFaults() int64 { return -1 }
