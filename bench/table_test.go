package bench

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/table"
)

// The lookup-table benchmarks (issue 20 item 4): our table against a Go
// map on the heap, bbolt and a binary search over sorted keys in a mapped
// array, each size a sub-benchmark (BenchmarkTableGet/10M/table, ...),
// uint64 keys to uint64 values.
//
// Sizes: MEMMAP_BENCH_TABLE_KEYS lists them (key counts, with k and M
// suffixes); unset, the CI smoke run's 100k at the small sizes, and at
// MEMMAP_BENCH_SIZE=full none (the benchmarks skip): cmd/report runs them
// on their own (-only table) with the list it wants, so that the warm
// sections' run does not pay for them.

// envTableKeys is the environment variable listing the table benchmarks'
// sizes, for example "1M,10M,100M".
const envTableKeys = "MEMMAP_BENCH_TABLE_KEYS"

// envTablePeers is the largest size at which the peers (map, bbolt,
// binary search) run, beyond which only the table does (default 10M: a
// map of 100M keys needs about 5 GB of heap and bbolt minutes to load).
const envTablePeers = "MEMMAP_BENCH_TABLE_PEERS"

// envTableBuildMax is the largest size at which BenchmarkTableBuild runs
// (default 10M: beyond, the table of the lookups is built once, cached,
// and the builds would take minutes per run).
const envTableBuildMax = "MEMMAP_BENCH_TABLE_BUILD_MAX"

// tableBatch is the number of keys of one batched lookup.
const tableBatch = 1024

// tableProbes bounds the number of distinct keys a lookup benchmark
// cycles through (the probes array is read in order, so its own loads
// cost nothing next to the lookups').
const tableProbes = 1 << 20

// parseCount parses a key count: digits with an optional k or M suffix.
func parseCount(s string) (int, error) {
	mul := 1
	switch {
	case strings.HasSuffix(s, "M"):
		s, mul = s[:len(s)-1], 1_000_000
	case strings.HasSuffix(s, "k"):
		s, mul = s[:len(s)-1], 1_000
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad key count %q", s)
	}
	return n * mul, nil
}

// countName names a key count as the sub-benchmarks do: 100k, 1M, 10M.
func countName(n int) string {
	switch {
	case n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + "M"
	case n%1_000 == 0:
		return strconv.Itoa(n/1_000) + "k"
	}
	return strconv.Itoa(n)
}

// tableSizes returns the key counts to run, or skips the benchmark.
func tableSizes(b *testing.B) []int {
	b.Helper()
	s := os.Getenv(envTableKeys)
	if s == "" {
		if sizes.Name == "full" {
			b.Skipf("set %s (cd bench && go run ./cmd/report -only table does)", envTableKeys)
		}
		s = "100k"
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := parseCount(strings.TrimSpace(f))
		must(b, err)
		out = append(out, n)
	}
	return out
}

// peersUpTo returns the largest size at which the peers run.
func peersUpTo(b *testing.B) int { return countEnv(b, envTablePeers) }

// countEnv returns the key count in the environment variable env, 10M if
// it is unset.
func countEnv(b *testing.B, env string) int {
	b.Helper()
	if s := os.Getenv(env); s != "" {
		n, err := parseCount(s)
		must(b, err)
		return n
	}
	return 10_000_000
}

// tableKey and tableValue are the keys and values, shared with the cold
// run (package cold).
var (
	tableKey   = benchdata.TableKey
	tableValue = benchdata.TableValue
)

// tableData is the keys and values of one size, and the probes of the
// lookup benchmarks, generated once per process.
type tableData struct {
	n       int
	keys    []uint64 // in generation order
	vals    []uint64
	present []uint64 // random present keys
	absent  []uint64 // keys not in the table

	sortOnce sync.Once // the peers' sorted keys, made on first use
	sorted   []uint64  // keys, sorted
	sortVals []uint64  // their values
}

// sortedKeys returns the keys sorted, and their values.
func (d *tableData) sortedKeys() (keys, vals []uint64) {
	d.sortOnce.Do(func() {
		d.sorted = slices.Clone(d.keys)
		slices.Sort(d.sorted)
		d.sortVals = make([]uint64, d.n)
		for i, k := range d.sorted {
			d.sortVals[i] = tableValue(k)
		}
	})
	return d.sorted, d.sortVals
}

