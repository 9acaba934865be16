//go:build !linux

package bench

// threadCPU reports no CPU time outside Linux (see the Linux version).
func threadCPU() (int64, bool) { return 0, false }

// processCPU reports no CPU time outside Linux.
func processCPU() (int64, bool) { return 0, false }
