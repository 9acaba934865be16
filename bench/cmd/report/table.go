package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/bench/internal/cold"
)

// The lookup-table section (issue 20) is rendered between these markers,
// so that -only table can replace it in an existing RESULTS.md and leave
// the other sections as they are.
const (
	tableBegin = "<!-- table section: begin (cmd/report -only table replaces it) -->"
	tableEnd   = "<!-- table section: end -->"
)

var (
	tableKeys       = flag.String("table-keys", "1M,10M", "table: key counts (k, M suffixes); 100M needs about 10 GB of RAM and 3 GB of disk")
	tablePeers      = flag.String("table-peers", "10M", "table: the largest key count at which the peers (map, bbolt, binary search) run")
	tableBuildCount = flag.Int("table-build-count", 3, "table: runs of each build benchmark (one build per run)")
	tableBuildMax   = flag.String("table-build-max", "10M", "table: the largest key count at which the builds run")
	tableCold       = flag.Bool("table-cold", true, "table: run the cold lookups (cmd/coldtable; root and a memory cgroup needed)")
	tableColdFile   = flag.String("table-cold-file", "1GiB", "table: size of the cold run's table file")
	tableColdLimit  = flag.String("table-cold-limit", "128MiB", "table: memory cgroup limit of the cold run's readers")
	tableColdBudget = flag.Duration("table-cold-budget", 3*time.Second, "table: time per cold cell")
	tableColdCount  = flag.Int("table-cold-count", 3, "table: rounds of the cold cells (the table quotes medians)")
)

// The raw output of a table run: go test's output, then these lines.
const (
	tableCmdPrefix   = "# table-command: "
	tableWallPrefix  = "# table-wall: "
	tableDatePrefix  = "# table-date: "
	tableGitPrefix   = "# table-library: "
	tableLoadPrefix  = "# table-load: "
	tableTestPrefix  = "# table-go-test: "
	tableKeysPrefix  = "# table-keys: "
	tablePeersPrefix = "# table-peers: "
	tableCPUPrefix   = "# table-cpu-seconds (wall, benchmarks, other processes): "
	tableColdCmd     = "# table-cold-command: "
	tableColdErr     = "# table-cold-error: "
	tableColdRA      = "# table-cold-readahead-kb: "
)

