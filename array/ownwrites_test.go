package array_test

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// The tests of this file check that a writer reads its own writes: rows
// appended one call at a time (which a writer may gather in a buffer
// before they reach the file) read back through every accessor, for 1-d
// arrays, 2-d arrays in C and Fortran order, in the host's byte order,
// the other one, and packed files; Truncate, Resize, Grow and bulk
// appends while rows may be buffered; what other handles see after
// Flush.

// own64 is a 64-byte element without padding: a 64 KiB buffer holds 1024.
type own64 struct {
	Index int64      `npy:"index"`
	V     [6]float64 `npy:"v"`
	Sum   uint64     `npy:"sum"`
}

func makeOwn64(i int) own64 {
	r := own64{Index: int64(i)}
	for j := range r.V {
		r.V[j] = float64(i)*8 + float64(j) + 0.25
	}
	r.Sum = uint64(i)*0x9e3779b97f4a7c15 | 1
	return r
}

// ownPacked is the Go type of a packed file whose elements are 64 bytes
// (x at 0, y at 2, z at 10, tag at 58), 72 bytes in Go (68 on 386).
type ownPacked struct {
	X   int16      `npy:"x"`
	Y   float64    `npy:"y"`
	Z   [6]float64 `npy:"z"`
	Tag [6]byte    `npy:"tag"`
}

func makeOwnPacked(i int) ownPacked {
	r := ownPacked{X: int16(i), Y: float64(i)*1.5 - 3}
	for j := range r.Z {
		r.Z[j] = float64(i*7 + j)
	}
	copy(r.Tag[:], strconv.Itoa(i%1000000))
	return r
}

// ownCase is a kind of array the own-writes tests run on. Its rows along
// the growth axis hold m elements (m 0: a 1-d array, one element a row);
// element j of row i is mk(i, j): a[i] for 1-d, a[i, j] in C order,
// a[j, i] in Fortran order.
type ownCase[T comparable] struct {
	name    string
	m       int
	fortran bool
	create  func(t *testing.T, path string) *array.Array[T] // an empty writer
	mk      func(i, j int) T
	viewErr error // what Data returns; nil where it works
}

// idx returns the indexes of element j of row i.
func (c ownCase[T]) idx(i, j int) []int {
	switch {
	case c.m == 0:
		return []int{i}
	case c.fortran:
		return []int{j, i}
	}
	return []int{i, j}
}

// cols is the number of elements of a row along the growth axis.
func (c ownCase[T]) cols() int { return max(c.m, 1) }

// row returns row i as mk makes it, the elements Append takes.
func (c ownCase[T]) row(i int) []T {
	r := make([]T, c.cols())
	for j := range r {
		r[j] = c.mk(i, j)
	}
	return r
}

// rowErr is what Row and Rows return, nil where they work.
func (c ownCase[T]) rowErr() error {
	if c.viewErr == nil && c.fortran {
		return memmap.ErrShape
	}
	return c.viewErr
}

func createOwn[T any](opt *array.Options, shape ...int) func(t *testing.T, path string) *array.Array[T] {
	return func(t *testing.T, path string) *array.Array[T] {
		t.Helper()
		return mustCreate[T](t, path, shape, opt)
	}
}

// createPacked writes an empty file of dtype descr and shape, and opens
// it ReadWrite.
func createPacked[T any](descr string, shape ...int64) func(t *testing.T, path string) *array.Array[T] {
	return func(t *testing.T, path string) *array.Array[T] {
		t.Helper()
		dt, err := layout.ParseDescr(descr)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := (&header.Header{DType: dt, Shape: shape}).Encode()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		a := mustOpen[T](t, path, memmap.ReadWrite)
		if _, err := a.Data(); !errors.Is(err, memmap.ErrPacked) {
			t.Fatalf("Data: %v, want ErrPacked (the test needs a packed file)", err)
		}
		return a
	}
}