var tableDataCache sync.Map // n -> *tableData

func getTableData(n int) *tableData {
	if v, ok := tableDataCache.Load(n); ok {
		return v.(*tableData)
	}
	d := &tableData{n: n, keys: make([]uint64, n), vals: make([]uint64, n)}
	for i := range n {
		d.keys[i] = tableKey(i)
		d.vals[i] = tableValue(d.keys[i])
	}
	p := min(n, tableProbes)
	rng := rand.New(rand.NewPCG(uint64(n), 20))
	d.present, d.absent = make([]uint64, p), make([]uint64, p)
	for j := range p {
		d.present[j] = d.keys[rng.IntN(n)]
		d.absent[j] = tableKey(n + j)
	}
	tableDataCache.Store(n, d)
	return d
}

// tableDir is the cache directory of the table benchmarks' files.
func tableDir(b *testing.B) string {
	b.Helper()
	d, err := benchdata.Dir()
	must(b, err)
	return filepath.Join(d, "table")
}

// hostOrder names the host's byte order in the cached files' names: the
// tables and arrays are written in it (zero-copy views) and bbolt's pages
// are in it, so a run on a host of the other order (s390x under QEMU, on
// the same /tmp) makes files of its own.
var hostOrder = map[bool]string{true: "le", false: "be"}[hostLittle]

// fixedTime makes the cached table files the same bytes on every run.
var fixedTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tableFile returns the path of the cached table of n keys.
func tableFile(b *testing.B, d *tableData) string {
	b.Helper()
	p, err := benchdata.CachedTable(tableDir(b), fmt.Sprintf("u64-%d-%s.table", d.n, hostOrder), d.n, func(tmp string) error {
		return table.Build(tmp, d.keys, d.vals, &table.Options{Modified: fixedTime})
	})
	must(b, err)
	return p
}

// sortedFiles returns the paths of the cached sorted keys and their values
// (.npy files of uint64).
func sortedFiles(b *testing.B, d *tableData) (keys, vals string) {
	b.Helper()
	write := func(vals bool) func(string) error {
		return func(tmp string) error {
			k, v := d.sortedKeys()
			if vals {
				return writeU64s(tmp, v)
			}
			return writeU64s(tmp, k)
		}
	}
	keys, err := benchdata.Cached(tableDir(b), fmt.Sprintf("sorted-keys-%d-%s.npy", d.n, hostOrder), -1, write(false))
	must(b, err)
	vals, err = benchdata.Cached(tableDir(b), fmt.Sprintf("sorted-vals-%d-%s.npy", d.n, hostOrder), -1, write(true))
	must(b, err)
	return keys, vals
}

// writeU64s writes src as a 1-d uint64 .npy file at path, in the host's
// byte order (so that Data is a zero-copy view).
func writeU64s(path string, src []uint64) error {
	a, err := array.Create[uint64](path, []int{len(src)}, nil)
	if err != nil {
		return err
	}
	d, err := a.Data()
	if err != nil {
		a.Close()
		return err
	}
	copy(d, src)
	return a.Close()
}

// boltBucket is the bucket of the bbolt databases.
var boltBucket = []byte("t")

// boltFile returns the path of the cached bbolt database of n keys.
func boltFile(b *testing.B, d *tableData) string {
	b.Helper()
	p, err := benchdata.Cached(tableDir(b), fmt.Sprintf("bolt-%d-%s.db", d.n, hostOrder), -1, func(tmp string) error {
		sorted, _ := d.sortedKeys()
		return boltBuild(tmp, sorted)
	})
	must(b, err)
	return p
}

// boltTx is the number of keys per write transaction of a bbolt build.
const boltTx = 1 << 18

