package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gomemmap/memmap/bench/internal/cold"
)

// The cold section (issue 11) is rendered between these markers, so that
// -only cold can replace it in an existing RESULTS.md and leave the warm
// sections as they are.
const (
	coldBegin = "<!-- cold section: begin (cmd/report -only cold replaces it) -->"
	coldEnd   = "<!-- cold section: end -->"
)

// The raw output of a cold run: cmd/cold's lines, then these.
const (
	coldPrefix     = "# cold: "
	coldInfoPrefix = "# cold-info: "
	coldCmdPrefix  = "# cold-command: "
	coldWallPrefix = "# cold-wall: "
	coldDatePrefix = "# cold-date: "
	coldGitPrefix  = "# cold-library: "
	coldLoadPrefix = "# cold-load: "
)

// runCold runs cmd/cold with the -cold-* flags and returns its raw output
// with the lines above; it saves it next to the data.
func runCold() ([]byte, error) {
	args := []string{"run", "./cmd/cold", "-file", *coldFile, "-limit", *coldLimit, "-budget", coldBudget.String(),
		"-count", fmt.Sprint(*coldCount)}
	if *coldAppend != "" {
		args = append(args, "-append", *coldAppend)
	}
	if *coldScn != "" {
		args = append(args, "-scenarios", *coldScn)
	}
	log.Printf("go %s", strings.Join(args, " "))
	loadBefore := loadavg()
	start := time.Now()
	var buf bytes.Buffer
	cmd := exec.Command("go", args...)
	cmd.Stdout = &buf
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go run ./cmd/cold: %w", err)
	}
	fmt.Fprintf(&buf, "%scd bench && go run ./cmd/report %s\n", coldCmdPrefix, strings.Join(os.Args[1:], " "))
	fmt.Fprintf(&buf, "%s%s\n", coldWallPrefix, time.Since(start).Round(time.Second))
	fmt.Fprintf(&buf, "%s%s\n", coldDatePrefix, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&buf, "%s%s\n", coldGitPrefix, gitState())
	fmt.Fprintf(&buf, "%sbefore %s, after %s\n", coldLoadPrefix, loadBefore, loadavg())
	dir := filepath.Join(os.TempDir(), "memmap-bench", "cold")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		p := filepath.Join(dir, "report-cold-raw.txt")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err == nil {
			log.Printf("raw cold output saved in %s (re-render with -only cold -from %s)", p, p)
		}
	}
	return buf.Bytes(), nil
}

// coldResults are the parsed raw output of a cold run.
type coldResults struct {
	cells                          []cold.Result
	info                           cold.Info
	hasInfo                        bool
	command, wall, date, git, load string
	raw                            string
}

func parseCold(raw []byte) *coldResults {
	c := &coldResults{}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	var kept []string
	for sc.Scan() {
		line := sc.Text()
		cut := func(p string) (string, bool) { return strings.CutPrefix(line, p) }
		if v, ok := cut(coldPrefix); ok {
			var r cold.Result
			if json.Unmarshal([]byte(v), &r) == nil {
				c.cells = append(c.cells, r)
				kept = append(kept, line)
			}
			continue
		}
		if strings.HasPrefix(line, "# cold") {
			kept = append(kept, line)
		}
		if v, ok := cut(coldInfoPrefix); ok {
			c.hasInfo = json.Unmarshal([]byte(v), &c.info) == nil
		} else if v, ok := cut(coldCmdPrefix); ok {
			c.command = v
		} else if v, ok := cut(coldWallPrefix); ok {
			c.wall = v
		} else if v, ok := cut(coldDatePrefix); ok {
			c.date = v
		} else if v, ok := cut(coldGitPrefix); ok {
			c.git = v
		} else if v, ok := cut(coldLoadPrefix); ok {
			c.load = v
		}
	}
	c.raw = strings.Join(kept, "\n") + "\n"
	return c
}

