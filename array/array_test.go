package array_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// Point is a struct element type: NumPy's
// np.dtype([('x', '<f4'), ('y', '<f4'), ('id', '<i8'), ('tag', 'S3')], align=True)
// on 64-bit hosts (with 5 bytes of tail padding; 1 on 386, where int64 is
// 4-aligned).
type Point struct {
	X   float32 `npy:"x"`
	Y   float32 `npy:"y"`
	ID  int64   `npy:"id"`
	Tag [3]byte `npy:"tag"`
}

func tempPath(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(testutil.TempDir(t), name)
}

func mustCreate[T any](t testing.TB, path string, shape []int, opt *array.Options) *array.Array[T] {
	t.Helper()
	a, err := array.Create[T](path, shape, opt)
	if err != nil {
		t.Fatalf("Create(%v): %v", shape, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func mustOpen[T any](t testing.TB, path string, mode memmap.Mode) *array.Array[T] {
	t.Helper()
	a, err := array.Open[T](path, mode, nil)
	if err != nil {
		t.Fatalf("Open(%v): %v", mode, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func mustClose[T any](t testing.TB, a *array.Array[T]) {
	t.Helper()
	if err := a.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// data returns the data region of the .npy file at path.
func data(t testing.TB, path string) []byte {
	t.Helper()
	b := readFile(t, path)
	h, err := header.Parse(b, nil)
	if err != nil {
		t.Fatalf("header.Parse(%s): %v", path, err)
	}
	return b[h.DataOffset:]
}

// linear returns the position of idx in memory for a C- or Fortran-order
// array of shape, computed independently of the package's strides.
func linear(shape, idx []int, fortran bool) int {
	n := 0
	if fortran {
		for k := len(shape) - 1; k >= 0; k-- {
			n = n*shape[k] + idx[k]
		}
		return n
	}
	for k := range shape {
		n = n*shape[k] + idx[k]
	}
	return n
}

// val is the test value of the element at idx.
func val(idx []int) float64 {
	v := 0.25
	for k, i := range idx {
		v += float64(i) * math.Pow(10, float64(k))
	}
	return v
}

func byteOrder(o layout.ByteOrder) binary.ByteOrder {
	if o == layout.Big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

func otherOrder() layout.ByteOrder {
	if layout.HostOrder() == layout.Little {
		return layout.Big
	}
	return layout.Little
}

// TestAtSetLayout sets every element of arrays of rank 0 to 3, in both
// orders and both byte orders, and checks the file's bytes: each element
// at its C or Fortran position, in the file's byte order.
func TestAtSetLayout(t *testing.T) {
	for _, shape := range [][]int{{}, {7}, {3, 5}, {2, 3, 4}} {
		for _, fortran := range []bool{false, true} {
			for _, bo := range []layout.ByteOrder{layout.Little, layout.Big} {
				name := fmt.Sprintf("%v/fortran=%v/%v", shape, fortran, bo)
				t.Run(name, func(t *testing.T) {
					path := tempPath(t, "a.npy")
					a := mustCreate[float64](t, path, shape, &array.Options{FortranOrder: fortran, ByteOrder: bo})
					if got := a.ByteOrder(); got != bo {
						t.Errorf("ByteOrder = %v, want %v", got, bo)
					}
					npytest.ForEach(shape, func(idx []int) { a.Set(val(idx), idx...) })
					npytest.ForEach(shape, func(idx []int) {
						if got := a.At(idx...); got != val(idx) {
							t.Errorf("At%v = %v, want %v", idx, got, val(idx))
						}
						if got, err := a.Get(idx...); err != nil || got != val(idx) {
							t.Errorf("Get%v = %v, %v, want %v", idx, got, err, val(idx))
						}
						switch len(idx) {
						case 1:
							if got := a.At1(idx[0]); got != val(idx) {
								t.Errorf("At1%v = %v, want %v", idx, got, val(idx))
							}
							a.Set1(-1, idx[0])
							if got := a.At(idx...); got != -1 {
								t.Errorf("At%v = %v after Set1(-1), want -1", idx, got)
							}
							a.Set(val(idx), idx...)
						case 2:
							if got := a.At2(idx[0], idx[1]); got != val(idx) {
								t.Errorf("At2%v = %v, want %v", idx, got, val(idx))
							}
							a.Set2(-1, idx[0], idx[1])
							if got := a.At(idx...); got != -1 {
								t.Errorf("At%v = %v after Set2(-1), want -1", idx, got)
							}
							a.Set(val(idx), idx...)
						}
					})
					mustClose(t, a)
					d := data(t, path)
					size := 1
					for _, n := range shape {
						size *= n
					}
					if len(d) != size*8 {
						t.Fatalf("data is %d bytes, want %d", len(d), size*8)
					}
					npytest.ForEach(shape, func(idx []int) {
						off := linear(shape, idx, fortran) * 8
						if got := math.Float64frombits(byteOrder(bo).Uint64(d[off:])); got != val(idx) {
							t.Errorf("file element %v at %d = %v, want %v", idx, off, got, val(idx))
						}
					})
					// And back: Open reads what Create wrote.
					b := mustOpen[float64](t, path, memmap.ReadOnly)
					npytest.ForEach(shape, func(idx []int) {
						if got := b.At(idx...); got != val(idx) {
							t.Errorf("reopened At%v = %v, want %v", idx, got, val(idx))
						}
					})
				})
			}
		}
	}
}

func TestMetadata(t *testing.T) {
	for _, tc := range []struct {
		shape   []int
		fortran bool
		strides []int
		n       int
	}{
		{[]int{3, 4, 5}, false, []int{80, 20, 4}, 3},
		{[]int{3, 4, 5}, true, []int{4, 12, 48}, 3}, // NumPy's len, in either order
		{[]int{6}, false, []int{4}, 6},
		{[]int{}, false, []int{}, 1},
		{[]int{0, 3}, false, []int{12, 4}, 0},
		{[]int{3, 0}, false, []int{4, 4}, 3}, // NumPy counts a zero dim as one
	} {
		t.Run(fmt.Sprint(tc.shape, tc.fortran), func(t *testing.T) {
			path := tempPath(t, "m.npy")
			a := mustCreate[int32](t, path, tc.shape, &array.Options{FortranOrder: tc.fortran})
			size := 1
			for _, d := range tc.shape {
				size *= d
			}
			if diff := cmp.Diff(tc.shape, a.Shape()); diff != "" {
				t.Errorf("Shape (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.strides, a.Strides()); diff != "" {
				t.Errorf("Strides (-want +got):\n%s", diff)
			}
			if a.Len() != tc.n || a.Size() != size || a.Rank() != len(tc.shape) || a.FortranOrder() != tc.fortran {
				t.Errorf("Len, Size, Rank, FortranOrder = %d, %d, %d, %v; want %d, %d, %d, %v",
					a.Len(), a.Size(), a.Rank(), a.FortranOrder(), tc.n, size, len(tc.shape), tc.fortran)
			}
			if a.Cap() < a.Len() {
				t.Errorf("Cap %d < Len %d", a.Cap(), a.Len())
			}
			if a.Path() != path || a.Mode() != memmap.ReadWrite {
				t.Errorf("Path, Mode = %q, %v", a.Path(), a.Mode())
			}
			if a.DType().Str() != "<i4" && a.DType().Str() != ">i4" || !a.DType().InHostOrder() {
				t.Errorf("DType = %v", a.DType())
			}
			if a.ByteOrder() != layout.HostOrder() {
				t.Errorf("ByteOrder = %v, want host %v", a.ByteOrder(), layout.HostOrder())
			}
			// Shape and Strides are copies.
			if len(tc.shape) > 0 {
				a.Shape()[0] = 99
				a.Strides()[0] = 99
				if a.Shape()[0] == 99 || a.Strides()[0] == 99 {
					t.Error("Shape or Strides returned the array's own slice")
				}
			}
		})
	}
}

// catch runs fn and returns the value it panicked with, or nil.
func catch(fn func()) (v any) {
	defer func() { v = recover() }()
	fn()
	return nil
}

// isErr reports whether v is an error that wraps target.
func isErr(v any, target error) bool {
	err, ok := v.(error)
	return ok && errors.Is(err, target)
}

// returned calls fn and returns its error, or, if fn panicked (Set must
// not), a string saying so, which no check for an error accepts.
func returned(fn func() error) (v any) {
	defer func() {
		if p := recover(); p != nil {
			v = fmt.Sprintf("a panic: %v", p)
		}
	}()
	if err := fn(); err != nil {
		return err
	}
	return nil
}

func TestIndexPanics(t *testing.T) {
	path := tempPath(t, "p.npy")
	a := mustCreate[float32](t, path, []int{3000, 64}, nil)
	for _, tc := range []struct {
		idx  []int
		want error
		msg  string
	}{
		{[]int{3, 70}, memmap.ErrRange, "array: index [3 70] out of range for shape (3000, 64)"},
		{[]int{3000, 0}, memmap.ErrRange, "array: index [3000 0] out of range for shape (3000, 64)"},
		{[]int{-1, 0}, memmap.ErrRange, "array: index [-1 0] out of range for shape (3000, 64)"},
		{[]int{1, -1}, memmap.ErrRange, "array: index [1 -1] out of range for shape (3000, 64)"},
		{[]int{2999, 64}, memmap.ErrRange, "array: index [2999 64] out of range for shape (3000, 64)"},
		{[]int{-1, 64}, memmap.ErrRange, "array: index [-1 64] out of range for shape (3000, 64)"},
		// i*64 wraps around to 0: still out of range.
		{[]int{1 << (strconv.IntSize - 6), 5}, memmap.ErrRange, fmt.Sprintf("array: index [%d 5] out of range for shape (3000, 64)", 1<<(strconv.IntSize-6))},
		{[]int{3}, memmap.ErrShape, "array: 1 indexes [3] for an array of rank 2, shape (3000, 64)"},
		{[]int{1, 2, 3}, memmap.ErrShape, "array: 3 indexes [1 2 3] for an array of rank 2, shape (3000, 64)"},
		{nil, memmap.ErrShape, "array: 0 indexes [] for an array of rank 2, shape (3000, 64)"},
	} {
		check := func(what string, v any) {
			t.Helper()
			err, ok := v.(error)
			if !ok {
				t.Errorf("%s%v gave %#v, want an error (a panic for At, a result for Set)", what, tc.idx, v)
				return
			}
			if !errors.Is(err, tc.want) || err.Error() != tc.msg {
				t.Errorf("%s%v gave %q, want %q wrapping %v", what, tc.idx, err, tc.msg, tc.want)
			}
		}
		check("At", catch(func() { a.At(tc.idx...) }))
		if len(tc.idx) == 2 {
			check("At2", catch(func() { a.At2(tc.idx[0], tc.idx[1]) }))
			check("Set2", returned(func() error { return a.Set2(1, tc.idx[0], tc.idx[1]) }))
		}
		check("Set", returned(func() error { return a.Set(1, tc.idx...) }))
		_, err := a.Get(tc.idx...)
		check("Get", err)
	}
	for name, v := range map[string]any{
		"At1":  catch(func() { a.At1(0) }),
		"Set1": returned(func() error { return a.Set1(0, 0) }),
	} {
		if err, ok := v.(error); !ok || !errors.Is(err, memmap.ErrShape) {
			t.Errorf("%s on a 2-d array gave %v, want ErrShape", name, v)
		}
	}
	mustClose(t, a)
	v := catch(func() { a.At(0, 0) })
	if err, ok := v.(error); !ok || !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("At after Close panicked with %v, want ErrClosed", v)
	}
	if _, err := a.Get(0, 0); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	// A 0-d array has one element, at no index.
	z := mustCreate[int8](t, tempPath(t, "z.npy"), []int{}, nil)
	if err := z.Set(7); err != nil {
		t.Fatal(err)
	}
	if z.At() != 7 {
		t.Errorf("0-d At() = %d, want 7", z.At())
	}
	if v := catch(func() { z.At(0) }); v == nil {
		t.Error("0-d At(0) did not panic")
	}
}

func TestSetReadOnly(t *testing.T) {
	path := tempPath(t, "ro.npy")
	w := mustCreate[int16](t, path, []int{4}, nil)
	w.Set(5, 2)
	mustClose(t, w)
	before := readFile(t, path)
	{
		r := mustOpen[int16](t, path, memmap.ReadOnly)
		v := returned(func() error { return r.Set(9, 2) })
		err, ok := v.(error)
		if !ok || !errors.Is(err, memmap.ErrReadOnly) || !strings.Contains(err.Error(), "ReadOnly") {
			t.Fatalf("Set on ReadOnly gave %v, want an error wrapping ErrReadOnly", v)
		}
		if r.At(2) != 5 {
			t.Errorf("At(2) = %d after a refused Set, want 5", r.At(2))
		}
		for name, err := range map[string]error{
			"Append":   func() error { _, err := r.Append([]int16{1}...); return err }(),
			"Grow":     r.Grow(1),
			"Resize":   r.Resize(9),
			"Truncate": r.Truncate(0),
		} {
			if !errors.Is(err, memmap.ErrReadOnly) {
				t.Errorf("%s on ReadOnly: %v, want ErrReadOnly", name, err)
			}
		}
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Error("the file changed")
	}
}

// TestCopyOnWrite: Set and writes through views change memory only; the
// file is byte-identical afterwards.
func TestCopyOnWrite(t *testing.T) {
	for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		t.Run(bo.String(), func(t *testing.T) {
			path := tempPath(t, "cow.npy")
			w := mustCreate[int32](t, path, []int{10, 3}, &array.Options{ByteOrder: bo})
			npytest.ForEach(w.Shape(), func(idx []int) { w.Set(int32(val(idx)), idx...) })
			mustClose(t, w)
			before := readFile(t, path)

			c := mustOpen[int32](t, path, memmap.CopyOnWrite)
			c.Set(-1, 4, 1)
			if got := c.At(4, 1); got != -1 {
				t.Fatalf("At(4, 1) = %d after Set, want -1", got)
			}
			if d, err := c.Data(); err == nil {
				d[0] = -2
			}
			if _, err := c.Append([]int32{1, 2, 3}...); !errors.Is(err, memmap.ErrReadOnly) {
				t.Errorf("Append on CopyOnWrite: %v, want ErrReadOnly", err)
			}
			if err := c.Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
			// Another reader sees the file, not c's memory.
			r := mustOpen[int32](t, path, memmap.ReadOnly)
			if got := r.At(4, 1); got != int32(val([]int{4, 1})) {
				t.Errorf("a reader sees %d, want the file's %v", got, val([]int{4, 1}))
			}
			mustClose(t, c)
			if !bytes.Equal(readFile(t, path), before) {
				t.Error("the file changed")
			}
		})
	}
}

// TestViewsSurviveGrowth: views taken before 20 appends still read and
// write the right file bytes afterwards, also when every growth maps anew
// (Reserve < 0).
func TestViewsSurviveGrowth(t *testing.T) {
	for _, reserve := range []int64{0, -1} {
		t.Run(fmt.Sprint("reserve=", reserve), func(t *testing.T) {
			const width = 1024 // 4 KiB rows, so that appends grow the file
			path := tempPath(t, "g.npy")
			a := mustCreate[int32](t, path, []int{2, width}, &array.Options{Reserve: reserve})
			all, err := a.Data()
			if err != nil {
				t.Fatal(err)
			}
			row1, err := a.Row(1)
			if err != nil {
				t.Fatal(err)
			}
			all[5] = 105
			row1[7] = 107
			batch := make([]int32, 50*width) // 20 appends of 200 KiB each
			for i := range 20 {
				for j := range batch {
					batch[j] = int32(1000*i + j%1000)
				}
				if _, err := a.Append(batch...); err != nil {
					t.Fatalf("Append %d: %v", i, err)
				}
			}
			if a.Len() != 2+20*50 {
				t.Fatalf("Len = %d, want %d", a.Len(), 2+20*50)
			}
			now, err := a.Data()
			if err != nil {
				t.Fatal(err)
			}
			if reserve < 0 && &now[0] == &all[0] {
				t.Error("the array did not move to a new mapping: the test does not test old mappings")
			}
			// The old views read what the new mapping holds...
			a.Set(205, 0, 5)
			a.Set(207, 1, 7)
			if all[5] != 205 || row1[7] != 207 {
				t.Errorf("old views read %d, %d; want 205, 207", all[5], row1[7])
			}
			// ...and write to the file.
			all[9] = 309
			row1[11] = 311
			if a.At(0, 9) != 309 || a.At(1, 11) != 311 {
				t.Errorf("At reads %d, %d after writes through old views, want 309, 311", a.At(0, 9), a.At(1, 11))
			}
			last, err := a.Row(a.Len() - 1)
			if err != nil {
				t.Fatal(err)
			}
			last[0] = -5
			mustClose(t, a)

			d := data(t, path)
			if want := (2 + 20*50) * width * 4; len(d) != want {
				t.Fatalf("file data is %d bytes, want %d", len(d), want)
			}
			at := func(r, c int) int32 { return int32(binary.NativeEndian.Uint32(d[(r*width+c)*4:])) }
			for _, c := range []struct{ r, c, want int }{
				{0, 5, 205}, {1, 7, 207}, {0, 9, 309}, {1, 11, 311}, {2 + 20*50 - 1, 0, -5},
				{2, 0, 0}, {2 + 50, 3, 1003}, {2 + 19*50 + 1, width - 1, 19000 + (width+width-1)%1000},
			} {
				if got := at(c.r, c.c); got != int32(c.want) {
					t.Errorf("file element [%d, %d] = %d, want %d", c.r, c.c, got, c.want)
				}
			}
		})
	}
}

func TestGrowResizeTruncate(t *testing.T) {
	path := tempPath(t, "r.npy")
	a := mustCreate[uint16](t, path, []int{2, 3}, nil)
	a.Set(7, 1, 2)
	if err := a.Grow(1000); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 2 || a.Cap() < 1002 {
		t.Fatalf("after Grow(1000): Len %d, Cap %d; want 2, >= 1002", a.Len(), a.Cap())
	}
	if err := a.Grow(-1); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Grow(-1): %v, want ErrRange", err)
	}
	if err := a.Resize(5); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 5 || a.At(4, 2) != 0 || a.At(1, 2) != 7 {
		t.Fatalf("after Resize(5): Len %d, At(4, 2) %d, At(1, 2) %d", a.Len(), a.At(4, 2), a.At(1, 2))
	}
	a.Set(9, 4, 2)
	if err := a.Truncate(6); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Truncate(6) of 5: %v, want ErrRange", err)
	}
	if err := a.Truncate(2); err != nil {
		t.Fatal(err)
	}
	if v := catch(func() { a.At(4, 2) }); v == nil {
		t.Error("At(4, 2) after Truncate(2) did not panic")
	}
	// Rows regained by Resize read as zero again.
	if err := a.Resize(5); err != nil {
		t.Fatal(err)
	}
	if a.At(4, 2) != 0 {
		t.Errorf("At(4, 2) = %d after Truncate and Resize, want 0", a.At(4, 2))
	}
	if err := a.Resize(-1); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Resize(-1): %v, want ErrRange", err)
	}
	if _, err := a.Append([]uint16{1, 2}...); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Append of 2 elements to rows of 3: %v, want ErrShape", err)
	}
	if _, err := a.Append([]uint16{1, 2, 3}...); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Append(); err != nil {
		t.Errorf("Append(nil): %v", err)
	}
	mustClose(t, a)
	h, err := header.Parse(readFile(t, path), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{6, 3}, h.Shape); diff != "" {
		t.Errorf("file shape (-want +got):\n%s", diff)
	}
	if got := len(readFile(t, path)) - int(h.DataOffset); got != 6*3*2 {
		t.Errorf("closed file holds %d data bytes, want %d (no capacity)", got, 6*3*2)
	}
}

func TestFortranAppend(t *testing.T) {
	path := tempPath(t, "f.npy")
	a := mustCreate[int64](t, path, []int{2, 3, 0}, &array.Options{FortranOrder: true})
	// One row of a Fortran array is a[:, :, k]: 6 elements, i fastest.
	if _, err := a.Append([]int64{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}...); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 3, 2}, a.Shape()); diff != "" {
		t.Fatalf("Shape (-want +got):\n%s", diff)
	}
	if got := a.At(1, 2, 1); got != 15 {
		t.Errorf("At(1, 2, 1) = %d, want 15", got)
	}
	if got := a.At(1, 0, 0); got != 1 {
		t.Errorf("At(1, 0, 0) = %d, want 1", got)
	}
	if _, err := a.Row(0); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Row on a Fortran array: %v, want ErrShape", err)
	}
	if d, err := a.Data(); err != nil || len(d) != 12 || d[7] != 11 {
		t.Errorf("Data = %v, %v", d, err)
	}
}

