//go:build linux

package cold

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/record"
)

// An impl measures one implementation of a scenario in the child.
type impl func(j Job, r *Result) error

// impls holds the implementations by scenario and name (the Take and
// Access rows register from files of their own: they were written before
// those APIs were on main, behind build tags).
var impls = map[string]map[string]impl{}

func register(scenario, name string, f impl) {
	if impls[scenario] == nil {
		impls[scenario] = map[string]impl{}
	}
	impls[scenario][name] = f
}

// Registered reports whether the scenario's implementation name is built
// into this program.
func Registered(scenario, name string) bool {
	_, ok := impls[scenario][name]
	return ok
}

func runJob(j Job, r *Result) error {
	f, ok := impls[j.Scenario][j.Impl]
	if !ok {
		return fmt.Errorf("no implementation %q of scenario %q", j.Impl, j.Scenario)
	}
	return f(j, r)
}

// Embedding is a row of the (N, 64) float32 matrix of the gathers.
const EmbCols = 64

// EmbValue is element k (row k/64, column k%64) of the embedding matrix:
// small integers, exact in float32 and in any order of summation.
func EmbValue(k int) float32 { return float32(k & 1023) }

// rng is a xorshift64* generator: one per goroutine, seeded per cell.
type rng uint64

func newRng(seed uint64, g int) rng {
	x := seed ^ (uint64(g)+1)*0x9E3779B97F4A7C15
	if x == 0 {
		x = 1
	}
	r := rng(x)
	r.next()
	return r
}

func (r *rng) next() uint64 {
	x := uint64(*r)
	x ^= x >> 12
	x ^= x << 25
	x ^= x >> 27
	*r = rng(x)
	return x * 2685821657736338717
}

// below returns a number in [0, n).
func (r *rng) below(n int) int { return int(r.next() % uint64(n)) }

// reader reads element i, returning what it read and what it should have.
type reader func(i int) (got, want float64)

// randomReads runs j.Goroutines goroutines, each reading elements at
// random indexes below n with its own reader from mk, until the budget
// (or MaxOps per goroutine) is spent, and checks every value read.
func randomReads(j Job, r *Result, n int, bytesPerRead int64, mk func() (reader, error)) error {
	if n <= 0 {
		return errors.New("empty file")
	}
	g := max(j.Goroutines, 1)
	readers := make([]reader, g)
	for k := range readers {
		rd, err := mk()
		if err != nil {
			return err
		}
		readers[k] = rd
	}
	var (
		wg    sync.WaitGroup
		ops   atomic.Int64
		bad   atomic.Int64
		ready sync.WaitGroup
		start = make(chan struct{})
	)
	deadline := time.Time{}
	ready.Add(g)
	for k := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := newRng(j.Seed, k)
			read := readers[k]
			var got, want float64
			var done int64
			ready.Done()
			<-start
			// The clock is read after every read: a cold read through a
			// map with read-around can take a second when the cgroup
			// thrashes, so checking every few reads overshoots the budget
			// by minutes at 64 goroutines (a clock read costs tens of ns).
			for {
				a, b := read(rnd.below(n))
				got += a
				want += b
				done++
				if j.MaxOps > 0 && done >= j.MaxOps || time.Now().After(deadline) {
					break
				}
			}
			ops.Add(done)
			if got != want {
				bad.Add(1)
			}
		}()
	}
	ready.Wait()
	var m meter
	m.start()
	deadline = m.t0.Add(j.Budget)
	close(start)
	wg.Wait()
	m.stop(r)
	r.Ops = ops.Load()
	r.Bytes = r.Ops * bytesPerRead
	if bad.Load() != 0 {
		return fmt.Errorf("%d of %d goroutines read wrong values", bad.Load(), g)
	}
	r.Check = fmt.Sprintf("sum of the %d values read matches", r.Ops)
	return nil
}