// boltBuild loads the sorted keys into a new bbolt database at path: 8-byte
// big-endian keys (so that their order is the numbers'), 8-byte values,
// in transactions of boltTx keys with the bucket filled to 100% (the bulk
// load bbolt documents for sorted keys), synced at the end.
func boltBuild(path string, sorted []uint64) error {
	os.Remove(path)
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, NoFreelistSync: true, NoGrowSync: true})
	if err != nil {
		return err
	}
	buf := make([]byte, 16*min(boltTx, len(sorted)))
	for lo := 0; lo < len(sorted) || lo == 0; lo += boltTx {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists(boltBucket)
			if err != nil {
				return err
			}
			bk.FillPercent = 1
			// Put keeps the key and value slices until the commit:
			// each pair gets its own 16 bytes of buf.
			for j, k := range sorted[lo:min(lo+boltTx, len(sorted))] {
				kv := buf[16*j : 16*j+16]
				binary.BigEndian.PutUint64(kv[:8], k)
				binary.BigEndian.PutUint64(kv[8:], tableValue(k))
				if err := bk.Put(kv[:8], kv[8:]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			db.Close()
			return err
		}
	}
	if err := db.Sync(); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// openBolt opens the bbolt database at path read-only, its pages touched.
func openBolt(b *testing.B, path string) *bolt.DB {
	b.Helper()
	db, err := bolt.Open(path, 0o400, &bolt.Options{ReadOnly: true})
	must(b, err)
	b.Cleanup(func() { db.Close() })
	return db
}

// tableMaps caches the Go maps, one per size (built once per process).
var tableMaps sync.Map // n -> map[uint64]uint64

func goMap(d *tableData) map[uint64]uint64 {
	if v, ok := tableMaps.Load(d.n); ok {
		return v.(map[uint64]uint64)
	}
	m := make(map[uint64]uint64)
	for i, k := range d.keys {
		m[k] = d.vals[i]
	}
	tableMaps.Store(d.n, m)
	return m
}

// openTable opens the cached table of d's keys, its pages touched.
func openTable(b *testing.B, d *tableData) *table.Table[uint64, uint64] {
	b.Helper()
	t, err := table.Open[uint64, uint64](tableFile(b, d))
	must(b, err)
	b.Cleanup(func() { t.Close() })
	sum := uint64(0)
	for _, v := range t.All() { // touch every page
		sum += v
	}
	sinkU += sum
	return t
}

// mappedSorted maps the sorted keys and values, pages touched.
func mappedSorted(b *testing.B, d *tableData) (keys, vals []uint64) {
	b.Helper()
	kp, vp := sortedFiles(b, d)
	ka, err := array.Open[uint64](kp, memmap.ReadOnly, nil)
	must(b, err)
	b.Cleanup(func() { ka.Close() })
	va, err := array.Open[uint64](vp, memmap.ReadOnly, nil)
	must(b, err)
	b.Cleanup(func() { va.Close() })
	keys, err = ka.Data()
	must(b, err)
	vals, err = va.Data()
	must(b, err)
	for _, s := range [][]uint64{keys, vals} {
		x := uint64(0)
		for i := 0; i < len(s); i += 512 {
			x += s[i]
		}
		sinkU += x
	}
	return keys, vals
}

// binarySearch looks k up in the sorted keys.
func binarySearch(keys, vals []uint64, k uint64) (uint64, bool) {
	if i, ok := slices.BinarySearch(keys, k); ok {
		return vals[i], true
	}
	return 0, false
}

// noAllocs fails the benchmark if fn allocates.
func noAllocs(b *testing.B, what string, fn func()) {
	b.Helper()
	if a := testing.AllocsPerRun(100, fn); a != 0 {
		b.Fatalf("%s: %v allocations per call, want 0", what, a)
	}
}

// lookupRun runs one op per key of probes, in turn, each checked: get
// must find a present key with its value (want true) or report an absent
// one absent (want false).
func lookupRun(b *testing.B, probes []uint64, want bool, allocFree bool, get func(uint64) (uint64, bool)) {
	b.Helper()
	if allocFree {
		noAllocs(b, "lookup", func() { get(probes[0]) })
	}
	b.ReportAllocs()
	c := startCPU(b, true)
	j := 0
	for range b.N {
		k := probes[j]
		v, ok := get(k)
		if ok != want || ok && v != tableValue(k) {
			b.Fatalf("key %#x: got %#x, %v; want %#x, %v", k, v, ok, tableValue(k), want)
		}
		if j++; j == len(probes) {
			j = 0
		}
	}
	c.stop(b, float64(b.N), "cpu-ns/op")
}

// cpuTimer measures a benchmark loop's CPU time, next to the wall time
// that go test reports: the CPU time does not count the time the loop
// waited for a core, which on a shared machine can be most of it.
type cpuTimer struct {
	thread bool
	start  int64
	ok     bool
}

// startCPU resets the benchmark's timer and starts measuring the CPU time
// of the calling thread (thread true: the goroutine is locked to it until
// stop) or of the whole process.
func startCPU(b *testing.B, thread bool) cpuTimer {
	c := cpuTimer{thread: thread}
	if thread {
		runtime.LockOSThread()
		c.start, c.ok = threadCPU()
	} else {
		c.start, c.ok = processCPU()
	}
	b.ResetTimer()
	return c
}

// stop reports the CPU time per unit (ns per unit, for n units) as the
// metric name; with a name ending in "/s", units per CPU second instead.
func (c cpuTimer) stop(b *testing.B, n float64, name string) {
	b.StopTimer()
	var end int64
	var ok bool
	if c.thread {
		end, ok = threadCPU()
		runtime.UnlockOSThread()
	} else {
		end, ok = processCPU()
	}
	if !c.ok || !ok || end <= c.start {
		return
	}
	ns := float64(end - c.start)
	if strings.HasSuffix(name, "/s") {
		b.ReportMetric(n/(ns/1e9), name)
	} else {
		b.ReportMetric(ns/n, name)
	}
}

// sizesRun runs fn for every size as a sub-benchmark, with the peers
// marked: peers is false beyond the peers' largest size.
func sizesRun(b *testing.B, fn func(b *testing.B, d *tableData, peers bool)) {
	upTo := peersUpTo(b)
	for _, n := range tableSizes(b) {
		b.Run(countName(n), func(b *testing.B) { fn(b, getTableData(n), n <= upTo) })
	}
}

// lookupFamily is BenchmarkTableGet (present keys) and BenchmarkTableAbsent.
func lookupFamily(b *testing.B, present bool) {
	sizesRun(b, func(b *testing.B, d *tableData, peers bool) {
		probes := d.absent
		if present {
			probes = d.present
		}
		b.Run("table", func(b *testing.B) {
			t := openTable(b, d)
			lookupRun(b, probes, present, true, t.Get)
		})
		if !peers {
			return
		}
		b.Run("map", func(b *testing.B) {
			m := goMap(d)
			lookupRun(b, probes, present, true, func(k uint64) (uint64, bool) { v, ok := m[k]; return v, ok })
		})
		b.Run("binary_search", func(b *testing.B) {
			keys, vals := mappedSorted(b, d)
			lookupRun(b, probes, present, true, func(k uint64) (uint64, bool) { return binarySearch(keys, vals, k) })
		})
		db := openBolt(b, boltFile(b, d))
		get := func(bk *bolt.Bucket, k uint64) (uint64, bool) {
			var kb [8]byte
			binary.BigEndian.PutUint64(kb[:], k)
			v := bk.Get(kb[:])
			if len(v) != 8 {
				return 0, false
			}
			return binary.BigEndian.Uint64(v), true
		}
		b.Run("bbolt_tx_per_loop", func(b *testing.B) {
			tx, err := db.Begin(false)
			must(b, err)
			defer tx.Rollback()
			bk := tx.Bucket(boltBucket)
			lookupRun(b, probes, present, false, func(k uint64) (uint64, bool) { return get(bk, k) })
		})
		b.Run("bbolt_tx_per_lookup", func(b *testing.B) {
			lookupRun(b, probes, present, false, func(k uint64) (v uint64, ok bool) {
				tx, err := db.Begin(false)
				if err != nil {
					b.Fatal(err)
				}
				v, ok = get(tx.Bucket(boltBucket), k)
				tx.Rollback()
				return v, ok
			})
		})
	})
}

// BenchmarkTableGet is one lookup of a random present key per op, warm
// (every page touched before the timer starts). bbolt runs in one read
// transaction for the whole loop (tx_per_loop) and in one per lookup
// (tx_per_lookup, what a single lookup costs a server).
func BenchmarkTableGet(b *testing.B) { lookupFamily(b, true) }

// BenchmarkTableAbsent is BenchmarkTableGet with keys that are not in
// the table: each must be reported absent.
func BenchmarkTableAbsent(b *testing.B) { lookupFamily(b, false) }

// BenchmarkTableBatch is one op per tableBatch present keys looked up into
// a slice of values (metric ns/key): table.GetMany against a loop of map
// lookups and a loop of binary searches.
func BenchmarkTableBatch(b *testing.B) {
	sizesRun(b, func(b *testing.B, d *tableData, peers bool) {
		nb := min(tableBatch, len(d.present))
		run := func(name string, many func(keys, dst []uint64, found []bool)) {
			b.Run(name, func(b *testing.B) {
				dst, found := make([]uint64, nb), make([]bool, nb)
				noAllocs(b, name, func() { many(d.present[:nb], dst, found) })
				b.ReportAllocs()
				c := startCPU(b, true)
				lo := 0
				for range b.N {
					keys := d.present[lo : lo+nb]
					many(keys, dst, found)
					for j, k := range keys {
						if !found[j] || dst[j] != tableValue(k) {
							b.Fatalf("key %#x: got %#x, %v", k, dst[j], found[j])
						}
					}
					if lo += nb; lo+nb > len(d.present) {
						lo = 0
					}
				}
				c.stop(b, float64(b.N*nb), "cpu-ns/key")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nb), "ns/key")
			})
		}
		t := openTable(b, d)
		run("table.GetMany", func(keys, dst []uint64, found []bool) {
			if _, err := t.GetMany(keys, dst, found); err != nil {
				b.Fatal(err)
			}
		})
		run("table.Get_loop", func(keys, dst []uint64, found []bool) {
			for j, k := range keys {
				dst[j], found[j] = t.Get(k)
			}
		})
		if !peers {
			return
		}
		m := goMap(d)
		run("map", func(keys, dst []uint64, found []bool) {
			for j, k := range keys {
				dst[j], found[j] = m[k]
			}
		})
		keys, vals := mappedSorted(b, d)
		run("binary_search", func(ks, dst []uint64, found []bool) {
			for j, k := range ks {
				dst[j], found[j] = binarySearch(keys, vals, k)
			}
		})
	})
}