// runTable runs the table benchmarks (lookups with -count and -benchtime,
// builds with -table-build-count, one build per run) at the -table-keys
// sizes, and returns their raw output with the lines above; it saves it
// next to the data.
func runTable() ([]byte, error) {
	env := append(os.Environ(), benchdata.EnvSize+"=full",
		"MEMMAP_BENCH_TABLE_KEYS="+*tableKeys, "MEMMAP_BENCH_TABLE_PEERS="+*tablePeers,
		"MEMMAP_BENCH_TABLE_BUILD_MAX="+*tableBuildMax)
	// Each round is a go test process that runs every peer once, so that
	// the peers take turns over the run: a slow spell of this shared
	// machine then lands on every peer of a round, not on the five runs
	// of one peer, and the ratios of a round pair figures measured a
	// few seconds apart.
	runs := []struct {
		args   []string
		rounds int
	}{
		{[]string{"test", "-run", "^$", "-bench", "^BenchmarkTable(Get|Absent|Batch|Open)$", "-benchmem",
			"-count", "1", "-benchtime", *benchtime, "-timeout", "0", "."}, *count},
		{[]string{"test", "-run", "^$", "-bench", "^BenchmarkTableBuild$", "-benchmem",
			"-count", "1", "-benchtime", "1x", "-timeout", "0", "."}, *tableBuildCount},
	}
	loadBefore := loadavg()
	busyBefore := cpuBusy()
	start := time.Now()
	var buf bytes.Buffer
	var ours float64
	var cmds []string
	for _, r := range runs {
		for i := range r.rounds {
			log.Printf("go %s (round %d of %d)", strings.Join(r.args, " "), i+1, r.rounds)
			cmd := exec.Command("go", r.args...)
			cmd.Env = env
			cmd.Stdout = io.MultiWriter(os.Stdout, &buf)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				return nil, fmt.Errorf("go test: %w", err)
			}
			ours += (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
		}
		cmds = append(cmds, fmt.Sprintf("go %s   # %d rounds, a process each", strings.Join(r.args, " "), r.rounds))
	}
	wall := time.Since(start)
	busy := cpuBusy() - busyBefore
	if *tableCold {
		args := []string{"run", "./cmd/coldtable", "-file", *tableColdFile, "-limit", *tableColdLimit,
			"-budget", tableColdBudget.String(), "-count", strconv.Itoa(*tableColdCount)}
		log.Printf("go %s", strings.Join(args, " "))
		var cb bytes.Buffer
		cmd := exec.Command("go", args...)
		cmd.Stdout = io.MultiWriter(os.Stdout, &cb)
		cmd.Stderr = os.Stderr
		err := cmd.Run()
		buf.Write(cb.Bytes())
		fmt.Fprintf(&buf, "%sgo %s\n", tableColdCmd, strings.Join(args, " "))
		if err != nil {
			fmt.Fprintf(&buf, "%sgo run ./cmd/coldtable: %v\n", tableColdErr, err)
		}
	}
	fmt.Fprintf(&buf, "%scd bench && go run ./cmd/report %s\n", tableCmdPrefix, strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&buf, "%s%s\n", tableWallPrefix, wall.Round(time.Second))
	fmt.Fprintf(&buf, "%s%s\n", tableDatePrefix, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&buf, "%s%s\n", tableGitPrefix, gitState())
	fmt.Fprintf(&buf, "%sbefore %s, after %s\n", tableLoadPrefix, loadBefore, loadavg())
	if busy > 0 {
		fmt.Fprintf(&buf, "%s%.0f %.0f %.0f\n", tableCPUPrefix, wall.Seconds(), ours, max(busy-ours, 0))
	}
	for _, c := range cmds {
		fmt.Fprintf(&buf, "%s%s\n", tableTestPrefix, c)
	}
	fmt.Fprintf(&buf, "%s%s\n", tableKeysPrefix, *tableKeys)
	fmt.Fprintf(&buf, "%s%s\n", tablePeersPrefix, *tablePeers)
	dir := filepath.Join(os.TempDir(), "memmap-bench", "full")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		p := filepath.Join(dir, "report-table-raw.txt")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err == nil {
			log.Printf("raw table output saved in %s (re-render with -only table -from %s)", p, p)
		}
	}
	return buf.Bytes(), nil
}

// tableResults are the parsed raw output of a table run.
type tableResults struct {
	*results
	command, wall, date, git, load, keys, peersUpTo, cpuTimes string
	gotest                                                    []string
	cold                                                      *coldResults
	coldCmd, coldErr                                          string
	readAhead                                                 string // KiB, of the cold table\'s device
}

func parseTable(raw []byte) *tableResults {
	t := &tableResults{results: parse(raw), cold: parseCold(raw)}
	for _, line := range strings.Split(string(raw), "\n") {
		for _, f := range []struct {
			prefix string
			dst    *string
		}{
			{tableCmdPrefix, &t.command}, {tableWallPrefix, &t.wall}, {tableDatePrefix, &t.date},
			{tableGitPrefix, &t.git}, {tableLoadPrefix, &t.load}, {tableKeysPrefix, &t.keys},
			{tablePeersPrefix, &t.peersUpTo}, {tableCPUPrefix, &t.cpuTimes},
			{tableColdCmd, &t.coldCmd}, {tableColdErr, &t.coldErr}, {tableColdRA, &t.readAhead},
		} {
			if strings.HasPrefix(line, f.prefix) {
				*f.dst = line[len(f.prefix):]
			}
		}
		if strings.HasPrefix(line, tableTestPrefix) {
			t.gotest = append(t.gotest, line[len(tableTestPrefix):])
		}
	}
	return t
}

// sizes returns the key counts measured, in the order of the run, as the
// sub-benchmarks name them ("1M", "10M").
func (t *tableResults) sizes() []string {
	var out []string
	for _, n := range t.order {
		f := strings.Split(n, "/")
		if len(f) == 3 && strings.HasPrefix(f[0], "Table") && !slices.Contains(out, f[1]) {
			out = append(out, f[1])
		}
	}
	return out
}

