package bench

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	mmapgo "github.com/edsrzf/mmap-go"
	xmmap "golang.org/x/exp/mmap"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
)

// hostLittle reports whether the host is little-endian: the peers that lay
// a []float64 over the little-endian file only work there.
var hostLittle = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// arrayFile returns the path of the float64 array of scenarios 1, 2 and 4,
// the offset of its data and its length.
func arrayFile(b *testing.B) (path string, off int64, n int) {
	b.Helper()
	if !hostLittle {
		b.Skip("the array benchmarks compare zero-copy views of a little-endian file: little-endian hosts only")
	}
	n = sizes.ArrayElems
	path, err := benchdata.ArrayFile(n)
	must(b, err)
	off, err = benchdata.DataOffset(path)
	must(b, err)
	return path, off, n
}

// mmapGo maps the file at path with mmap-go and lays a []float64 over the
// n elements at off, the way users of mmap-go get typed data today.
func mmapGo(b *testing.B, path string, off int64, n int) (mmapgo.MMap, []float64) {
	b.Helper()
	f, err := os.Open(path)
	must(b, err)
	defer f.Close() // the mapping outlives the descriptor
	m, err := mmapgo.Map(f, mmapgo.RDONLY, 0)
	must(b, err)
	if int64(len(m)) < off+int64(n)*8 || off%8 != 0 {
		m.Unmap()
		b.Fatalf("mapping of %d bytes cannot hold %d float64 at %d", len(m), n, off)
	}
	// SAFETY: m is a live mapping of the whole file (page-aligned, so
	// m[off:] is 8-byte aligned since off%8 == 0), holding the n*8 bytes
	// from off (checked above); float64 has no invalid bit patterns and
	// no pointers. The slice must not be used after m.Unmap, which the
	// callers do only when they are done with it.
	s := unsafe.Slice((*float64)(unsafe.Pointer(&m[off])), n)
	return m, s
}