// runOwn runs test on every kind of array.
func runOwn(t *testing.T, test64 func(*testing.T, ownCase[own64]), testF func(*testing.T, ownCase[float64]),
	testP func(*testing.T, ownCase[ownPacked]), testXY func(*testing.T, ownCase[PXY])) {
	other := &array.Options{ByteOrder: otherOrder()}
	mk64 := func(i, j int) own64 { return makeOwn64(i) }
	for _, c := range []ownCase[own64]{
		{"1-d host", 0, false, createOwn[own64](nil, 0), mk64, nil},
		{"1-d other", 0, false, createOwn[own64](other, 0), mk64, memmap.ErrByteOrder},
	} {
		t.Run(c.name, func(t *testing.T) { test64(t, c) })
	}
	mkF := func(i, j int) float64 { return float64(i)*16 + float64(j) + 0.5 }
	for _, c := range []ownCase[float64]{
		{"2-d host", 8, false, createOwn[float64](nil, 0, 8), mkF, nil},
		{"2-d other", 8, false, createOwn[float64](other, 0, 8), mkF, memmap.ErrByteOrder},
		{"fortran host", 8, true, createOwn[float64](&array.Options{FortranOrder: true}, 8, 0), mkF, nil},
		{"fortran other", 8, true, createOwn[float64](&array.Options{FortranOrder: true, ByteOrder: otherOrder()}, 8, 0), mkF, memmap.ErrByteOrder},
	} {
		t.Run(c.name, func(t *testing.T) { testF(t, c) })
	}
	for _, o := range []string{"<", ">"} {
		descr := strings.ReplaceAll("[('x', '<i2'), ('y', '<f8'), ('z', '<f8', (6,)), ('tag', '|S6')]", "<", o)
		c := ownCase[ownPacked]{"1-d packed " + o, 0, false, createPacked[ownPacked](descr, 0), func(i, j int) ownPacked { return makeOwnPacked(i) }, memmap.ErrPacked}
		t.Run(c.name, func(t *testing.T) { testP(t, c) })
		descr = strings.ReplaceAll("[('x', '<i2'), ('y', '<f8')]", "<", o)
		cxy := ownCase[PXY]{"2-d packed " + o, 6, false, createPacked[PXY](descr, 0, 6), func(i, j int) PXY { return pxyAt(i*6 + j) }, memmap.ErrPacked}
		t.Run(cxy.name, func(t *testing.T) { testXY(t, cxy) })
	}
}

// ownAccessor reads (or sets and reads back) row i of a, whose rows must
// be want, through one accessor, and returns what differs.
type ownAccessor[T comparable] struct {
	name  string
	check func(a *array.Array[T], c ownCase[T], want [][]T, i int) error
}

func ownSame[T comparable](what string, i, j int, got, want T) error {
	if got != want {
		return fmt.Errorf("%s: row %d element %d = %+v, want %+v", what, i, j, got, want)
	}
	return nil
}

// ownErr checks that err wraps want.
func ownErr(what string, err, want error) error {
	if !errors.Is(err, want) {
		return fmt.Errorf("%s: %v, want an error wrapping %v", what, err, want)
	}
	return nil
}

// ownFlat checks that got is the rows of want from row lo on, one after
// the other.
func ownFlat[T comparable](what string, got []T, want [][]T, lo int) error {
	k := 0
	for i := lo; i < len(want); i++ {
		for j, w := range want[i] {
			if k >= len(got) {
				return fmt.Errorf("%s: %d elements, want more", what, len(got))
			}
			if err := ownSame(what, i, j, got[k], w); err != nil {
				return err
			}
			k++
		}
	}
	if k != len(got) {
		return fmt.Errorf("%s: %d elements, want %d", what, len(got), k)
	}
	return nil
}

