package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
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

// TestReadCounters: write system calls and CPU time show in the counters
// the append benchmarks report.
func TestReadCounters(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "w"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, ok := readCounters()
	if !ok {
		t.Skip("no /proc/self/io here")
	}
	for range 20 {
		if _, err := f.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	after, ok := readCounters()
	if !ok {
		t.Fatal("readCounters failed the second time")
	}
	if d := after.sub(before); d.syscw < 20 || d.minflt < 0 {
		t.Errorf("20 writes counted as %d write system calls (%d minor faults)", d.syscw, d.minflt)
	}
	// CPU time is accounted in ticks: spin until it moves, for up to
	// 10 s of wall time (a loaded machine may not run this thread).
	for deadline := time.Now().Add(10 * time.Second); ; {
		now, _ := readCounters()
		if now.user+now.sys > before.user+before.sys {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("user and system time stayed at %v and %v", now.user, now.sys)
		}
	}
}