// peers returns the peers of family at size, in order.
func (t *tableResults) peers(family, size string) []string {
	var out []string
	for _, n := range t.family(family + "/" + size) {
		out = append(out, n[len(family)+len(size)+2:])
	}
	return out
}

// countOf parses a size name ("10M") back to a number of keys.
func countOf(s string) float64 {
	mul := 1.0
	switch {
	case strings.HasSuffix(s, "M"):
		s, mul = s[:len(s)-1], 1e6
	case strings.HasSuffix(s, "k"):
		s, mul = s[:len(s)-1], 1e3
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return math.NaN()
	}
	return x * mul
}

// lookupTable renders one lookup family: time and CPU time per op (or per
// key, with perKey), each against the map's at the same size.
func (t *tableResults) lookupTable(w *strings.Builder, family string, perKey bool) {
	wallU, cpuU, unit := "ns/op", "cpu-ns/op", "op"
	if perKey {
		wallU, cpuU, unit = "ns/key", "cpu-ns/key", "key"
	}
	fmt.Fprintf(w, "| keys | %s | time/%s | time ÷ map | CPU/%s | CPU ÷ map | allocs/op | B/op |\n", family, unit, unit)
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, size := range t.sizes() {
		base := family + "/" + size + "/"
		mapWall, mapCPU := t.med(base+"map", wallU), t.med(base+"map", cpuU)
		for _, p := range t.peers(family, size) {
			n := base + p
			label := p
			if strings.HasPrefix(p, "table") {
				label = "**" + p + "**"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", size, label,
				dur(t.med(n, wallU)), ratio(t.med(n, wallU)/mapWall), dur(t.med(n, cpuU)), ratio(t.med(n, cpuU)/mapCPU),
				num(t.med(n, "allocs/op")), num(t.med(n, "B/op")))
		}
	}
	fmt.Fprintln(w)
}

// buildTable renders the builds: keys per second of wall and of CPU time,
// each against the growing map's, and the map's heap per key.
func (t *tableResults) buildTable(w *strings.Builder) {
	fmt.Fprintf(w, "| keys | TableBuild | time/build | keys/s | ÷ map's | keys/CPU-s | ÷ map's | heap B/key | allocs/build |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, size := range t.sizes() {
		base := "TableBuild/" + size + "/"
		mapWall, mapCPU := t.med(base+"map", "keys/s"), t.med(base+"map", "cpu-keys/s")
		for _, p := range t.peers("TableBuild", size) {
			n := base + p
			label := p
			if p == "table" {
				label = "**table**"
			}
			heap := "—"
			if v := t.med(n, "B/key"); !math.IsNaN(v) {
				heap = metric(v)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", size, label,
				dur(t.med(n, "ns/op")), rateStr(t.med(n, "keys/s")), ratio(t.med(n, "keys/s")/mapWall),
				rateStr(t.med(n, "cpu-keys/s")), ratio(t.med(n, "cpu-keys/s")/mapCPU), heap, num(t.med(n, "allocs/op")))
		}
	}
	fmt.Fprintln(w)
}

// rateStr formats a rate: 3.1M, 450k.
func rateStr(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case x >= 1e6:
		return fmt.Sprintf("%.3gM", x/1e6)
	case x >= 1e3:
		return fmt.Sprintf("%.3gk", x/1e3)
	}
	return fmt.Sprintf("%.3g", x)
}

// openTable renders the opens and the files' sizes.
func (t *tableResults) openTable(w *strings.Builder) {
	fmt.Fprintf(w, "| keys | TableOpen | time/open | CPU/open | allocs/op | index bits/key | entries B/key | file B/key |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, size := range t.sizes() {
		for _, p := range t.peers("TableOpen", size) {
			n := "TableOpen/" + size + "/" + p
			label := p
			if p == "table" {
				label = "**table**"
			}
			opt := func(u string) string {
				if v := t.med(n, u); !math.IsNaN(v) {
					return metric(v)
				}
				return "—"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", size, label,
				dur(t.med(n, "ns/op")), dur(t.med(n, "cpu-ns/op")), num(t.med(n, "allocs/op")),
				opt("index-bits/key"), opt("entries-B/key"), opt("file-B/key"))
		}
	}
	fmt.Fprintln(w)
}