func ownAccessors[T comparable]() []ownAccessor[T] {
	return []ownAccessor[T]{
		{"At", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			for j, w := range want[i] {
				if err := ownSame("At", i, j, a.At(c.idx(i, j)...), w); err != nil {
					return err
				}
			}
			return nil
		}},
		{"At1/At2", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			for j, w := range want[i] {
				var got T
				if c.m == 0 {
					got = a.At1(i)
				} else {
					ix := c.idx(i, j)
					got = a.At2(ix[0], ix[1])
				}
				if err := ownSame("At1/At2", i, j, got, w); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Get", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			for j, w := range want[i] {
				v, err := a.Get(c.idx(i, j)...)
				if err != nil {
					return fmt.Errorf("Get(%v): %w", c.idx(i, j), err)
				}
				if err := ownSame("Get", i, j, v, w); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Row", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			r, err := a.Row(i)
			if c.rowErr() != nil {
				return ownErr("Row", err, c.rowErr())
			}
			if err != nil {
				return fmt.Errorf("Row(%d): %w", i, err)
			}
			return ownFlat("Row", r, want[:i+1], i)
		}},
		{"Rows", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			j := min(i+3, len(want))
			r, err := a.Rows(i, j)
			if c.rowErr() != nil {
				return ownErr("Rows", err, c.rowErr())
			}
			if err != nil {
				return fmt.Errorf("Rows(%d, %d): %w", i, j, err)
			}
			return ownFlat("Rows", r, want[:j], i)
		}},
		{"Data", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			d, err := a.Data()
			if c.viewErr != nil {
				return ownErr("Data", err, c.viewErr)
			}
			if err != nil {
				return fmt.Errorf("Data: %w", err)
			}
			return ownFlat("Data", d, want, 0)
		}},
		{"CopyTo", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			j := min(i+3, len(want))
			dst := make([]T, (j-i)*c.cols())
			n, err := a.CopyTo(dst, i*c.cols())
			if err != nil || n != len(dst) {
				return fmt.Errorf("CopyTo from row %d: %d, %v; want %d", i, n, err, len(dst))
			}
			return ownFlat("CopyTo", dst, want[:j], i)
		}},
		{"Slice", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			lo := max(i-2, 0)
			s, err := a.Slice(lo, i+1)
			if err != nil {
				return fmt.Errorf("Slice(%d, %d): %w", lo, i+1, err)
			}
			if s.Len() != i+1-lo && !c.fortran {
				return fmt.Errorf("Slice(%d, %d).Len() = %d", lo, i+1, s.Len())
			}
			for k := lo; k <= i; k++ {
				for j, w := range want[k] {
					if err := ownSame("Slice.At", k, j, s.At(c.idx(k-lo, j)...), w); err != nil {
						return err
					}
				}
			}
			d, err := s.Data()
			if c.viewErr != nil {
				if err := ownErr("Slice.Data", err, c.viewErr); err != nil {
					return err
				}
			} else if err != nil {
				return fmt.Errorf("Slice.Data: %w", err)
			} else if err := ownFlat("Slice.Data", d, want[:i+1], lo); err != nil {
				return err
			}
			dst := make([]T, (i+1-lo)*c.cols())
			if n, err := s.CopyTo(dst, 0); err != nil || n != len(dst) {
				return fmt.Errorf("Slice.CopyTo: %d, %v", n, err)
			}
			return ownFlat("Slice.CopyTo", dst, want[:i+1], lo)
		}},
		{"Take", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			if c.fortran { // rows along axis 0: element j of every row
				idx := []int{c.m - 1, 0, c.m / 2}
				dst := make([]T, len(idx)*len(want))
				if err := a.Take(idx, dst); err != nil {
					return fmt.Errorf("Take(%v): %w", idx, err)
				}
				for k, j := range idx {
					for r := range want {
						if err := ownSame("Take", r, j, dst[k*len(want)+r], want[r][j]); err != nil {
							return err
						}
					}
				}
				return nil
			}
			idx := []int{i, 0, len(want) - 1, i, len(want) / 2}
			dst := make([]T, len(idx)*c.cols())
			if err := a.Take(idx, dst); err != nil {
				return fmt.Errorf("Take(%v): %w", idx, err)
			}
			for k, r := range idx {
				if err := ownFlat("Take", dst[k*c.cols():(k+1)*c.cols()], want[:r+1], r); err != nil {
					return err
				}
			}
			return nil
		}},
		{"All", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			n := 0
			for k, r := range a.All() {
				if err := ownFlat("All", r, want[:k+1], k); err != nil {
					return err
				}
				n++
			}
			if n != len(want) {
				return fmt.Errorf("All yielded %d rows, want %d", n, len(want))
			}
			return nil
		}},
		{"Set", func(a *array.Array[T], c ownCase[T], want [][]T, i int) error {
			alt := c.row(i + 1_000_000)
			if a.Mode() == memmap.ReadOnly {
				if err := a.Set(alt[0], c.idx(i, 0)...); !errors.Is(err, memmap.ErrReadOnly) {
					return fmt.Errorf("Set on a ReadOnly array: %v, want ErrReadOnly", err)
				}
				return ownSame("At after a refused Set", i, 0, a.At(c.idx(i, 0)...), want[i][0])
			}
			for j := range want[i] {
				ix := c.idx(i, j)
				var err error
				switch j % 3 {
				case 0:
					err = a.Set(alt[j], ix...)
				case 1:
					if c.m == 0 {
						err = a.Set1(alt[j], i)
					} else {
						err = a.Set2(alt[j], ix[0], ix[1])
					}
				default:
					_, err = a.CopyFrom(alt[j:j+1], i*c.cols()+j)
				}
				if err != nil {
					return fmt.Errorf("Set (way %d) of %v: %w", j%3, ix, err)
				}
				v, err := a.Get(ix...)
				if err := errors.Join(err, ownSame("Get after Set", i, j, v, alt[j]), ownSame("At after Set", i, j, a.At(ix...), alt[j])); err != nil {
					return err
				}
			}
			if n, err := a.CopyFrom(want[i], i*c.cols()); err != nil || n != c.cols() {
				return fmt.Errorf("CopyFrom back: %d, %v", n, err)
			}
			for j, w := range want[i] {
				if err := ownSame("At after CopyFrom", i, j, a.At(c.idx(i, j)...), w); err != nil {
					return err
				}
			}
			return nil
		}},
	}
}

