package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/bench/internal/cold"
)

func TestVerdictString(t *testing.T) {
	for _, tc := range []struct {
		v    verdict
		want string
	}{
		{verdict{what: "x ≥ 0.5× y", have: "0.7×", ok: true, why: "unused"}, "- x ≥ 0.5× y: 0.7× — **met**."},
		{verdict{what: "x ≥ 0.5× y", have: "0.1×", why: "Per read, 3 faults."}, "- x ≥ 0.5× y: 0.1× — **missed**. Per read, 3 faults."},
		{verdict{what: "gather", have: "not measured: Take not on main", na: true}, "- gather: not measured: Take not on main — **not measured**."},
	} {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("got  %q\nwant %q", got, tc.want)
		}
	}
}

func TestRatioVerdict(t *testing.T) {
	fast, slow := cell{ok: true, rate: 100}, cell{ok: true, rate: 40}
	why := func() string { return "because" }
	if v := ratioVerdict("a", slow, fast, 0.5, true, why); v.ok || v.na || v.have != "0.4×" || v.why != "because" {
		t.Errorf("0.4 against ≥ 0.5: %+v", v)
	}
	if v := ratioVerdict("a", fast, slow, 0.5, true, why); !v.ok || v.have != "2.5×" || v.why != "" {
		t.Errorf("2.5 against ≥ 0.5: %+v", v)
	}
	// Time ratios: peer rate / rate, met when at most want.
	if v := ratioVerdict("a", cell{ok: true, rate: 90}, cell{ok: true, rate: 100}, 1.2, false, why); !v.ok || v.have != "1.11×" {
		t.Errorf("time 1.11 against ≤ 1.2: %+v", v)
	}
	if v := ratioVerdict("a", slow, fast, 1.2, false, why); v.ok || v.have != "2.5×" {
		t.Errorf("time 2.5 against ≤ 1.2: %+v", v)
	}
	if v := ratioVerdict("a", cell{err: "not measured: Take not on main"}, fast, 0.8, true, why); !v.na || v.have != "not measured: Take not on main" {
		t.Errorf("not measured: %+v", v)
	}
	if v := ratioVerdict("a", fast, cell{err: "boom"}, 0.8, true, why); !v.na || !strings.Contains(v.have, "boom") {
		t.Errorf("peer failed: %+v", v)
	}
}

func TestSpliceCold(t *testing.T) {
	sec := coldBegin + "\nnew\n" + coldEnd + "\n"
	if got := spliceCold("# warm\n", sec); got != "# warm\n\n"+sec {
		t.Errorf("append: %q", got)
	}
	old := "# warm\n\n" + coldBegin + "\nold\n" + coldEnd + "\ntail\n"
	if got, want := spliceCold(old, sec), "# warm\n\n"+coldBegin+"\nnew\n"+coldEnd+"\ntail\n"; got != want {
		t.Errorf("replace:\n got %q\nwant %q", got, want)
	}
	if got := spliceCold("", sec); got != sec {
		t.Errorf("empty file: %q", got)
	}
}

// rawLine is one cold result as cmd/cold prints it.
func rawLine(t *testing.T, r cold.Result) string {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return coldPrefix + string(b) + "\n"
}

