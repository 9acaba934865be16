//go:build linux

package cold

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/record"
)

// Accesses are the values of array.Options.Access the report measures.
var Accesses = []memmap.Access{memmap.AccessAuto, memmap.AccessRandom, memmap.AccessSequential, memmap.AccessNormal}

// Config sizes a cold run.
type Config struct {
	Dir         string        // where the data files are made and kept
	FileBytes   int64         // size of each read file (the data part)
	Limit       int64         // the memory cgroup's limit
	Budget      time.Duration // time per cell of the read scenarios
	AppendBytes int64         // bytes each append cell writes
	Goroutines  []int         // of the random reads
	GatherRows  int           // rows per gather
	GatherG     int           // goroutines of the pread gather
	WarmBytes   int64         // how much of the embedding file the warm gather reads
	Count       int           // rounds: every cell is measured Count times
	MaxOps      int64         // cap on reads per goroutine and gathers per cell (smoke runs); 0: none
	// WithoutCgroup runs the cold cells without a cgroup when none can
	// be made (the smoke test, to check what they read); otherwise they
	// are reported as not measured, saying why.
	WithoutCgroup bool
	Scenarios     *regexp.Regexp
	Log           func(format string, a ...any)
}

// Cell is one measurement to make.
type Cell struct {
	Scenario, Impl string
	G              int // goroutines (random reads, pread gathers)
	Batch          int // bytes per append batch
	file           string
	cold           bool // drop the cache and run in the cgroup
	missing        string
}

// Plan returns the cells of a run, in the order they are measured within
// a round: peers side by side.
func Plan(cfg Config) []Cell {
	var cells []Cell
	add := func(c Cell) {
		if cfg.Scenarios != nil && !cfg.Scenarios.MatchString(c.Scenario) {
			return
		}
		cells = append(cells, c)
	}
	randoms := []string{"pread+LittleEndian", "array.At1", "array.At1 Advise(Random)", "array.At1 Advise(Normal)", "array.At1 Advise(Sequential)"}
	for _, a := range Accesses {
		randoms = append(randoms, "array.At1 Access="+a.String())
	}
	randoms = append(randoms, "pread record", "record.Get")
	for _, g := range cfg.Goroutines {
		for _, im := range randoms {
			f := "f64"
			if strings.Contains(im, "record") {
				f = "rec"
			}
			add(Cell{Scenario: Random, Impl: im, G: g, file: f, cold: true})
		}
	}
	for _, im := range []string{"pread rows", "array.Take", "pread records", "record.Take"} {
		f, g := "emb", 0
		if strings.Contains(im, "record") {
			f = "rec"
		}
		if strings.HasPrefix(im, "pread") {
			g = cfg.GatherG
		}
		add(Cell{Scenario: Gather, Impl: im, G: g, file: f, cold: true})
	}
	for _, im := range []string{"heap rows", "array.Take", "heap records", "record.Take"} {
		f := "emb"
		if strings.Contains(im, "record") {
			f = "rec"
		}
		add(Cell{Scenario: GatherWarm, Impl: im, file: f})
	}
	scans := []string{"read(2) 1 MiB", "array.Data"}
	for _, a := range Accesses {
		scans = append(scans, "array.Data Access="+a.String())
	}
	for _, im := range scans {
		add(Cell{Scenario: Scan, Impl: im, file: "f64", cold: true})
	}
	for _, batch := range []int{1 << 20, 8 << 20} {
		for _, im := range []string{"os.File.Write", "array.Append", "record.Append"} {
			add(Cell{Scenario: Append, Impl: im, Batch: batch})
		}
	}
	for _, im := range []string{"bufio+LittleEndian", "record.Append", "array.Append"} {
		add(Cell{Scenario: AppendOne, Impl: im})
	}
	for i := range cells {
		c := &cells[i]
		if !Registered(c.Scenario, c.Impl) {
			switch {
			case strings.Contains(c.Impl, "Take"):
				c.missing = "not measured: Take not on main"
			case strings.Contains(c.Impl, "Access="):
				c.missing = "not measured: Options.Access not on main"
			default:
				c.missing = "not measured: not built into this program"
			}
		}
	}
	return cells
}

