package array_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestCopyToFrom copies in bulk to and from arrays in the host's order,
// the other order and Fortran order, and checks the values against At,
// the counts against copy's, and the errors.
func TestCopyToFrom(t *testing.T) {
	for _, opt := range []*array.Options{nil, {ByteOrder: otherOrder()}, {FortranOrder: true}} {
		a := mustCreate[int32](t, tempPath(t, "c.npy"), []int{6, 1000}, opt)
		src := make([]int32, 6000)
		for i := range src {
			src[i] = int32(i*7 - 3000)
		}
		if n, err := a.CopyFrom(src, 0); n != 6000 || err != nil {
			t.Fatalf("%+v: CopyFrom = %d, %v", opt, n, err)
		}
		// Element k of Data's order is At of the matching indexes.
		for _, k := range []int{0, 1, 999, 1000, 5999} {
			i, j := k/1000, k%1000
			if opt != nil && opt.FortranOrder {
				i, j = k%6, k/6
			}
			if got := a.At(i, j); got != src[k] {
				t.Fatalf("%+v: element %d (At(%d, %d)) = %d, want %d", opt, k, i, j, got, src[k])
			}
		}
		dst := make([]int32, 10)
		if n, err := a.CopyTo(dst, 5995); n != 5 || err != nil || !slices.Equal(dst[:5], src[5995:]) {
			t.Errorf("%+v: CopyTo at the end = %d, %v, %v", opt, n, err, dst[:5])
		}
		if n, err := a.CopyFrom([]int32{1, 2, 3}, 5999); n != 1 || err != nil || a.At(5, 999) != 1 && (opt == nil || !opt.FortranOrder) {
			t.Errorf("%+v: CopyFrom at the end = %d, %v", opt, n, err)
		}
		if n, err := a.CopyTo(dst, 6000); n != 0 || err != nil {
			t.Errorf("%+v: CopyTo at Size() = %d, %v; want 0, nil", opt, n, err)
		}
		for _, at := range []int{-1, 6001} {
			if _, err := a.CopyTo(dst, at); !errors.Is(err, memmap.ErrRange) {
				t.Errorf("CopyTo(%d): %v, want ErrRange", at, err)
			}
			if _, err := a.CopyFrom(dst, at); !errors.Is(err, memmap.ErrRange) {
				t.Errorf("CopyFrom(%d): %v, want ErrRange", at, err)
			}
		}
		path := a.Path()
		mustClose(t, a)
		if _, err := a.CopyTo(dst, 0); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("CopyTo after Close: %v", err)
		}
		r := mustOpen[int32](t, path, memmap.ReadOnly)
		if _, err := r.CopyFrom(dst, 0); !errors.Is(err, memmap.ErrReadOnly) {
			t.Errorf("CopyFrom on a ReadOnly array: %v, want ErrReadOnly", err)
		}
		all := make([]int32, 7000)
		if n, err := r.CopyTo(all, 0); n != 6000 || err != nil || !slices.Equal(all[:5999], src[:5999]) {
			t.Errorf("%+v: reopened CopyTo = %d, %v", opt, n, err)
		}
		mustClose(t, r)
	}
}

