//go:build linux

package cold

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// envChild marks a child process: MaybeChild runs the job it is sent.
const envChild = "MEMMAP_COLD_CHILD"

// resultPrefix starts the child's result line on its stdout.
const resultPrefix = "COLD-RESULT "

// MaybeChild runs the job a parent sends when this process is a child of
// Run, and exits; otherwise it returns at once. Call it first thing in
// main (or TestMain) of every program that calls Run.
func MaybeChild() {
	if os.Getenv(envChild) != "1" {
		return
	}
	// The job comes once the parent has put this process in its cgroup:
	// nothing is opened before.
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	var j Job
	if err == nil {
		err = json.Unmarshal([]byte(line), &j)
	}
	r := Result{Scenario: j.Scenario, Impl: j.Impl, Goroutines: j.Goroutines, Batch: j.Batch}
	if err != nil {
		r.Err = "reading the job: " + err.Error()
	} else {
		r.ChildCg = CgroupOf("self")
		if err := runJob(j, &r); err != nil {
			r.Err = err.Error()
		}
	}
	b, _ := json.Marshal(r)
	fmt.Printf("%s%s\n", resultPrefix, b)
	os.Exit(0)
}

// meter takes the process's counters at the start and end of the timed
// part of a job.
type meter struct {
	t0             time.Time
	maj, min       int64
	utime, stime   time.Duration
	rbytes, wbytes int64
	syscr, syscw   int64
}

func (m *meter) start() {
	m.maj, m.min, m.utime, m.stime = rusage()
	m.rbytes, m.wbytes, m.syscr, m.syscw = procIO()
	m.t0 = time.Now()
}

// stop records the elapsed time and the counters' deltas in r.
func (m *meter) stop(r *Result) {
	r.Seconds = time.Since(m.t0).Seconds()
	m.deltas(r)
}

// durable records the time until the data was on the disk, and the
// counters' deltas up to then.
func (m *meter) durable(r *Result) {
	r.Durable = time.Since(m.t0).Seconds()
	m.deltas(r)
}

func (m *meter) deltas(r *Result) {
	maj, min, ut, st := rusage()
	rb, wb, sr, sw := procIO()
	r.MajFlt, r.MinFlt = maj-m.maj, min-m.min
	r.UserS, r.SysS = (ut - m.utime).Seconds(), (st - m.stime).Seconds()
	r.ReadB, r.WriteB, r.SysR, r.SysW = rb-m.rbytes, wb-m.wbytes, sr-m.syscr, sw-m.syscw
}

// rusage returns the process's major and minor faults and its user and
// system CPU time so far (getrusage).
func rusage() (maj, min int64, utime, stime time.Duration) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0, 0, 0
	}
	return int64(ru.Majflt), int64(ru.Minflt), time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// procIO returns read_bytes, write_bytes, syscr and syscw of
// /proc/self/io: the bytes this process made the kernel read from and
// write to the storage (page cache misses, read-ahead and faults
// included), and its read and write system calls (read, pread; write,
// pwrite). (Reading the file is itself one read system call, the same for
// every cell.)
func procIO() (read, write, syscr, syscw int64) {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, 0, 0, 0
	}
	return parseProcIO(string(b))
}

func parseProcIO(s string) (read, write, syscr, syscw int64) {
	for _, l := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "read_bytes":
			read = n
		case "write_bytes":
			write = n
		case "syscr":
			syscr = n
		case "syscw":
			syscw = n
		}
	}
	return read, write, syscr, syscw
}
