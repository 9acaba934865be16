package array_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// takePaths are the ways TakeRows can copy; each test runs under all.
var takePaths = []struct {
	name string
	path store.TakePath
}{{"auto", store.TakeAuto}, {"map", store.TakeMap}, {"pread", store.TakeRead}}

// withTakePath runs fn with TakeRows forced to p.
func withTakePath(t *testing.T, p store.TakePath, fn func()) {
	t.Helper()
	old := seam.TakePath.Swap(int32(p))
	defer seam.TakePath.Store(old)
	fn()
}

// takeIndexes returns index lists over n rows: sorted, reversed, with
// duplicates, runs of neighbours, random, one, none.
func takeIndexes(n int) map[string][]int {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	rnd := make([]int, 3*n)
	for k := range rnd {
		rnd[k] = r.IntN(n)
	}
	var all, rev []int
	for i := range n {
		all = append(all, i)
		rev = append(rev, n-1-i)
	}
	return map[string][]int{
		"all":        all,
		"reversed":   rev,
		"random":     rnd,
		"duplicates": {n - 1, 0, n - 1, n - 1, 1, 0, n / 2, n / 2},
		"runs":       {3, 4, 5, 6, 0, 1, 2, n - 2, n - 1, 7, 9, 8, 10},
		"one":        {n / 3},
		"none":       {},
	}
}

// wantTake is Take by a loop of Get: NumPy's a[idx], rows along axis 0
// in either order, each row's elements in C order (the last index
// varying fastest), as np.asarray(a[idx]).ravel() gives them.
func wantTake[T any](t *testing.T, a *array.Array[T], idx []int) []T {
	t.Helper()
	var want []T
	shape := a.Shape()
	sub := make([]int, a.Rank())
	var walk func(k int)
	walk = func(k int) {
		if k == a.Rank() {
			v, err := a.Get(sub...)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, v)
			return
		}
		for j := range shape[k] {
			sub[k] = j
			walk(k + 1)
		}
	}
	for _, i := range idx {
		sub[0] = i
		walk(1)
	}
	return want
}

func checkTake[T any](t *testing.T, a *array.Array[T], idx []int) {
	t.Helper()
	rowElems := a.Size() / max(a.Len(), 1)
	want := wantTake(t, a, idx)
	got := make([]T, len(idx)*rowElems+1) // one spare, left alone
	var spare T
	if err := a.Take(idx, got); err != nil {
		t.Fatalf("Take(%d indexes): %v", len(idx), err)
	}
	if diff := cmp.Diff(append(want, spare), got); diff != "" {
		t.Errorf("Take(%v) differs from a loop of Get (-want +got):\n%s", idx[:min(len(idx), 20)], diff)
	}
}

// TestTake checks Take against a loop of Get for 1-d, 2-d and 3-d arrays
// in C and Fortran order, in both byte orders, in every mode, on every
// path of TakeRows: rows along axis 0 in either order, as NumPy's a[idx].
func TestTake(t *testing.T) {
	for _, tp := range takePaths {
		for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
			for _, tc := range []struct {
				shape   []int
				fortran bool
			}{{[]int{1000}, false}, {[]int{700, 3}, false}, {[]int{1000, 3}, true}, {[]int{50, 3, 5}, false}, {[]int{60, 2, 4}, true}} {
				name := fmt.Sprint(tp.name, " ", bo, " ", tc.shape, " fortran=", tc.fortran)
				t.Run(name, func(t *testing.T) {
					withTakePath(t, tp.path, func() {
						path := tempPath(t, "t.npy")
						a := mustCreate[float64](t, path, tc.shape, &array.Options{ByteOrder: bo, FortranOrder: tc.fortran})
						k := 0.5
						npytest.ForEach(tc.shape, func(idx []int) {
							a.Set(k, idx...)
							k++
						})
						for name, idx := range takeIndexes(a.Len()) {
							t.Run("writer "+name, func(t *testing.T) { checkTake(t, a, idx) })
						}
						// Rows appended and not committed are taken too (in
						// Fortran order a row along the growth axis, the
						// last, adds an element to every row along axis 0).
						growth := a.Shape()[0]
						if tc.fortran {
							growth = a.Shape()[a.Rank()-1]
						}
						row := make([]float64, a.Size()/growth)
						for j := range row {
							row[j] = -float64(j)
						}
						if _, err := a.Append(row...); err != nil {
							t.Fatal(err)
						}
						checkTake(t, a, []int{a.Len() - 1, 0, a.Len() - 1})
						mustClose(t, a)
						for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.CopyOnWrite} { // ReadWrite: the writer above
							r := mustOpen[float64](t, path, mode)
							for name, idx := range takeIndexes(r.Len()) {
								t.Run(fmt.Sprint(mode, " ", name), func(t *testing.T) { checkTake(t, r, idx) })
							}
							mustClose(t, r)
						}
					})
				})
			}
		}
	}
}

