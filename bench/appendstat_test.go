package bench

import (
	"testing"
	"time"
)

// counters are what a process has spent, from readCounters.
type counters struct {
	minflt, syscw int64
	user, sys     time.Duration
}

func (c counters) sub(d counters) counters {
	return counters{minflt: c.minflt - d.minflt, syscw: c.syscw - d.syscw, user: c.user - d.user, sys: c.sys - d.sys}
}

func (c counters) add(d counters) counters {
	return counters{minflt: c.minflt + d.minflt, syscw: c.syscw + d.syscw, user: c.user + d.user, sys: c.sys + d.sys}
}

// opMeter sums the counters over the timed parts of a benchmark's ops: an
// op calls start when its timer starts and stop when it stops (stop may be
// called more than once per op; only the first call counts).
type opMeter struct {
	at      counters
	total   counters
	running bool
	ok      bool
}

func newOpMeter() *opMeter {
	_, ok := readCounters()
	return &opMeter{ok: ok}
}

func (m *opMeter) start() {
	m.at, _ = readCounters()
	m.running = true
}

// stop stops b's timer and adds what the op spent since start.
func (m *opMeter) stop(b *testing.B) {
	if !m.running {
		return
	}
	b.StopTimer()
	m.running = false
	now, ok := readCounters()
	m.ok = m.ok && ok
	m.total = m.total.add(now.sub(m.at))
}

// report reports the counters per op (faults/op, syscw/op) and per record
// (usr-ns/rec, sys-ns/rec) of b's ops, n records each.
func (m *opMeter) report(b *testing.B, n int) {
	if !m.ok || b.N == 0 {
		return
	}
	ops := float64(b.N)
	b.ReportMetric(float64(m.total.minflt)/ops, "faults/op")
	b.ReportMetric(float64(m.total.syscw)/ops, "syscw/op")
	b.ReportMetric(float64(m.total.user.Nanoseconds())/ops/float64(n), "usr-ns/rec")
	b.ReportMetric(float64(m.total.sys.Nanoseconds())/ops/float64(n), "sys-ns/rec")
}
