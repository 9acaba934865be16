package bench

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// readCounters returns what the process has spent so far, for the append
// benchmarks' figures per op: minor page faults, user and system CPU time
// (getrusage) and write system calls (syscw of /proc/self/io, every
// thread's write, pwrite and writev). ok is false if either source failed.
func readCounters() (c counters, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return c, false
	}
	c.minflt = int64(ru.Minflt)
	c.user = time.Duration(ru.Utime.Nano())
	c.sys = time.Duration(ru.Stime.Nano())
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return c, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(l, "syscw:"); found {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return c, false
			}
			c.syscw = n
			return c, true
		}
	}
	return c, false
}