// TestTakeStruct checks Take of struct elements, in both byte orders.
func TestTakeStruct(t *testing.T) {
	for _, tp := range takePaths {
		for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
			t.Run(fmt.Sprint(tp.name, " ", bo), func(t *testing.T) {
				withTakePath(t, tp.path, func() {
					a := mustCreate[Point](t, tempPath(t, "p.npy"), []int{300, 2}, &array.Options{ByteOrder: bo})
					for i := range 300 {
						for j := range 2 {
							a.Set(Point{X: float32(i), Y: float32(j), ID: int64(i*2 + j), Tag: [3]byte{'a', byte(i), byte(j)}}, i, j)
						}
					}
					for name, idx := range takeIndexes(a.Len()) {
						t.Run(name, func(t *testing.T) { checkTake(t, a, idx) })
					}
				})
			})
		}
	}
}

// TestTakeCopyOnWrite checks that Take of a CopyOnWrite array sees the
// array's own changes, which are in its memory and not in the file, on
// every path: pread must never serve it.
func TestTakeCopyOnWrite(t *testing.T) {
	path := tempPath(t, "cow.npy")
	w := mustCreate[int32](t, path, []int{5000}, nil)
	for i := range 5000 {
		w.Set1(int32(i), i)
	}
	mustClose(t, w)
	for _, tp := range takePaths {
		t.Run(tp.name, func(t *testing.T) {
			withTakePath(t, tp.path, func() {
				c := mustOpen[int32](t, path, memmap.CopyOnWrite)
				idx := []int{10, 4000, 11, 12, 13, 14, 15, 16, 17}
				for _, i := range idx {
					c.Set1(-int32(i), i)
				}
				got := make([]int32, len(idx))
				if err := c.Take(idx, got); err != nil {
					t.Fatal(err)
				}
				for k, i := range idx {
					if got[k] != -int32(i) {
						t.Errorf("Take: element %d = %d, want %d (the array's own change)", i, got[k], -i)
					}
				}
			})
		})
	}
}

// TestTakeErrors checks Take's errors: an index out of range (named in
// the message; dst untouched), a short dst, a 0-d array, a closed array.
func TestTakeErrors(t *testing.T) {
	for _, tp := range takePaths {
		t.Run(tp.name, func(t *testing.T) {
			withTakePath(t, tp.path, func() {
				a := mustCreate[int64](t, tempPath(t, "e.npy"), []int{100, 2}, nil)
				for i := range 100 {
					a.Set(int64(i), i, 0)
				}
				for _, idx := range [][]int{
					{0, 1, 100},
					{-1},
					{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, math.MaxInt},
				} {
					dst := make([]int64, 2*len(idx))
					for k := range dst {
						dst[k] = 77
					}
					err := a.Take(idx, dst)
					bad := idx[len(idx)-1]
					if !errors.Is(err, memmap.ErrRange) || !strings.Contains(err.Error(), fmt.Sprint("index ", bad)) {
						t.Errorf("Take(%v): %v, want an error wrapping ErrRange naming index %d", idx, err, bad)
					}
					for k, v := range dst {
						if v != 77 {
							t.Fatalf("Take(%v) failed but changed dst[%d] to %d", idx, k, v)
						}
					}
				}
				if err := a.Take([]int{1, 2}, make([]int64, 3)); !errors.Is(err, memmap.ErrShape) {
					t.Errorf("Take into a short dst: %v, want ErrShape", err)
				}
				if err := a.Take(nil, nil); err != nil {
					t.Errorf("Take(nil, nil): %v", err)
				}
				z := mustCreate[int64](t, tempPath(t, "z.npy"), []int{}, nil)
				if err := z.Take([]int{0}, make([]int64, 1)); !errors.Is(err, memmap.ErrShape) {
					t.Errorf("Take on a 0-d array: %v, want ErrShape", err)
				}
				mustClose(t, a)
				if err := a.Take([]int{0}, make([]int64, 2)); !errors.Is(err, memmap.ErrClosed) {
					t.Errorf("Take after Close: %v, want ErrClosed", err)
				}
			})
		})
	}
}