// TestSlice: a slice shares the mapping (Set through either is seen by
// the other), starts its indexes at 0, refuses to change its length, and
// gives the same rows through every accessor, in both orders.
func TestSlice(t *testing.T) {
	for _, opt := range []*array.Options{nil, {ByteOrder: otherOrder()}} {
		a := mustCreate[float64](t, tempPath(t, "s.npy"), []int{100, 3}, opt)
		for i := range 100 {
			for j := range 3 {
				a.Set(float64(i*10+j), i, j)
			}
		}
		s, err := a.Slice(10, 20)
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != 10 || !slices.Equal(s.Shape(), []int{10, 3}) || s.Cap() != 10 {
			t.Fatalf("slice Len %d Shape %v Cap %d", s.Len(), s.Shape(), s.Cap())
		}
		if s.At(0, 0) != 100 || s.At2(9, 2) != 192 {
			t.Errorf("slice At(0, 0) = %v, At2(9, 2) = %v", s.At(0, 0), s.At2(9, 2))
		}
		if _, err := s.Get(10, 0); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("slice Get(10, 0): %v, want ErrRange", err)
		}
		s.Set(-1, 5, 1)
		if a.At(15, 1) != -1 {
			t.Errorf("Set through the slice not seen by the array: %v", a.At(15, 1))
		}
		a.Set(-2, 19, 0)
		if s.At(9, 0) != -2 {
			t.Errorf("Set through the array not seen by the slice: %v", s.At(9, 0))
		}
		take := make([]float64, 6)
		if err := s.Take([]int{9, 0}, take); err != nil || !slices.Equal(take, []float64{-2, 191, 192, 100, 101, 102}) {
			t.Errorf("slice Take: %v, %v", take, err)
		}
		if err := s.Take([]int{10}, take); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("slice Take past its end: %v, want ErrRange", err)
		}
		got := make([]float64, 30)
		if n, err := s.CopyTo(got, 0); n != 30 || err != nil || got[0] != 100 || got[29] != 192 {
			t.Errorf("slice CopyTo: %d, %v, %v", n, err, got)
		}
		if opt == nil {
			d, err := s.Data()
			if err != nil || len(d) != 30 || d[0] != 100 || d[29] != 192 {
				t.Errorf("slice Data: %v, %v", d, err)
			}
			r, err := s.Rows(1, 2)
			if err != nil || !slices.Equal(r, []float64{110, 111, 112}) {
				t.Errorf("slice Rows(1, 2): %v, %v", r, err)
			}
		}
		ss, err := s.Slice(2, 4)
		if err != nil || ss.At(0, 0) != 120 || ss.Len() != 2 {
			t.Errorf("slice of a slice: %v", err)
		}
		rows := 0
		for i, row := range s.All() {
			if len(row) != 3 || row[2] != float64((10+i)*10+2) {
				t.Errorf("slice All: row %d = %v", i, row)
			}
			rows++
		}
		if rows != 10 {
			t.Errorf("slice All yielded %d rows", rows)
		}
		for name, err := range map[string]error{
			"Append":   func() error { _, err := s.Append(make([]float64, 3)...); return err }(),
			"Grow":     s.Grow(1),
			"Resize":   s.Resize(5),
			"Truncate": s.Truncate(5),
			"Refresh":  s.Refresh(),
		} {
			if !errors.Is(err, memmap.ErrShape) {
				t.Errorf("slice %s: %v, want ErrShape", name, err)
			}
		}
		if err := s.FlushRows(0, 11); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("slice FlushRows past its end: %v", err)
		}
		if err := s.Flush(); err != nil {
			t.Errorf("slice Flush: %v", err)
		}
		for _, r := range [][2]int{{-1, 2}, {5, 4}, {0, 101}} {
			if _, err := a.Slice(r[0], r[1]); !errors.Is(err, memmap.ErrRange) {
				t.Errorf("Slice(%d, %d): %v, want ErrRange", r[0], r[1], err)
			}
		}
		if err := s.Close(); err != nil || a.At(0, 0) != 0 {
			t.Errorf("slice Close: %v; the array must stay open", err)
		}
		s2, _ := a.Slice(0, 1)
		mustClose(t, a)
		if _, err := s2.CopyTo(got, 0); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("slice CopyTo after the array's Close: %v, want ErrClosed", err)
		}
		if _, err := s2.Data(); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("slice Data after the array's Close: %v, want ErrClosed", err)
		}
	}
	z := mustCreate[int8](t, tempPath(t, "z.npy"), []int{}, nil)
	if _, err := z.Slice(0, 1); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Slice of a 0-d array: %v, want ErrShape", err)
	}
}

