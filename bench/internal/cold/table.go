//go:build linux

package cold

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/table"
)

// MakeTable returns the path of the table of TableKeys(size) keys in dir
// (benchdata.TableKey(i) -> benchdata.TableValue), building it the first
// time (it keeps 28 bytes per key on the heap while it builds).
func MakeTable(dir string, size int64) (string, error) {
	n := TableKeys(size)
	return benchdata.CachedTable(dir, fmt.Sprintf("table-%d.table", n), n, func(tmp string) error {
		keys, vals := make([]uint64, n), make([]uint64, n)
		for i := range keys {
			keys[i] = benchdata.TableKey(i)
			vals[i] = benchdata.TableValue(keys[i])
		}
		return table.Build(tmp, keys, vals, &table.Options{Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	})
}

// check10 keeps the low 10 bits of a value, so that sums of many stay
// exact in a float64 (randomReads sums what it reads).
func check10(v uint64) float64 { return float64(v & 1023) }

// tableGet looks up random present keys with Get; with resident, it
// first reads the index (the members pilots and remap) with pread, so
// that its pages are in the cgroup's page cache.
func tableGet(resident bool) impl {
	return func(j Job, r *Result) error {
		if resident {
			if err := readIndex(j.Path); err != nil {
				return err
			}
		}
		t, err := table.Open[uint64, uint64](j.Path)
		if err != nil {
			return err
		}
		defer t.Close()
		return randomReads(j, r, t.Len(), 8, func() (reader, error) {
			return func(i int) (float64, float64) {
				k := benchdata.TableKey(i)
				v, ok := t.Get(k)
				if !ok {
					return -1, check10(benchdata.TableValue(k))
				}
				return check10(v), check10(benchdata.TableValue(k))
			}, nil
		})
	}
}

// member returns the offset and size of the data of the member name of
// the table file at path.
func member(path, name string) (off, size int64, err error) {
	f, err := npz.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	m, err := f.Info(name)
	if err != nil {
		return 0, 0, err
	}
	return m.DataOffset, m.DataSize, nil
}

// readIndex reads the index members of the table file at path.
func readIndex(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, name := range []string{"pilots", "remap"} {
		off, size, err := member(path, name)
		if err != nil {
			return err
		}
		if _, err := f.ReadAt(make([]byte, size), off); err != nil {
			return err
		}
	}
	return nil
}

// tablePread reads one random entry per lookup with pread, and checks
// that its value is its key's.
func tablePread(j Job, r *Result) error {
	off, size, err := member(j.Path, "entries")
	if err != nil {
		return err
	}
	f, err := os.Open(j.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	return randomReads(j, r, int(size/tableEntry), tableEntry, func() (reader, error) {
		buf := make([]byte, tableEntry)
		return func(i int) (float64, float64) {
			if _, err := f.ReadAt(buf, off+int64(i)*tableEntry); err != nil {
				return -1, 0
			}
			// The host's byte order, as Build wrote it.
			k, v := binary.NativeEndian.Uint64(buf), binary.NativeEndian.Uint64(buf[8:])
			return check10(v), check10(benchdata.TableValue(k))
		}, nil
	})
}

func init() {
	register(TableRandom, TableGet, tableGet(false))
	register(TableRandom, TableGetResident, tableGet(true))
	register(TableRandom, TablePread, tablePread)
}

// RunTable measures the TableRandom cells cfg.Count times, cold, on a
// table of about tableBytes (made in cfg.Dir the first time), and calls
// emit with each result (Ops are lookups; MajFlt their major faults).
// Like Run, it needs root and a memory controller for the cgroups, else
// the cells are reported as not measured, saying why.
func RunTable(cfg Config, tableBytes int64, emit func(Result)) (Info, error) {
	logf := cfg.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	// Run with no scenario probes the cgroups and measures nothing.
	probe := cfg
	probe.Scenarios = regexp.MustCompile(`^$`)
	info, err := Run(probe, func(Result) {})
	if err != nil {
		return info, err
	}
	if tableBytes <= 2*cfg.Limit {
		return info, errors.New("the table must be bigger than the cgroup: at least twice its limit")
	}
	t0 := time.Now()
	path, err := MakeTable(cfg.Dir, tableBytes)
	if err != nil {
		return info, err
	}
	logf("table %s ready (%s)", path, time.Since(t0).Round(time.Millisecond))
	info.FileBytes = tableBytes
	exe, err := os.Executable()
	if err != nil {
		return info, err
	}
	cells := []Cell{
		{Scenario: TableRandom, Impl: TablePread, G: 1, cold: true},
		{Scenario: TableRandom, Impl: TableGet, G: 1, cold: true},
		{Scenario: TableRandom, Impl: TableGetResident, G: 1, cold: true},
	}
	stop := onSignal()
	defer stop()
	seed := uint64(1)
	for round := range max(cfg.Count, 1) {
		for _, c := range rotate(cells, round) {
			seed++
			r := Result{Scenario: c.Scenario, Impl: c.Impl, Goroutines: c.G, Round: round}
			if info.Cgroup == "" && !cfg.WithoutCgroup {
				r.Err, r.Skipped = "not measured: no memory cgroup ("+info.NoCgroup+")", true
				if round == 0 {
					emit(r)
				}
				continue
			}
			j := Job{Scenario: c.Scenario, Impl: c.Impl, Goroutines: c.G, Budget: cfg.Budget, MaxOps: cfg.MaxOps, Seed: seed, Path: path}
			r = measure(exe, cfg, info, c, j, r)
			logf("%s", line(r))
			emit(r)
		}
	}
	return info, nil
}