// Run measures every cell of the plan cfg.Count times and calls emit
// with each result; info describes the machine and the cgroups.
func Run(cfg Config, emit func(Result)) (Info, error) {
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	info := Info{FileBytes: cfg.FileBytes, Limit: cfg.Limit, AppendB: cfg.AppendBytes, BudgetS: cfg.Budget.Seconds(),
		GatherRows: cfg.GatherRows, GatherG: cfg.GatherG, WarmBytes: cfg.WarmBytes, Count: cfg.Count}
	if !hostLittle() {
		return info, errors.New("the cold benchmarks compare against little-endian decoding of little-endian files: little-endian hosts only")
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return info, err
	}
	info.FSType, info.Droppable = FSType(cfg.Dir), Droppable(cfg.Dir)
	if parent, v, err := cgroupParent(); err != nil {
		info.NoCgroup = err.Error()
	} else if cg, err := newCgroupIn(parent, v, fmt.Sprintf("memmap-cold-probe-%d", os.Getpid()), cfg.Limit); err != nil {
		info.NoCgroup = err.Error()
	} else {
		cg.Remove()
		info.Cgroup, info.CgroupV = parent, v
	}
	if info.Cgroup != "" {
		// Cgroups left by a run that was killed: rmdir removes only
		// those that hold no process.
		old, _ := filepath.Glob(filepath.Join(info.Cgroup, "memmap-cold-*"))
		for _, d := range old {
			os.Remove(d)
		}
	}
	if info.Cgroup == "" && os.Geteuid() != 0 {
		info.NoCgroup = "not root: " + info.NoCgroup
	}
	if info.Cgroup != "" {
		logf("memory cgroups (v%d) of %d bytes under %s; data in %s (%s)", info.CgroupV, cfg.Limit, info.Cgroup, cfg.Dir, info.FSType)
	} else {
		logf("no memory cgroup: %s; data in %s (%s)", info.NoCgroup, cfg.Dir, info.FSType)
	}
	return info, runCells(cfg, info, emit)
}