// ownCheck checks the rows of a against want through every accessor, the
// first of them (the one that meets rows appended since the last read)
// accessors[first%len]: the newest row, then earlier ones.
func ownCheck[T comparable](t *testing.T, a *array.Array[T], c ownCase[T], want [][]T, first int) {
	t.Helper()
	n := len(want)
	growth := a.Shape()[0]
	if c.fortran {
		growth = a.Shape()[1]
	}
	if growth != n || c.m == 0 && a.Len() != n {
		t.Fatalf("shape %v, want %d rows along the growth axis", a.Shape(), n)
	}
	if n == 0 {
		return
	}
	acc := ownAccessors[T]()
	for k := range acc {
		x := acc[(first+k)%len(acc)]
		for nth, i := range []int{n - 1, 0, n / 2, max(n-2, 0)} {
			if nth > 0 && (x.name == "Data" || x.name == "All") {
				break // the whole file: once is enough
			}
			if err := x.check(a, c, want, i); err != nil {
				t.Fatalf("%d rows, %s first: %s: %v", n, acc[first%len(acc)].name, x.name, err)
			}
		}
	}
}

// ownAppend appends rows [len(*want), len(*want)+k) one call each, with
// nothing read in between, and adds them to want.
func ownAppend[T comparable](t *testing.T, a *array.Array[T], c ownCase[T], want *[][]T, k int) {
	t.Helper()
	for range k {
		n := len(*want)
		r := c.row(n)
		if first, err := a.Append(r...); err != nil || first != n {
			t.Fatalf("Append(row %d) = %d, %v", n, first, err)
		}
		*want = append(*want, r)
	}
}

// ownSchedule: runs of single appends, fewer and more than a 64 KiB
// buffer of 64-byte rows holds (1024), long enough that each accessor
// comes first after one.
var ownSchedule = []int{1, 2, 1, 1000, 1500, 3000, 1, 1023, 1, 1024, 1025, 7, 3}

func TestOwnWrites(t *testing.T) {
	runOwn(t, testOwnWrites[own64], testOwnWrites[float64], testOwnWrites[ownPacked], testOwnWrites[PXY])
}

// testOwnWrites appends the runs of ownSchedule and reads every row back
// through every accessor after each run, then appends single rows, each
// read back at once by one accessor in turn; then closes and reopens the
// file and reads it all again.
func testOwnWrites[T comparable](t *testing.T, c ownCase[T]) {
	path := tempPath(t, "own.npy")
	a := c.create(t, path)
	var want [][]T
	for r, k := range ownSchedule {
		ownAppend(t, a, c, &want, k)
		ownCheck(t, a, c, want, r)
	}
	acc := ownAccessors[T]()
	for k := range 2 * len(acc) {
		ownAppend(t, a, c, &want, 1)
		x := acc[k%len(acc)]
		if err := x.check(a, c, want, len(want)-1); err != nil {
			t.Fatalf("single append %d then %s: %v", k, x.name, err)
		}
	}
	mustClose(t, a)
	ownCheck(t, mustOpen[T](t, path, memmap.ReadOnly), c, want, 0)
}

func TestOwnWritesResize(t *testing.T) {
	runOwn(t, testOwnWritesResize[own64], testOwnWritesResize[float64], testOwnWritesResize[ownPacked], testOwnWritesResize[PXY])
}