func TestOtherByteOrder(t *testing.T) {
	path := tempPath(t, "bo.npy")
	a := mustCreate[Point](t, path, []int{0}, &array.Options{ByteOrder: otherOrder()})
	pts := []Point{{1.5, -2, 1 << 40, [3]byte{'a', 'b', 'c'}}, {3, 4, -7, [3]byte{'x'}}}
	if _, err := a.Append(pts...); err != nil {
		t.Fatal(err)
	}
	for i, p := range pts {
		if got := a.At(i); got != p {
			t.Errorf("At(%d) = %+v, want %+v", i, got, p)
		}
	}
	a.Set(Point{ID: 99}, 1)
	for name, f := range map[string]func() error{
		"Data": func() error { _, err := a.Data(); return err },
		"Row":  func() error { _, err := a.Row(0); return err },
		"Rows": func() error { _, err := a.Rows(0, 1); return err },
	} {
		if err := f(); !errors.Is(err, memmap.ErrByteOrder) {
			t.Errorf("%s on a %v file: %v, want ErrByteOrder", name, otherOrder(), err)
		}
	}
	mustClose(t, a)
	d := data(t, path)
	bo := byteOrder(otherOrder())
	size := int(unsafe.Sizeof(Point{})) // 24, or 20 where int64 is 4-aligned (386)
	if len(d) != 2*size {
		t.Fatalf("data is %d bytes, want %d", len(d), 2*size)
	}
	if got := math.Float32frombits(bo.Uint32(d[0:])); got != 1.5 {
		t.Errorf("x[0] in the file = %v, want 1.5", got)
	}
	if got := int64(bo.Uint64(d[8:])); got != 1<<40 {
		t.Errorf("id[0] in the file = %v, want 1<<40", got)
	}
	if got := string(d[16:19]); got != "abc" {
		t.Errorf("tag[0] in the file = %q, want abc", got)
	}
	if got := int64(bo.Uint64(d[size+8:])); got != 99 {
		t.Errorf("id[1] in the file = %v, want 99", got)
	}
	b := mustOpen[Point](t, path, memmap.ReadOnly)
	if got := b.At(0); got != pts[0] {
		t.Errorf("reopened At(0) = %+v, want %+v", got, pts[0])
	}
}