// runCells measures the cells of the plan, in the cgroups info says can
// be made.
func runCells(cfg Config, info Info, emit func(Result)) error {
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	stop := onSignal()
	defer stop()
	cells := Plan(cfg)
	files := map[string]string{}
	need := map[string]bool{}
	for _, c := range cells {
		if c.file != "" && c.missing == "" {
			need[c.file] = true
		}
	}
	for _, name := range []string{"f64", "emb", "rec"} {
		if !need[name] {
			continue
		}
		t0 := time.Now()
		p, err := makeFile(cfg.Dir, name, cfg.FileBytes)
		if err != nil {
			return err
		}
		files[name] = p
		logf("%s file %s ready (%s)", name, p, time.Since(t0).Round(time.Millisecond))
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	seed := uint64(1)
	for round := range max(cfg.Count, 1) {
		for _, c := range rotate(cells, round) {
			seed++
			r := Result{Scenario: c.Scenario, Impl: c.Impl, Goroutines: c.G, Batch: c.Batch, Round: round}
			missing := c.missing
			if missing == "" && c.cold && info.Cgroup == "" && !cfg.WithoutCgroup {
				missing = "not measured: no memory cgroup (" + info.NoCgroup + ")"
			}
			if missing != "" {
				r.Err, r.Skipped = missing, true
				if round == 0 {
					emit(r)
				}
				continue
			}
			j := Job{Scenario: c.Scenario, Impl: c.Impl, Goroutines: c.G, Budget: cfg.Budget, MaxOps: cfg.MaxOps,
				Seed: seed, Rows: cfg.GatherRows, Batch: c.Batch, Total: cfg.AppendBytes}
			if c.Scenario == GatherWarm {
				j.WarmRows = int(cfg.WarmBytes / rowBytesOf(c.file))
			}
			switch {
			case c.file != "":
				j.Path = files[c.file]
			default:
				j.Path = filepath.Join(cfg.Dir, fmt.Sprintf("append-%d.out", os.Getpid()))
				os.Remove(j.Path)
			}
			r = measure(exe, cfg, info, c, j, r)
			if c.file == "" {
				os.Remove(j.Path)
			}
			logf("%s", line(r))
			emit(r)
		}
	}
	return nil
}

// dropWait drops the file from the page cache and returns the fraction
// still cached. Read-ahead that the previous child started may still be in
// flight when it exits, and DONTNEED skips pages under I/O: so while more
// than 0.1% stays cached, it waits a little and drops again, for up to a
// second.
func dropWait(path string) (float64, error) {
	var res float64
	for try := 0; ; try++ {
		if err := Drop(path); err != nil {
			return 0, err
		}
		r, err := Resident(path)
		if err != nil {
			return 0, err
		}
		res = r
		if res <= 0.001 || try == 20 {
			return res, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rotate returns the cells with the peers of each group (the cells of one
// scenario, goroutine count and batch, next to each other in the plan)
// rotated by round, so that over the rounds no implementation always runs
// first after another scenario (the first write cell of a run, for one,
// was often the slowest).
func rotate(cells []Cell, round int) []Cell {
	out := make([]Cell, 0, len(cells))
	for i := 0; i < len(cells); {
		j := i + 1
		for j < len(cells) && cells[j].Scenario == cells[i].Scenario && cells[j].G == cells[i].G && cells[j].Batch == cells[i].Batch {
			j++
		}
		g := cells[i:j]
		k := round % len(g)
		out = append(out, g[k:]...)
		out = append(out, g[:k]...)
		i = j
	}
	return out
}

func line(r Result) string {
	s := fmt.Sprintf("%-11s %-34s g=%-3d batch=%-8d", r.Scenario, r.Impl, r.Goroutines, r.Batch)
	if r.Err != "" {
		return s + " " + r.Err
	}
	return s + fmt.Sprintf(" %12.0f ops/s  durable %10.0f/s  resident %.3f  majflt %d  read %d B  peak %d", r.Rate(), r.DurableRate(), r.Resident, r.MajFlt, r.ReadB, r.Peak)
}

func rowBytesOf(file string) int64 {
	switch file {
	case "emb":
		return EmbCols * 4
	case "rec":
		return 64
	}
	return 8
}

// measure runs one cell in a child: drop the cache and make the cgroup
// for a cold cell, warm the file for a warm one.
func measure(exe string, cfg Config, info Info, c Cell, j Job, r Result) Result {
	var cg *Cgroup
	if c.cold {
		r.Cold = true
		r.Before, _ = Resident(j.Path)
		res, err := dropWait(j.Path)
		if err != nil {
			r.Err = err.Error()
			return r
		}
		r.Resident = res
		if info.Cgroup != "" {
			g, err := newCgroupIn(info.Cgroup, info.CgroupV, fmt.Sprintf("memmap-cold-%d", os.Getpid()), cfg.Limit)
			if err != nil {
				r.Err = "making the cgroup: " + err.Error()
				return r
			}
			cg = g
			defer cg.Remove()
		}
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envChild+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		r.Err = err.Error()
		return r
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		r.Err = err.Error()
		return r
	}
	pid := cmd.Process.Pid
	setCurrent(cmd, cg)
	defer setCurrent(nil, nil)
	if cg != nil {
		if err := cg.Add(pid); err != nil || !cg.Has(pid) {
			cmd.Process.Kill()
			cmd.Wait()
			r.Err = fmt.Sprintf("moving the child into cgroup %s: %v", cg.Dir, err)
			return r
		}
	}
	b, _ := json.Marshal(j)
	stdin.Write(append(b, '\n'))
	stdin.Close()
	timer := time.AfterFunc(10*j.Budget+10*time.Minute, func() { cmd.Process.Kill() })
	werr := cmd.Wait()
	timer.Stop()
	var got *Result
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), resultPrefix); ok {
			var x Result
			if err := json.Unmarshal([]byte(l), &x); err == nil {
				got = &x
			}
		}
	}
	if got == nil {
		r.Err = fmt.Sprintf("the child printed no result (%v; out of memory in the cgroup?)", werr)
		if cg != nil {
			r.Cgroup, r.Limit, r.Peak = cg.Dir, cg.Limit, cg.Peak()
		}
		return r
	}
	got.Round, got.Cold, got.Resident, got.Before = r.Round, r.Cold, r.Resident, r.Before
	if cg != nil {
		got.Cgroup, got.Limit, got.Peak = cg.Dir, cg.Limit, cg.Peak()
		if got.Err == "" && !strings.HasSuffix(cg.Dir, got.ChildCg) {
			got.Err = fmt.Sprintf("the child ran in cgroup %q, not in %s", got.ChildCg, cg.Dir)
		}
	}
	return *got
}

func hostLittle() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// current is the child being measured and its cgroup, for onSignal.
var current struct {
	sync.Mutex
	cmd *exec.Cmd
	cg  *Cgroup
}

func setCurrent(cmd *exec.Cmd, cg *Cgroup) {
	current.Lock()
	defer current.Unlock()
	current.cmd, current.cg = cmd, cg
}

// onSignal makes SIGINT and SIGTERM kill the child being measured and
// remove its cgroup before the process exits; stop undoes it.
func onSignal() (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			current.Lock()
			if current.cmd != nil && current.cmd.Process != nil {
				current.cmd.Process.Kill()
				current.cmd.Process.Wait()
			}
			if current.cg != nil {
				for range 100 {
					if current.cg.Remove() == nil {
						break
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
			fmt.Fprintf(os.Stderr, "cold: %v: stopped\n", sig)
			os.Exit(1)
		case <-done:
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// makeFile makes (or reuses) the data file name of size bytes of data in
// dir: "f64" a 1-d float64 array, "emb" an (N, 64) float32 matrix, "rec"
// a record file of benchdata.Rec. Package array writes the header (and
// allocates the file); the data is written with write(2), much faster
// than through the map.
func makeFile(dir, name string, size int64) (string, error) {
	switch name {
	case "f64":
		n := int(size / 8)
		return benchdata.Cached(dir, fmt.Sprintf("cold-f64-%d.npy", n), -1, func(tmp string) error {
			return writeNpy[float64](tmp, []int{n}, 8, func(k int, p []byte) {
				binary.LittleEndian.PutUint64(p, math.Float64bits(benchdata.ArrayValue(k)))
			})
		})
	case "emb":
		rows := int(size / (EmbCols * 4))
		return benchdata.Cached(dir, fmt.Sprintf("cold-emb-%dx%d.npy", rows, EmbCols), -1, func(tmp string) error {
			return writeNpy[float32](tmp, []int{rows, EmbCols}, 4, func(k int, p []byte) {
				binary.LittleEndian.PutUint32(p, math.Float32bits(EmbValue(k)))
			})
		})
	case "rec":
		n := int(size / 64)
		return benchdata.Cached(dir, fmt.Sprintf("cold-rec-%d.npy", n), -1, func(tmp string) error {
			if err := writeNpy[benchdata.Rec](tmp, []int{n}, 64, func(k int, p []byte) { encodeRec(p, benchdata.MakeRec(k)) }); err != nil {
				return err
			}
			// Check that package record takes what package array wrote.
			f, err := record.Open[benchdata.Rec](tmp, memmap.ReadOnly, nil)
			if err != nil {
				return err
			}
			defer f.Close()
			if f.Len() != n {
				return fmt.Errorf("record file of %d records, want %d", f.Len(), n)
			}
			return nil
		})
	}
	return "", fmt.Errorf("no data file %q", name)
}

// writeNpy makes the little-endian .npy file of T of the given shape at
// path with array.Create, then writes element k (of esize bytes, in C
// order) with put, through write(2), and fsyncs it.
func writeNpy[T any](path string, shape []int, esize int, put func(k int, p []byte)) error {
	a, err := array.Create[T](path, shape, &array.Options{ByteOrder: layout.Little})
	if err != nil {
		return err
	}
	total := a.Size()
	if err := a.Close(); err != nil {
		return err
	}
	off, err := dataOffset(path)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 8<<20)
	per := len(buf) / esize
	for k := 0; k < total; k += per {
		c := min(per, total-k)
		for i := range c {
			put(k+i, buf[i*esize:])
		}
		if _, err := f.WriteAt(buf[:c*esize], off+int64(k)*int64(esize)); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}