// openArray opens the float64 array read-only and applies the advice
// named by the implementation, if any.
func openArray(path string, adv *memmap.Advice) (*array.Array[float64], error) {
	a, err := array.Open[float64](path, memmap.ReadOnly, nil)
	if err != nil {
		return nil, err
	}
	if adv != nil {
		if err := a.Advise(*adv); err != nil {
			a.Close()
			return nil, err
		}
	}
	return a, nil
}

func randomAt1(adv *memmap.Advice) impl {
	return func(j Job, r *Result) error {
		a, err := openArray(j.Path, adv)
		if err != nil {
			return err
		}
		defer a.Close()
		return randomReadsAt1(j, r, a)
	}
}

// randomReadsAt1 reads random elements of a with At1.
func randomReadsAt1(j Job, r *Result, a *array.Array[float64]) error {
	return randomReads(j, r, a.Len(), 8, func() (reader, error) {
		return func(i int) (float64, float64) { return a.At1(i), benchdata.ArrayValue(i) }, nil
	})
}

func advice(a memmap.Advice) *memmap.Advice { return &a }

// dataOffset returns where the data of the .npy file at path starts.
func dataOffset(path string) (int64, error) { return benchdata.DataOffset(path) }

func randomPread(j Job, r *Result) error {
	f, err := os.Open(j.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	off, n, err := npyData(f, j.Path, 8)
	if err != nil {
		return err
	}
	return randomReads(j, r, n, 8, func() (reader, error) {
		buf := make([]byte, 8)
		return func(i int) (float64, float64) {
			if _, err := f.ReadAt(buf, off+int64(i)*8); err != nil {
				return math.NaN(), 0
			}
			return math.Float64frombits(binary.LittleEndian.Uint64(buf)), benchdata.ArrayValue(i)
		}, nil
	})
}

// npyData returns the offset of the data of the .npy file f and how many
// elements of size bytes it holds.
func npyData(f *os.File, path string, size int64) (off int64, n int, err error) {
	off, err = dataOffset(path)
	if err != nil {
		return 0, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, err
	}
	return off, int((fi.Size() - off) / size), nil
}

func randomGet(j Job, r *Result) error {
	rf, err := record.Open[benchdata.Rec](j.Path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer rf.Close()
	return randomReads(j, r, rf.Len(), 64, func() (reader, error) {
		return func(i int) (float64, float64) {
			v, err := rf.Get(i)
			if err != nil {
				return math.NaN(), 0
			}
			return float64(v.ID), float64(i)
		}, nil
	})
}

// decodeRec decodes a little-endian 64-byte record.
func decodeRec(p []byte) benchdata.Rec {
	var v benchdata.Rec
	v.ID = int64(binary.LittleEndian.Uint64(p[0:]))
	v.Time = int64(binary.LittleEndian.Uint64(p[8:]))
	v.Price = math.Float64frombits(binary.LittleEndian.Uint64(p[16:]))
	v.Qty = math.Float64frombits(binary.LittleEndian.Uint64(p[24:]))
	v.Bid = math.Float64frombits(binary.LittleEndian.Uint64(p[32:]))
	v.Ask = math.Float64frombits(binary.LittleEndian.Uint64(p[40:]))
	v.Flags = binary.LittleEndian.Uint64(p[48:])
	copy(v.Tag[:], p[56:64])
	return v
}

// encodeRec encodes v little-endian into p[:64].
func encodeRec(p []byte, v benchdata.Rec) {
	binary.LittleEndian.PutUint64(p[0:], uint64(v.ID))
	binary.LittleEndian.PutUint64(p[8:], uint64(v.Time))
	binary.LittleEndian.PutUint64(p[16:], math.Float64bits(v.Price))
	binary.LittleEndian.PutUint64(p[24:], math.Float64bits(v.Qty))
	binary.LittleEndian.PutUint64(p[32:], math.Float64bits(v.Bid))
	binary.LittleEndian.PutUint64(p[40:], math.Float64bits(v.Ask))
	binary.LittleEndian.PutUint64(p[48:], v.Flags)
	copy(p[56:64], v.Tag[:])
}

func randomPreadRec(j Job, r *Result) error {
	f, err := os.Open(j.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	off, n, err := npyData(f, j.Path, 64)
	if err != nil {
		return err
	}
	return randomReads(j, r, n, 64, func() (reader, error) {
		buf := make([]byte, 64)
		return func(i int) (float64, float64) {
			if _, err := f.ReadAt(buf, off+int64(i)*64); err != nil {
				return math.NaN(), 0
			}
			return float64(decodeRec(buf).ID), float64(i)
		}, nil
	})
}

// gatherLoop runs gathers of j.Rows random rows below n until the budget
// (or MaxOps gathers) is spent, then checks the last one with check.
func gatherLoop(j Job, r *Result, n int, rowBytes int64, gather func(idx []int) error, check func(idx []int) error) error {
	if n <= 0 {
		return errors.New("empty file")
	}
	idx := make([]int, j.Rows)
	rnd := newRng(j.Seed, 0)
	var m meter
	m.start()
	deadline := m.t0.Add(j.Budget)
	var ops int64
	for {
		for k := range idx {
			idx[k] = rnd.below(n)
		}
		if err := gather(idx); err != nil {
			return err
		}
		ops++
		if j.MaxOps > 0 && ops >= j.MaxOps || time.Now().After(deadline) {
			break
		}
	}
	m.stop(r)
	r.Ops = ops * int64(len(idx))
	r.Bytes = r.Ops * rowBytes
	if err := check(idx); err != nil {
		return err
	}
	r.Check = fmt.Sprintf("the rows of the last of %d gathers match", ops)
	return nil
}

// checkEmb checks that dst holds the embedding rows idx.
func checkEmb(idx []int, dst []float32) error {
	for k, row := range idx {
		for c := range EmbCols {
			if got, want := dst[k*EmbCols+c], EmbValue(row*EmbCols+c); got != want {
				return fmt.Errorf("row %d column %d: %v, want %v", row, c, got, want)
			}
		}
	}
	return nil
}

func checkRecs(idx []int, dst []benchdata.Rec) error {
	for k, i := range idx {
		if dst[k] != benchdata.MakeRec(i) {
			return fmt.Errorf("record %d: %+v, want %+v", i, dst[k], benchdata.MakeRec(i))
		}
	}
	return nil
}

// preadGather reads the rows idx of rowBytes bytes each from f at off,
// from g goroutines (row k by goroutine k%g), decoding each with dec.
func preadGather(f *os.File, off, rowBytes int64, g int, idx []int, dec func(k int, p []byte)) error {
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, rowBytes)
			for k := w; k < len(idx); k += g {
				if _, err := f.ReadAt(buf, off+int64(idx[k])*rowBytes); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				dec(k, buf)
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return err
	}
	return nil
}

func gatherPreadEmb(j Job, r *Result) error {
	f, err := os.Open(j.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	rowBytes := int64(EmbCols * 4)
	off, n, err := npyData(f, j.Path, rowBytes)
	if err != nil {
		return err
	}
	if j.WarmRows > 0 {
		n = min(n, j.WarmRows)
	}
	dst := make([]float32, j.Rows*EmbCols)
	dec := func(k int, p []byte) {
		d := dst[k*EmbCols : (k+1)*EmbCols]
		for c := range d {
			d[c] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*c:]))
		}
	}
	return gatherLoop(j, r, n, rowBytes,
		func(idx []int) error { return preadGather(f, off, rowBytes, j.Goroutines, idx, dec) },
		func(idx []int) error { return checkEmb(idx, dst) })
}