// BenchmarkRandomRead is scenario 1: reading float64 elements at random
// indexes of a 1 GiB array (at full size). One op reads one element; the
// indexes cycle through a fixed random table that NumPy gathers too. Every
// mapped peer has its pages touched before the timer starts.
func BenchmarkRandomRead(b *testing.B) {
	path, off, n := arrayFile(b)
	_, idx, err := benchdata.Indexes(sizes.Indexes, n)
	must(b, err)
	mask := len(idx) - 1
	want := func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			s += benchdata.ArrayValue(idx[i&mask])
		}
		return s
	}
	// Each peer's loop is written out, so that the element read is inline
	// in it (no call per element but the peer's own).
	run := func(name string, loop func(b *testing.B) float64) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(8)
			b.ReportAllocs()
			c0, cpu := processCPU()
			s := loop(b)
			b.StopTimer()
			reportCPU(b, c0, cpu)
			if w := want(b); s != w {
				b.Fatalf("sum %v, want %v", s, w)
			}
		})
	}

	a, err := array.Open[float64](path, memmap.ReadOnly, nil)
	must(b, err)
	defer a.Close()
	d, err := a.Data()
	must(b, err)
	touchFloat64s(d)
	run("Array.At", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			s += a.At(idx[i&mask])
		}
		return s
	})
	run("Array.At1", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			s += a.At1(idx[i&mask])
		}
		return s
	})
	run("Array.Data", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			s += d[idx[i&mask]]
		}
		return s
	})

	heap := heapFloat64s(b, path)
	run("heap", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			s += heap[idx[i&mask]]
		}
		return s
	})

	// The same elements through 2-d and 3-d arrays over the same bytes
	// (OpenRaw with the file's data offset), against the heap copy indexed
	// with the same strides. The indexes are split per axis before the
	// timer starts, the same tables for every peer.
	ix2, ix3 := splitIndexes(idx)
	a2, err := array.OpenRaw[float64](path, memmap.ReadOnly, []int{n / cols2, cols2}, &array.Options{Offset: off})
	must(b, err)
	defer a2.Close()
	a3, err := array.OpenRaw[float64](path, memmap.ReadOnly, []int{n / (mid3 * cols3), mid3, cols3}, &array.Options{Offset: off})
	must(b, err)
	defer a3.Close()
	touchFloat64s(dataOf(b, a2))
	touchFloat64s(dataOf(b, a3))
	st2, st3 := elemStrides(a2), elemStrides(a3)
	run("2d/Array.At", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			x := &ix2[i&mask]
			s += a2.At(x[0], x[1])
		}
		return s
	})
	run("2d/Array.At2", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			x := &ix2[i&mask]
			s += a2.At2(x[0], x[1])
		}
		return s
	})
	run("2d/heap", func(b *testing.B) float64 {
		var s float64
		s0, s1 := st2[0], st2[1]
		for i := range b.N {
			x := &ix2[i&mask]
			s += heap[x[0]*s0+x[1]*s1]
		}
		return s
	})
	run("3d/Array.At", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			x := &ix3[i&mask]
			s += a3.At(x[0], x[1], x[2])
		}
		return s
	})
	run("3d/Array.At3", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			x := &ix3[i&mask]
			s += a3.At3(x[0], x[1], x[2])
		}
		return s
	})
	run("3d/heap", func(b *testing.B) float64 {
		var s float64
		s0, s1, s2 := st3[0], st3[1], st3[2]
		for i := range b.N {
			x := &ix3[i&mask]
			s += heap[x[0]*s0+x[1]*s1+x[2]*s2]
		}
		return s
	})
	interleave(b, "2d/interleaved", []peer{
		{"At", func(lo, hi int) (s float64) {
			for i := lo; i < hi; i++ {
				x := &ix2[i&mask]
				s += a2.At(x[0], x[1])
			}
			return s
		}},
		{"At2", func(lo, hi int) (s float64) {
			for i := lo; i < hi; i++ {
				x := &ix2[i&mask]
				s += a2.At2(x[0], x[1])
			}
			return s
		}},
		{"heap", func(lo, hi int) (s float64) {
			s0, s1 := st2[0], st2[1]
			for i := lo; i < hi; i++ {
				x := &ix2[i&mask]
				s += heap[x[0]*s0+x[1]*s1]
			}
			return s
		}},
	})
	interleave(b, "3d/interleaved", []peer{
		{"At", func(lo, hi int) (s float64) {
			for i := lo; i < hi; i++ {
				x := &ix3[i&mask]
				s += a3.At(x[0], x[1], x[2])
			}
			return s
		}},
		{"At3", func(lo, hi int) (s float64) {
			for i := lo; i < hi; i++ {
				x := &ix3[i&mask]
				s += a3.At3(x[0], x[1], x[2])
			}
			return s
		}},
		{"heap", func(lo, hi int) (s float64) {
			s0, s1, s2 := st3[0], st3[1], st3[2]
			for i := lo; i < hi; i++ {
				x := &ix3[i&mask]
				s += heap[x[0]*s0+x[1]*s1+x[2]*s2]
			}
			return s
		}},
	})

	f, err := os.Open(path)
	must(b, err)
	defer f.Close()
	run("ReadAt+LittleEndian", func(b *testing.B) float64 {
		var s float64
		var buf [8]byte
		for i := range b.N {
			if _, err := f.ReadAt(buf[:], off+int64(idx[i&mask])*8); err != nil {
				b.Fatal(err)
			}
			s += math.Float64frombits(binary.LittleEndian.Uint64(buf[:]))
		}
		return s
	})
	sr := io.NewSectionReader(f, off, int64(n)*8)
	run("binary.Read", func(b *testing.B) float64 {
		var s float64
		for i := range b.N {
			var v float64
			if _, err := sr.Seek(int64(idx[i&mask])*8, io.SeekStart); err != nil {
				b.Fatal(err)
			}
			if err := binary.Read(sr, binary.LittleEndian, &v); err != nil {
				b.Fatal(err)
			}
			s += v
		}
		return s
	})

	xr, err := xmmap.Open(path)
	must(b, err)
	defer xr.Close()
	for i := int64(0); i < int64(xr.Len()); i += 4096 {
		sinkI += int(xr.At(int(i)))
	}
	run("x-exp-mmap.ReadAt", func(b *testing.B) float64 {
		var s float64
		var buf [8]byte
		for i := range b.N {
			if _, err := xr.ReadAt(buf[:], off+int64(idx[i&mask])*8); err != nil {
				b.Fatal(err)
			}
			s += math.Float64frombits(binary.LittleEndian.Uint64(buf[:]))
		}
		return s
	})

	if hostLittle {
		m, ms := mmapGo(b, path, off, n)
		defer m.Unmap()
		touch(m)
		run("mmap-go+unsafe", func(b *testing.B) float64 {
			var s float64
			for i := range b.N {
				s += ms[idx[i&mask]]
			}
			return s
		})
	}
}

