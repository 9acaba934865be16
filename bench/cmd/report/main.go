// Command report runs the benchmarks of package bench at full size, runs the
// NumPy column (numpy_bench.py, through /usr/bin/python3), prints a table
// per scenario with the medians, the ratios against the peers and the
// allocations, checks the targets of issue 6, and writes RESULTS.md.
//
// Run it from the bench directory (bench is a module of its own, so
// `go run ./bench/cmd/report` from the repository root cannot build it):
//
//	cd bench && go run ./cmd/report
//
// Flags:
//
//	-count n      runs of each benchmark; the tables quote medians (default 5)
//	-benchtime d  go test -benchtime (default 300ms: ops over 300 ms run once)
//	-size s       full (the sizes, default) or small (the CI sizes)
//	-bench re     which benchmarks to run (default all)
//	-o path       where to write the results (default RESULTS.md)
//	-from path    render from the raw output of an earlier run instead of
//	              running (each run saves it; the path is printed)
//	-numpy=false  leave out the NumPy column
//	-only s       all (default), warm (sections 1-6), cold (section 7,
//	              the cold benchmarks of issue 11, run by cmd/cold) or table
//	              (section 8, the lookup tables of issue 20); cold and table
//	              are spliced into the existing results file, the other
//	              sections kept
//	-cold-file, -cold-limit, -cold-append, -cold-budget, -cold-count,
//	-cold-scenarios
//	              the cold run's sizes (4GiB files, a 256MiB cgroup), time
//	              per cell (3s), rounds (1) and scenarios (all)
//	-table-keys, -table-peers, -table-build-count
//	              the table run's key counts (1M,10M), the largest count
//	              the peers run at (10M) and runs of each build (3); its
//	              lookups use -count and -benchtime
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomemmap/memmap/bench/internal/benchdata"
)

var (
	count     = flag.Int("count", 5, "runs of each benchmark (the tables quote medians)")
	benchtime = flag.String("benchtime", "300ms", "go test -benchtime")
	size      = flag.String("size", "full", "data sizes: full or small")
	benchRe   = flag.String("bench", ".", "go test -bench: which benchmarks to run")
	out       = flag.String("o", "RESULTS.md", "the results file to write")
	from      = flag.String("from", "", "render from this raw output of an earlier run instead of running")
	withNumpy = flag.Bool("numpy", true, "run the NumPy column through /usr/bin/python3")

	only       = flag.String("only", "all", "which sections to run: all, warm (sections 1-6), cold (section 7, issue 11) or table (section 8, issue 20); cold and table are spliced into the existing results file")
	coldFile   = flag.String("cold-file", "4GiB", "cold: size of each data file (2GiB to 8GiB)")
	coldLimit  = flag.String("cold-limit", "256MiB", "cold: memory cgroup limit of the readers (256MiB to 512MiB)")
	coldAppend = flag.String("cold-append", "", "cold: bytes each append cell writes (default -cold-file; 2GiB if time is short)")
	coldBudget = flag.Duration("cold-budget", 3*time.Second, "cold: time per cell of the read scenarios")
	coldCount  = flag.Int("cold-count", 1, "cold: rounds (the tables quote medians)")
	coldScn    = flag.String("cold-scenarios", "", "cold: regexp of the scenarios to run (random, gather, gather-warm, scan, append, append-one); default all")
)

// The raw output holds go test's output, then these lines.
const (
	numpyPrefix  = "# numpy: "
	cmdPrefix    = "# command: "
	wallPrefix   = "# wall: "
	datePrefix   = "# date: "
	sizePrefix   = "# size: "
	testPrefix   = "# go test: "
	loadPrefix   = "# load: "
	gitPrefix    = "# library: "
	inlinePrefix = "# inline: "
	decodePrefix = "# decode cache: "
	cpuPrefix    = "# cpu seconds (wall, benchmarks, other processes): "
	pagesPrefix  = "# pages (faults, size kB, FilePmdMapped kB): "
)

// loadavg returns the 1-, 5- and 15-minute load averages of the machine,
// to show whether other work shared it during the run.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("report: ")
	flag.Parse()
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	if b, err := os.ReadFile("go.mod"); err != nil || !bytes.Contains(b, []byte("module github.com/gomemmap/memmap/bench\n")) {
		return fmt.Errorf("run me from the bench directory: cd bench && go run ./cmd/report")
	}
	switch *only {
	case "cold":
		return coldOnly()
	case "table":
		return tableOnly()
	case "all", "warm":
	default:
		return fmt.Errorf("-only %q: want all, warm, cold or table", *only)
	}
	var raw []byte
	if *from != "" {
		b, err := os.ReadFile(*from)
		if err != nil {
			return err
		}
		raw = b
	} else {
		b, err := runAll()
		if err != nil {
			return err
		}
		raw = b
	}
	var tableRaw []byte
	if *only == "all" && *from == "" {
		c, err := runCold()
		if err != nil {
			return err
		}
		raw = append(raw, c...)
		if tableRaw, err = runTable(); err != nil {
			return err
		}
	}
	res := parse(raw)
	md := render(res)
	if *only == "all" {
		if c := parseCold(raw); len(c.cells) > 0 {
			section, _ := renderCold(c)
			md = spliceCold(md, section)
		}
	}
	if *only == "warm" {
		// Keep the cold section of the results file: -only warm
		// re-runs sections 1-6 only.
		if old, err := os.ReadFile(*out); err == nil {
			if section := coldOf(string(old)); section != "" {
				md = spliceCold(md, section)
			}
		}
	}
	if tableRaw != nil {
		md = spliceTable(md, renderTable(parseTable(tableRaw)))
	} else if old, err := os.ReadFile(*out); err == nil {
		// Keep the table section: only a run of every section (or
		// -only table) measures it anew.
		if section := tableOf(string(old)); section != "" {
			md = spliceTable(md, section)
		}
	}
	fmt.Println()
	fmt.Print(md)
	if err := os.WriteFile(*out, []byte(md), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %s", *out)
	return nil
}