func gatherPreadRec(j Job, r *Result) error {
	f, err := os.Open(j.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	off, n, err := npyData(f, j.Path, 64)
	if err != nil {
		return err
	}
	dst := make([]benchdata.Rec, j.Rows)
	return gatherLoop(j, r, n, 64,
		func(idx []int) error {
			return preadGather(f, off, 64, j.Goroutines, idx, func(k int, p []byte) { dst[k] = decodeRec(p) })
		},
		func(idx []int) error { return checkRecs(idx, dst) })
}

// readAll reads the data of the .npy file at path into b (len(b) bytes
// from the data offset): how the heap peers of the warm gather get their
// copy.
func readAll(path string, b []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	off, err := dataOffset(path)
	if err != nil {
		return err
	}
	_, err = f.ReadAt(b, off)
	return err
}

func gatherHeapEmb(j Job, r *Result) error {
	heap := make([]float32, j.WarmRows*EmbCols)
	// SAFETY: heap is a live []float32 of len(heap)*4 bytes, which the
	// byte view covers exactly; float32 has no invalid bit patterns, and
	// the file is little-endian like the host (the parent checks).
	if err := readAll(j.Path, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(heap))), len(heap)*4)); err != nil {
		return err
	}
	dst := make([]float32, j.Rows*EmbCols)
	return gatherLoop(j, r, j.WarmRows, EmbCols*4,
		func(idx []int) error {
			for k, row := range idx {
				copy(dst[k*EmbCols:(k+1)*EmbCols], heap[row*EmbCols:(row+1)*EmbCols])
			}
			return nil
		},
		func(idx []int) error { return checkEmb(idx, dst) })
}