// The 2-d and 3-d shapes over the float64 array: (n/cols2, cols2) and
// (n/(mid3*cols3), mid3, cols3); n is a multiple of both at every size.
const (
	cols2 = 1024
	mid3  = 128
	cols3 = 128
)

// splitIndexes returns the element indexes idx as 2-d and 3-d indexes of
// the shapes above.
func splitIndexes(idx []int) (ix2 [][2]int, ix3 [][3]int) {
	ix2 = make([][2]int, len(idx))
	ix3 = make([][3]int, len(idx))
	for x, e := range idx {
		ix2[x] = [2]int{e / cols2, e % cols2}
		ix3[x] = [3]int{e / (mid3 * cols3), e / cols3 % mid3, e % cols3}
	}
	return ix2, ix3
}

// elemStrides returns a's strides in elements, for indexing a heap copy
// the way the array indexes its data.
func elemStrides(a *array.Array[float64]) []int {
	st := a.Strides()
	for i := range st {
		st[i] /= 8
	}
	return st
}

// A peer of an interleaved benchmark: loop does ops [lo, hi).
type peer struct {
	name string
	loop func(lo, hi int) float64
}

// interleave runs the peers' loops by turns, a chunk of ops each, so that
// a slow spell of the shared machine falls on every peer alike, and
// reports each one's median time per op over its chunks as
// <name>-ns/op. One op of the benchmark is one op of each peer.
func interleave(b *testing.B, name string, peers []peer) {
	b.Run(name, func(b *testing.B) {
		const chunk = 1 << 14
		ns := make([][]float64, len(peers))
		for lo := 0; lo < b.N; lo += chunk {
			hi := min(lo+chunk, b.N)
			for k := range peers {
				p := (lo/chunk + k) % len(peers)
				t0 := time.Now()
				sinkF += peers[p].loop(lo, hi)
				ns[p] = append(ns[p], float64(time.Since(t0).Nanoseconds())/float64(hi-lo))
			}
		}
		for k, p := range peers {
			slices.Sort(ns[k])
			b.ReportMetric(ns[k][len(ns[k])/2], p.name+"-ns/op")
		}
	})
}

// reportCPU reports the process's CPU time per op since c0 (when cpu,
// that is, where the OS gives it) as cpu-ns/op: on a shared machine it
// leaves out the time the benchmark waited for a core, which ns/op counts.
func reportCPU(b *testing.B, c0 int64, cpu bool) {
	if c1, ok := processCPU(); cpu && ok {
		b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
	}
}