// cpuOr returns the CPU-time figure when measured, else the wall-time one,
// and which it is.
func (t *tableResults) cpuOr(name, cpuUnit, wallUnit string) (float64, string) {
	if v := t.med(name, cpuUnit); !math.IsNaN(v) {
		return v, "CPU"
	}
	return t.med(name, wallUnit), "wall"
}

// paired returns the median over the rounds of the ratio a/b of unit,
// each round's figure of a divided by the same round's of b (the i-th
// value of each, as the rounds print them), and the smallest and largest
// of those ratios; NaN where a or b has no figure.
func (t *tableResults) paired(a, b, unit string) (med, lo, hi float64) {
	xs, ys := t.vals[a][unit], t.vals[b][unit]
	var rs []float64
	for i := range min(len(xs), len(ys)) {
		rs = append(rs, xs[i]/ys[i])
	}
	if len(rs) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	return median(rs), slices.Min(rs), slices.Max(rs)
}

// pairedOr is paired on CPU time when it was measured, else on wall time,
// and says which.
func (t *tableResults) pairedOr(a, b, cpuUnit, wallUnit string) (med, lo, hi float64, kind string) {
	if m, l, h := t.paired(a, b, cpuUnit); !math.IsNaN(m) {
		return m, l, h, "CPU"
	}
	m, l, h := t.paired(a, b, wallUnit)
	return m, l, h, "wall"
}

// spread says the range of the rounds' ratios.
func spread(lo, hi float64) string {
	if math.IsNaN(lo) || lo == hi {
		return ""
	}
	return fmt.Sprintf(", rounds %s to %s", ratio(lo), ratio(hi))
}

// refSize is the size of the lookup and build targets: 10M if measured
// with its peers (the size), else the largest size with a map row.
func (t *tableResults) refSize() string {
	best := ""
	for _, s := range t.sizes() {
		if math.IsNaN(t.med("TableGet/"+s+"/map", "ns/op")) {
			continue
		}
		if s == "10M" {
			return s
		}
		if best == "" || countOf(s) > countOf(best) {
			best = s
		}
	}
	return best
}