// TestMisaligned opens a file whose data starts at an odd offset (a valid
// header of odd length): At reads through copies, the views refuse.
func TestMisaligned(t *testing.T) {
	text := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
	text += strings.Repeat(" ", 75-10-len(text)-1) + "\n"
	var b []byte
	b = append(b, header.Magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(text)))
	b = append(b, text...)
	if len(b) != 75 {
		t.Fatalf("header is %d bytes", len(b))
	}
	for i := range 3 {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(i)+0.5))
	}
	path := testutil.WriteFile(t, b)
	a := mustOpen[float64](t, path, memmap.CopyOnWrite)
	for i := range 3 {
		if got := a.At(i); got != float64(i)+0.5 {
			t.Errorf("At(%d) = %v, want %v", i, got, float64(i)+0.5)
		}
	}
	a.Set(9, 1)
	if a.At(1) != 9 {
		t.Errorf("At(1) = %v after Set(9, 1)", a.At(1))
	}
	want := array.ErrAlign
	if layout.HostOrder() != layout.Little {
		want = memmap.ErrByteOrder // checked first
	}
	if _, err := a.Data(); !errors.Is(err, want) {
		t.Errorf("Data on misaligned data: %v, want %v", err, want)
	}
}

func TestStructRoundTrip(t *testing.T) {
	path := tempPath(t, "s.npy")
	a := mustCreate[Point](t, path, []int{2, 2}, &array.Options{Capacity: 10})
	a.Set(Point{X: 1, Y: 2, ID: 3, Tag: [3]byte{'a'}}, 1, 0)
	if _, err := a.Append([]Point{{ID: 5}, {ID: 6}}...); err != nil {
		t.Fatal(err)
	}
	rows, err := a.Rows(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].ID != 3 || rows[3].ID != 6 {
		t.Errorf("Rows(1, 3) = %+v", rows)
	}
	mustClose(t, a)
	b := mustOpen[Point](t, path, memmap.ReadWrite)
	if got := b.At(1, 0); got != (Point{X: 1, Y: 2, ID: 3, Tag: [3]byte{'a'}}) {
		t.Errorf("At(1, 0) = %+v", got)
	}
	if got := b.At(2, 1).ID; got != 6 {
		t.Errorf("At(2, 1).ID = %d, want 6", got)
	}
	// A dtype that does not match: the file holds Points, not float64s.
	if _, err := array.Open[float64](path, memmap.ReadOnly, nil); !errors.Is(err, layout.ErrDType) {
		t.Errorf("Open[float64] of a Point file: %v, want ErrDType", err)
	}
}