func gatherHeapRec(j Job, r *Result) error {
	heap := make([]benchdata.Rec, j.WarmRows)
	// SAFETY: heap is a live []Rec of len(heap)*64 bytes (Rec is 64
	// bytes without padding), which the byte view covers exactly; Rec's
	// fields have no invalid bit patterns and no pointers, and the file
	// is little-endian like the host (the parent checks).
	if err := readAll(j.Path, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(heap))), len(heap)*64)); err != nil {
		return err
	}
	dst := make([]benchdata.Rec, j.Rows)
	return gatherLoop(j, r, j.WarmRows, 64,
		func(idx []int) error {
			for k, i := range idx {
				dst[k] = heap[i]
			}
			return nil
		},
		func(idx []int) error { return checkRecs(idx, dst) })
}

// sum is the loop both scans share.
func sum(d []float64) float64 {
	var s float64
	for _, v := range d {
		s += v
	}
	return s
}

// scanChunk is how many float64 a scan sums between looks at the clock.
const scanChunk = 1 << 20 / 8

// scanBudget is how long a scan may run: a scan at read(2) speed reads a
// few GiB in a few seconds, and one without read-ahead would take
// minutes, so it stops there and reports the rate of what it summed.
func scanBudget(j Job) time.Duration { return 4 * j.Budget }

// scanData opens the array with open, sums Data() (in chunks, to stop at
// the budget) and closes it.
func scanData(open func(path string) (*array.Array[float64], error)) impl {
	return func(j Job, r *Result) error {
		var m meter
		m.start()
		deadline := m.t0.Add(scanBudget(j))
		a, err := open(j.Path)
		if err != nil {
			return err
		}
		d, err := a.Data()
		if err != nil {
			a.Close()
			return err
		}
		var s float64
		n := 0
		for n < len(d) {
			c := d[n:min(n+scanChunk, len(d))]
			s += sum(c)
			n += len(c)
			if j.MaxOps > 0 && int64(n) >= j.MaxOps*scanChunk || time.Now().After(deadline) {
				break
			}
		}
		if err := a.Close(); err != nil {
			return err
		}
		m.stop(r)
		return checkScan(r, n, len(d), s)
	}
}