// targets returns the verdicts of issue 20's targets that this run
// measures.
func (t *tableResults) targets() []target {
	size := t.refSize()
	if size == "" {
		return []target{{what: "every target", have: "not measured (no map rows: run with -table-peers at least one size)"}}
	}
	at := func(fam, p string) string { return fam + "/" + size + "/" + p }
	var ts []target

	get, kind := t.cpuOr(at("TableGet", "table"), "cpu-ns/op", "ns/op")
	mget, _ := t.cpuOr(at("TableGet", "map"), "cpu-ns/op", "ns/op")
	rget, lo, hi, _ := t.pairedOr(at("TableGet", "table"), at("TableGet", "map"), "cpu-ns/op", "ns/op")
	wget, _, _ := t.paired(at("TableGet", "table"), at("TableGet", "map"), "ns/op")
	ts = append(ts, atMost(fmt.Sprintf("warm single lookup, %s keys: table `Get` ≤ 0.5× the Go map's time (%s time, the median of the rounds' ratios%s; wall %s)", size, kind, spread(lo, hi), ratio(wget)),
		rget, 0.5, fmt.Sprintf("`Get` takes %s of %s time against the map's %s. Both miss the CPU caches at this size: "+
			"a table lookup makes two dependent memory accesses (the bucket's pilot, then the entry; a third, the remap, for a few keys), a map lookup one group "+
			"(control word and slots, after the directory).", dur(get), kind, dur(mget))))
	ts = append(ts, zeroAllocs(fmt.Sprintf("table `Get` allocations (%s keys)", size), t.med(at("TableGet", "table"), "allocs/op")))

	many, kind := t.cpuOr(at("TableBatch", "table.GetMany"), "cpu-ns/key", "ns/key")
	getLoop, _ := t.cpuOr(at("TableBatch", "table.Get_loop"), "cpu-ns/key", "ns/key")
	mmany, _ := t.cpuOr(at("TableBatch", "map"), "cpu-ns/key", "ns/key")
	rmany, lo, hi, _ := t.pairedOr(at("TableBatch", "table.GetMany"), at("TableBatch", "map"), "cpu-ns/key", "ns/key")
	wmany, _, _ := t.paired(at("TableBatch", "table.GetMany"), at("TableBatch", "map"), "ns/key")
	ts = append(ts, atMost(fmt.Sprintf("warm batched lookups, %s keys: `GetMany` per key ≤ 0.25× a loop of map lookups per key (%s time, the median of the rounds' ratios%s; wall %s)", size, kind, spread(lo, hi), ratio(wmany)),
		rmany, 0.25, fmt.Sprintf("`GetMany` takes %s of %s time per key against the map loop's %s, and a loop of `Get` %s: "+
			"GetMany gains %s over the loop of Get, while the loops of independent lookups (map and Get alike) already overlap their misses.",
			dur(many), kind, dur(mmany), dur(getLoop), ratio(getLoop/many))))

	bitsSize := t.largest("TableOpen", "table")
	bits := t.med("TableOpen/"+bitsSize+"/table", "index-bits/key")
	ts = append(ts, target{what: fmt.Sprintf("index ≤ 3 bits/key (%s keys; the entries, which hold every key and its value, %s B/key on top)",
		bitsSize, metric(t.med("TableOpen/"+bitsSize+"/table", "entries-B/key"))),
		have: metric(bits) + " bits/key", ok: bits <= 3})

	build, kind := t.cpuOr(at("TableBuild", "table"), "cpu-keys/s", "keys/s")
	mbuild, _ := t.cpuOr(at("TableBuild", "map"), "cpu-keys/s", "keys/s")
	rbuild, lo, hi, _ := t.pairedOr(at("TableBuild", "table"), at("TableBuild", "map"), "cpu-keys/s", "keys/s")
	wbuild, _, _ := t.paired(at("TableBuild", "table"), at("TableBuild", "map"), "keys/s")
	why := fmt.Sprintf("`table.Build` makes %s keys per %s-second against the growing map's %s (presized: %s); it hashes every key, "+
		"places every bucket of the index (searching its pilot) and writes the file, where the map only inserts.",
		rateStr(build), kind, rateStr(mbuild), rateStr(t.med(at("TableBuild", "map_presized"), "cpu-keys/s")))
	ts = append(ts, atLeast(fmt.Sprintf("build, %s keys: table ≥ 1× the Go map's insert rate on one core (%s time, the map from empty, the median of the rounds' ratios%s; wall %s)", size, kind, spread(lo, hi), ratio(wbuild)),
		rbuild, 1, why))
	ts = append(ts, target{what: fmt.Sprintf("build, %s keys: ≥ 3M keys/s (%s time; wall %s keys/s)", size, kind, rateStr(t.med(at("TableBuild", "table"), "keys/s"))),
		have: rateStr(build) + " keys/s", ok: build >= 3e6, why: why})

	small, large := t.smallest("TableOpen", "table"), t.largest("TableOpen", "table")
	o1, kind := t.cpuOr("TableOpen/"+small+"/table", "cpu-ns/op", "ns/op")
	o2, _ := t.cpuOr("TableOpen/"+large+"/table", "cpu-ns/op", "ns/op")
	w1, w2 := t.med("TableOpen/"+small+"/table", "ns/op"), t.med("TableOpen/"+large+"/table", "ns/op")
	ts = append(ts, atMost(fmt.Sprintf("open in O(1): %s-key table's open ≤ 2× a %s-key table's (the largest size measured against the smallest; the issue asks 100M against 1M; %s time, wall %s)",
		large, small, kind, ratio(w2/w1)),
		o2/o1, 2, fmt.Sprintf("%s against %s.", dur(o2), dur(o1))))
	ts[len(ts)-1].have += fmt.Sprintf(" (%s and %s; building a Go map of %s keys takes %s)", dur(o2), dur(o1), size, dur(t.med(at("TableBuild", "map"), "ns/op")))
	return ts
}