// runAll generates the data, runs the benchmarks and NumPy, saves the raw
// output in the cache directory and returns it.
func runAll() ([]byte, error) {
	if err := os.Setenv(benchdata.EnvSize, *size); err != nil {
		return nil, err
	}
	sz := benchdata.Current()
	log.Printf("sizes %q; generating or reusing the data in %s", sz.Name, must(benchdata.Dir()))
	arr, err := benchdata.ArrayFile(sz.ArrayElems)
	if err != nil {
		return nil, err
	}
	idx, _, err := benchdata.Indexes(sz.Indexes, sz.ArrayElems)
	if err != nil {
		return nil, err
	}
	logInfo, err := benchdata.LogFile(sz.LogBytes)
	if err != nil {
		return nil, err
	}

	loadBefore := loadavg()
	busyBefore := cpuBusy()
	start := time.Now()
	var buf bytes.Buffer
	args := []string{"test", "-run", "^$", "-bench", *benchRe, "-benchmem",
		"-count", strconv.Itoa(*count), "-benchtime", *benchtime, "-timeout", "0", "."}
	log.Printf("go %s", strings.Join(args, " "))
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), benchdata.EnvSize+"="+*size)
	cmd.Stdout = io.MultiWriter(os.Stdout, &buf)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	wall := time.Since(start)
	busy := cpuBusy() - busyBefore
	ours := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()

	np := map[string]any{"error": "skipped (-numpy=false)"}
	if *withNumpy {
		np = runNumpy(arr, idx, benchdata.ArraySum(sz.ArrayElems))
	}
	npj, err := json.Marshal(np)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&buf, "%s%s\n", numpyPrefix, npj)
	fmt.Fprintf(&buf, "%scd bench && go run ./cmd/report %s\n", cmdPrefix, strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&buf, "%s%s\n", wallPrefix, wall.Round(time.Second))
	fmt.Fprintf(&buf, "%sbefore %s, after %s\n", loadPrefix, loadBefore, loadavg())
	if busy > 0 {
		fmt.Fprintf(&buf, "%s%.0f %.0f %.0f\n", cpuPrefix, wall.Seconds(), ours, max(busy-ours, 0))
	}
	fmt.Fprintf(&buf, "%s%s\n", gitPrefix, gitState())
	fmt.Fprintf(&buf, "%s%s\n", decodePrefix, hasDecodeCache())
	for name, path := range map[string]string{"array": arr, "log": logInfo.Path} {
		if p, err := pageFacts(path); err != nil {
			log.Printf("page facts of the %s file: %v", name, err)
		} else {
			fmt.Fprintf(&buf, "%s%s=%s\n", pagesPrefix, name, p)
		}
	}
	for k, v := range inlineVerdicts() {
		fmt.Fprintf(&buf, "%s%s=%s\n", inlinePrefix, k, v)
	}
	fmt.Fprintf(&buf, "%s%s\n", sizePrefix, *size)
	fmt.Fprintf(&buf, "%sgo %s\n", testPrefix, strings.Join(args, " "))
	fmt.Fprintf(&buf, "%s%s\n", datePrefix, time.Now().UTC().Format("2006-01-02 15:04 MST"))

	rawPath := filepath.Join(must(benchdata.Dir()), "report-raw.txt")
	if err := os.WriteFile(rawPath, buf.Bytes(), 0o644); err != nil {
		return nil, err
	}
	log.Printf("raw output saved in %s (re-render with -from %s)", rawPath, rawPath)
	return buf.Bytes(), nil
}

func must(s string, err error) string {
	if err != nil {
		log.Fatal(err)
	}
	return s
}

// runNumpy runs numpy_bench.py and returns its JSON, or {"error": why}.
func runNumpy(arr, idx string, sum float64) map[string]any {
	const py = "/usr/bin/python3"
	fail := func(format string, a ...any) map[string]any {
		msg := fmt.Sprintf(format, a...)
		log.Printf("NumPy column skipped: %s", msg)
		return map[string]any{"error": msg}
	}
	if _, err := os.Stat(py); err != nil {
		return fail("%s not found", py)
	}
	log.Printf("running numpy_bench.py")
	cmd := exec.Command(py, "numpy_bench.py", "--array", arr, "--idx", idx,
		"--sum", strconv.FormatFloat(sum, 'f', -1, 64), "--reps", strconv.Itoa(max(*count, 3)))
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return fail("numpy_bench.py: %v", err)
	}
	var res map[string]any
	if err := json.Unmarshal(b, &res); err != nil {
		return fail("numpy_bench.py printed %q: %v", b, err)
	}
	if e, ok := res["error"]; ok {
		return fail("%v", e)
	}
	return res
}

// results are the parsed raw output.
type results struct {
	order       []string                        // benchmark names, first seen first
	vals        map[string]map[string][]float64 // name -> unit -> values
	numpy       map[string]any
	command     string
	wall        string
	date        string
	size        string
	gotest      string
	load        string
	git         string
	decodeCache string              // "yes" if the library caches Decode's type info
	cpuTimes    string              // "wall ours others", in seconds
	inline      map[string]string   // "At", "At1" -> the compiler's verdict
	pages       map[string]pageInfo // "array", "log" -> mapping them
	cpu         string
	raw         string
}

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(raw []byte) *results {
	r := &results{vals: map[string]map[string][]float64{}, inline: map[string]string{}, pages: map[string]pageInfo{}, raw: withoutCold(raw)}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, numpyPrefix):
			json.Unmarshal([]byte(line[len(numpyPrefix):]), &r.numpy)
		case strings.HasPrefix(line, cmdPrefix):
			r.command = line[len(cmdPrefix):]
		case strings.HasPrefix(line, wallPrefix):
			r.wall = line[len(wallPrefix):]
		case strings.HasPrefix(line, cpuPrefix):
			r.cpuTimes = line[len(cpuPrefix):]
		case strings.HasPrefix(line, decodePrefix):
			r.decodeCache = line[len(decodePrefix):]
		case strings.HasPrefix(line, gitPrefix):
			r.git = line[len(gitPrefix):]
		case strings.HasPrefix(line, inlinePrefix):
			if k, v, ok := strings.Cut(line[len(inlinePrefix):], "="); ok {
				r.inline[k] = v
			}
		case strings.HasPrefix(line, pagesPrefix):
			if k, v, ok := strings.Cut(line[len(pagesPrefix):], "="); ok {
				if p, ok := parsePageInfo(v); ok {
					r.pages[k] = p
				}
			}
		case strings.HasPrefix(line, loadPrefix):
			r.load = line[len(loadPrefix):]
		case strings.HasPrefix(line, testPrefix):
			r.gotest = line[len(testPrefix):]
		case strings.HasPrefix(line, sizePrefix):
			r.size = line[len(sizePrefix):]
		case strings.HasPrefix(line, datePrefix):
			r.date = line[len(datePrefix):]
		case strings.HasPrefix(line, "cpu: "):
			r.cpu = line[len("cpu: "):]
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			if len(f) < 4 || len(f)%2 != 0 {
				continue
			}
			name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
			if r.vals[name] == nil {
				r.vals[name] = map[string][]float64{}
				r.order = append(r.order, name)
			}
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					continue
				}
				r.vals[name][f[i+1]] = append(r.vals[name][f[i+1]], v)
			}
		}
	}
	return r
}

// withoutCold returns raw without the lines of the cold run, which the
// cold section shows.
func withoutCold(raw []byte) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(l, "# cold") {
			b.WriteString(l)
		}
	}
	return b.String()
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// med returns the median of unit for the benchmark name (NaN if absent).
func (r *results) med(name, unit string) float64 {
	return median(r.vals[name][unit])
}