// TestAllRows iterates over the rows of C- and Fortran-order arrays, in
// both byte orders: the row of index i is the i-th run of elements of
// Data's order (the rows along the growth axis follow one another), which
// for a C-order array is also what Take returns for index i; a loop over
// All of a closed array panics with ErrClosed, as record.File.All does.
func TestAllRows(t *testing.T) {
	for _, opt := range []*array.Options{nil, {FortranOrder: true}, {ByteOrder: otherOrder()}, {FortranOrder: true, ByteOrder: otherOrder()}} {
		a := mustCreate[uint16](t, tempPath(t, "a.npy"), []int{4, 5}, opt)
		src := make([]uint16, 20)
		for i := range src {
			src[i] = uint16(i * 300)
		}
		a.CopyFrom(src, 0)
		rows := 4 // along the growth axis
		if a.FortranOrder() {
			rows = 5
		}
		n := 0
		want := make([]uint16, 20)
		for i, row := range a.All() {
			k := 20 / rows
			if !slices.Equal(row, src[i*k:(i+1)*k]) {
				t.Errorf("%+v: All row %d = %v, want %v", opt, i, row, src[i*k:(i+1)*k])
			}
			if !a.FortranOrder() {
				if err := a.Take([]int{i}, want); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(row, want[:len(row)]) {
					t.Errorf("%+v: All row %d = %v, Take gives %v", opt, i, row, want)
				}
			}
			n++
		}
		if n != rows {
			t.Errorf("%+v: All yielded %d rows, want %d", opt, n, rows)
		}
		for range a.All() {
			break // stopping early must not panic
		}
		mustClose(t, a)
		v := catch(func() {
			for range a.All() {
				t.Fatal("All after Close yielded a row")
			}
		})
		if err, ok := v.(error); !ok || !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%+v: All after Close panicked with %v, want an error wrapping ErrClosed", opt, v)
		}
	}
}

// TestSave writes arrays in one call, replacing a file only when the new
// one is complete; NumPy loads what it writes.
func TestSave(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "s.npy")
	data := []float32{1, 2, 3, 4, 5, 6}
	if err := array.Save(path, data, []int{2, 3}, nil); err != nil {
		t.Fatal(err)
	}
	a := mustOpen[float32](t, path, memmap.ReadOnly)
	if !slices.Equal(a.Shape(), []int{2, 3}) || a.At(1, 2) != 6 {
		t.Errorf("Save: shape %v, a[1, 2] = %v", a.Shape(), a.At(1, 2))
	}
	mustClose(t, a)
	before := readFile(t, path)
	if err := array.Save(path, data, []int{4, 2}, nil); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Save with a shape of 8 elements for 6: %v, want ErrShape", err)
	}
	if err := array.Save(path, []struct{ P *int }{{}}, nil, nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("Save of a type without a dtype: %v, want ErrType", err)
	}
	if string(readFile(t, path)) != string(before) {
		t.Error("a failed Save changed the file")
	}
	if err := array.Save(path, data, nil, &array.Options{ByteOrder: otherOrder()}); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("Save left %d files in its directory, want 1", len(ents))
	}
	testutil.NumPy(t)
	out := testutil.RunPython(t, `
import sys, json
import numpy as np
a = np.load(sys.argv[1])
print(json.dumps({"shape": list(a.shape), "values": [float(x) for x in a]}))
`, path)
	var got struct {
		Shape  []int
		Values []float64
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if !slices.Equal(got.Shape, []int{6}) || !slices.Equal(got.Values, []float64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("NumPy loads %+v", got)
	}
}

// bigElem is an element bigger than CopyFrom's 4 KiB swap buffer.
type bigElem struct {
	V [600]float64 `npy:"v"`
}

// TestCopyFromBigElements: CopyFrom swaps elements bigger than its stack
// buffer (one at a time, through a pooled buffer) into a file of the other
// byte order, and CopyTo reads them back.
func TestCopyFromBigElements(t *testing.T) {
	a := mustCreate[bigElem](t, tempPath(t, "big.npy"), []int{3}, &array.Options{ByteOrder: otherOrder()})
	src := make([]bigElem, 3)
	for i := range src {
		for j := range src[i].V {
			src[i].V[j] = float64(i*1000+j) + 0.5
		}
	}
	if n, err := a.CopyFrom(src, 0); n != 3 || err != nil {
		t.Fatalf("CopyFrom = %d, %v", n, err)
	}
	if got := a.At(2).V[599]; got != 2599.5 {
		t.Errorf("At(2).V[599] = %v, want 2599.5", got)
	}
	back := make([]bigElem, 3)
	if n, err := a.CopyTo(back, 0); n != 3 || err != nil || back[1] != src[1] || back[2] != src[2] {
		t.Errorf("CopyTo = %d, %v; values differ", n, err)
	}
}