// smallest and largest return the smallest and largest sizes at which
// family/size/peer was measured.
func (t *tableResults) smallest(family, peer string) string { return t.extreme(family, peer, -1) }
func (t *tableResults) largest(family, peer string) string  { return t.extreme(family, peer, 1) }

func (t *tableResults) extreme(family, peer string, sign float64) string {
	best := ""
	for _, s := range t.sizes() {
		if math.IsNaN(t.med(family+"/"+s+"/"+peer, "ns/op")) {
			continue
		}
		if best == "" || sign*countOf(s) > sign*countOf(best) {
			best = s
		}
	}
	return best
}

// renderTable returns the table section, between its markers.
func renderTable(t *tableResults) string {
	var w strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&w, format, a...) }
	p("%s\n## 8. Lookup tables (issue 20)\n\n", tableBegin)
	p("Command: `%s` (wall time %s, run %s). ", or(t.command, "cd bench && go run ./cmd/report -only table"), or(t.wall, "?"), or(t.date, "?"))
	p("Key counts %s; the peers run up to %s keys, the table alone beyond. ", or(t.keys, "?"), or(t.peersUpTo, "?"))
	if t.git != "" {
		p("Library measured: %s. ", t.git)
	}
	p("The benchmarks (`bench/table_test.go`) ran as:\n\n")
	for _, c := range t.gotest {
		p("    %s\n", c)
	}
	p("\nEvery figure is the median of the runs. Keys are distinct pseudo-random uint64 (a bijection of 0..n-1), values uint64; " +
		"every lookup is checked against the key's value (absent keys must be reported absent). " +
		"Peers: **table** (`table.Build`, `table.Open[uint64, uint64]`, `Get`, `GetMany`); **map**, a Go `map[uint64]uint64` on the heap; " +
		"**bbolt** (go.etcd.io/bbolt v1.5.0, 8-byte big-endian keys in one bucket, bulk-loaded in sorted order in transactions of 262,144 keys " +
		"with `FillPercent` 1, `NoSync` until one final sync), `Get` in one read transaction for the whole loop (`bbolt_tx_per_loop`) " +
		"or one per lookup (`bbolt_tx_per_lookup`, what a single lookup costs a server); **binary_search**, `slices.BinarySearch` over the " +
		"sorted keys in a mapped `array` with the values in a second one. " +
		"Warm: every file's pages were touched and are in the page cache before the timer starts.\n\n")
	p("**CPU time.** This machine has 2 cores shared with other sessions' builds and tests")
	if f := strings.Fields(t.cpuTimes); len(f) == 3 {
		p(" (during the %s s of this run, the benchmarks used %s CPU-seconds and other processes %s", f[0], f[1], f[2])
		if t.load != "" {
			p("; load average %s", t.load)
		}
		p(")")
	} else if t.load != "" {
		p(" (load average %s)", t.load)
	}
	p(", so a loop's wall time counts the time it waited for a core. Each benchmark also reports its CPU time: the thread's " +
		"(`CLOCK_THREAD_CPUTIME_ID`, the goroutine locked to it) for lookups and opens, the process's (`CLOCK_PROCESS_CPUTIME_ID`, " +
		"the garbage collector's included) for builds. The ratios against the map are given on both; **the verdicts use CPU time**, " +
		"which other processes disturb only through the caches they share.\n\n")

	p("### Single lookups (one random present key per op)\n\n")
	t.lookupTable(&w, "TableGet", false)
	p("### Absent keys (one key not in the table per op)\n\n")
	t.lookupTable(&w, "TableAbsent", false)
	p("### Batched lookups (1,024 present keys per op, figures per key)\n\n")
	p("`table.GetMany` against a loop of `table.Get`, a loop of map lookups and a loop of binary searches over the same 1,024 keys into a slice.\n\n")
	t.lookupTable(&w, "TableBatch", true)
	p("### Builds (one whole build per op)\n\n")
	p("From keys and values in memory: `table.Build` writes the table file; **map** inserts into a map made empty (`map_presized`: with `make(map, n)`), " +
		"its heap measured as HeapAlloc after a collection less before; **bbolt** loads the sorted keys (the sort not counted); **sorted_arrays** sorts a copy of the keys " +
		"and writes the two .npy files of the binary search.\n\n")
	t.buildTable(&w)
	p("### Opening, and the size of the files\n\n")
	p("One op opens the file and closes it (bbolt read-only; the binary search's two arrays). The table's index bits/key is `Info.IndexBits` (pilots and remap); " +
		"its entries (every key with its value: the key serves as the fingerprint, so an absent key is always reported absent) are counted apart.\n\n")
	t.openTable(&w)

	cv := t.renderColdLookups(&w)

	ts := t.targets()
	p("### Targets of issue 20\n\n")
	if s := t.refSize(); s != "" {
		p("The lookup and build targets at %s keys (the issue's size, or the largest measured with the map); ", s)
	}
	p("the cold ones from the cold run above; the publish target belongs to package publish's tests.\n\n")
	met, all := 0, len(ts)
	for _, x := range ts {
		p("%s\n", x)
		if x.ok {
			met++
		}
	}
	for _, v := range cv {
		p("%s\n", v)
		if v.ok {
			met++
		}
		if !v.na {
			all++
		}
	}
	p("\n%d of %d targets measured met.\n\n", met, all)
	p("<details><summary>Raw output of the table run</summary>\n\n```\n%s```\n\n</details>\n\n%s\n", t.raw, tableEnd)
	return w.String()
}