// cell is the median over the rounds of one cell.
type cell struct {
	ok                 bool
	err                string
	rate, durable      float64 // ops/s
	majPerOp, kibPerOp float64 // major faults and KiB read from the disk per op
	minPerOp           float64 // minor faults per op
	wkibPerOp          float64 // KiB written per op
	syscrPerOp         float64 // read system calls per op
	syscwPerOp         float64 // write system calls per op
	usrPerOp, sysPerOp float64 // user and system CPU seconds per op (NaN when not recorded)
	resident, before   float64 // worst over the rounds
	peak               int64   // largest over the rounds
	cgroup             bool
	rounds             int
}

// get returns the cell (scenario, impl, goroutines, batch), the median of
// its rounds.
func (c *coldResults) get(scenario, impl string, g, batch int) cell {
	var rs []cold.Result
	var out cell
	for _, r := range c.cells {
		if r.Scenario == scenario && r.Impl == impl && r.Goroutines == g && r.Batch == batch {
			if r.Err != "" {
				out.err = r.Err
				continue
			}
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		if out.err == "" {
			out.err = "not measured in this run"
		}
		return out
	}
	med := func(f func(cold.Result) float64) float64 {
		xs := make([]float64, len(rs))
		for i, r := range rs {
			xs[i] = f(r)
		}
		return median(xs)
	}
	per := func(f func(cold.Result) int64) func(cold.Result) float64 {
		return func(r cold.Result) float64 {
			if r.Ops == 0 {
				return math.NaN()
			}
			return float64(f(r)) / float64(r.Ops)
		}
	}
	out.ok, out.err, out.rounds = true, "", len(rs)
	out.rate = med(cold.Result.Rate)
	out.durable = med(cold.Result.DurableRate)
	out.majPerOp = med(per(func(r cold.Result) int64 { return r.MajFlt }))
	out.minPerOp = med(per(func(r cold.Result) int64 { return r.MinFlt }))
	out.kibPerOp = med(per(func(r cold.Result) int64 { return r.ReadB })) / 1024
	out.wkibPerOp = med(per(func(r cold.Result) int64 { return r.WriteB })) / 1024
	out.syscrPerOp = med(per(func(r cold.Result) int64 { return r.SysR }))
	out.syscwPerOp = med(per(func(r cold.Result) int64 { return r.SysW }))
	cpu := func(f func(cold.Result) float64) func(cold.Result) float64 {
		return func(r cold.Result) float64 {
			if r.Ops == 0 || r.UserS+r.SysS == 0 { // not recorded (runs before issue 21)
				return math.NaN()
			}
			return f(r) / float64(r.Ops)
		}
	}
	out.usrPerOp = med(cpu(func(r cold.Result) float64 { return r.UserS }))
	out.sysPerOp = med(cpu(func(r cold.Result) float64 { return r.SysS }))
	for _, r := range rs {
		out.resident = max(out.resident, r.Resident)
		out.before = max(out.before, r.Before)
		out.peak = max(out.peak, r.Peak)
		out.cgroup = out.cgroup || r.Cgroup != ""
	}
	return out
}

// verdict is one target of issue 11: met, missed or not measured.
type verdict struct {
	what string
	have string // the ratio, or why it was not measured
	ok   bool
	na   bool   // not measured
	why  string // when missed: the reason, measured
}

func (v verdict) String() string {
	if v.na {
		return fmt.Sprintf("- %s: %s — **not measured**.", v.what, v.have)
	}
	s := fmt.Sprintf("- %s: %s — **met**.", v.what, v.have)
	if !v.ok {
		s = fmt.Sprintf("- %s: %s — **missed**.", v.what, v.have)
		if v.why != "" {
			s += " " + v.why
		}
	}
	return s
}

// ratioVerdict compares a cell's rate with its peer's: met when
// rate/peer >= want (atLeast) or time ratio peer/rate <= want (!atLeast).
func ratioVerdict(what string, c, peer cell, want float64, atLeast bool, why func() string) verdict {
	switch {
	case !c.ok:
		return verdict{what: what, have: c.err, na: true}
	case !peer.ok:
		return verdict{what: what, have: "peer " + peer.err, na: true}
	}
	x := c.rate / peer.rate
	ok := x >= want
	if !atLeast {
		x = peer.rate / c.rate
		ok = x <= want
	}
	v := verdict{what: what, have: ratio(x), ok: ok}
	if !ok && why != nil {
		v.why = why()
	}
	return v
}

// costs says what a cell and its peer cost per op, from the children's
// getrusage and /proc/self/io: the measured reason for a gap.
func costs(name string, c cell, peerName string, p cell, op string) string {
	return fmt.Sprintf("Per %s, %s took %s major faults and read %s KiB from the disk; %s %s and %s KiB.",
		op, name, per(c.majPerOp), per(c.kibPerOp), peerName, per(p.majPerOp), per(p.kibPerOp))
}

func rate(x float64, unit string) string {
	switch {
	case x <= 0 || math.IsNaN(x):
		return "—"
	case unit == "B/s" && x >= 1e9:
		return fmt.Sprintf("%.2f GB/s", x/1e9)
	case unit == "B/s":
		return fmt.Sprintf("%.0f MB/s", x/1e6)
	case x >= 1e6:
		return fmt.Sprintf("%.3gM %s", x/1e6, unit)
	case x >= 1e3:
		return fmt.Sprintf("%.3gk %s", x/1e3, unit)
	}
	return fmt.Sprintf("%.3g %s", x, unit)
}

// per formats a per-op figure: small ones without an exponent.
func per(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case x == 0 || math.Abs(x) >= 0.01:
		return metric(x)
	case math.Abs(x) >= 0.0001:
		return strconv.FormatFloat(x, 'f', 4, 64)
	}
	return "< 0.0001"
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }

func mib(b int64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// renderCold returns the cold section, between its markers.
func renderCold(c *coldResults) (string, []verdict) {
	var w strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&w, format, a...) }
	in := c.info
	p("%s\n## 7. Cold: files bigger than memory (issue 11)\n\n", coldBegin)
	p("Command: `%s` (wall time %s, run %s", or(c.command, "cd bench && go run ./cmd/report -only cold"), or(c.wall, "?"), or(c.date, "?"))
	if c.git != "" {
		p("; library measured: %s", c.git)
	}
	p("). Load average %s the run. ", or(c.load, "not recorded around"))
	p("Every cell is measured %d time(s) (the figures are medians), all peers in the same run, one after the other.\n\n", max(in.Count, 1))
	var mach []string
	for _, l := range machine() {
		if !strings.HasPrefix(l, "- Data files") && !strings.HasPrefix(l, "- Transparent") {
			mach = append(mach, strings.TrimPrefix(l, "- "))
		}
	}
	p("Machine: %s; disk: the filesystem holding os.TempDir().\n\n", strings.Join(mach, "; "))
	p("**Method.** Three data files of %s of data each, made once and reused (under os.TempDir()/memmap-bench/cold, on %s): "+
		"a 1-d float64 array, an (N, 64) float32 embedding matrix and a record file of 64-byte records. "+
		"Before every cold cell the parent process fsyncs the file and drops it from the page cache with `posix_fadvise(POSIX_FADV_DONTNEED)` while nothing maps it, "+
		"then checks the drop with mincore(2) on a fresh map (the `resident` column: the fraction of the file's pages still cached when the reader started). ",
		sizeStr(in.FileBytes), or(in.FSType, "?"))
	switch {
	case in.Cgroup != "":
		p("The reader runs in a child process inside a memory cgroup (v%d, made under `%s`) limited to %s, smaller than the file: "+
			"the parent makes the cgroup, starts the child, writes its pid to `cgroup.procs`, and only then sends it the job over a pipe, so the child opens the file inside the cgroup; "+
			"the child checks /proc/self/cgroup, and the `peak` column is the cgroup's peak charge (page cache included, `%s`). ",
			in.CgroupV, in.Cgroup, sizeStr(in.Limit), map[int]string{1: "memory.max_usage_in_bytes", 2: "memory.peak"}[in.CgroupV])
	case c.hasInfo:
		p("**No memory cgroup could be made** (%s): the cold rows, which need a reader in a cgroup smaller than the file, are not measured in this run "+
			"(run the report as root on Linux with a memory controller, cgroup v1 or v2). ", in.NoCgroup)
	}
	if c.hasInfo && !in.Droppable {
		p("**The data directory is on %s, whose pages are the file: the page cache cannot be dropped, and these figures are warm.** ", in.FSType)
	}
	if ev := c.evidence(); ev != "" {
		p("%s ", ev)
	}
	p("Major and minor faults (getrusage) and the bytes read from the disk (`read_bytes` of /proc/self/io, read-ahead and fault-around included) are the child's, over the timed part only, per op. " +
		"Writes (scenarios 4 and 5) need no cgroup: they run in a child without one, on a new file each.\n\n")

	var all []verdict
	section := func(title string, body func() []verdict) {
		p("### %s\n\n", title)
		vs := body()
		if len(vs) > 0 {
			p("Targets:\n\n")
			for _, v := range vs {
				p("%s\n", v)
			}
			p("\n")
		}
		all = append(all, vs...)
	}
	gs := c.goroutines()

	section("7.1 Cold random single reads", func() []verdict {
		p("Each goroutine reads 8-byte elements (or 64-byte records) at random indexes from its own seeded generator for %.3g s, and the sum of what it read is checked. "+
			"`array.At1` is `array.Open` with its defaults; the `Advise` rows call `Advise` on the whole array after Open; the `Access=` rows open with `array.Options.Access`. "+
			"`pread` is `os.File.ReadAt` of the element plus `binary.LittleEndian`; `÷ pread` is the rate divided by pread's at the same goroutine count (records: `pread record`, 64 bytes per read, decoded field by field).\n\n",
			in.BudgetS)
		p("| implementation | goroutines | reads/s | ÷ pread | major faults/read | KiB read/read | resident | peak |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, g := range gs {
			for _, im := range c.impls(cold.Random) {
				x := c.get(cold.Random, im, g, 0)
				peer := c.get(cold.Random, randomPeer(im), g, 0)
				if !x.ok {
					p("| %s | %d | %s | | | | | |\n", im, g, x.err)
					continue
				}
				p("| %s | %d | %s | %s | %s | %s | %s | %s |\n", im, g, rate(x.rate, "/s"), ratio(x.rate/peer.rate),
					per(x.majPerOp), per(x.kibPerOp), pct(x.resident), mib(x.peak))
			}
		}
		p("\n")
		var vs []verdict
		for _, g := range []int{1, 16} {
			for _, im := range []string{"array.At1", "record.Get"} {
				x, peer := c.get(cold.Random, im, g, 0), c.get(cold.Random, randomPeer(im), g, 0)
				vs = append(vs, ratioVerdict(fmt.Sprintf("cold random `%s` (Open's defaults) ≥ 0.5× `%s` at %d goroutine(s)", im, randomPeer(im), g), x, peer, 0.5, true,
					func() string { return costs(im, x, randomPeer(im), peer, "read") }))
			}
		}
		return vs
	})

	section("7.2 Gather of random rows", func() []verdict {
		p("One op gathers %d random rows: rows of the (N, 64) float32 matrix (256 bytes) with `Array.Take`, or 64-byte records with `record.File.Take`, "+
			"against `pread` of the same rows from %d goroutines (decoded with `binary.LittleEndian`). The rows of the last op are checked. "+
			"Cold: dropped cache, reader in the cgroup. Warm: the first %s of the file, in the page cache and mapped, against a loop over a heap copy of it (`copy` of each row, or a struct assignment).\n\n",
			in.GatherRows, in.GatherG, sizeStr(in.WarmBytes))
		p("| cold | rows/s | ÷ pread | major faults/row | KiB read/row | resident | peak |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, im := range []string{"pread rows", "array.Take", "pread records", "record.Take"} {
			g := 0
			if strings.HasPrefix(im, "pread") {
				g = in.GatherG
			}
			x, peer := c.get(cold.Gather, im, g, 0), c.get(cold.Gather, gatherPeer(im), in.GatherG, 0)
			if !x.ok {
				p("| %s | %s | | | | | |\n", im, x.err)
				continue
			}
			p("| %s | %s | %s | %s | %s | %s | %s |\n", im, rate(x.rate, "/s"), ratio(x.rate/peer.rate), per(x.majPerOp), per(x.kibPerOp), pct(x.resident), mib(x.peak))
		}
		p("\n| warm | rows/s | time ÷ heap |\n|---|---:|---:|\n")
		for _, im := range []string{"heap rows", "array.Take", "heap records", "record.Take"} {
			x, peer := c.get(cold.GatherWarm, im, 0, 0), c.get(cold.GatherWarm, warmPeer(im), 0, 0)
			if !x.ok {
				p("| %s | %s | |\n", im, x.err)
				continue
			}
			p("| %s | %s | %s |\n", im, rate(x.rate, "/s"), ratio(peer.rate/x.rate))
		}
		p("\n")
		var vs []verdict
		for _, im := range []string{"array.Take", "record.Take"} {
			x, peer := c.get(cold.Gather, im, 0, 0), c.get(cold.Gather, gatherPeer(im), in.GatherG, 0)
			vs = append(vs, ratioVerdict(fmt.Sprintf("cold gather `%s` ≥ 0.8× %d-goroutine `%s`", im, in.GatherG, gatherPeer(im)), x, peer, 0.8, true,
				func() string { return costs(im, x, gatherPeer(im), peer, "row") }))
		}
		for _, im := range []string{"array.Take", "record.Take"} {
			x, peer := c.get(cold.GatherWarm, im, 0, 0), c.get(cold.GatherWarm, warmPeer(im), 0, 0)
			vs = append(vs, ratioVerdict(fmt.Sprintf("warm gather `%s` ≤ 1.2× the time of `%s`", im, warmPeer(im)), x, peer, 1.2, false,
				func() string {
					return fmt.Sprintf("Per row, %s took %s against %s for %s, with %s read system calls and %s minor faults (%s: %s and %s).",
						im, dur(1e9/x.rate), dur(1e9/peer.rate), warmPeer(im), per(x.syscrPerOp), per(x.minPerOp), warmPeer(im), per(peer.syscrPerOp), per(peer.minPerOp))
				}))
		}
		return vs
	})

	section("7.3 Cold sequential scan", func() []verdict {
		p("One op opens the float64 file, sums every element with one accumulator and closes it: `array.Data` (Open's defaults, or with `Access`) against read(2) into a 1 MiB buffer summed by the same loop. The sum is checked.\n\n")
		p("| implementation | rate | ÷ read(2) | major faults/MiB | MiB read/MiB | resident | peak |\n|---|---:|---:|---:|---:|---:|---:|\n")
		for _, im := range c.impls(cold.Scan) {
			x, peer := c.get(cold.Scan, im, 0, 0), c.get(cold.Scan, "read(2) 1 MiB", 0, 0)
			if !x.ok {
				p("| %s | %s | | | | | |\n", im, x.err)
				continue
			}
			p("| %s | %s | %s | %s | %s | %s | %s |\n", im, rate(x.rate, "B/s"), ratio(x.rate/peer.rate),
				metric(x.majPerOp*(1<<20)), metric(x.kibPerOp*1024), pct(x.resident), mib(x.peak))
		}
		p("\n")
		x, peer := c.get(cold.Scan, "array.Data", 0, 0), c.get(cold.Scan, "read(2) 1 MiB", 0, 0)
		return []verdict{ratioVerdict("cold sequential `Data()` scan (Open's defaults) ≥ 0.8× read(2)", x, peer, 0.8, true,
			func() string {
				return fmt.Sprintf("Per MiB, array.Data took %s major faults and read %s MiB from the disk; read(2) %s and %s MiB.",
					metric(x.majPerOp*(1<<20)), metric(x.kibPerOp*1024), metric(peer.majPerOp*(1<<20)), metric(peer.kibPerOp*1024))
			})}
	})

	section("7.4 Bulk append", func() []verdict {
		p("One op appends %s to a new file in batches of 1 MiB or 8 MiB (the same bytes for every writer): `array.Append` of []float64, `record.Append` of []Rec (64-byte records), "+
			"`os.File.Write`. *Page cache*: the time until the last batch is appended (the writer not closed: memmap's Close flushes, so it has no closing without a sync); "+
			"*durable*: until the data is on the disk (memmap: `Close`, which flushes the map and commits the header; Write: `Sync` and `Close`). "+
			"No cgroup (a write path). Minor faults per MiB show the cost of filling new pages of a shared mapping.\n\n", sizeStr(in.AppendB))
		p("| implementation | batch | page cache | ÷ Write | durable | ÷ Write+Sync | minor faults/MiB | MiB written/MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
		var vs []verdict
		for _, b := range []int{1 << 20, 8 << 20} {
			peer := c.get(cold.Append, "os.File.Write", 0, b)
			for _, im := range []string{"os.File.Write", "array.Append", "record.Append"} {
				x := c.get(cold.Append, im, 0, b)
				if !x.ok {
					p("| %s | %s | %s | | | | | |\n", im, sizeStr(int64(b)), x.err)
					continue
				}
				p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", im, sizeStr(int64(b)), rate(x.rate, "B/s"), ratio(x.rate/peer.rate),
					rate(x.durable, "B/s"), ratio(x.durable/peer.durable), metric(x.minPerOp*(1<<20)), metric(x.wkibPerOp*1024))
			}
		}
		p("\n")
		for _, durable := range []bool{false, true} {
			for _, b := range []int{1 << 20, 8 << 20} {
				peer := c.get(cold.Append, "os.File.Write", 0, b)
				for _, im := range []string{"array.Append", "record.Append"} {
					x := c.get(cold.Append, im, 0, b)
					what := fmt.Sprintf("`%s` of %s batches ≥ 0.8× `os.File.Write`, to the page cache", im, sizeStr(int64(b)))
					xx, pp := x, peer
					if durable {
						what = fmt.Sprintf("`%s` of %s batches ≥ 0.8× `os.File.Write` + `Sync`, durable", im, sizeStr(int64(b)))
						xx.rate, pp.rate = x.durable, peer.durable
					}
					vs = append(vs, ratioVerdict(what, xx, pp, 0.8, true, func() string {
						return fmt.Sprintf("Per MiB, %s took %s minor faults and wrote %s MiB; os.File.Write %s and %s MiB.",
							im, metric(x.minPerOp*(1<<20)), metric(x.wkibPerOp*1024), metric(peer.minPerOp*(1<<20)), metric(peer.wkibPerOp*1024))
					}))
				}
			}
		}
		return vs
	})

	section("7.5 Appending single records", func() []verdict { return appendOneSection(&w, c) })

	met := 0
	for _, v := range all {
		if v.ok && !v.na {
			met++
		}
	}
	p("### Summary of the cold targets\n\n%d of %d targets met.\n\n", met, len(all))
	for _, v := range all {
		state := "met"
		switch {
		case v.na:
			state = "not measured"
		case !v.ok:
			state = "missed"
		}
		p("- %s: %s (%s)\n", v.what, v.have, state)
	}
	p("\n<details><summary>Raw output of the cold run</summary>\n\n```\n%s```\n\n</details>\n%s\n", c.raw, coldEnd)
	return w.String(), all
}