// TestTakeLarge takes from an array bigger than one coalesced read, with
// the rows read in sorted, shuffled and sparse order, on every path.
func TestTakeLarge(t *testing.T) {
	const n = 300_000 // 2.4 MB of float64
	path := tempPath(t, "big.npy")
	w := mustCreate[float64](t, path, []int{n}, nil)
	d, err := w.Data()
	if err != nil {
		t.Fatal(err)
	}
	for i := range d {
		d[i] = float64(i)
	}
	mustClose(t, w)
	a := mustOpen[float64](t, path, memmap.ReadOnly)
	r := rand.New(rand.NewPCG(2, 3))
	sorted := make([]int, n)
	for i := range sorted {
		sorted[i] = i
	}
	shuffled := slices.Clone(sorted)
	r.Shuffle(n, func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	sparse := make([]int, 5000)
	for k := range sparse {
		sparse[k] = r.IntN(n)
	}
	for _, tp := range takePaths {
		withTakePath(t, tp.path, func() {
			for name, idx := range map[string][]int{"sorted": sorted, "shuffled": shuffled, "sparse": sparse} {
				got := make([]float64, len(idx))
				if err := a.Take(idx, got); err != nil {
					t.Fatal(err)
				}
				for k, i := range idx {
					if got[k] != float64(i) {
						t.Fatalf("%s %s: Take element %d (idx[%d]) = %v", tp.name, name, i, k, got[k])
					}
				}
			}
		})
	}
}

// TestTakeAllocs checks that Take allocates nothing on the path for pages
// in memory (the file was just written), whatever the path decides.
func TestTakeAllocs(t *testing.T) {
	for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		a := mustCreate[float64](t, tempPath(t, "al.npy"), []int{10000, 2}, &array.Options{ByteOrder: bo})
		idx := make([]int, 1000)
		for k := range idx {
			idx[k] = (k * 7919) % 10000
		}
		dst := make([]float64, 2*len(idx))
		for _, tp := range []store.TakePath{store.TakeAuto, store.TakeMap} {
			withTakePath(t, tp, func() {
				if n := testing.AllocsPerRun(50, func() {
					if err := a.Take(idx, dst); err != nil {
						t.Fatal(err)
					}
				}); n != 0 {
					t.Errorf("Take (%v, path %v): %v allocations, want 0", bo, tp, n)
				}
			})
		}
	}
}

// TestTakeSlice checks Take on a slice (a[lo:hi]) on every path: its
// indexes count from the slice's first row, those past its end are
// refused with the slice's length in the error, and on the map path it
// allocates nothing (the store takes the slice's window, with no shifted
// copy of the indexes).
func TestTakeSlice(t *testing.T) {
	for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		a := mustCreate[float64](t, tempPath(t, "ts.npy"), []int{1000, 2}, &array.Options{ByteOrder: bo})
		for i := range 1000 {
			if err := a.Set2(float64(i), i, 0); err != nil {
				t.Fatal(err)
			}
			if err := a.Set2(float64(-i), i, 1); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Flush(); err != nil {
			t.Fatal(err)
		}
		s, err := a.Slice(100, 300)
		if err != nil {
			t.Fatal(err)
		}
		idx := []int{199, 0, 5, 5, 150, 1, 2, 3, 4, 198}
		dst := make([]float64, 2*len(idx))
		for _, tp := range takePaths {
			withTakePath(t, tp.path, func() {
				clear(dst)
				if err := s.Take(idx, dst); err != nil {
					t.Fatalf("%v %s: %v", bo, tp.name, err)
				}
				for k, i := range idx {
					if dst[2*k] != float64(100+i) || dst[2*k+1] != float64(-(100+i)) {
						t.Fatalf("%v %s: row %d of the slice = %v, want %v", bo, tp.name, i, dst[2*k:2*k+2], []float64{float64(100 + i), float64(-(100 + i))})
					}
				}
				err := s.Take([]int{3, 200}, dst)
				if !errors.Is(err, memmap.ErrRange) || !strings.Contains(err.Error(), "index 200 (idx[1]) out of range [0, 200)") {
					t.Errorf("%v %s: Take past the slice's end: %v, want ErrRange naming index 200 and [0, 200)", bo, tp.name, err)
				}
				if err := s.Take([]int{-1}, dst); !errors.Is(err, memmap.ErrRange) {
					t.Errorf("%v %s: Take(-1): %v, want ErrRange", bo, tp.name, err)
				}
			})
		}
		withTakePath(t, store.TakeMap, func() {
			if n := testing.AllocsPerRun(50, func() { _ = s.Take(idx, dst) }); n != 0 {
				t.Errorf("%v: Take on a slice: %v allocations, want 0", bo, n)
			}
		})
	}
}