// testOwnWritesResize interleaves single appends with a bulk append (of
// more than 64 KiB), Truncate, Resize and Grow while appended rows may be
// buffered, checking the shape and the rows after each; a Truncate below
// the committed length commits at once, which a reader sees.
func testOwnWritesResize[T comparable](t *testing.T, c ownCase[T]) {
	path := tempPath(t, "own.npy")
	a := c.create(t, path)
	var want [][]T
	step := 0
	check := func() { t.Helper(); ownCheck(t, a, c, want, step); step++ }
	zero := make([]T, c.cols())

	ownAppend(t, a, c, &want, 100)
	if err := a.Truncate(60); err != nil {
		t.Fatal(err)
	}
	want = want[:60]
	check()

	ownAppend(t, a, c, &want, 140) // to 200
	if err := a.Resize(250); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		want = append(want, zero)
	}
	check()
	if err := a.Resize(230); err != nil {
		t.Fatal(err)
	}
	want = want[:230]
	ownAppend(t, a, c, &want, 5)
	check()

	ownAppend(t, a, c, &want, 10)
	var bulk []T // ≥ 128 KB in the file
	for k := range 2000 {
		bulk = append(bulk, c.row(len(want)+k)...)
	}
	if first, err := a.Append(bulk...); err != nil || first != len(want) {
		t.Fatalf("bulk Append = %d, %v; want %d", first, err, len(want))
	}
	for k := range 2000 {
		want = append(want, bulk[k*c.cols():(k+1)*c.cols()])
	}
	ownAppend(t, a, c, &want, 10)
	check()

	ownAppend(t, a, c, &want, 3)
	if err := a.Grow(5000); err != nil {
		t.Fatal(err)
	}
	if a.Cap() < len(want)+5000 {
		t.Fatalf("after Grow(5000): Cap %d, want ≥ %d", a.Cap(), len(want)+5000)
	}
	check()
	ownAppend(t, a, c, &want, 1500)
	check()

	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	committed := len(want)
	ownAppend(t, a, c, &want, 300)
	if err := a.Truncate(committed - 20); err != nil {
		t.Fatal(err)
	}
	want = want[:committed-20]
	r := mustOpen[T](t, path, memmap.ReadOnly)
	ownCheck(t, r, c, want, 1)
	check()
	ownAppend(t, a, c, &want, 40)
	check()
	mustClose(t, a)
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	ownCheck(t, r, c, want, 2)
}

func TestOwnWritesReaders(t *testing.T) {
	runOwn(t, testOwnWritesReaders[own64], testOwnWritesReaders[float64], testOwnWritesReaders[ownPacked], testOwnWritesReaders[PXY])
}

// testOwnWritesReaders checks what a second handle (ReadOnly, in this
// process) sees: after Flush exactly the flushed rows; after more single
// appends and Refresh still those; after the next Commit or Flush and
// Refresh all; after Close every row, also in a new handle.
func testOwnWritesReaders[T comparable](t *testing.T, c ownCase[T]) {
	path := tempPath(t, "own.npy")
	a := c.create(t, path)
	var want [][]T
	ownAppend(t, a, c, &want, 1500)
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen[T](t, path, memmap.ReadOnly)
	ownCheck(t, r, c, want, 0)
	flushed := len(want)
	for _, k := range []int{1, 700, 1024, 3} {
		ownAppend(t, a, c, &want, k)
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		ownCheck(t, r, c, want[:flushed], k)
	}
	commit := a.Commit
	for round := range 2 {
		if err := commit(); err != nil {
			t.Fatal(err)
		}
		if err := r.Refresh(); err != nil {
			t.Fatal(err)
		}
		ownCheck(t, r, c, want, round+5)
		ownAppend(t, a, c, &want, 999)
		commit = a.Flush
	}
	mustClose(t, a)
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	ownCheck(t, r, c, want, 1)
	ownCheck(t, mustOpen[T](t, path, memmap.ReadWrite), c, want, 2)
}

func TestOwnWritesConcurrentReads(t *testing.T) {
	runOwn(t, testOwnWritesConcurrentReads[own64], testOwnWritesConcurrentReads[float64], testOwnWritesConcurrentReads[ownPacked], testOwnWritesConcurrentReads[PXY])
}

// testOwnWritesConcurrentReads appends single rows and then, with the
// writer no longer changing, reads the newest ones from several
// goroutines at once with At, At1 or At2, Get and CopyTo (run it under
// -race): the first reads may meet buffered rows, which must reach every
// reader whole.
func testOwnWritesConcurrentReads[T comparable](t *testing.T, c ownCase[T]) {
	a := c.create(t, tempPath(t, "own.npy"))
	var want [][]T
	for _, k := range []int{10, 1000, 1500} {
		ownAppend(t, a, c, &want, k)
		n := len(want)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]T, c.cols())
				for s := range min(k, 200) {
					i := n - 1 - (s+g)%k
					j := (s + g) % c.cols()
					ix := c.idx(i, j)
					var got T
					switch (g + s) % 4 {
					case 0:
						got = a.At(ix...)
					case 1:
						if c.m == 0 {
							got = a.At1(i)
						} else {
							got = a.At2(ix[0], ix[1])
						}
					case 2:
						v, err := a.Get(ix...)
						if err != nil {
							errs <- err
							return
						}
						got = v
					default:
						if _, err := a.CopyTo(buf, i*c.cols()); err != nil {
							errs <- err
							return
						}
						got = buf[j]
					}
					if got != want[i][j] {
						errs <- fmt.Errorf("goroutine %d: row %d element %d of %d rows = %+v, want %+v", g, i, j, n, got, want[i][j])
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
}