// tableOf returns the table section of the results file md, markers
// included, or "" when it has none.
func tableOf(md string) string {
	i := strings.Index(md, tableBegin)
	if i < 0 {
		return ""
	}
	j := strings.Index(md[i:], tableEnd)
	if j < 0 {
		return ""
	}
	return md[i:i+j+len(tableEnd)] + "\n"
}

// spliceTable puts the table section into the results file md: in place
// of the previous one, or at the end.
func spliceTable(md, section string) string {
	if i := strings.Index(md, tableBegin); i >= 0 {
		if j := strings.Index(md[i:], tableEnd); j >= 0 {
			return md[:i] + strings.TrimSuffix(section, "\n") + md[i+j+len(tableEnd):]
		}
	}
	if md != "" && !strings.HasSuffix(md, "\n\n") {
		md = strings.TrimRight(md, "\n") + "\n\n"
	}
	return md + section
}

// tableOnly runs (or re-renders, with -from) the table section and
// splices it into the results file.
func tableOnly() error {
	var raw []byte
	var err error
	if *from != "" {
		raw, err = os.ReadFile(*from)
	} else {
		raw, err = runTable()
	}
	if err != nil {
		return err
	}
	section := renderTable(parseTable(raw))
	fmt.Println()
	fmt.Print(section)
	old, err := os.ReadFile(*out)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.WriteFile(*out, []byte(spliceTable(string(old), section)), 0o644); err != nil {
		return err
	}
	log.Printf("wrote the table section of %s", *out)
	return nil
}

