package bench

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time of the calling thread in nanoseconds, and
// true (false where the OS gives none): on a shared machine a benchmark's
// CPU time per op does not count the time it waited for a core, which its
// wall time does.
func threadCPU() (int64, bool) { return cpuClock(unix.CLOCK_THREAD_CPUTIME_ID) }

// processCPU is threadCPU for the whole process (every thread, the
// garbage collector's included).
func processCPU() (int64, bool) { return cpuClock(unix.CLOCK_PROCESS_CPUTIME_ID) }

func cpuClock(id int32) (int64, bool) {
	var ts unix.Timespec
	if unix.ClockGettime(id, &ts) != nil {
		return 0, false
	}
	return ts.Nano(), true
}