// must2 returns f's value, failing b on its error.
func must2[V any](b *testing.B, f func() (V, error)) V {
	v, err := f()
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// dataOf returns a.Data(), failing b on an error.
func dataOf(b *testing.B, a *array.Array[float64]) []float64 {
	b.Helper()
	d, err := a.Data()
	must(b, err)
	return d
}

// BenchmarkRandomWrite is scenario 1 for Set: one op writes one float64
// at the next random index of the 2-d and 3-d arrays of BenchmarkRandomRead
// (its value, so the data stays the same), through a CopyOnWrite open of
// the array file (whose pages are copied before the timer starts: the
// file never changes), against the heap copy indexed with the same
// strides.
func BenchmarkRandomWrite(b *testing.B) {
	path, off, n := arrayFile(b)
	_, idx, err := benchdata.Indexes(sizes.Indexes, n)
	must(b, err)
	mask := len(idx) - 1
	ix2, ix3 := splitIndexes(idx)
	a2, err := array.OpenRaw[float64](path, memmap.CopyOnWrite, []int{n / cols2, cols2}, &array.Options{Offset: off})
	must(b, err)
	defer a2.Close()
	a3, err := array.OpenRaw[float64](path, memmap.CopyOnWrite, []int{n / (mid3 * cols3), mid3, cols3}, &array.Options{Offset: off})
	must(b, err)
	defer a3.Close()
	for _, a := range []*array.Array[float64]{a2, a3} {
		d := dataOf(b, a)
		for i := 0; i < len(d); i += 512 {
			d[i] = benchdata.ArrayValue(i) // copy every page now
		}
	}
	heap := heapFloat64s(b, path)
	st2, st3 := elemStrides(a2), elemStrides(a3)
	run := func(name string, loop func(b *testing.B) error) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(8)
			b.ReportAllocs()
			c0, cpu := processCPU()
			err := loop(b)
			b.StopTimer()
			reportCPU(b, c0, cpu)
			if err != nil {
				b.Fatal(err)
			}
		})
	}
	run("2d/Array.Set", func(b *testing.B) error {
		var err error
		for i := range b.N {
			x := &ix2[i&mask]
			if e := a2.Set(float64(x[1]&1023), x[0], x[1]); e != nil {
				err = e
			}
		}
		return err
	})
	run("2d/Array.Set2", func(b *testing.B) error {
		var err error
		for i := range b.N {
			x := &ix2[i&mask]
			if e := a2.Set2(float64(x[1]&1023), x[0], x[1]); e != nil {
				err = e
			}
		}
		return err
	})
	run("2d/heap", func(b *testing.B) error {
		s0, s1 := st2[0], st2[1]
		for i := range b.N {
			x := &ix2[i&mask]
			heap[x[0]*s0+x[1]*s1] = float64(x[1] & 1023)
		}
		return nil
	})
	run("3d/Array.Set", func(b *testing.B) error {
		var err error
		for i := range b.N {
			x := &ix3[i&mask]
			if e := a3.Set(float64((x[1]*cols3+x[2])&1023), x[0], x[1], x[2]); e != nil {
				err = e
			}
		}
		return err
	})
	run("3d/Array.Set3", func(b *testing.B) error {
		var err error
		for i := range b.N {
			x := &ix3[i&mask]
			if e := a3.Set3(float64((x[1]*cols3+x[2])&1023), x[0], x[1], x[2]); e != nil {
				err = e
			}
		}
		return err
	})
	run("3d/heap", func(b *testing.B) error {
		s0, s1, s2 := st3[0], st3[1], st3[2]
		for i := range b.N {
			x := &ix3[i&mask]
			heap[x[0]*s0+x[1]*s1+x[2]*s2] = float64((x[1]*cols3 + x[2]) & 1023)
		}
		return nil
	})
	var errSet error
	interleave(b, "2d/interleaved", []peer{
		{"Set", func(lo, hi int) float64 {
			for i := lo; i < hi; i++ {
				x := &ix2[i&mask]
				if err := a2.Set(float64(x[1]&1023), x[0], x[1]); err != nil {
					errSet = err
				}
			}
			return 0
		}},
		{"Set2", func(lo, hi int) float64 {
			for i := lo; i < hi; i++ {
				x := &ix2[i&mask]
				if err := a2.Set2(float64(x[1]&1023), x[0], x[1]); err != nil {
					errSet = err
				}
			}
			return 0
		}},
		{"heap", func(lo, hi int) float64 {
			s0, s1 := st2[0], st2[1]
			for i := lo; i < hi; i++ {
				x := &ix2[i&mask]
				heap[x[0]*s0+x[1]*s1] = float64(x[1] & 1023)
			}
			return 0
		}},
	})
	interleave(b, "3d/interleaved", []peer{
		{"Set", func(lo, hi int) float64 {
			for i := lo; i < hi; i++ {
				x := &ix3[i&mask]
				if err := a3.Set(float64((x[1]*cols3+x[2])&1023), x[0], x[1], x[2]); err != nil {
					errSet = err
				}
			}
			return 0
		}},
		{"Set3", func(lo, hi int) float64 {
			for i := lo; i < hi; i++ {
				x := &ix3[i&mask]
				if err := a3.Set3(float64((x[1]*cols3+x[2])&1023), x[0], x[1], x[2]); err != nil {
					errSet = err
				}
			}
			return 0
		}},
		{"heap", func(lo, hi int) float64 {
			s0, s1, s2 := st3[0], st3[1], st3[2]
			for i := lo; i < hi; i++ {
				x := &ix3[i&mask]
				heap[x[0]*s0+x[1]*s1+x[2]*s2] = float64((x[1]*cols3 + x[2]) & 1023)
			}
			return 0
		}},
	})
	must(b, errSet)
	// The heap copy is shared with the other benchmarks: it must still
	// hold the array's values.
	for i := 0; i < n; i += 4099 {
		if heap[i] != benchdata.ArrayValue(i) {
			b.Fatalf("heap[%d] = %v after the writes, want %v", i, heap[i], benchdata.ArrayValue(i))
		}
	}
}