// packedRows returns a packed file (PXY, 10-byte items, as NumPy's
// align=False writes them) of shape (n,) or (n, m), in the given byte
// order, whose element k in C order is pxyAt(k).
func packedRows(t *testing.T, n, m int, big bool) string {
	t.Helper()
	return packedRowsOf(t, n, m, big)
}

// packedRowsTB is packedRows in the host's byte order, for benchmarks.
func packedRowsTB(tb testing.TB, n, m int) string {
	return packedRowsOf(tb, n, m, layout.HostOrder() == layout.Big)
}

func packedRowsOf(t testing.TB, n, m int, big bool) string {
	t.Helper()
	var bo binary.ByteOrder = binary.LittleEndian
	c := "<"
	if big {
		bo, c = binary.BigEndian, ">"
	}
	k := n * max(m, 1)
	data := make([]byte, 10*k)
	for i := range k {
		v := pxyAt(i)
		bo.PutUint16(data[10*i:], uint16(v.X))
		bo.PutUint64(data[10*i+2:], math.Float64bits(v.Y))
	}
	shape := fmt.Sprintf("(%d,)", n)
	if m > 0 {
		shape = fmt.Sprintf("(%d, %d)", n, m)
	}
	descr := strings.ReplaceAll("[('x', '<i2'), ('y', '<f8')]", "<", c)
	return testutil.WriteFile(t, npy(descr, shape, data))
}

// TestTakePacked checks Take on packed files (elements converted field
// by field), 1-d and 2-d in C order, in both byte orders, on every path
// of TakeRows: it equals a loop of Get, and on the map path it allocates
// nothing.
func TestTakePacked(t *testing.T) {
	for _, big := range []bool{false, true} {
		for _, m := range []int{0, 3} {
			path := packedRows(t, 500, m, big)
			for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
				a := mustOpen[PXY](t, path, mode)
				name := fmt.Sprintf("big=%v m=%d %v", big, m, mode)
				if _, err := a.Data(); !errors.Is(err, memmap.ErrPacked) {
					t.Fatalf("%s: Data: %v, want ErrPacked (the test needs a packed file)", name, err)
				}
				for _, tp := range takePaths {
					withTakePath(t, tp.path, func() {
						for iname, idx := range takeIndexes(a.Len()) {
							t.Run(name+" "+tp.name+" "+iname, func(t *testing.T) { checkTake(t, a, idx) })
						}
					})
				}
				idx := []int{499, 0, 7, 7, 250, 3, 1, 498, 2, 100, 101}
				dst := make([]PXY, len(idx)*max(m, 1))
				withTakePath(t, store.TakeMap, func() {
					if n := testing.AllocsPerRun(50, func() {
						if err := a.Take(idx, dst); err != nil {
							t.Fatal(err)
						}
					}); n != 0 {
						t.Errorf("%s: Take: %v allocations, want 0", name, n)
					}
				})
				s, err := a.Slice(100, 400)
				if err != nil {
					t.Fatal(err)
				}
				for _, tp := range takePaths {
					withTakePath(t, tp.path, func() {
						checkTake(t, s, []int{299, 0, 5, 5, 150})
						if err := s.Take([]int{3, 300}, dst); !errors.Is(err, memmap.ErrRange) {
							t.Errorf("%s %s: Take past a slice's end: %v, want ErrRange", name, tp.name, err)
						}
					})
				}
				mustClose(t, a)
			}
		}
	}
}