func TestNew(t *testing.T) {
	a, err := array.New[complex128]([]int{0, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := range 100 {
		if _, err := a.Append([]complex128{complex(float64(i), 1), complex(float64(i), 2)}...); err != nil {
			t.Fatal(err)
		}
	}
	if a.Len() != 100 || a.At(99, 1) != complex(99, 2) || a.Path() != "anonymous" {
		t.Errorf("Len %d, At(99, 1) %v, Path %q", a.Len(), a.At(99, 1), a.Path())
	}
	if err := a.Flush(); err != nil {
		t.Errorf("Flush: %v", err)
	}
	if err := a.Refresh(); err != nil {
		t.Errorf("Refresh: %v", err)
	}
}

func TestRefresh(t *testing.T) {
	path := tempPath(t, "rf.npy")
	w := mustCreate[float32](t, path, []int{1, 4}, nil)
	w.Set(1, 0, 0)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen[float32](t, path, memmap.ReadOnly)
	if _, err := w.Append(make([]float32, 4*5000)...); err != nil {
		t.Fatal(err)
	}
	w.Set(42, 5000, 3)
	if err := r.Refresh(); err != nil || r.Len() != 1 {
		t.Fatalf("before Flush: Refresh %v, Len %d; want 1", err, r.Len())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	if r.Len() != 5001 || r.At(5000, 3) != 42 || r.At(0, 0) != 1 {
		t.Errorf("after Refresh: Len %d, At(5000, 3) %v", r.Len(), r.At(5000, 3))
	}
	c := mustOpen[float32](t, path, memmap.CopyOnWrite)
	if err := c.Refresh(); !errors.Is(err, memmap.ErrUnsupported) {
		t.Errorf("Refresh on CopyOnWrite: %v, want ErrUnsupported", err)
	}
}

func TestClosed(t *testing.T) {
	a := mustCreate[int8](t, tempPath(t, "c.npy"), []int{3}, nil)
	mustClose(t, a)
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for name, err := range map[string]error{
		"Append":     func() error { _, err := a.Append([]int8{1}...); return err }(),
		"Grow":       a.Grow(1),
		"Resize":     a.Resize(1),
		"Truncate":   a.Truncate(1),
		"Flush":      a.Flush(),
		"FlushRows":  a.FlushRows(0, 1),
		"Advise":     a.Advise(memmap.Sequential),
		"AdviseRows": a.AdviseRows(0, 1, memmap.Sequential),
		"Refresh":    a.Refresh(),
		"Guard":      a.Guard(func() error { return nil }),
		"Data":       func() error { _, err := a.Data(); return err }(),
		"Row":        func() error { _, err := a.Row(0); return err }(),
	} {
		if !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	for name, v := range map[string]any{
		"Set":  returned(func() error { return a.Set(1, 0) }),
		"Set1": returned(func() error { return a.Set1(1, 0) }),
	} {
		if err, ok := v.(error); !ok || !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close gave %v, want an error wrapping ErrClosed", name, v)
		}
	}
}

func TestFlushAdviseRows(t *testing.T) {
	a := mustCreate[float64](t, tempPath(t, "fa.npy"), []int{100, 10}, nil)
	if err := a.FlushRows(10, 20); err != nil {
		t.Errorf("FlushRows: %v", err)
	}
	if err := a.FlushRows(10, 101); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("FlushRows past the end: %v, want ErrRange", err)
	}
	if err := a.AdviseRows(0, 100, memmap.Sequential); err != nil {
		t.Errorf("AdviseRows: %v", err)
	}
	if err := a.AdviseRows(5, 4, memmap.Sequential); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("AdviseRows(5, 4): %v, want ErrRange", err)
	}
	if err := a.Advise(memmap.Random); err != nil {
		t.Errorf("Advise: %v", err)
	}
	if _, err := a.Rows(3, 101); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Rows(3, 101): %v, want ErrRange", err)
	}
	if _, err := a.Row(-1); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("Row(-1): %v, want ErrRange", err)
	}
	if r, err := a.Rows(4, 4); err != nil || len(r) != 0 {
		t.Errorf("Rows(4, 4) = %v, %v; want empty", r, err)
	}
}

