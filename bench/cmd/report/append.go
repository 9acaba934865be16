package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/gomemmap/memmap/bench/internal/cold"
)

// Section 3, appending records (issues 6 and 21): the tables, the
// verdicts and their measured reasons.

// The writers of section 3, as bench/record_test.go names them.
const (
	appendPeer    = "bufio+hand-written" // the 0.9× targets' peer (issue 21)
	appendReflect = "bufio+binary.Write" // the 3× target's peer (issue 6)
)

// appendFamilies are the two benchmarks of section 3: to the page cache
// and durable.
var appendFamilies = []struct{ name, kind string }{
	{"AppendNoSync", "to the page cache (`AppendNoSync`)"},
	{"Append", "durable (`Append`: Close against Flush+Sync)"},
}

// appendRecs returns the records one op of the benchmark name appended,
// or def when it has none. The figures give it to about 4 digits (ns/op ÷
// ns/rec); within 0.5% of def or of a size the benchmark has had (8Mi
// since issue 21, 10,000,000 before, 100,000 small), it is that: a run
// rendered with -from keeps its own size.
func (r *results) appendRecs(name string, def int) int {
	ops, recs := r.vals[name]["ns/op"], r.vals[name]["ns/rec"]
	if len(ops) == 0 || len(recs) == 0 || recs[0] <= 0 {
		return def
	}
	n := ops[0] / recs[0]
	for _, k := range []int{def, 8 << 20, 10_000_000, 100_000} { // issue 21's, issue 6's full, small
		if math.Abs(n-float64(k)) <= 0.005*float64(k) {
			return k
		}
	}
	return int(math.Round(n))
}

// fig formats a figure of the run, "—" when it did not record it.
func fig(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return metric(x)
}

// appendCosts are the measured costs of one writer of section 3.
type appendCosts struct {
	ns, usr, sys       float64 // per record: wall, user and system CPU time
	faults, syscw      float64 // per MiB appended: minor faults, write system calls
	grows              float64 // per op
	allocs             float64 // per record
	measured, counters bool    // the row exists; it has CPU time and syscw (runs since issue 21)
}

func (r *results) appendCosts(name string, recs int) appendCosts {
	mib := float64(recs) * 64 / (1 << 20)
	c := appendCosts{
		ns:     r.med(name, "ns/rec"),
		usr:    r.med(name, "usr-ns/rec"),
		sys:    r.med(name, "sys-ns/rec"),
		faults: r.med(name, "faults/op") / mib,
		syscw:  r.med(name, "syscw/op") / mib,
		grows:  r.med(name, "grows/op"),
		allocs: r.med(name, "allocs/op") / float64(recs),
	}
	c.measured = !math.IsNaN(r.med(name, "ns/op"))
	c.counters = !math.IsNaN(c.usr) && !math.IsNaN(c.syscw)
	return c
}