// cpuSum adds up the process's CPU time over the timed parts of a
// benchmark (ok false where the OS gives none).
type cpuSum struct {
	ns, t0 int64
	ok     bool
}

func (c *cpuSum) begin() { c.t0, c.ok = processCPU() }

func (c *cpuSum) end() {
	t, ok := processCPU()
	c.ok = c.ok && ok
	c.ns += t - c.t0
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkTableBuild is one build of the whole table per op (metric
// keys/s): table.Build into a new file; a Go map from empty (growing) and
// presized, with its heap (metric B/key, HeapAlloc after a collection,
// less before); bbolt loaded from the sorted keys; and the sorted arrays
// (a sort and two array files).
func BenchmarkTableBuild(b *testing.B) {
	buildMax := countEnv(b, envTableBuildMax)
	sizesRun(b, func(b *testing.B, d *tableData, peers bool) {
		if d.n > buildMax {
			b.Skipf("%d keys: builds run up to %s (%d)", d.n, envTableBuildMax, buildMax)
		}
		dir := filepath.Join(tableDir(b), "build")
		must(b, os.MkdirAll(dir, 0o755))
		tmp := filepath.Join(dir, fmt.Sprintf("b%d", os.Getpid()))
		b.Cleanup(func() { os.Remove(tmp); os.Remove(tmp + ".v") })
		var cpu cpuSum
		rate := func(b *testing.B) {
			b.ReportMetric(float64(d.n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
			if cpu.ok && cpu.ns > 0 {
				b.ReportMetric(float64(d.n)*float64(b.N)/(float64(cpu.ns)/1e9), "cpu-keys/s")
			}
			cpu = cpuSum{}
		}
		b.Run("table", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				cpu.begin()
				must(b, table.Build(tmp, d.keys, d.vals, &table.Options{Modified: fixedTime}))
				cpu.end()
			}
			rate(b)
			b.StopTimer()
			t, err := table.Open[uint64, uint64](tmp)
			must(b, err)
			defer t.Close()
			if t.Len() != d.n {
				b.Fatalf("built %d keys, want %d", t.Len(), d.n)
			}
			for _, k := range d.present[:min(len(d.present), 1000)] {
				if v, ok := t.Get(k); !ok || v != tableValue(k) {
					b.Fatalf("built table: key %#x gives %#x, %v", k, v, ok)
				}
			}
		})
		if !peers {
			return
		}
		mapRun := func(name string, presize bool) {
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				var perKey float64
				for range b.N {
					b.StopTimer()
					before := heapInUse()
					b.StartTimer()
					cpu.begin()
					var m map[uint64]uint64
					if presize {
						m = make(map[uint64]uint64, d.n)
					} else {
						m = make(map[uint64]uint64)
					}
					for i, k := range d.keys {
						m[k] = d.vals[i]
					}
					cpu.end()
					b.StopTimer()
					perKey = float64(heapInUse()-before) / float64(d.n)
					if len(m) != d.n {
						b.Fatalf("map of %d keys, want %d", len(m), d.n)
					}
					runtime.KeepAlive(m)
					b.StartTimer()
				}
				rate(b)
				b.ReportMetric(perKey, "B/key")
			})
		}
		mapRun("map", false)
		mapRun("map_presized", true)
		b.Run("bbolt", func(b *testing.B) {
			sorted, _ := d.sortedKeys()
			b.ReportAllocs()
			for range b.N {
				cpu.begin()
				must(b, boltBuild(tmp, sorted))
				cpu.end()
			}
			rate(b)
		})
		b.Run("sorted_arrays", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				cpu.begin()
				s := slices.Clone(d.keys)
				slices.Sort(s)
				must(b, writeU64s(tmp, s))
				vs := make([]uint64, len(s))
				for i, k := range s {
					vs[i] = tableValue(k)
				}
				must(b, writeU64s(tmp+".v", vs))
				cpu.end()
			}
			rate(b)
		})
	})
}