func TestRenderCold(t *testing.T) {
	var raw strings.Builder
	res := func(scn, impl string, g int, ops int64, s float64, maj, readB int64) {
		raw.WriteString(rawLine(t, cold.Result{Scenario: scn, Impl: impl, Goroutines: g, Ops: ops, Seconds: s, MajFlt: maj, ReadB: readB, Cold: true}))
	}
	for _, g := range []int{1, 16} {
		res(cold.Random, "pread+LittleEndian", g, 10000, 1, 0, 10000*4096)
		res(cold.Random, "array.At1", g, 100, 1, 100, 100*1<<20) // 0.01× pread: missed
		res(cold.Random, "pread record", g, 10000, 1, 0, 10000*4096)
		res(cold.Random, "record.Get", g, 6000, 1, 6000, 6000*4096) // 0.6×: met
	}
	// Two rounds of the scan: the median of 1.5 and 0.5 GB/s against 1 GB/s.
	res(cold.Scan, "read(2) 1 MiB", 0, 1e9, 1, 0, 1e9)
	res(cold.Scan, "array.Data", 0, 1e9, 1/1.5, 0, 1e9)
	res(cold.Scan, "array.Data", 0, 1e9, 1/0.7, 0, 1e9)
	raw.WriteString(rawLine(t, cold.Result{Scenario: cold.Gather, Impl: "array.Take", Err: "not measured: Take not on main", Skipped: true}))
	// Single appends of 1Mi records: bufio at 10.5M/s (8.4M/s durable);
	// record.Append at half that, with a fault per page (missed); array
	// at 0.95× (met).
	const recs = 1 << 20
	raw.WriteString(rawLine(t, cold.Result{Scenario: cold.AppendOne, Impl: "bufio+LittleEndian", Ops: recs, Seconds: 0.1, Durable: 0.125,
		SysW: 1024, UserS: 0.02, SysS: 0.03}))
	raw.WriteString(rawLine(t, cold.Result{Scenario: cold.AppendOne, Impl: "record.Append", Ops: recs, Seconds: 0.2, Durable: 0.25,
		MinFlt: 16384, UserS: 0.02, SysS: 0.1}))
	raw.WriteString(rawLine(t, cold.Result{Scenario: cold.AppendOne, Impl: "array.Append", Ops: recs, Seconds: 0.1 / 0.95, Durable: 0.125 / 0.95,
		SysW: 1024, UserS: 0.02, SysS: 0.03}))
	b, _ := json.Marshal(cold.Info{FSType: "ext4", Droppable: true, Cgroup: "/sys/fs/cgroup/memory/x", CgroupV: 1, FileBytes: 4 << 30, Limit: 256 << 20, Count: 2, AppendB: recs * 64})
	raw.WriteString(coldInfoPrefix + string(b) + "\n")
	raw.WriteString("some other line\n")

	md, vs := renderCold(parseCold([]byte(raw.String())))
	if !strings.HasPrefix(md, coldBegin) || !strings.HasSuffix(md, coldEnd+"\n") {
		t.Error("section not between its markers")
	}
	if strings.Contains(md, "some other line") {
		t.Error("raw output keeps lines that are not the cold run's")
	}
	want := []string{
		"- cold random `array.At1` (Open's defaults) ≥ 0.5× `pread+LittleEndian` at 1 goroutine(s): 0.01× — **missed**. Per read, array.At1 took 1 major faults and read 1024 KiB from the disk; pread+LittleEndian 0 and 4 KiB.",
		"- cold random `record.Get` (Open's defaults) ≥ 0.5× `pread record` at 16 goroutine(s): 0.6× — **met**.",
		"- cold gather `array.Take` ≥ 0.8× 0-goroutine `pread rows`: not measured: Take not on main — **not measured**.",
		"- cold sequential `Data()` scan (Open's defaults) ≥ 0.8× read(2): 1.1× — **met**.",
		"memory cgroup (v1, made under `/sys/fs/cgroup/memory/x`) limited to 256 MiB",
		"| array.At1 | 16 | 100 /s | 0.01× | 1 | 1024 | 0.0% | — |",
		"| record.Append | 5.24M /s | 0.5× | 4.19M /s | 0.5× | 256 | 0 | 19.07 | 95.37 |",
		"| array.Append | 9.96M /s | 0.95× | 7.97M /s | 0.95× | 0 | 16 | 19.07 | 28.61 |",
		"- `record.Append` of one record per call (1048576 records) ≥ 0.9× `bufio` + hand-written encoder, to the page cache: 0.5× — **missed**. " +
			"Per record, `record.Append` took 190.7 ns against `bufio+LittleEndian`'s 95.37 (0.9× needs 106 ns or less); " +
			"CPU time per record: user 19.07 ns, system 95.37 ns against 19.07 and 28.61; per MiB appended: 256 minor faults and 0 write system calls against 0 and 16. " +
			"The gap is the kernel's work on the mapping: 66.76 ns more system time per record than the peer, with 256 minor faults per MiB",
		"- `array.Append` of one record per call (1048576 records) ≥ 0.9× `bufio` + hand-written encoder + `Sync`, durable: 0.95× — **met**.",
	}
	for _, w := range want {
		if !strings.Contains(md, w) {
			t.Errorf("missing %q", w)
		}
	}
	met, missed, na := 0, 0, 0
	for _, v := range vs {
		switch {
		case v.na:
			na++
		case v.ok:
			met++
		default:
			missed++
		}
	}
	// 4 random (2 met), 4 gathers (not measured), 1 scan (met), 8 appends
	// (not measured), 4 single appends (array's 2 met).
	if met != 5 || missed != 4 || na != 12 {
		t.Errorf("met %d, missed %d, not measured %d; want 5, 4, 12\n%s", met, missed, na, md)
	}
	if testing.Verbose() {
		t.Log(md)
	}
}

func TestRenderColdNoCgroup(t *testing.T) {
	b, _ := json.Marshal(cold.Info{FSType: "tmpfs", NoCgroup: "not root", FileBytes: 16 << 20})
	md, _ := renderCold(parseCold([]byte(coldInfoPrefix + string(b) + "\n")))
	for _, w := range []string{"**No memory cgroup could be made** (not root): the cold rows, which need a reader in a cgroup smaller than the file, are not measured", "whose pages are the file"} {
		if !strings.Contains(md, w) {
			t.Errorf("missing %q in\n%s", w, md)
		}
	}
}

// TestColdOfRoundTrip: the cold section taken out of a results file and
// spliced into a new warm one is the same section, so -only warm keeps
// it.
func TestColdOfRoundTrip(t *testing.T) {
	section := coldBegin + "\n## 7. Cold\n\nrows\n" + coldEnd + "\n"
	old := "# results\n\n## 1. warm\n\nOLDWARM\n\n" + section
	got := coldOf(old)
	if got != section {
		t.Fatalf("coldOf = %q, want %q", got, section)
	}
	md := spliceCold("# results\n\n## 1. warm\n\nNEWWARM\n\n", got)
	if coldOf(md) != section || !strings.Contains(md, "NEWWARM") || strings.Contains(md, "OLDWARM") {
		t.Errorf("spliced:\n%s", md)
	}
	if coldOf("# no cold section\n") != "" {
		t.Error("coldOf of a file without markers")
	}
}
