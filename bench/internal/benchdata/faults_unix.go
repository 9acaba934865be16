//go:build unix

package benchdata

import "syscall"

// MinorFaults returns the minor page faults this process has taken so far,
// or -1 if it cannot tell.
func MinorFaults() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return int64(ru.Minflt)
}