// np returns a NumPy figure (NaN if absent).
func (r *results) np(key string) float64 {
	if v, ok := r.numpy[key].(float64); ok {
		return v
	}
	return math.NaN()
}

func (r *results) numpyNote() string {
	if r.numpy == nil {
		return "NumPy column: not run."
	}
	if e, ok := r.numpy["error"]; ok {
		return fmt.Sprintf("NumPy column skipped: %v.", e)
	}
	return fmt.Sprintf("NumPy %v (Python %v), median of %v runs, `np.load(path, mmap_mode=\"r\")` on the same files.",
		r.numpy["numpy"], r.numpy["python"], r.numpy["reps"])
}

// family returns the benchmarks under prefix/, in order.
func (r *results) family(prefix string) []string {
	var out []string
	for _, n := range r.order {
		if strings.HasPrefix(n, prefix+"/") && !strings.Contains(n[len(prefix)+1:], "/") {
			out = append(out, n)
		}
	}
	return out
}

// dur formats nanoseconds.
func dur(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "—"
	case ns < 1e3:
		return fmt.Sprintf("%.3g ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	}
	return fmt.Sprintf("%.3g s", ns/1e9)
}

func ratio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	if x >= 100 {
		return fmt.Sprintf("%.0f×", x)
	}
	return fmt.Sprintf("%.3g×", x)
}