func TestCreateErrors(t *testing.T) {
	dir := testutil.TempDir(t)
	if _, err := array.Create[float32](filepath.Join(dir, "neg.npy"), []int{2, -1}, nil); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("negative dim: %v, want ErrShape", err)
	}
	if _, err := array.Create[float32](filepath.Join(dir, "bo.npy"), []int{2}, &array.Options{ByteOrder: layout.Mixed}); !errors.Is(err, memmap.ErrByteOrder) {
		t.Errorf("ByteOrder Mixed: %v, want ErrByteOrder", err)
	}
	type bad struct {
		A float32
		N int
	}
	_, err := array.Create[bad](filepath.Join(dir, "t.npy"), []int{2}, nil)
	if !errors.Is(err, layout.ErrType) || !strings.Contains(err.Error(), "N") {
		t.Errorf("struct with an int field: %v, want ErrType naming N", err)
	}
	if _, err := array.New[string]([]int{1}, nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("New[string]: %v, want ErrType", err)
	}
	if _, err := array.Open[int](filepath.Join(dir, "x.npy"), memmap.ReadOnly, nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("Open[int]: %v, want ErrType", err)
	}
	z := mustCreate[int32](t, filepath.Join(dir, "z.npy"), []int{}, nil)
	if _, err := z.Append([]int32{1}...); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Append to a 0-d array: %v, want ErrShape", err)
	}
}