// evidence says what this run measured of the cache drops and cgroups.
func (c *coldResults) evidence() string {
	var n, inCg, over int
	var before, after float64
	var peak int64
	for _, r := range c.cells {
		if !r.Cold || r.Err != "" {
			continue
		}
		n++
		before, after = max(before, r.Before), max(after, r.Resident)
		if r.Cgroup != "" {
			inCg++
			peak = max(peak, r.Peak)
			if r.Peak > r.Limit+1<<20 {
				over++
			}
		}
	}
	if n == 0 {
		return ""
	}
	s := fmt.Sprintf("In this run, over the %d cold cells measured: up to %s of a file's pages were cached before its drop, and at most %s when the reader started.", n, pct(before), pct(after))
	if inCg > 0 {
		s += fmt.Sprintf(" %d of them ran in their cgroup (the parent checks the child's own report of it), with a largest peak charge of %s", inCg, mib(peak))
		if over > 0 {
			s += fmt.Sprintf(", %d over the limit by more than 1 MiB", over)
		}
		s += "."
	}
	return s
}

func randomPeer(im string) string {
	if strings.Contains(im, "record") {
		return "pread record"
	}
	return "pread+LittleEndian"
}

func gatherPeer(im string) string {
	if strings.Contains(im, "record") {
		return "pread records"
	}
	return "pread rows"
}