// appendSection renders section 3 into w and returns its targets.
func appendSection(w *strings.Builder, r *results, defRecs int) []target {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	recs := r.appendRecs("Append/record.Append", defRecs)
	p("One op appends %d 64-byte records (8 fields) to a new file, one `Append` call per record (and, for comparison, batches of 1024), and closes it. "+
		"`record.Append` appends `benchdata.Rec` values to a record file; `array.Append` appends the same 64 bytes as one row of a 2-d (n, 8) uint64 array per call "+
		"(`a.Append(row[:]...)`); the peers write the records through a 64 KiB `bufio.Writer`, encoded by `binary.Write` or by hand with `binary.LittleEndian.PutUint64` into a reused buffer. "+
		"In `Append` each op ends with the records on the disk: record's and array's Close make the data durable and commit the length in the header; "+
		"the peers `Flush` their bufio.Writer and `Sync` the file. `AppendNoSync` stops the timer as soon as the records are in the page cache "+
		"(before record's and array's Close, after the peers' Flush). `grows/op` counts how many times the file and its mapping grew during the op (the capacity doubles). "+
		"Over the timed part of each op: `faults/op` the minor page faults of the process, `syscw/op` its write system calls (write, pwrite; `syscw` of /proc/self/io), "+
		"`usr-ns/rec` and `sys-ns/rec` its user and system CPU time per record (getrusage; on a shared machine they can add up to less than `ns/rec`, the wall time per record).\n\n", recs)
	r.table(w, "Append", "record.Append")
	r.table(w, "AppendNoSync", "record.Append")
	rec, arr, peer := r.appendCosts("AppendNoSync/record.Append", recs), r.appendCosts("AppendNoSync/array.Append", recs), r.appendCosts("AppendNoSync/"+appendPeer, recs)
	p("`binary.Write` pays reflection and an allocation per record; the hand-written encoder writes the same bytes into a reused buffer and is the fastest way to produce a stream. "+
		"Per MiB appended to the page cache in this run: `record.Append` %s minor faults and %s write system calls, `array.Append` %s and %s, `%s` %s and %s. "+
		"The file grew %s times per op (record) and %s (array).\n\n",
		fig(rec.faults), fig(rec.syscw), fig(arr.faults), fig(arr.syscw), appendPeer, fig(peer.faults), fig(peer.syscw),
		num(r.med("Append/record.Append", "grows/op")), num(r.med("Append/array.Append", "grows/op")))

	var ts []target
	for _, fam := range appendFamilies {
		for _, im := range []string{"record.Append", "array.Append"} {
			ts = append(ts, r.appendTarget(fam.name, im, appendPeer, 0.9,
				fmt.Sprintf("`%s` of one record per call ≥ 0.9× the speed of `bufio` + hand-written encoder, %s", im, fam.kind), recs))
		}
	}
	// The original target of issue 6, with its words, so that summaries
	// of runs before and after compare.
	for _, fam := range []struct{ name, what string }{
		{"Append", "`record.Append` ≥ 3× faster than `bufio` + `binary.Write`, to disk"},
		{"AppendNoSync", "`record.Append` ≥ 3× faster than `bufio` + `binary.Write`, to the page cache (`AppendNoSync`)"},
	} {
		ts = append(ts, r.appendTarget(fam.name, "record.Append", appendReflect, 3, fam.what, recs))
	}
	return ts
}

// appendTarget is the target "im at least want times the speed of peer"
// in the benchmark family fam, with the measured reason when missed.
func (r *results) appendTarget(fam, im, peer string, want float64, what string, recs int) target {
	x, y := r.appendCosts(fam+"/"+im, recs), r.appendCosts(fam+"/"+peer, recs)
	if !x.measured || !y.measured {
		missing := im
		if x.measured {
			missing = peer
		}
		return target{what: what, have: fmt.Sprintf("not measured (no `%s/%s` row in this run)", fam, missing)}
	}
	speed := r.med(fam+"/"+peer, "ns/op") / r.med(fam+"/"+im, "ns/op")
	why := ""
	if speed < want {
		why = r.whyAppend(fam, im, peer, want, recs)
	}
	return atLeast(what, speed, want, why)
}

// whyAppend is the measured reason why im is slower than want times
// peer's speed in the family fam: its costs per record and per MiB
// against the peer's, and which of them makes the gap.
func (r *results) whyAppend(fam, im, peer string, want float64, recs int) string {
	x, y := r.appendCosts(fam+"/"+im, recs), r.appendCosts(fam+"/"+peer, recs)
	if peer == appendReflect && y.allocs >= 0.5 {
		return costLine(im, peer, x, y, want) + fmt.Sprintf(" The peer's own cost is reflection and %s allocations per record; ", fig(y.allocs)) +
			r.gapToFastest(fam, im, recs)
	}
	batch := r.appendCosts(fam+"/"+im+"_batch1024", recs)
	return costLine(im, peer, x, y, want) + diagnose(x, y, batch, want)
}