// sum is the loop every sequential peer runs: one accumulator, as a user
// writes it.
func sum(d []float64) float64 {
	var s float64
	for _, v := range d {
		s += v
	}
	return s
}

// BenchmarkSum is scenario 2: a sequential sum over the whole array, pages
// mapped (a second pass). One op sums every element.
func BenchmarkSum(b *testing.B) {
	path, off, n := arrayFile(b)
	want := benchdata.ArraySum(n)
	run := func(name string, pass func() float64) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(n) * 8)
			b.ReportAllocs()
			for range b.N {
				if s := pass(); s != want {
					b.Fatalf("sum %v, want %v", s, want)
				}
			}
		})
	}

	a, err := array.Open[float64](path, memmap.ReadOnly, nil)
	must(b, err)
	defer a.Close()
	d0, err := a.Data()
	must(b, err)
	sinkF = sum(d0) // map the pages
	run("Array.Data", func() float64 {
		d, err := a.Data()
		if err != nil {
			b.Fatal(err)
		}
		return sum(d)
	})
	run("Array.At1", func() float64 {
		var s float64
		for i := range a.Len() {
			s += a.At1(i)
		}
		return s
	})
	run("Array.At", func() float64 {
		var s float64
		for i := range a.Len() {
			s += a.At(i)
		}
		return s
	})

	heap := heapFloat64s(b, path)
	run("heap", func() float64 { return sum(heap) })

	m, ms := mmapGo(b, path, off, n) // arrayFile skips big-endian hosts
	defer m.Unmap()
	sinkF = sum(ms)
	run("mmap-go+unsafe", func() float64 { return sum(ms) })

	// The rows above run one after the other, each for its -count runs:
	// a slow spell of the shared machine lands on one of them. Here one op
	// sums Data, the heap and mmap-go's slice in turn (starting with the
	// next one each op), and reports each one's process CPU time per pass,
	// which the verdict on Data against the heap uses.
	b.Run("interleaved", func(b *testing.B) {
		peers := []struct {
			name string
			pass func() float64
		}{
			{"Data", func() float64 { return sum(must2(b, a.Data)) }},
			{"heap", func() float64 { return sum(heap) }},
			{"mmap-go", func() float64 { return sum(ms) }},
		}
		b.SetBytes(int64(len(peers)) * int64(n) * 8)
		cpu := make([]int64, len(peers))
		for i := range b.N {
			for k := range peers {
				p := peers[(i+k)%len(peers)]
				c0, _ := processCPU()
				s := p.pass()
				c1, ok := processCPU()
				if s != want {
					b.Fatalf("%s: sum %v, want %v", p.name, s, want)
				}
				if ok {
					cpu[(i+k)%len(peers)] += c1 - c0
				}
			}
		}
		if _, ok := processCPU(); ok {
			for k, p := range peers {
				b.ReportMetric(float64(cpu[k])/float64(b.N), p.name+"-cpu-ns/pass")
			}
		}
	})

	run("bufio+binary.Read", func() float64 {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			b.Fatal(err)
		}
		br := bufio.NewReaderSize(f, 64<<10)
		chunk := make([]float64, 1024)
		var s float64
		for left := n; left > 0; {
			c := chunk[:min(left, len(chunk))]
			if err := binary.Read(br, binary.LittleEndian, c); err != nil {
				b.Fatal(err)
			}
			s += sum(c)
			left -= len(c)
		}
		return s
	})
}