// TestConcurrentAccess: like a slice, an array may be read everywhere and
// written at distinct elements from many goroutines at once (run with
// -race).
func TestConcurrentAccess(t *testing.T) {
	a := mustCreate[int64](t, tempPath(t, "cc.npy"), []int{8, 100}, nil)
	done := make(chan int64)
	for g := range 8 {
		go func() {
			var sum int64
			for j := range 100 {
				a.Set2(int64(g*1000+j), g, j)
				sum += a.At(0, j) + a.At2(7, 99-j)
			}
			done <- sum
		}()
	}
	for range 8 {
		<-done
	}
	for g := range 8 {
		for j := range 100 {
			if got := a.At(g, j); got != int64(g*1000+j) {
				t.Fatalf("At(%d, %d) = %d, want %d", g, j, got, g*1000+j)
			}
		}
	}
}

// TestAllocs: At, Get, Set, Row and Append without growth allocate nothing,
// for ranks 1 to 3, in both byte orders.
func TestAllocs(t *testing.T) {
	for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		for _, shape := range [][]int{{64}, {8, 8}, {4, 4, 4}} {
			t.Run(fmt.Sprint(bo, shape), func(t *testing.T) {
				a := mustCreate[float64](t, tempPath(t, "al.npy"), shape, &array.Options{ByteOrder: bo, Capacity: 1000})
				idx := make([]int, len(shape))
				for k := range idx {
					idx[k] = shape[k] - 1
				}
				var sink float64
				check := func(name string, fn func()) {
					t.Helper()
					if n := testing.AllocsPerRun(100, fn); n != 0 {
						t.Errorf("%s: %v allocations, want 0", name, n)
					}
				}
				switch len(shape) {
				case 1:
					check("At1", func() { sink += a.At1(3) })
					check("Set1", func() { a.Set1(1.5, 3) })
					check("At", func() { sink += a.At(3) })
					check("Set", func() { a.Set(1.5, 3) })
					check("Get", func() { v, _ := a.Get(3); sink += v })
				case 2:
					check("At2", func() { sink += a.At2(3, 4) })
					check("Set2", func() { a.Set2(1.5, 3, 4) })
					check("At", func() { sink += a.At(3, 4) })
					check("Set", func() { a.Set(1.5, 3, 4) })
					check("Get", func() { v, _ := a.Get(3, 4); sink += v })
				case 3:
					check("At", func() { sink += a.At(3, 2, 1) })
					check("Set", func() { a.Set(1.5, 3, 2, 1) })
					check("Get", func() { v, _ := a.Get(3, 2, 1); sink += v })
				}
				check("At(idx...)", func() { sink += a.At(idx...) })
				check("Set(idx...)", func() { a.Set(2.5, idx...) })
				if bo == layout.HostOrder() {
					check("Row", func() {
						r, _ := a.Row(1)
						sink += r[0]
					})
				}
				row := make([]float64, a.Size()/a.Len())
				check("Append", func() {
					if _, err := a.Append(row...); err != nil {
						t.Fatal(err)
					}
				})
				if a.At(idx...) != 2.5 {
					t.Errorf("At%v = %v, want 2.5", idx, a.At(idx...))
				}
				_ = sink
			})
		}
	}
}