// costLine states what a writer and its peer cost per record and per MiB.
func costLine(im, peer string, x, y appendCosts, want float64) string {
	s := fmt.Sprintf("Per record, `%s` took %s ns against `%s`'s %s (%.3g× needs %s ns or less)", im, fig(x.ns), peer, fig(y.ns), want, fig(y.ns/want))
	if !x.counters || !y.counters {
		return s + fmt.Sprintf("; per MiB appended, %s minor faults against %s (this run recorded no CPU times or write system calls).", fig(x.faults), fig(y.faults))
	}
	return s + fmt.Sprintf("; CPU time per record: user %s ns, system %s ns against %s and %s; per MiB appended: %s minor faults and %s write system calls against %s and %s.",
		fig(x.usr), fig(x.sys), fig(y.usr), fig(y.sys), fig(x.faults), fig(x.syscw), fig(y.faults), fig(y.syscw))
}

// diagnose names, from the figures, which cost makes x miss want times
// the speed of its peer y. With CPU times: when x's CPU time per record
// would meet the target, the gap is waiting (for the disk, or for a core
// on a shared machine); otherwise the larger of the gaps in system time
// (with page faults or write calls, when those differ) and user time (per
// call when batch, the same writer in batches, is faster).
func diagnose(x, y, batch appendCosts, want float64) string {
	if !x.counters || !y.counters {
		if x.faults > 10*math.Max(y.faults, 1) {
			return fmt.Sprintf(" The writer took %s minor faults per MiB, the peer %s: a write fault per new page of the shared mapping.", fig(x.faults), fig(y.faults))
		}
		return ""
	}
	cx, cy := x.usr+x.sys, y.usr+y.sys
	dUsr, dSys := x.usr-y.usr, x.sys-y.sys
	if cx*want > cy && cx-cy < (x.ns-y.ns)/2 {
		return diagnoseCPU(x, y, batch, dUsr, dSys) + fmt.Sprintf(" CPU time accounts for %s of the %s ns more per record; the rest is waiting, for the disk when the op ends durable, or for a core on a shared machine (see Machine).",
			fig(cx-cy), fig(x.ns-y.ns))
	}
	if cx*want <= cy {
		return fmt.Sprintf(" The CPU time would meet the target (%s ns per record against the peer's %s): the gap is waiting, for the disk when the op ends durable, or for a core on a shared machine (see Machine).",
			fig(cx), fig(cy))
	}
	return diagnoseCPU(x, y, batch, dUsr, dSys)
}

// diagnoseCPU names the larger of the gaps in system and user time.
func diagnoseCPU(x, y, batch appendCosts, dUsr, dSys float64) string {
	switch {
	case dSys > dUsr && x.faults > 10*math.Max(y.faults, 1):
		return fmt.Sprintf(" The gap is the kernel's work on the mapping: %s ns more system time per record than the peer, with %s minor faults per MiB (a write fault per new page or folio of the shared mapping) against %s.",
			fig(dSys), fig(x.faults), fig(y.faults))
	case dSys > dUsr && x.syscw > 2*y.syscw+1:
		return fmt.Sprintf(" The gap is in system calls: %s ns more system time per record, with %s write calls per MiB against the peer's %s.", fig(dSys), fig(x.syscw), fig(y.syscw))
	case dSys > dUsr:
		return fmt.Sprintf(" Faults and write calls are at the peer's level; the gap is system time, %s ns more per record (user time: %s ns more).", fig(dSys), fig(dUsr))
	}
	s := fmt.Sprintf(" The gap is user time in the call: %s ns more per record than the peer (system time: %s ns more)", fig(dUsr), fig(dSys))
	if batch.measured && batch.ns < x.ns {
		s += fmt.Sprintf("; in batches of 1024 the same writer takes %s ns per record, so the cost is per call", fig(batch.ns))
	}
	return s + "."
}