// BenchmarkFirstPass is scenario 2's first pass: open the file, sum every
// element, close; the file is in the page cache, but no page is mapped
// when the op starts.
func BenchmarkFirstPass(b *testing.B) {
	path, off, n := arrayFile(b)
	want := benchdata.ArraySum(n)
	run := func(name string, pass func() float64) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(n) * 8)
			b.ReportAllocs()
			for range b.N {
				if s := pass(); s != want {
					b.Fatalf("sum %v, want %v", s, want)
				}
			}
		})
	}
	run("Array.Open+Data", func() float64 {
		a, err := array.Open[float64](path, memmap.ReadOnly, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer a.Close()
		d, err := a.Data()
		if err != nil {
			b.Fatal(err)
		}
		return sum(d)
	})
	if hostLittle {
		run("mmap-go+unsafe", func() float64 {
			m, s := mmapGo(b, path, off, n)
			defer m.Unmap()
			return sum(s)
		})
	}
	run("os.ReadFile+decode", func() float64 {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		raw = raw[off:]
		var s float64
		for i := 0; i+8 <= len(raw); i += 8 {
			s += math.Float64frombits(binary.LittleEndian.Uint64(raw[i:]))
		}
		return s
	})
}

// BenchmarkOpen is scenario 4: opening an array file and reading its first
// element, then closing it, for a 1 MiB file, the array of scenario 1
// (1 GiB at full size) and a 64 GiB sparse file. The cost must not grow
// with the size.
func BenchmarkOpen(b *testing.B) {
	small, err := benchdata.ArrayFile(int(sizes.OpenSmall / 8))
	must(b, err)
	mid, _, _ := arrayFile(b)
	files := []string{small, mid}
	if strconv.IntSize == 64 { // 64 GiB does not fit a 32-bit address space
		sparse, err := benchdata.SparseFile(sizes.OpenSparse)
		must(b, err)
		files = append(files, sparse)
	}
	for _, p := range files {
		fi, err := os.Stat(p)
		must(b, err)
		off, err := benchdata.DataOffset(p)
		must(b, err)
		label := sizeLabel(fi.Size() - off)
		b.Run(label+"/array.Open+At1", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				a, err := array.Open[float64](p, memmap.ReadOnly, nil)
				if err != nil {
					b.Fatal(err)
				}
				sinkF += a.At1(0)
				a.Close()
			}
		})
		b.Run(label+"/memmap.Open", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				m, err := memmap.Open(p, memmap.ReadOnly, nil)
				if err != nil {
					b.Fatal(err)
				}
				sinkI += int(m.Bytes()[off])
				m.Close()
			}
		})
		b.Run(label+"/x-exp-mmap.Open", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				r, err := xmmap.Open(p)
				if err != nil {
					b.Fatal(err)
				}
				sinkI += int(r.At(int(off)))
				r.Close()
			}
		})
		b.Run(label+"/mmap-go.Map", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				f, err := os.Open(p)
				if err != nil {
					b.Fatal(err)
				}
				m, err := mmapgo.Map(f, mmapgo.RDONLY, 0)
				if err != nil {
					b.Fatal(err)
				}
				sinkI += int(m[off])
				m.Unmap()
				f.Close()
			}
		})
	}
}

// sizeLabel names a data size: 1MiB, 1GiB, 64GiB.
func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	}
	return fmt.Sprintf("%dB", n)
}
