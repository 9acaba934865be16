//go:build unix

package bench

import "syscall"

// minorFaults returns the minor page faults this process has taken so far,
// or -1 if it cannot tell.
func minorFaults() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return int64(ru.Minflt)
}
