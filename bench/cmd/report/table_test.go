package main

import (
	"strings"
	"testing"
)

// tableRaw is the raw output of a small table run: two sizes, the table
// at both, the map at the smaller only, a cold run.
const tableRaw = `BenchmarkTableGet/1M/table-2   	 100	 100 ns/op	 40 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkTableGet/1M/map-2     	 100	 200 ns/op	 100 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkTableGet/1M/table-2   	 100	 120 ns/op	 44 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkTableGet/1M/map-2     	 100	 180 ns/op	 100 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkTableGet/100M/table-2 	 100	 300 ns/op	 90 cpu-ns/op	 0 B/op	 0 allocs/op
BenchmarkTableBatch/1M/table.GetMany-2 	 10	 1000 ns/op	 30 cpu-ns/key	 40 ns/key	 0 B/op	 0 allocs/op
BenchmarkTableBatch/1M/table.Get_loop-2 	 10	 1000 ns/op	 60 cpu-ns/key	 70 ns/key	 0 B/op	 0 allocs/op
BenchmarkTableBatch/1M/map-2 	 10	 1000 ns/op	 100 cpu-ns/key	 110 ns/key	 0 B/op	 0 allocs/op
BenchmarkTableBuild/1M/table-2 	 1	 1000 ns/op	 4000000 cpu-keys/s	 3000000 keys/s	 0 B/op	 9 allocs/op
BenchmarkTableBuild/1M/map-2 	 1	 1000 ns/op	 30 B/key	 3000000 cpu-keys/s	 2000000 keys/s	 0 B/op	 9 allocs/op
BenchmarkTableOpen/1M/table-2 	 10	 1000 ns/op	 500 cpu-ns/op	 16 entries-B/key	 16.3 file-B/key	 2.5 index-bits/key	 0 B/op	 9 allocs/op
BenchmarkTableOpen/100M/table-2 	 10	 1000 ns/op	 1500 cpu-ns/op	 16 entries-B/key	 16.3 file-B/key	 3.5 index-bits/key	 0 B/op	 9 allocs/op
# cold: {"scenario":"table-random","impl":"pread entry","g":1,"ops":1000,"s":1,"majflt":0,"read_bytes":4096000,"syscr":1000,"cold":true}
# cold: {"scenario":"table-random","impl":"table.Get","g":1,"ops":600,"s":1,"majflt":900,"read_bytes":2457600,"cold":true}
# cold: {"scenario":"table-random","impl":"table.Get, index resident","g":1,"ops":400,"s":1,"majflt":400,"read_bytes":1638400,"cold":true}
# cold-info: {"fs":"ext4","droppable":true,"cgroup":"/x","cgroup_v":2,"file_bytes":1073741824,"limit":134217728,"budget_s":3,"count":1}
# table-command: cd bench && go run ./cmd/report -only table
# table-keys: 1M,100M
# table-peers: 1M
`

func TestRenderTable(t *testing.T) {
	tr := parseTable([]byte(tableRaw))
	if got := tr.sizes(); strings.Join(got, ",") != "1M,100M" {
		t.Fatalf("sizes %q, want 1M,100M", got)
	}
	if got := tr.refSize(); got != "1M" {
		t.Errorf("refSize %q, want 1M (the largest with the map)", got)
	}
	md := renderTable(tr)
	if !strings.HasPrefix(md, tableBegin+"\n## 8. Lookup tables (issue 20)") || !strings.HasSuffix(md, tableEnd+"\n") {
		t.Errorf("section not between its markers:\n%s", md)
	}
	for _, want := range []string{
		"| 1M | **table** | 110 ns | 0.579× | 42 ns | 0.42× | 0 | 0 |", // medians of 2 runs, ratios against the map
		"| 100M | **table** | 300 ns | — | 90 ns | — |",                // no map at 100M
		// Verdicts, on CPU time.
		// The median of the rounds' paired ratios (40/100 and 44/100).
		"table `Get` ≤ 0.5× the Go map's time (CPU time, the median of the rounds' ratios, rounds 0.4× to 0.44×; wall 0.583×): 0.42× — **met**.",
		"a loop of map lookups per key (CPU time, the median of the rounds' ratios; wall 0.364×): 0.3× — **missed**.",
		"index ≤ 3 bits/key (100M keys;",
		": 3.5 bits/key — **missed**.",
		"insert rate on one core (CPU time, the map from empty, the median of the rounds' ratios; wall 1.5×): 1.33× — **met**.",
		"≥ 3M keys/s (CPU time; wall 3M keys/s): 4M keys/s — **met**.",
		"100M-key table's open ≤ 2× a 1M-key table's",
		": 3× (1.5 µs and 500 ns; building a Go map of 1M keys takes 1 µs) — **missed**.",
		// Cold: faults per lookup, rate against pread.
		"| table.Get | 600 /s | 0.6× | 1.5 | 4 | 0 |",
		"cold `Get`: ≤ 2 major faults per lookup: 1.5 major faults/lookup (and 4 KiB read from the disk per lookup) — **met**.",
		"cold `Get`, index resident: ≤ 1.2 major faults per lookup: 1 major faults/lookup",
		"cold `Get` ≥ 0.5× the rate of one pread per lookup: 0.6× — **met**.",
		"7 of 10 targets measured met.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("section lacks %q:\n%s", want, md)
		}
	}
}

func TestRenderTableNoCold(t *testing.T) {
	raw := strings.ReplaceAll(tableRaw, "# cold", "# not")
	md := renderTable(parseTable([]byte(raw)))
	if !strings.Contains(md, "cold `Get`: ≤ 2 major faults per lookup: the cold run was not made") || !strings.Contains(md, "**not measured**") {
		t.Errorf("cold targets not reported as not measured:\n%s", md)
	}
	if !strings.Contains(md, "of 7 targets measured met.") {
		t.Errorf("unmeasured targets counted:\n%s", md)
	}
}

func TestSpliceTable(t *testing.T) {
	sec := tableBegin + "\nnew\n" + tableEnd + "\n"
	if got := spliceTable("# warm\n", sec); got != "# warm\n\n"+sec {
		t.Errorf("appended: %q", got)
	}
	old := "# warm\n\n" + coldBegin + "\ncold\n" + coldEnd + "\n" + tableBegin + "\nold\n" + tableEnd + "\ntail\n"
	want := "# warm\n\n" + coldBegin + "\ncold\n" + coldEnd + "\n" + tableBegin + "\nnew\n" + tableEnd + "\ntail\n"
	if got := spliceTable(old, sec); got != want {
		t.Errorf("replaced:\n%q\nwant\n%q", got, want)
	}
	if got := tableOf(old); got != tableBegin+"\nold\n"+tableEnd+"\n" {
		t.Errorf("tableOf = %q", got)
	}
	if got := tableOf("# warm\n"); got != "" {
		t.Errorf("tableOf of a file without the section = %q", got)
	}
	// The cold section's splice leaves the table section alone.
	if got := spliceCold(old, coldBegin+"\ncold2\n"+coldEnd+"\n"); !strings.Contains(got, tableBegin+"\nold\n"+tableEnd) || !strings.Contains(got, "cold2") {
		t.Errorf("spliceCold: %q", got)
	}
}