// TestTakeWide checks Take on a file whose elements are bigger than Ts
// (16-byte items, fields at offsets 0 and 8, read as XY's 8 bytes): the
// rows go through a pooled buffer in chunks, so many rows (more than a
// chunk) and each path are checked, and an index out of range, even past
// the first chunk, leaves dst untouched.
func TestTakeWide(t *testing.T) {
	for _, big := range []bool{false, true} {
		var bo binary.ByteOrder = binary.LittleEndian
		c := "<"
		if big {
			bo, c = binary.BigEndian, ">"
		}
		const n = 10000 // 160 KB: more than one 64 KiB chunk
		data := make([]byte, 16*n)
		for i := range n {
			bo.PutUint32(data[16*i:], math.Float32bits(float32(i)))
			bo.PutUint32(data[16*i+8:], math.Float32bits(-float32(i)/2))
			data[16*i+4] = 0xAA // bytes no field covers
		}
		descr := strings.ReplaceAll("[('x', '<f4'), ('', '|V4'), ('y', '<f4'), ('', '|V4')]", "<", c)
		a := mustOpen[XY](t, testutil.WriteFile(t, npy(descr, fmt.Sprintf("(%d,)", n), data)), memmap.ReadOnly)
		if _, err := a.Data(); a.DType().Size() != 16 || !errors.Is(err, memmap.ErrPacked) {
			t.Fatalf("item size %d, Data: %v; want 16 and ErrPacked (the test needs elements bigger than Ts)", a.DType().Size(), err)
		}
		for _, tp := range takePaths {
			withTakePath(t, tp.path, func() {
				for iname, idx := range takeIndexes(n) {
					t.Run(fmt.Sprint(big, " ", tp.name, " ", iname), func(t *testing.T) { checkTake(t, a, idx) })
				}
				idx := make([]int, 9000)
				for k := range idx {
					idx[k] = (k * 7919) % n
				}
				idx[8999] = n
				dst := make([]XY, len(idx))
				for k := range dst {
					dst[k] = XY{7, 7}
				}
				if err := a.Take(idx, dst); !errors.Is(err, memmap.ErrRange) || !strings.Contains(err.Error(), "idx[8999]") {
					t.Errorf("%v %s: Take with the last index out of range: %v, want ErrRange naming idx[8999]", big, tp.name, err)
				}
				for k, v := range dst {
					if v != (XY{7, 7}) {
						t.Fatalf("%v %s: failed Take changed dst[%d] to %v", big, tp.name, k, v)
					}
				}
			})
		}
		if !raceEnabled { // the race detector drops sync.Pool's items at random
			idx := []int{9999, 0, 5, 5000, 17}
			dst := make([]XY, len(idx))
			withTakePath(t, store.TakeMap, func() {
				if n := testing.AllocsPerRun(50, func() { _ = a.Take(idx, dst) }); n != 0 {
					t.Errorf("big=%v: Take: %v allocations, want 0", big, n)
				}
			})
		}
	}
}

// TestTakePackedConcurrent runs Takes of a packed file from several
// goroutines at once, with At and Get beside them (run it under -race):
// every result equals a loop of At.
func TestTakePackedConcurrent(t *testing.T) {
	for _, big := range []bool{false, true} {
		a := mustOpen[PXY](t, packedRows(t, 2000, 2, big), memmap.ReadOnly)
		want := make([]PXY, 2*2000)
		for i := range 2000 {
			want[2*i], want[2*i+1] = a.At(i, 0), a.At(i, 1)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 9))
				idx := make([]int, 300)
				dst := make([]PXY, 2*len(idx))
				for range 20 {
					for k := range idx {
						idx[k] = r.IntN(2000)
					}
					if err := a.Take(idx, dst); err != nil {
						errs <- err
						return
					}
					for k, i := range idx {
						if dst[2*k] != want[2*i] || dst[2*k+1] != want[2*i+1] || a.At(i, 1) != want[2*i+1] {
							errs <- fmt.Errorf("big=%v goroutine %d: row %d = %v, want %v", big, g, i, dst[2*k:2*k+2], want[2*i:2*i+2])
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
}

// TestCopyFromBigElementsAllocs: CopyFrom into a file in the other byte
// order whose elements are bigger than its 4 KiB stack buffer swaps them
// through a pooled buffer, so that (without the race detector, which
// drops pooled buffers) no call allocates; TestCopyFromBigElements checks
// the values.
func TestCopyFromBigElementsAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops sync.Pool's items at random")
	}
	a := mustCreate[bigElem](t, tempPath(t, "big.npy"), []int{4}, &array.Options{ByteOrder: otherOrder()})
	src := make([]bigElem, 3)
	for k := range src {
		src[k].V[k] = float64(k + 1)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = a.CopyFrom(src, 1) }); n != 0 {
		t.Errorf("CopyFrom: %v allocations, want 0", n)
	}
	for k := range src {
		if a.At(k+1) != src[k] {
			t.Fatalf("element %d differs after CopyFrom", k+1)
		}
	}
}

// BenchmarkTakePacked takes 1000 random rows of a packed file (PXY, 10
// bytes in the file, 16 in Go) of 100,000 rows whose pages are in memory,
// 1-d and 2-d (3 elements a row).
func BenchmarkTakePacked(b *testing.B) {
	for _, m := range []int{0, 3} {
		b.Run(fmt.Sprint("m=", m), func(b *testing.B) {
			a := mustOpen[PXY](b, packedRowsTB(b, 100_000, m), memmap.ReadOnly)
			r := rand.New(rand.NewPCG(1, 2))
			idx := make([]int, 1000)
			for k := range idx {
				idx[k] = r.IntN(100_000)
			}
			dst := make([]PXY, len(idx)*max(m, 1))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := a.Take(idx, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