// BenchmarkAt compares At with the fast forms At1 and At2 and with a
// range over the Data view, reading every element of 64000 int32s:
//
//	go test -run XXX -bench BenchmarkAt -count 5 ./array
func BenchmarkAt(b *testing.B) {
	a2, err := array.New[int32]([]int{1000, 64}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer a2.Close()
	a1, err := array.New[int32]([]int{64000}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer a1.Close()
	var s int32
	b.Run("1d/At", func(b *testing.B) {
		for b.Loop() {
			for i := range 64000 {
				s += a1.At(i)
			}
		}
	})
	b.Run("1d/At1", func(b *testing.B) {
		for b.Loop() {
			for i := range 64000 {
				s += a1.At1(i)
			}
		}
	})
	b.Run("2d/At", func(b *testing.B) {
		for b.Loop() {
			for i := range 1000 {
				for j := range 64 {
					s += a2.At(i, j)
				}
			}
		}
	})
	b.Run("2d/At2", func(b *testing.B) {
		for b.Loop() {
			for i := range 1000 {
				for j := range 64 {
					s += a2.At2(i, j)
				}
			}
		}
	})
	b.Run("3d/At", func(b *testing.B) {
		a3, err := array.New[int32]([]int{100, 10, 64}, nil)
		if err != nil {
			b.Fatal(err)
		}
		defer a3.Close()
		for b.Loop() {
			for i := range 100 {
				for j := range 10 {
					for k := range 64 {
						s += a3.At(i, j, k)
					}
				}
			}
		}
	})
	b.Run("Data", func(b *testing.B) {
		d, err := a2.Data()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			for _, x := range d {
				s += x
			}
		}
	})
	_ = s
}

// TestFastPaths: the fast views of At1/At2/Set1/Set2 follow growth,
// truncation and Close, and are not used where they would be wrong.
func TestFastPaths(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "fast.npy")
	a := mustCreate[int64](t, path, []int{4}, nil)
	a.Set1(7, 3)
	if _, err := a.Append([]int64{8, 9}...); err != nil {
		t.Fatal(err)
	}
	if a.At1(3) != 7 || a.At1(5) != 9 || a.At(4) != 8 {
		t.Fatalf("after Append: %d %d %d, want 7 9 8", a.At1(3), a.At1(5), a.At(4))
	}
	a.Set(10, 5)
	if a.At1(5) != 10 {
		t.Fatalf("Set(10, 5) then At1(5) = %d", a.At1(5))
	}
	if err := a.Truncate(4); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{4, 5, -1, math.MaxInt} {
		if err, ok := catch(func() { a.At1(i) }).(error); !ok || !errors.Is(err, memmap.ErrRange) {
			t.Errorf("At1(%d) after Truncate(4) panicked with %v, want ErrRange", i, err)
		}
		if v := returned(func() error { return a.Set1(1, i) }); !isErr(v, memmap.ErrRange) {
			t.Errorf("Set1(%d) after Truncate(4) gave %v, want ErrRange", i, v)
		}
	}
	mustClose(t, a)
	if err, ok := catch(func() { a.At1(0) }).(error); !ok || !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("At1 after Close panicked with %v, want ErrClosed", err)
	}
	r := mustOpen[int64](t, path, memmap.ReadOnly)
	if r.At1(3) != 7 {
		t.Fatalf("reopened: At1(3) = %d, want 7", r.At1(3))
	}
	if v := returned(func() error { return r.Set1(1, 0) }); !isErr(v, memmap.ErrReadOnly) {
		t.Errorf("Set1 on a read-only array gave %v, want ErrReadOnly", v)
	}
	if v := returned(func() error { return r.Set(1, 0) }); !isErr(v, memmap.ErrReadOnly) {
		t.Errorf("Set on a read-only array gave %v, want ErrReadOnly", v)
	}
	// A Fortran-order 2-d array takes the strided path: a[i, j].
	f := mustCreate[int32](t, filepath.Join(testutil.TempDir(t), "f.npy"), []int{2, 3}, &array.Options{FortranOrder: true})
	f.Set2(5, 1, 0) // element 1 in column-major order
	d, err := f.Data()
	if err != nil {
		t.Fatal(err)
	}
	if d[1] != 5 || f.At2(1, 0) != 5 || f.At2(0, 1) != 0 {
		t.Fatalf("Fortran a[1, 0] = 5 gave data %v, At2(1, 0) %d", d, f.At2(1, 0))
	}
}