// checkScan checks the sum s of the first n of total elements.
func checkScan(r *Result, n, total int, s float64) error {
	r.Ops = int64(n) * 8
	r.Bytes = r.Ops
	if want := benchdata.ArraySum(n); s != want {
		return fmt.Errorf("sum of %d elements %v, want %v", n, s, want)
	}
	r.Check = fmt.Sprintf("sum of the %d elements matches", n)
	if n < total {
		r.Check += fmt.Sprintf(" (stopped at the time budget, %d of %d elements)", n, total)
	}
	return nil
}

func scanRead(j Job, r *Result) error {
	buf := make([]float64, scanChunk)
	// SAFETY: buf is a live []float64 of 1 MiB, which the byte view
	// covers exactly; read(2) fills whole bytes and every bit pattern is
	// a float64. The view is used only while buf is.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), len(buf)*8)
	var m meter
	m.start()
	deadline := m.t0.Add(scanBudget(j))
	f, err := os.Open(j.Path)
	if err != nil {
		return err
	}
	defer f.Close()
	off, total, err := npyData(f, j.Path, 8) // reads the header: part of the scan
	if err != nil {
		return err
	}
	var s float64
	n, skip := 0, int(off) // off is a multiple of 8: no element straddles two reads
	for n < total {
		k, err := io.ReadFull(f, b)
		if k > skip {
			d := buf[skip/8 : k/8]
			s += sum(d)
			n += len(d)
		}
		skip = max(skip-k, 0)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return err
		}
		if j.MaxOps > 0 && int64(n) >= j.MaxOps*scanChunk || time.Now().After(deadline) {
			break
		}
	}
	f.Close()
	m.stop(r)
	return checkScan(r, n, total, s)
}

// appendSource returns batch bytes of float64 elements (ArrayValue(i))
// and the same bytes as a []float64.
func appendSource(batch int) ([]byte, []float64) {
	d := make([]float64, batch/8)
	for i := range d {
		d[i] = benchdata.ArrayValue(i)
	}
	// SAFETY: d is a live []float64 of batch bytes (batch is a multiple
	// of 8), which the byte view covers exactly; it is only read.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d))), len(d)*8)
	return b, d
}

// checkSize checks that the file at path holds at least want bytes and
// not more than a header and a page more.
func checkSize(r *Result, path string, want int64) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() < want || fi.Size() > want+8192 {
		return fmt.Errorf("%s has %d bytes after appending %d", path, fi.Size(), want)
	}
	r.Check = fmt.Sprintf("file of %d bytes for %d appended", fi.Size(), want)
	return nil
}

func appendArray(j Job, r *Result) error {
	_, d := appendSource(j.Batch)
	var m meter
	m.start()
	a, err := array.Create[float64](j.Path, []int{0}, nil)
	if err != nil {
		return err
	}
	var done int64
	for ; done < j.Total; done += int64(j.Batch) {
		if _, err := a.Append(d...); err != nil {
			a.Close()
			return err
		}
	}
	m.stop(r)
	if err := a.Close(); err != nil {
		return err
	}
	m.durable(r)
	r.Ops, r.Bytes = done, done
	return checkSize(r, j.Path, done)
}

func appendRecord(j Job, r *Result) error {
	recs := make([]benchdata.Rec, j.Batch/64)
	for i := range recs {
		recs[i] = benchdata.MakeRec(i)
	}
	var m meter
	m.start()
	f, err := record.Create[benchdata.Rec](j.Path, nil)
	if err != nil {
		return err
	}
	var done int64
	for ; done < j.Total; done += int64(j.Batch) {
		if _, err := f.Append(recs...); err != nil {
			f.Close()
			return err
		}
	}
	m.stop(r)
	if err := f.Close(); err != nil {
		return err
	}
	m.durable(r)
	r.Ops, r.Bytes = done, done
	return checkSize(r, j.Path, done)
}

func appendWrite(j Job, r *Result) error {
	b, _ := appendSource(j.Batch)
	var m meter
	m.start()
	f, err := os.Create(j.Path)
	if err != nil {
		return err
	}
	var done int64
	for ; done < j.Total; done += int64(j.Batch) {
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
	}
	m.stop(r)
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	m.durable(r)
	r.Ops, r.Bytes = done, done
	return checkSize(r, j.Path, done)
}