// BenchmarkTableOpen is one open and close of the cached file per op,
// with the table's index size (metrics index-bits/key, entries-B/key and
// file-B/key); the map's "open" is its build (BenchmarkTableBuild).
func BenchmarkTableOpen(b *testing.B) {
	sizesRun(b, func(b *testing.B, d *tableData, peers bool) {
		b.Run("table", func(b *testing.B) {
			p := tableFile(b, d)
			fi, err := os.Stat(p)
			must(b, err)
			b.ReportAllocs()
			c := startCPU(b, true)
			for range b.N {
				t, err := table.Open[uint64, uint64](p)
				must(b, err)
				if t.Len() != d.n {
					b.Fatalf("%d keys, want %d", t.Len(), d.n)
				}
				must(b, t.Close())
			}
			c.stop(b, float64(b.N), "cpu-ns/op")
			t, err := table.Open[uint64, uint64](p)
			must(b, err)
			info, err := t.Info()
			must(b, err)
			must(b, t.Close())
			var entries int64
			for _, m := range info.Members {
				if m.Name == "entries" {
					entries = m.DataSize
				}
			}
			b.ReportMetric(info.IndexBits, "index-bits/key")
			b.ReportMetric(float64(entries)/float64(d.n), "entries-B/key")
			b.ReportMetric(float64(fi.Size())/float64(d.n), "file-B/key")
		})
		if !peers {
			return
		}
		b.Run("bbolt", func(b *testing.B) {
			p := boltFile(b, d)
			fi, err := os.Stat(p)
			must(b, err)
			b.ReportAllocs()
			c := startCPU(b, true)
			for range b.N {
				db, err := bolt.Open(p, 0o400, &bolt.Options{ReadOnly: true})
				must(b, err)
				must(b, db.Close())
			}
			c.stop(b, float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(fi.Size())/float64(d.n), "file-B/key")
		})
		b.Run("sorted_arrays", func(b *testing.B) {
			kp, vp := sortedFiles(b, d)
			var size int64
			for _, p := range []string{kp, vp} {
				fi, err := os.Stat(p)
				must(b, err)
				size += fi.Size()
			}
			b.ReportAllocs()
			c := startCPU(b, true)
			for range b.N {
				for _, p := range []string{kp, vp} {
					a, err := array.Open[uint64](p, memmap.ReadOnly, nil)
					must(b, err)
					if a.Len() != d.n {
						b.Fatalf("%d keys, want %d", a.Len(), d.n)
					}
					must(b, a.Close())
				}
			}
			c.stop(b, float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(size)/float64(d.n), "file-B/key")
		})
	})
}