// renderColdLookups renders the cold run's cells and returns the verdicts
// of the cold targets.
func (t *tableResults) renderColdLookups(w *strings.Builder) []verdict {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	c := t.cold
	pread, get, res := c.get(cold.TableRandom, cold.TablePread, 1, 0), c.get(cold.TableRandom, cold.TableGet, 1, 0), c.get(cold.TableRandom, cold.TableGetResident, 1, 0)
	p("### Cold single lookups (a table bigger than the cgroup)\n\n")
	if len(c.cells) == 0 {
		why := "the cold run was not made (-table-cold=false, or a re-render of a run without it)"
		if t.coldErr != "" {
			why = "the cold run failed: " + t.coldErr
		}
		p("Not measured: %s.\n\n", why)
		na := func(what string) verdict { return verdict{what: what, have: why, na: true} }
		return []verdict{na("cold `Get`: ≤ 2 major faults per lookup"), na("cold `Get`, index resident: ≤ 1.2 major faults per lookup"),
			na("cold `Get` ≥ 0.5× the rate of one pread per lookup")}
	}
	if c.hasInfo {
		p("The method of section 7 (package `bench/internal/cold`, run by `%s`): a table of %s (%d uint64 keys to uint64 values, on %s), "+
			"dropped from the page cache before each cell, read by a child process in a memory cgroup of %s (v%d), one goroutine, %s per cell, "+
			"medians of the rounds. **%s** opens the table and looks up random present keys; **%s** reads the members `pilots` and "+
			"`remap` with pread first (charged to the cgroup); **%s** reads one random 16-byte entry of the same file per lookup "+
			"with `ReadAt` (the peer: one I/O per lookup). Every value read is checked. Major faults, bytes read and read calls are the child's "+
			"(getrusage, /proc/self/io) over the timed part.\n\n",
			or(t.coldCmd, "go run ./cmd/coldtable"), mib(c.info.FileBytes), cold.TableKeys(c.info.FileBytes), c.info.FSType,
			mib(c.info.Limit), c.info.CgroupV, time.Duration(c.info.BudgetS*float64(time.Second)), cold.TableGet, cold.TableGetResident, cold.TablePread)
	}
	p("| impl | lookups/s | rate ÷ pread's | major faults/lookup | KiB read/lookup | read calls/lookup | resident at start | cgroup peak | rounds |\n")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, x := range []struct {
		name string
		c    cell
	}{{cold.TablePread, pread}, {cold.TableGet, get}, {cold.TableGetResident, res}} {
		if !x.c.ok {
			p("| %s | %s | | | | | | | |\n", x.name, x.c.err)
			continue
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %d |\n", x.name, rate(x.c.rate, "/s"), ratio(x.c.rate/pread.rate),
			per(x.c.majPerOp), per(x.c.kibPerOp), per(x.c.syscrPerOp), pct(x.c.resident), mib(x.c.peak), x.c.rounds)
	}
	p("\nMajor faults count the faults that waited for the disk; the pages that a fault's read-around brought in cost the lookups that touch them later " +
		"only minor faults, so the KiB read per lookup is the measure of the I/O to compare with pread's")
	if t.readAhead != "" {
		p(" (the device's read-ahead window, the most one fault's read-around reads, is %s KiB here)", t.readAhead)
	}
	p(".\n\n")
	if t.coldErr != "" {
		p("The cold run failed: %s.\n\n", t.coldErr)
	}
	faults := func(what string, x cell, want float64) verdict {
		if !x.ok {
			return verdict{what: what, have: x.err, na: true}
		}
		// The faults alone undercount the I/O: pages that a fault's
		// read-around brought in cost later lookups minor faults.
		v := verdict{what: what, have: fmt.Sprintf("%s major faults/lookup (and %s KiB read from the disk per lookup)", per(x.majPerOp), per(x.kibPerOp)),
			ok: x.majPerOp <= want}
		if !v.ok {
			v.why = fmt.Sprintf("Each lookup read %s KiB from the disk.", per(x.kibPerOp))
		}
		return v
	}
	return []verdict{
		faults("cold `Get`: ≤ 2 major faults per lookup", get, 2),
		faults("cold `Get`, index resident: ≤ 1.2 major faults per lookup", res, 1.2),
		ratioVerdict("cold `Get` ≥ 0.5× the rate of one pread per lookup", get, pread, 0.5, true, func() string {
			s := costs("`Get`", get, "pread", pread, "lookup")
			if get.majPerOp > 0 {
				s += fmt.Sprintf(" That is %s KiB per major fault", per(get.kibPerOp/get.majPerOp))
				if t.readAhead != "" {
					s += fmt.Sprintf(", against a read-ahead window of %s KiB", t.readAhead)
				}
				s += ": the table's map takes the kernel's default read-around, where a random lookup wants one page (the table API has no access advice to ask for it)."
			}
			return s
		}),
	}
}