func warmPeer(im string) string {
	if strings.Contains(im, "record") {
		return "heap records"
	}
	return "heap rows"
}

// goroutines returns the goroutine counts of the random reads, in order.
func (c *coldResults) goroutines() []int {
	var gs []int
	for _, r := range c.cells {
		if r.Scenario == cold.Random && !slices.Contains(gs, r.Goroutines) {
			gs = append(gs, r.Goroutines)
		}
	}
	slices.Sort(gs)
	return gs
}

// impls returns the implementations of a scenario, in the order measured.
func (c *coldResults) impls(scenario string) []string {
	var out []string
	for _, r := range c.cells {
		if r.Scenario == scenario && !slices.Contains(out, r.Impl) {
			out = append(out, r.Impl)
		}
	}
	return out
}

// coldOf returns the cold section of the results file md, markers
// included, or "" when it has none.
func coldOf(md string) string {
	i := strings.Index(md, coldBegin)
	if i < 0 {
		return ""
	}
	j := strings.Index(md[i:], coldEnd)
	if j < 0 {
		return ""
	}
	return md[i:i+j+len(coldEnd)] + "\n"
}

// spliceCold puts the cold section into the results file md: in place of
// the previous one, or at the end.
func spliceCold(md, section string) string {
	if i := strings.Index(md, coldBegin); i >= 0 {
		if j := strings.Index(md[i:], coldEnd); j >= 0 {
			return md[:i] + strings.TrimSuffix(section, "\n") + md[i+j+len(coldEnd):]
		}
	}
	if md != "" && !strings.HasSuffix(md, "\n\n") {
		md = strings.TrimRight(md, "\n") + "\n\n"
	}
	return md + section
}

// coldOnly runs (or re-renders, with -from) the cold section and splices
// it into the results file.
func coldOnly() error {
	var raw []byte
	var err error
	if *from != "" {
		raw, err = os.ReadFile(*from)
	} else {
		raw, err = runCold()
	}
	if err != nil {
		return err
	}
	section, _ := renderCold(parseCold(raw))
	fmt.Println()
	fmt.Print(section)
	old, err := os.ReadFile(*out)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.WriteFile(*out, []byte(spliceCold(string(old), section)), 0o644); err != nil {
		return err
	}
	log.Printf("wrote the cold section of %s", *out)
	return nil
}