// gapToFastest explains im's own cost against the hand-written peer, for
// a target against binary.Write.
func (r *results) gapToFastest(fam, im string, recs int) string {
	x, y := r.appendCosts(fam+"/"+im, recs), r.appendCosts(fam+"/"+appendPeer, recs)
	return fmt.Sprintf("against the hand-written encoder, `%s` takes %s ns per record to its %s, with %s minor faults and %s write system calls per MiB to its %s and %s.",
		im, fig(x.ns), fig(y.ns), fig(x.faults), fig(x.syscw), fig(y.faults), fig(y.syscw))
}

// The writers of section 7.5, as internal/cold names them.
const coldAppendPeer = "bufio+LittleEndian"

// coldCosts are a cold append-one cell's costs, per record and per MiB.
// The counters of the cold children cover the whole op, Close and Sync
// included; the time per record is that of the page cache or of the
// durable rate.
func coldCosts(c cell, durable bool) appendCosts {
	rate := c.rate
	if durable {
		rate = c.durable
	}
	perMiB := float64(1<<20) / 64
	x := appendCosts{
		ns:     1e9 / rate,
		usr:    c.usrPerOp * 1e9,
		sys:    c.sysPerOp * 1e9,
		faults: c.minPerOp * perMiB,
		syscw:  c.syscwPerOp * perMiB,
	}
	x.measured = c.ok
	// syscw came with the CPU times: a run that recorded these recorded it.
	x.counters = c.ok && !math.IsNaN(c.usrPerOp) && !math.IsNaN(c.sysPerOp)
	return x
}

// appendOneSection renders section 7.5 into w and returns its targets.
func appendOneSection(w *strings.Builder, c *coldResults) []verdict {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	recs := c.info.AppendB / 64
	p("One op appends %d 64-byte records one call each: `record.Append(rec)` of `benchdata.Rec`, and `array.Append(row[:]...)` of the same 64 bytes as one row of a 2-d (n, 8) uint64 array, "+
		"against a `bufio.Writer` (64 KiB) fed by a hand-written `binary.LittleEndian` encoder; page cache and durable as in 7.4. "+
		"The minor faults, write system calls (`syscw` of /proc/self/io) and user and system CPU time (getrusage) are the child's over the whole op, until the data is durable.\n\n", recs)
	p("| implementation | records/s, page cache | ÷ bufio | records/s, durable | ÷ bufio+Sync | minor faults/MiB | write syscalls/MiB | user ns/record | system ns/record |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	peer := c.get(cold.AppendOne, coldAppendPeer, 0, 0)
	for _, im := range []string{coldAppendPeer, "record.Append", "array.Append"} {
		x := c.get(cold.AppendOne, im, 0, 0)
		if !x.ok {
			p("| %s | %s | | | | | | | |\n", im, x.err)
			continue
		}
		k := coldCosts(x, false)
		syscw := "—" // not recorded by runs before issue 21
		if k.counters {
			syscw = per(k.syscw)
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", im, rate(x.rate, "/s"), ratio(x.rate/peer.rate), rate(x.durable, "/s"), ratio(x.durable/peer.durable),
			per(k.faults), syscw, fig(k.usr), fig(k.sys))
	}
	p("\n")
	var vs []verdict
	for _, durable := range []bool{false, true} {
		for _, im := range []string{"record.Append", "array.Append"} {
			x := c.get(cold.AppendOne, im, 0, 0)
			what := fmt.Sprintf("`%s` of one record per call (%d records) ≥ 0.9× `bufio` + hand-written encoder, to the page cache", im, recs)
			xx, pp := x, peer
			if durable {
				what = fmt.Sprintf("`%s` of one record per call (%d records) ≥ 0.9× `bufio` + hand-written encoder + `Sync`, durable", im, recs)
				xx.rate, pp.rate = x.durable, peer.durable
			}
			vs = append(vs, ratioVerdict(what, xx, pp, 0.9, true, func() string {
				a, b := coldCosts(x, durable), coldCosts(peer, durable)
				return strings.TrimSpace(costLine(im, coldAppendPeer, a, b, 0.9) + diagnose(a, b, appendCosts{}, 0.9))
			}))
		}
	}
	return vs
}