func num(x float64) string {
	if math.IsNaN(x) {
		return "—"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// metric formats a custom metric: whole numbers and numbers of 1000 or
// more without decimals (30920 page faults, not 3.092e+04), others with 4
// significant digits.
func metric(x float64) string {
	if x == math.Trunc(x) || math.Abs(x) >= 1000 {
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

// extra is a NumPy row of a table: its label and time per op.
type extra struct {
	label string
	ns    float64
}

// table renders the family prefix as a markdown table, with every time
// divided by the reference benchmark's (the library's).
func (r *results) table(w *strings.Builder, prefix, ref string, extras ...extra) {
	names := r.family(prefix)
	if len(names) == 0 {
		fmt.Fprintf(w, "(no results for %s)\n\n", prefix)
		return
	}
	refNs := r.med(prefix+"/"+ref, "ns/op")
	metrics := []string{}
	for _, n := range names {
		for u := range r.vals[n] {
			if u != "ns/op" && u != "MB/s" && u != "B/op" && u != "allocs/op" && !slices.Contains(metrics, u) {
				metrics = append(metrics, u)
			}
		}
	}
	slices.Sort(metrics)
	fmt.Fprintf(w, "| %s | time/op | MB/s | time ÷ %s | allocs/op | B/op |", prefix, ref)
	for _, m := range metrics {
		fmt.Fprintf(w, " %s |", m)
	}
	fmt.Fprintf(w, "\n|---|---:|---:|---:|---:|---:|")
	for range metrics {
		fmt.Fprintf(w, "---:|")
	}
	fmt.Fprintln(w)
	for _, n := range names {
		ns := r.med(n, "ns/op")
		label := n[len(prefix)+1:]
		if label == ref {
			label = "**" + label + "**"
		}
		mbs := "—"
		if v := r.med(n, "MB/s"); !math.IsNaN(v) {
			mbs = fmt.Sprintf("%.0f", v)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |", label, dur(ns), mbs, ratio(ns/refNs),
			num(r.med(n, "allocs/op")), num(r.med(n, "B/op")))
		for _, m := range metrics {
			fmt.Fprintf(w, " %s |", metric(r.med(n, m)))
		}
		fmt.Fprintln(w)
	}
	for _, e := range extras {
		if math.IsNaN(e.ns) {
			continue
		}
		fmt.Fprintf(w, "| %s | %s | — | %s | — | — |", e.label, dur(e.ns), ratio(e.ns/refNs))
		for range metrics {
			fmt.Fprintf(w, " |")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// target is one figure of the issue to reach.
type target struct {
	what string
	have string
	ok   bool
	why  string // when missed: the reason, measured
}

func (t target) String() string {
	v := "**met**"
	if !t.ok {
		v = "**missed**"
	}
	s := fmt.Sprintf("- %s: %s — %s.", t.what, t.have, v)
	if !t.ok && t.why != "" {
		s += " " + t.why
	}
	return s
}

func atLeast(what string, have, want float64, why string) target {
	return target{what: what, have: ratio(have), ok: have >= want, why: why}
}

func atMost(what string, have, want float64, why string) target {
	return target{what: what, have: ratio(have), ok: have <= want, why: why}
}

func zeroAllocs(what string, allocs float64) target {
	return target{what: what, have: num(allocs) + " allocs/op", ok: allocs == 0}
}

// machine describes the host, from /proc and the Go runtime.
func machine() []string {
	read := func(p string) string {
		b, _ := os.ReadFile(p)
		return strings.TrimSpace(string(b))
	}
	cpu, cores := "unknown", 0
	for _, l := range strings.Split(read("/proc/cpuinfo"), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name":
			cpu = strings.TrimSpace(v)
		case "processor":
			cores++
		}
	}
	if cores == 0 {
		cores = runtime.NumCPU()
	}
	mem := "unknown"
	for _, l := range strings.Split(read("/proc/meminfo"), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
			if kb, err := strconv.ParseFloat(f[1], 64); err == nil {
				mem = fmt.Sprintf("%.1f GiB", kb/(1<<20))
			}
		}
	}
	gover := runtime.Version()
	if b, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
		gover = strings.TrimSpace(string(b))
	}
	lines := []string{
		fmt.Sprintf("- CPU: %s, %d cores (GOMAXPROCS %d)", cpu, cores, runtime.GOMAXPROCS(0)),
		fmt.Sprintf("- RAM: %s", mem),
		fmt.Sprintf("- OS: %s/%s, kernel %s", runtime.GOOS, runtime.GOARCH, or(read("/proc/sys/kernel/osrelease"), "unknown")),
		fmt.Sprintf("- Go: %s", gover),
	}
	if thp := read("/sys/kernel/mm/transparent_hugepage/enabled"); thp != "" {
		lines = append(lines, fmt.Sprintf("- Transparent huge pages: `%s`", thp))
	}
	if fs := fsOf(os.TempDir(), read("/proc/mounts")); fs != "" {
		lines = append(lines, fmt.Sprintf("- Data files: %s (%s), page cache warm", os.TempDir(), fs))
	}
	return lines
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fsOf returns the filesystem type of the longest mount point holding dir.
func fsOf(dir, mounts string) string {
	best, typ := "", ""
	for _, l := range strings.Split(mounts, "\n") {
		f := strings.Fields(l)
		if len(f) < 3 {
			continue
		}
		mp := f[1]
		if (dir == mp || strings.HasPrefix(dir, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > len(best) {
			best, typ = mp, f[2]
		}
	}
	return typ
}

// render returns RESULTS.md.
func render(r *results) string {
	os.Setenv(benchdata.EnvSize, or(r.size, "small"))
	sz := benchdata.Current()
	var w strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&w, format, a...) }

	p("# memmap benchmarks\n\n")
	p("Generated by `bench/cmd/report`; do not edit by hand (edit the command and re-run it).\n\n")
	p("Command: `%s` (wall time of the Go benchmarks %s, run %s). ", or(r.command, "cd bench && go run ./cmd/report"), or(r.wall, "?"), or(r.date, "?"))
	p("Every figure is the **median of %s runs** of the Go benchmarks (`%s`) ", runsOf(r), or(r.gotest, "go test -bench"))
	p("in one `go test` process, all peers on the same generated files in the same run, at the %q sizes: ", sz.Name)
	p("a %s float64 array, %d random indexes, %d records, a %s log file, %d 24-byte structs. ",
		sizeStr(int64(sz.ArrayElems)*8), sz.Indexes, sz.Records, sizeStr(sz.LogBytes), sz.Structs)
	if r.git != "" {
		p("Library measured: %s. ", r.git)
	}
	p("The data is generated under os.TempDir()/memmap-bench/%s and reused across runs; the page cache is warm (the machine has the RAM to hold every file). ", sz.Name)
	p("%s\n\n", r.numpyNote())
	p("`time ÷ X` divides each row's median time per op by the library's row X: above 1× the row is slower than the library, below 1× faster.\n\n")
	p("## Machine\n\n")
	for _, l := range machine() {
		p("%s\n", l)
	}
	if f := strings.Fields(r.cpuTimes); len(f) == 3 {
		p("- Sharing: during the %s s of the Go benchmarks, they used %s CPU-seconds and other processes %s (from /proc/stat and the benchmarks' rusage)\n", f[0], f[1], f[2])
	}
	if r.load != "" {
		p("- Load average (1, 5 and 15 minutes) %s the Go benchmarks\n", r.load)
	}
	p("\n")

	var all []target
	section := func(title string, body func() []target) {
		p("## %s\n\n", title)
		ts := body()
		if len(ts) > 0 {
			p("Targets:\n\n")
			for _, t := range ts {
				p("%s\n", t)
			}
			p("\n")
		}
		all = append(all, ts...)
	}

	section("1. Random element reads", func() []target {
		r.table(&w, "RandomRead", "Array.At", extra{"NumPy `a[idx].sum()` (per element)", r.np("gather_ns_per_elem")})
		at, at1 := r.med("RandomRead/Array.At", "ns/op"), r.med("RandomRead/Array.At1", "ns/op")
		heap, readAt := r.med("RandomRead/heap", "ns/op"), r.med("RandomRead/ReadAt+LittleEndian", "ns/op")
		gather := r.np("gather_ns_per_elem")
		p("One op reads one float64 at the next of %d random indexes into the %s array and adds it to a sum. "+
			"Every mapped peer (Array, x/exp/mmap, mmap-go) has had its pages touched before the timer starts, as the heap's are, so the figures compare "+
			"reads of mapped memory, not page faults (the first pass is scenario 2's). "+
			"`Array.At` (%s) is the variadic any-rank accessor; `Array.At1` (%s) the 1-d form; `Array.Data` indexes the []float64 view, which is what a heap slice costs on mapped pages. "+
			"`ReadAt+LittleEndian` makes one pread system call per element (%s), %s as slow as `Array.At`. "+
			"At this size every read misses the CPU caches; the heap takes %s, and the mapped pages miss the TLB less often than the heap's (see the note on page sizes).\n\n",
			sz.Indexes, sizeStr(int64(sz.ArrayElems)*8), dur(at), dur(at1), dur(readAt), ratio(readAt/at), dur(heap))
		// Issue 21: At(i, j) on a 2-d array against the heap copy indexed
		// with the same strides, both read through the same index table.
		at2d, heap2d := r.med("RandomRead/2d/Array.At", "ns/op"), r.med("RandomRead/2d/heap", "ns/op")
		p("The `2d/` and `3d/` rows read the same elements through 2-d (%d columns) and 3-d (%d × %d) arrays over the file's data, "+
			"`Array.At(i, j)` and `Array.At(i, j, k)` against the forms of a fixed rank `At2` and `At3` and the heap copy indexed with the same strides (`h[i*s0+j*s1+k]`): "+
			"`2d/Array.At` %s, `2d/Array.At2` %s, `2d/heap` %s; `3d/Array.At` %s, `3d/Array.At3` %s, `3d/heap` %s. "+
			"`cpu-ns/op` is the process's CPU time per op, which leaves out the time the benchmark waited for a core on this shared machine.\n\n",
			1024, 128, 128, dur(at2d), dur(r.med("RandomRead/2d/Array.At2", "ns/op")), dur(heap2d),
			dur(r.med("RandomRead/3d/Array.At", "ns/op")), dur(r.med("RandomRead/3d/Array.At3", "ns/op")), dur(r.med("RandomRead/3d/heap", "ns/op")))
		// The interleaved rows (one chunk of reads per peer by turns, the
		// median time per read of each) judge At(i, j) where the run has
		// them: the rows above run one block each, and a slow spell of
		// the shared machine falls on one of them.
		atWhat := "`Array.At(i, j)` ≤ 1.2× the heap's time (2-d, the heap indexed with the same strides)"
		vAt, vHeap, vAt2 := at2d, heap2d, r.med("RandomRead/2d/Array.At2", "ns/op")
		const il = "RandomRead/2d/interleaved"
		if ia, ih := r.med(il, "At-ns/op"), r.med(il, "heap-ns/op"); !math.IsNaN(ia) && !math.IsNaN(ih) {
			atWhat += ", interleaved reads"
			vAt, vHeap, vAt2 = ia, ih, r.med(il, "At2-ns/op")
			p("Interleaved (`2d/interleaved`, `3d/interleaved`: the peers read by turns, a chunk of 16384 reads each, and each row gives every peer's median time per read): "+
				"2-d At(i, j) %s, At2 %s, heap %s; 3-d At(i, j, k) %s, At3 %s, heap %s.\n\n",
				dur(vAt), dur(vAt2), dur(vHeap), dur(r.med("RandomRead/3d/interleaved", "At-ns/op")), dur(r.med("RandomRead/3d/interleaved", "At3-ns/op")), dur(r.med("RandomRead/3d/interleaved", "heap-ns/op")))
		}
		ts := []target{
			atLeast("`Array.At` ≥ 50× faster than `ReadAt` + `binary.LittleEndian`", readAt/at, 50, whyReadAt(r)),
			atMost(atWhat, vAt/vHeap, 1.2, whyAtHeap(r)),
			zeroAllocs("`Array.At` allocations", r.med("RandomRead/Array.At", "allocs/op")),
			atMost("`Array.At` at least as fast as NumPy's gather (time ÷ NumPy's)", at/gather, 1, whyNumpyGather(r)),
		}
		// The forms of a fixed rank, for information: the targets name At.
		ts[0].have += " (At1: " + ratio(readAt/at1) + ")"
		ts[1].have += " (At2: " + ratio(vAt2/vHeap) +
			"; 3-d: At(i, j, k) " + ratio(r.med("RandomRead/3d/Array.At", "ns/op")/r.med("RandomRead/3d/heap", "ns/op")) +
			", At3 " + ratio(r.med("RandomRead/3d/Array.At3", "ns/op")/r.med("RandomRead/3d/heap", "ns/op")) +
			"; 1-d: At " + ratio(at/heap) + ", At1 " + ratio(at1/heap) + ")"
		ts[2].have += " (At1: " + num(r.med("RandomRead/Array.At1", "allocs/op")) +
			", 2-d At: " + num(r.med("RandomRead/2d/Array.At", "allocs/op")) + ", At2: " + num(r.med("RandomRead/2d/Array.At2", "allocs/op")) + ")"
		ts[3].have += " (At1: " + ratio(at1/gather) + ")"
		return ts
	})

	section("2. Sequential sum", func() []target {
		r.table(&w, "Sum", "Array.Data", extra{"NumPy `a.sum()`", r.np("sum_ns")})
		data, heap := r.med("Sum/Array.Data", "ns/op"), r.med("Sum/heap", "ns/op")
		p("One op sums all %d elements with one accumulator (`for _, v := range d { s += v }`, the loop every Go row shares), pages already mapped. "+
			"`Array.Data` returns the []float64 view once per op, and then it is a slice like any other: %s against the heap's %s. "+
			"`Array.At1` and `Array.At` call the accessor per element (%s and %s): see the note on At1's inlining below. "+
			"NumPy's `sum` is pairwise and vectorised, so it is not bound by the latency of one chain of additions as the Go loop is.\n\n",
			sz.ArrayElems, dur(data), dur(heap), dur(r.med("Sum/Array.At1", "ns/op")), dur(r.med("Sum/Array.At", "ns/op")))
		p("First pass: open the file, sum it, close it; the file is in the page cache but none of its pages is mapped when the op starts.\n\n")
		r.table(&w, "FirstPass", "Array.Open+Data", extra{"NumPy `np.load(mmap_mode=\"r\").sum()`", r.np("firstpass_ns")})
		fp, rf := r.med("FirstPass/Array.Open+Data", "ns/op"), r.med("FirstPass/os.ReadFile+decode", "ns/op")
		p("`os.ReadFile+decode` copies the file into a new heap buffer (whose pages the kernel must fault in and zero first) and decodes each element with `binary.LittleEndian`; "+
			"the mapped first pass copies nothing and takes one minor page fault per page-cache folio, 2 MiB here (see the note on page sizes): %s against %s.\n\n",
			dur(fp), dur(rf))
		return []target{
			dataSum(r, heap, data),
			atLeast("first pass ≥ 10× faster than `os.ReadFile` + sum", rf/fp, 10, whyFirstPass(r)),
		}
	})

	section("3. Appending records", func() []target {
		return appendSection(&w, r, sz.Records)
	})

	section("4. Open cost against size", func() []target {
		p("One op opens a file read-only, reads its first element and closes it, for a %s file, the %s array of scenario 1 and a %s sparse file (a hole: it takes no disk space). "+
			"`array.Open+At1` parses and validates the .npy header and maps the file; `memmap.Open`, `x-exp-mmap.Open` and `mmap-go.Map` map the raw file and read one byte.\n\n",
			sizeStr(sz.OpenSmall), sizeStr(int64(sz.ArrayElems)*8), sizeStr(sz.OpenSparse))
		var rows []string
		for _, n := range r.order {
			if strings.HasPrefix(n, "Open/") {
				if f := strings.Split(n, "/"); len(f) == 3 && !slices.Contains(rows, f[1]) {
					rows = append(rows, f[1])
				}
			}
		}
		impls := []string{"array.Open+At1", "memmap.Open", "x-exp-mmap.Open", "mmap-go.Map"}
		p("| size |")
		for _, im := range impls {
			p(" %s |", im)
		}
		p(" array.Open allocs/op |\n|---|")
		for range impls {
			p("---:|")
		}
		p("---:|\n")
		for _, s := range rows {
			p("| %s |", s)
			for _, im := range impls {
				p(" %s |", dur(r.med("Open/"+s+"/"+im, "ns/op")))
			}
			p(" %s |\n", num(r.med("Open/"+s+"/array.Open+At1", "allocs/op")))
		}
		p("\n")
		if len(rows) < 2 {
			return nil
		}
		small, big := r.med("Open/"+rows[0]+"/array.Open+At1", "ns/op"), r.med("Open/"+rows[len(rows)-1]+"/array.Open+At1", "ns/op")
		p("Opening maps the file lazily: no page of the data is touched but the first, so the cost is that of a few system calls "+
			"(strace of one read-only open: openat, fstat twice, mmap, munmap, close, and the fcntl calls Go's os package makes for every file; the header is parsed from the mapped first page) "+
			"whatever the size: %s for %s and %s for %s.\n\n",
			dur(small), rows[0], dur(big), rows[len(rows)-1])
		return []target{
			atMost(fmt.Sprintf("open + first element, %s ÷ %s ≤ 2×", rows[len(rows)-1], rows[0]), big/small, 2, ""),
		}
	})

	section("5. Decoding a stream of structs", func() []target {
		r.table(&w, "Decode", "memmap.Decode")
		dec, br, hw := r.med("Decode/memmap.Decode", "ns/op"), r.med("Decode/binary.Read", "ns/op"), r.med("Decode/hand-written", "ns/op")
		fields, slice := r.med("Decode/memmap.Reader", "ns/op"), r.med("Decode/memmap.DecodeSlice", "ns/op")
		per := func(ns float64) string { return dur(ns / float64(sz.Structs)) }
		p("One op decodes all %d 24-byte structs (int64, float64, uint32, uint32: no padding, so Go's layout and binary.Read's packed one agree) of a mapped file and sums their fields. "+
			"`memmap.Decode`, the headline row and the row the Reader's targets judge, is the library's way to read fixed-size structs one at a time: `memmap.Decode[Item](r)` on a `memmap.Reader`, returning (value, error); "+
			"`memmap.Reader` reads the four fields with the field methods `Int64`, `Float64`, `Uint32`, `Uint32`, each returning (value, error); "+
			"`memmap.Reader.Bytes` takes each struct's 24 bytes with one `Bytes(24)` and decodes them with `binary.LittleEndian`; "+
			"`memmap.DecodeSlice` decodes batches of 256 structs into a reused array with one call each; `memmap.View` returns a pointer into the map per struct. "+
			"`binary.Read` on a `bytes.Reader` over the same bytes uses reflection and allocates per struct; `hand-written` slices the bytes and calls `binary.LittleEndian` without any error handling or bounds of a stream: "+
			"the floor. Per struct: Decode %s, field methods %s, DecodeSlice %s, hand-written %s, binary.Read %s.\n\n",
			sz.Structs, per(dec), per(fields), per(slice), per(hw), per(br))
		allocs := math.NaN()
		for _, row := range []string{"memmap.Decode", "memmap.Reader", "memmap.DecodeSlice", "memmap.View"} {
			if a := r.med("Decode/"+row, "allocs/op"); !math.IsNaN(a) && (math.IsNaN(allocs) || a > allocs) {
				allocs = a
			}
		}
		return []target{
			atLeast("`memmap.Reader` ≥ 10× faster than `binary.Read` (`memmap.Decode`)", br/dec, 10,
				fmt.Sprintf("Per struct, binary.Read took %s and Decode %s; Decode's own cost is explained under the next target.", per(br), per(dec))),
			atMost("`memmap.Reader` ≤ 1.5× the hand-written decoder's time (`memmap.Decode`, one struct per call)", dec/hw, 1.5, whyReader(r)),
			atMost("`memmap.Reader` ≤ 1.5× the hand-written decoder's time, a stream decoded in batches (`memmap.DecodeSlice`, 256 structs per call)", slice/hw, 1.5,
				"DecodeSlice checks the bounds and the Reader's plan once per call and copies the batch's bytes with one copy where they are the structs' memory; what is left is the sum's loop, as in the hand-written decoder."),
			zeroAllocs("`memmap.Reader` allocations (the most of Decode, the field methods, DecodeSlice and View)", allocs),
		}
	})

	section("6. Searching a log file", func() []target {
		p("A %s log file of lines of 60 to 140 bytes. One op scans the whole file. `Map.Count(\"\\n\")` counts its lines; `Map.Find` looks for a string that occurs only on the last line; "+
			"`Map.Lines` iterates over the lines (the loop adds up their lengths). The peers: the same call on a heap copy of the file (`heap_bytes.Count`, `heap_bytes.Index`), "+
			"and `bufio.Scanner` reading the file (or the heap copy, `heap_bufio.Scanner`).\n\n", sizeStr(sz.LogBytes))
		r.table(&w, "Count", "Map.Count")
		r.table(&w, "Find", "Map.Find")
		r.table(&w, "Lines", "Map.Lines")
		c, hc := r.med("Count/Map.Count", "ns/op"), r.med("Count/heap_bytes.Count", "ns/op")
		p("`Map.Count` and `Map.Find` run bytes.Count and bytes.Index (SIMD) over the mapped pages, so they match the heap copy (%s against %s for Count) without paying for the copy; "+
			"`bufio.Scanner` copies every byte from the page cache into its buffer and calls back per line.\n\n", dur(c), dur(hc))
		return []target{
			atLeast("`Map.Count` ≥ 0.8× the speed of `bytes.Count` on the heap (heap time ÷ Count time)", hc/c, 0.8,
				"`Map.Count` is `bytes.Count` over `m.Bytes()` (search.go), the same code on the same bytes: the gap is in the memory system, not in the library."),
		}
	})

	section("6b. Opening a model file (safetensors, issue 13)", func() []target {
		p("A safetensors file of 1,000 float32 tensors of 16×16 (1 MB of data), written by `safetensors.Create` into the page cache. One op opens the file, parses its header and reads one element of each tensor, then closes it: " +
			"`memmap` is `safetensors.Open` + `safetensors.Tensor[float32]` (a typed view of the map per tensor) + `At`; " +
			"`nlpodyssey` is github.com/nlpodyssey/safetensors (`os.ReadFile` + `Deserialize`, then `Tensor(name).Data()`); " +
			"`ReadFile+json` is `os.ReadFile` and `encoding/json` into a map of raw messages, each tensor's entry decoded when it is read.\n\n")
		r.table(&w, "Safetensors", "memmap")
		p("The file is small and cached, so this measures the header parse and the per-tensor views, not I/O: the readers that copy the file pay for 1 MB of copying, memmap for a map and 1,000 views.\n\n")
		return nil
	})

	p("## Notes from profiling\n\n")
	for _, n := range notes(r) {
		p("%s\n\n", n)
	}

	p("## Summary of the targets\n\n")
	met := 0
	for _, t := range all {
		if t.ok {
			met++
		}
	}
	p("%d of %d targets met.\n\n", met, len(all))
	for _, t := range all {
		v := "met"
		if !t.ok {
			v = "missed"
		}
		p("- %s: %s (%s)\n", t.what, t.have, v)
	}
	p("\n<details><summary>Raw output</summary>\n\n```\n%s```\n\n</details>\n", r.raw)
	return w.String()
}

func runsOf(r *results) string {
	n := 0
	for _, v := range r.vals {
		n = max(n, len(v["ns/op"]))
	}
	return strconv.Itoa(n)
}

func sizeStr(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// The reasons for missed targets, measured by profiling (see the notes).
// The figures of this run come from r; the others were measured on this
// machine while the benchmarks were written, and say so.

func whyAtHeap(r *results) string {
	data, heap := r.med("RandomRead/Array.Data", "ns/op"), r.med("RandomRead/heap", "ns/op")
	at2d, at2, heap2d := r.med("RandomRead/2d/Array.At", "ns/op"), r.med("RandomRead/2d/Array.At2", "ns/op"), r.med("RandomRead/2d/heap", "ns/op")
	msg := fmt.Sprintf("The mapping is not the cause: `Array.Data`, a []float64 over the same mapped pages, reads in %s, %s the heap's time. ", dur(data), ratio(data/heap))
	if r.inlined("At2") {
		return msg + fmt.Sprintf("The cause is At's form: the variadic any-rank accessor is a call per element (%s), which keeps fewer cache misses in flight than a bare load; "+
			"the inlined 2-d form `At2` reads in %s, %s the heap's time (At(i, j): %s). Use At1, At2, At3 (or Data) in hot loops.",
			or(r.inline["At"], "not inlined"), dur(at2), ratio(at2/heap2d), dur(at2d))
	}
	return msg + "The cause is the accessor: `At` and `At2` are not inlined (see the note on inlining), and a call per element, with its rank, " +
		"bound and byte-order checks, keeps fewer cache misses in flight than a bare load."
}

// dataSum is the target on Data's sum against the heap's. It judges the
// interleaved row (Sum/interleaved: one op sums Data, the heap and
// mmap-go's slice in turn, and reports each one's CPU time per pass)
// where the run has it, and the rows' own times (heap and data, each
// measured in a block of its own) otherwise.
func dataSum(r *results, heap, data float64) target {
	const name = "`Data()` sum ≥ 0.95× the heap's speed (heap time ÷ Data time)"
	blocks := fmt.Sprintf("the rows `Array.Data` and `heap` above, each run in a block of its own: %s; mmap-go's slice over the same file's pages: %s",
		ratio(heap/data), ratio(heap/r.med("Sum/mmap-go+unsafe", "ns/op")))
	id, ih, im := r.med("Sum/interleaved", "Data-cpu-ns/pass"), r.med("Sum/interleaved", "heap-cpu-ns/pass"), r.med("Sum/interleaved", "mmap-go-cpu-ns/pass")
	if math.IsNaN(id) || math.IsNaN(ih) {
		return atLeast(name, heap/data, 0.95, "`Data()` is a plain []float64 and the loop is the same function as the heap's ("+blocks+"). "+
			"A gap between these rows is the memory system's (and the machine's sharing, see Machine), not the library's code.")
	}
	t := atLeast(name+", interleaved passes, CPU time", ih/id, 0.95,
		fmt.Sprintf("`Data()` is a plain []float64 over a map placed as a plain map of the file is (so its 2 MiB folios get huge-page entries), and the loop is the same function as the heap's. "+
			"Interleaved: Data %s, heap %s, mmap-go %s of CPU per pass (mmap-go %s the heap's speed).", dur(id), dur(ih), dur(im), ratio(ih/im)))
	t.have += " (" + blocks + ")"
	return t
}

func whyNumpyGather(r *results) string {
	return fmt.Sprintf("NumPy's `a[idx]` is one C loop over the index array; Go's own slice loop over the same mapped pages (`Array.Data`, %s) is %s NumPy's time, "+
		"so the gap is again `At`'s call per element (note on inlining).",
		dur(r.med("RandomRead/Array.Data", "ns/op")), ratio(r.med("RandomRead/Array.Data", "ns/op")/r.np("gather_ns_per_elem")))
}

func whyReadAt(r *results) string {
	heap, readAt := r.med("RandomRead/heap", "ns/op"), r.med("RandomRead/ReadAt+LittleEndian", "ns/op")
	data := r.med("RandomRead/Array.Data", "ns/op")
	if readAt/data >= 50 {
		return fmt.Sprintf("The mapped pages allow it: `Array.Data` reads in %s, %s faster than ReadAt; `At` loses the difference in its call per element (note on inlining).",
			dur(data), ratio(readAt/data))
	}
	return fmt.Sprintf("Physical at this size: a random read of a 1 GiB array misses the CPU caches, so even the heap takes %s and the []float64 view of the map %s, "+
		"while a pread system call on this virtual machine costs %s: no in-memory accessor can be more than %s faster than ReadAt here.",
		dur(heap), dur(data), dur(readAt), ratio(readAt/min(heap, data)))
}

func whyFirstPass(r *results) string {
	data, rf := r.med("Sum/Array.Data", "ns/op"), r.med("FirstPass/os.ReadFile+decode", "ns/op")
	return fmt.Sprintf("Physical: the first pass costs about what the sum itself costs (%s for a second pass over mapped pages), "+
		"since mapping pages that are in the page cache takes few faults: %s "+
		"`os.ReadFile+decode` takes %s, so even a mapping that cost nothing could not be more than %s faster: 10× would need a read path 10 times slower than the memory bandwidth of the sum.",
		dur(data), pageSentence(r, "array"), dur(rf), ratio(rf/data))
}

// pageSentence says what touching every page of a fresh map of the file
// cost, as the run measured it.
func pageSentence(r *results, file string) string {
	p, ok := r.pages[file]
	if !ok {
		return "(this run did not measure how many)."
	}
	pages := p.SizeKB / 4
	s := fmt.Sprintf("touching every 4 KiB page of a fresh map of the %s file (%d pages) took %d minor faults in this run, ", file, pages, p.Faults)
	if p.PmdKB*2 >= p.SizeKB {
		return s + fmt.Sprintf("and /proc/self/smaps showed %d of its %d kB mapped with 2 MiB (PMD) entries: that part of the page cache is in 2 MiB folios, each mapped with one fault, and the rest is mapped a batch of cached pages per fault (fault-around).", p.PmdKB, p.SizeKB)
	}
	return s + fmt.Sprintf("with %d of its %d kB mapped with 2 MiB (PMD) entries: the kernel maps the neighbouring cached pages of each fault with it (fault-around).", p.PmdKB, p.SizeKB)
}

// pagesNote explains the page sizes of the maps and the heap, from this
// run's measurements.
func pagesNote(r *results) string {
	data, heap := r.med("RandomRead/Array.Data", "ns/op"), r.med("RandomRead/heap", "ns/op")
	s := "**Page sizes.** "
	if p, ok := r.pages["array"]; ok && p.PmdKB*2 >= p.SizeKB {
		s += fmt.Sprintf("Most of the array file's page cache is in 2 MiB folios (ext4 with large folios on this kernel), which the kernel maps with PMD entries "+
			"(this run: %d of the %d kB map FilePmdMapped in /proc/self/smaps, %d minor faults to touch every page), "+
			"while the Go heap here uses 4 KiB pages unless transparent huge pages are `always` (this machine: `%s`). ",
			p.PmdKB, p.SizeKB, p.Faults, thpMode())
		if data < heap {
			s += fmt.Sprintf("So a random read through `Array.Data` (%s) takes fewer TLB misses than the same read of the heap copy (%s). ", dur(data), dur(heap))
		}
	} else {
		s += "The array file is mapped mostly with 4 KiB pages in this run: " + pageSentence(r, "array") + " "
	}
	s += "The log file: " + pageSentence(r, "log")
	return s
}

func whyReader(r *results) string {
	n := float64(benchdata.Current().Structs)
	dec, hw := r.med("Decode/memmap.Decode", "ns/op"), r.med("Decode/hand-written", "ns/op")
	fields, slice := r.med("Decode/memmap.Reader", "ns/op"), r.med("Decode/memmap.DecodeSlice", "ns/op")
	return fmt.Sprintf("For a struct whose bytes are its memory (the Reader's order is the host's, no bools), Decode checks that the plan the Reader keeps is its type's (one comparison of type words), checks the bounds and loads the 24 bytes; "+
		"but it is a call per struct (not inlined: the call to its slow path alone costs 57 of the inliner's budget of 80), "+
		"and each call loads the position from the Reader in memory and stores it back, so the next call waits for that store (store-to-load forwarding through `r.off`), "+
		"where the hand-written loop keeps its offset in a register and is bound by memory bandwidth: Decode costs %s per struct more than the hand-written loop. "+
		"The four field methods pay that chain once per field (%s, %s the hand-written time). "+
		"`memmap.DecodeSlice`, one call and one copy per 256 structs, takes %s the hand-written time: the way to read many records at the floor's speed.",
		dur((dec-hw)/n), dur(fields), ratio(fields/hw), ratio(slice/hw))
}

// notes are what profiling found, with the figures of this run.
func notes(r *results) []string {
	return []string{
		inlineNote(r),
		"**`memmap.Decode` looked its type up on every call (library).** When these benchmarks were written, Decode and View called `infoOf[T]()`, which does `reflect.TypeFor[T]()` and a `sync.Map` lookup, for every value; " +
			"a later version cached the last type's info in the Reader (`lastT reflect.Type; lastI *typeInfo`), compared with an interface comparison (a runtime call), and still copied with memmove and walked the swap and bool lists for every struct. " +
			fmt.Sprintf("In this run Decode takes %s per 24-byte struct against %s for the Reader's four field reads. ",
				dur(r.med("Decode/memmap.Decode", "ns/op")/float64(benchdata.Current().Structs)), dur(r.med("Decode/memmap.Reader", "ns/op")/float64(benchdata.Current().Structs))) +
			decodeCacheNote(r),
		pagesNote(r),
		"**What the Go rows share.** Every sequential sum is the same one-accumulator loop, bound by the latency of floating-point additions as much as by memory; " +
			"NumPy's pairwise, vectorised `sum` is not, which is why it can beat the heap. Random reads index a table of 4M precomputed indexes, the same file NumPy gathers with.",
	}
}

// inlined reports whether the compiler inlined the Array[float64] method
// name in the benchmarks, as recorded by the run.
func (r *results) inlined(name string) bool {
	return strings.HasPrefix(r.inline[name], "can inline")
}

// inlineNote is the note on the inlining of At and At1, from the
// compiler's verdicts recorded by the run.
func inlineNote(r *results) string {
	at, at1, heap := r.med("RandomRead/Array.At", "ns/op"), r.med("RandomRead/Array.At1", "ns/op"), r.med("RandomRead/heap", "ns/op")
	var vs []string
	for _, k := range []string{"At1", "At2", "At3", "At"} {
		vs = append(vs, "`"+or(r.inline[k], k+": not recorded")+"`")
	}
	verdicts := "The compiler's verdicts for this run (`go test -c -gcflags=-m=2` in bench): " + strings.Join(vs, "; ") + ". "
	history := "When these benchmarks were first run, At1 was not inlined (`cost 167 exceeds budget 80`: its panic path, which builds the index error, and its byte-order slow path were in its body) " +
		"although its doc says it is small enough to inline. A patch tried in a copy of the tree cached a `[]T` over the data of a 1-d array in host order " +
		"(refreshed with the other hot fields after growth, Refresh and Close) and started At1 and At with `if d := a.data1; uint(i) < uint(len(d)) { return d[i] }`, " +
		"falling back to the old checks; in patched and unpatched binaries run in turn on the 1 GiB array, random reads with At went from a median of 37 ns to 30 ns and with At1 from 34 ns to 28 ns " +
		"(heap 21-22 ns), and the sequential loops from 1.08 s to 0.54 s (At) and 0.67 s to 0.48 s (At1) per GiB (benchstat, 5 runs each, p = 0.008); at cost 82 that At1 was still a call. "
	if r.inlined("At1") {
		return "**Inlining of `Array.At1` and `Array.At` (library).** " + verdicts + history +
			"The array package now reads such a cached view first with At1 inlined (the code this run measured" + r.gitNote() + "), " +
			fmt.Sprintf("and At1's random reads take %s against the heap's %s; At, a call per element, %s.", dur(at1), dur(heap), dur(at))
	}
	return "**Inlining of `Array.At1` and `Array.At` (library).** " + verdicts + history +
		fmt.Sprintf("In this run: At %s, At1 %s, heap %s. ", dur(at), dur(at1), dur(heap)) +
		"Any call left in At1 costs 57 of the budget of 80 by itself, so At1 must keep its fallback to a single cheap call to inline."
}

// gitNote describes the library's code the run measured, for the notes.
func (r *results) gitNote() string {
	if r.git == "" {
		return ""
	}
	return ": " + r.git
}

// gitState returns the commit of the library and the files outside bench
// that differ from it, which the run measured (the bench module uses the
// working tree through its replace directive).
func gitState() string {
	out, err := exec.Command("git", "-C", "..", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return ""
	}
	state := "commit " + strings.TrimSpace(string(out))
	st, err := exec.Command("git", "-C", "..", "status", "--porcelain", "--untracked-files=no").Output()
	if err != nil {
		return state
	}
	var dirty []string
	for _, l := range strings.Split(string(st), "\n") {
		if len(l) > 3 && !strings.HasPrefix(l[3:], "bench/") {
			dirty = append(dirty, l[3:])
		}
	}
	if len(dirty) > 0 {
		state += " with uncommitted changes to " + strings.Join(dirty, ", ")
	}
	return state
}

var inlineRe = regexp.MustCompile(`(?:can|cannot) inline array\.\(\*Array\[go\.shape\.float64\]\)\.(At1|At2|At3|At)(?: with cost \d+|: [^\n]*?budget \d+)`)

// inlineVerdicts compiles the benchmarks with -m=2 and returns the
// compiler's inlining verdicts for Array[float64].At, At1, At2 and At3.
func inlineVerdicts() map[string]string {
	out, _ := exec.Command("go", "test", "-c", "-o", os.DevNull, "-gcflags=-m=2", ".").CombinedOutput()
	v := map[string]string{}
	for _, m := range inlineRe.FindAllStringSubmatch(string(out), -1) {
		if _, ok := v[m[1]]; !ok {
			v[m[1]] = m[0]
		}
	}
	return v
}

// decodeCacheNote says how the library measured finds Decode's plan, as
// recorded by the run.
func decodeCacheNote(r *results) string {
	switch r.decodeCache {
	case "plan":
		return "The library measured here keeps a `*decoder[T]` in the Reader, found with one type assertion (no call), and decodes a struct whose bytes are its memory with a bounds check and one load of its bytes: this run's figures include it."
	case "yes":
		return "The library measured here caches the last type's info (`lastT`, `lastI` in reader.go), for Decode and View: this run's figures include it."
	case "no":
		return "The library measured here does not cache it."
	}
	return ""
}

// hasDecodeCache reports how ../reader.go finds Decode's type info:
// "plan" (a decoder kept in the Reader), "yes" (the last type's info
// cached in the Reader), "no", or "" if it cannot tell.
func hasDecodeCache() string {
	b, err := os.ReadFile(filepath.Join("..", "reader.go"))
	if err != nil {
		return ""
	}
	switch {
	case bytes.Contains(b, []byte("r.dec.(*decoder[T])")):
		return "plan"
	case bytes.Contains(b, []byte("lastI")):
		return "yes"
	}
	return "no"
}

// cpuBusy returns the CPU-seconds the whole machine has spent busy since
// boot (all of /proc/stat's cpu line but idle and iowait), or 0.
func cpuBusy() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy float64
	for i, v := range f[1:8] { // user nice system idle iowait irq softirq
		if i == 3 || i == 4 {
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		busy += x
	}
	if len(f) > 8 { // steal
		x, _ := strconv.ParseFloat(f[8], 64)
		busy += x
	}
	return busy / 100 // USER_HZ
}