func appendOneRecord(j Job, r *Result) error {
	n := int(j.Total / 64)
	var m meter
	m.start()
	f, err := record.Create[benchdata.Rec](j.Path, nil)
	if err != nil {
		return err
	}
	for i := range n {
		if _, err := f.Append(benchdata.MakeRec(i)); err != nil {
			f.Close()
			return err
		}
	}
	m.stop(r)
	if err := f.Close(); err != nil {
		return err
	}
	m.durable(r)
	r.Ops, r.Bytes = int64(n), int64(n)*64
	return checkSize(r, j.Path, int64(n)*64)
}

// recRow returns the record v as a row of 8 uint64 (its fields' bits,
// its tag read little-endian): a little-endian file of these rows holds
// the bytes of one of the records.
func recRow(v benchdata.Rec) [8]uint64 {
	return [8]uint64{uint64(v.ID), uint64(v.Time), math.Float64bits(v.Price), math.Float64bits(v.Qty),
		math.Float64bits(v.Bid), math.Float64bits(v.Ask), v.Flags, binary.LittleEndian.Uint64(v.Tag[:])}
}

// appendOneArray appends the records as rows of a 2-d (n, 8) uint64
// array, one row per Append call.
func appendOneArray(j Job, r *Result) error {
	n := int(j.Total / 64)
	var m meter
	m.start()
	a, err := array.Create[uint64](j.Path, []int{0, 8}, nil)
	if err != nil {
		return err
	}
	var row [8]uint64
	for i := range n {
		row = recRow(benchdata.MakeRec(i))
		if _, err := a.Append(row[:]...); err != nil {
			a.Close()
			return err
		}
	}
	m.stop(r)
	if err := a.Close(); err != nil {
		return err
	}
	m.durable(r)
	r.Ops, r.Bytes = int64(n), int64(n)*64
	return checkSize(r, j.Path, int64(n)*64)
}

func appendOneBufio(j Job, r *Result) error {
	n := int(j.Total / 64)
	var m meter
	m.start()
	f, err := os.Create(j.Path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var p [64]byte
	for i := range n {
		encodeRec(p[:], benchdata.MakeRec(i))
		if _, err := w.Write(p[:]); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	m.stop(r)
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	m.durable(r)
	r.Ops, r.Bytes = int64(n), int64(n)*64
	return checkSize(r, j.Path, int64(n)*64)
}

func init() {
	register(Random, "array.At1", randomAt1(nil))
	register(Random, "array.At1 Advise(Random)", randomAt1(advice(memmap.Random)))
	register(Random, "array.At1 Advise(Normal)", randomAt1(advice(memmap.Normal)))
	register(Random, "array.At1 Advise(Sequential)", randomAt1(advice(memmap.Sequential)))
	register(Random, "pread+LittleEndian", randomPread)
	register(Random, "record.Get", randomGet)
	register(Random, "pread record", randomPreadRec)

	register(Gather, "pread rows", gatherPreadEmb)
	register(Gather, "pread records", gatherPreadRec)
	register(GatherWarm, "heap rows", gatherHeapEmb)
	register(GatherWarm, "heap records", gatherHeapRec)

	register(Scan, "array.Data", scanData(func(p string) (*array.Array[float64], error) {
		return array.Open[float64](p, memmap.ReadOnly, nil)
	}))
	register(Scan, "read(2) 1 MiB", scanRead)

	register(Append, "array.Append", appendArray)
	register(Append, "record.Append", appendRecord)
	register(Append, "os.File.Write", appendWrite)
	register(AppendOne, "record.Append", appendOneRecord)
	register(AppendOne, "bufio+LittleEndian", appendOneBufio)
	register(AppendOne, "array.Append", appendOneArray)
}
