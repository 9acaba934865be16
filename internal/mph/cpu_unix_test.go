//go:build unix

package mph

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time the process has used, and true. On a
// machine shared with other work it measures a build better than the clock.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
