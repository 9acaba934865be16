package array_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// fortranIdx are the indexes along axis 0 that TestFortranNumPy takes:
// in any order, with a repeat.
var fortranIdx = []int{19, 0, 7, 7, 3, 12}

// numpyFortran writes Fortran-order arrays as a NumPy user makes them (a
// .npy file of an F-contiguous array, and an np.memmap with order="F"),
// and prints, for each, NumPy's len(a) and a[idx].ravel() for the
// indexes in argv[2].
const numpyFortran = `
import json, os, sys
import numpy as np
d = sys.argv[1]
idx = json.loads(sys.argv[2])
out = {}
def put(name, a):
    out[name] = {"len": len(a), "shape": list(a.shape), "fortran": bool(a.flags.f_contiguous),
                 "take": np.asarray(a[idx]).ravel().astype(np.float64).tolist()}
f2 = np.asfortranarray(np.arange(1000 * 3, dtype="<f8").reshape(1000, 3) * 0.5)
np.save(os.path.join(d, "f2.npy"), f2)
put("f2", f2)
f3 = np.asfortranarray((np.arange(20 * 4 * 5, dtype="<i4") * 3 - 100).reshape(20, 4, 5))
np.save(os.path.join(d, "f3.npy"), f3)
put("f3", f3)
be = np.asfortranarray((np.arange(20 * 4 * 5) - 50).reshape(20, 4, 5).astype(">i4"))
np.save(os.path.join(d, "be3.npy"), be)
put("be3", be)
m = np.memmap(os.path.join(d, "f2.dat"), dtype="<f8", mode="w+", shape=(1000, 3), order="F")
m[:] = np.arange(1000 * 3).reshape(1000, 3) + 0.25
m.flush()
put("raw", m)
print(json.dumps(out))
`

// TestFortranNumPy: for Fortran-order files that NumPy writes (.npy and
// an np.memmap with order="F", of shape (1000, 3), and of rank 3 in both
// byte orders), Len is NumPy's len(a) and Take(idx) gives what NumPy's
// a[idx] gives, raveled; the growth axis stays the last one.
func TestFortranNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	idx, _ := json.Marshal(fortranIdx)
	out := testutil.RunPython(t, numpyFortran, dir, string(idx))
	var np map[string]struct {
		Len     int
		Shape   []int
		Fortran bool
		Take    []float64
	}
	if err := json.Unmarshal(out, &np); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	check := func(name string, a interface {
		Len() int
		Shape() []int
		FortranOrder() bool
		Cap() int
	}, take func(idx []int, n int) ([]float64, error)) {
		t.Helper()
		want := np[name]
		if !want.Fortran || !a.FortranOrder() {
			t.Fatalf("%s: FortranOrder %v, NumPy's f_contiguous %v", name, a.FortranOrder(), want.Fortran)
		}
		if a.Len() != want.Len || !slices.Equal(a.Shape(), want.Shape) {
			t.Errorf("%s: Len %d, Shape %v; NumPy's len %d, shape %v", name, a.Len(), a.Shape(), want.Len, want.Shape)
		}
		if last := want.Shape[len(want.Shape)-1]; a.Cap() < last {
			t.Errorf("%s: Cap %d, fewer than the %d rows along the growth axis", name, a.Cap(), last)
		}
		got, err := take(fortranIdx, len(want.Take))
		if err != nil {
			t.Fatalf("%s: Take: %v", name, err)
		}
		if diff := cmp.Diff(want.Take, got); diff != "" {
			t.Errorf("%s: Take(%v) differs from NumPy's a[idx].ravel() (-numpy +go):\n%s", name, fortranIdx, diff)
		}
	}
	f2 := mustOpen[float64](t, filepath.Join(dir, "f2.npy"), memmap.ReadOnly)
	check("f2", f2, func(idx []int, n int) ([]float64, error) {
		dst := make([]float64, n)
		return dst, f2.Take(idx, dst)
	})
	for _, name := range []string{"f3", "be3"} {
		a := mustOpen[int32](t, filepath.Join(dir, name+".npy"), memmap.ReadOnly)
		if want := map[string]layout.ByteOrder{"f3": layout.Little, "be3": layout.Big}[name]; a.ByteOrder() != want {
			t.Errorf("%s: ByteOrder %v, want %v", name, a.ByteOrder(), want)
		}
		check(name, a, func(idx []int, n int) ([]float64, error) {
			dst := make([]int32, n)
			err := a.Take(idx, dst)
			f := make([]float64, n)
			for k, v := range dst {
				f[k] = float64(v)
			}
			return f, err
		})
	}
	raw, err := array.OpenRaw[float64](filepath.Join(dir, "f2.dat"), memmap.ReadOnly, []int{1000, -1}, &array.Options{FortranOrder: true, ByteOrder: layout.Little})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	check("raw", raw, func(idx []int, n int) ([]float64, error) {
		dst := make([]float64, n)
		return dst, raw.Take(idx, dst)
	})
}

// TestFortranVerbs: in Fortran order, Len and Take count along axis 0,
// and the verbs that count rows count them along the growth axis, the
// last: Cap, Append, Grow, Resize, Truncate, All, Slice, FlushRows and
// AdviseRows.
func TestFortranVerbs(t *testing.T) {
	a := mustCreate[int32](t, tempPath(t, "f.npy"), []int{1000, 3}, &array.Options{FortranOrder: true})
	if a.Len() != 1000 || a.Cap() != 3 {
		t.Fatalf("Len %d, Cap %d; want 1000 (NumPy's len) and 3 (rows along the last axis)", a.Len(), a.Cap())
	}
	col := make([]int32, 1000)
	for i := range col {
		col[i] = int32(i)
	}
	first, err := a.Append(col...) // one row along the growth axis: a[:, 3]
	if err != nil || first != 3 {
		t.Fatalf("Append of one column: first %d, %v; want 3, nil", first, err)
	}
	if got := a.Shape(); a.Len() != 1000 || !slices.Equal(got, []int{1000, 4}) {
		t.Errorf("after Append: Len %d, Shape %v; want 1000, [1000 4]", a.Len(), got)
	}
	if _, err := a.Append(col[:999]...); err == nil {
		t.Error("Append of 999 elements to rows of 1000 succeeded")
	}
	if err := a.Grow(10); err != nil || a.Cap() < 14 {
		t.Errorf("Grow(10): %v, Cap %d; want at least 14", err, a.Cap())
	}
	if err := a.Resize(6); err != nil || !slices.Equal(a.Shape(), []int{1000, 6}) {
		t.Errorf("Resize(6): %v, Shape %v", err, a.Shape())
	}
	if err := a.Truncate(4); err != nil || !slices.Equal(a.Shape(), []int{1000, 4}) {
		t.Errorf("Truncate(4): %v, Shape %v", err, a.Shape())
	}
	rows := 0
	for i, row := range a.All() {
		if len(row) != 1000 {
			t.Fatalf("All row %d has %d elements, want 1000", i, len(row))
		}
		rows++
	}
	if rows != 4 {
		t.Errorf("All yielded %d rows, want 4 (along the last axis)", rows)
	}
	s, err := a.Slice(3, 4)
	if err != nil || !slices.Equal(s.Shape(), []int{1000, 1}) || s.Len() != 1000 {
		t.Fatalf("Slice(3, 4): %v, Shape %v, Len %d", err, s.Shape(), s.Len())
	}
	dst := make([]int32, 3)
	if err := s.Take([]int{999, 0, 5}, dst); err != nil || !slices.Equal(dst, []int32{999, 0, 5}) {
		t.Errorf("Take of the appended column's slice: %v, %v; want [999 0 5]", dst, err)
	}
	if err := a.FlushRows(0, 4); err != nil {
		t.Errorf("FlushRows(0, 4): %v", err)
	}
	if err := a.FlushRows(0, 5); err == nil {
		t.Error("FlushRows(0, 5) past the 4 rows along the growth axis succeeded")
	}
	if err := a.AdviseRows(0, 4, memmap.Random); err != nil {
		t.Errorf("AdviseRows(0, 4): %v", err)
	}
	// Take checks its indexes along axis 0.
	if err := a.Take([]int{1000}, make([]int32, 4)); err == nil {
		t.Error("Take([1000]) of 1000 rows along axis 0 succeeded")
	}
	if err := a.Take([]int{999}, make([]int32, 3)); err == nil {
		t.Error("Take of a 4-element row into 3 elements succeeded")
	}
	mustClose(t, a)
}

// TestTakeFortranAllocs: the strided gather of a Fortran-order array
// allocates nothing, in both byte orders, and for a slice.
func TestTakeFortranAllocs(t *testing.T) {
	for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		t.Run(fmt.Sprint(bo), func(t *testing.T) {
			a := mustCreate[float64](t, tempPath(t, "fa.npy"), []int{1000, 3, 2}, &array.Options{FortranOrder: true, ByteOrder: bo})
			idx := make([]int, 100)
			for k := range idx {
				idx[k] = (k * 7919) % 1000
			}
			dst := make([]float64, 6*len(idx))
			s, err := a.Slice(1, 2)
			if err != nil {
				t.Fatal(err)
			}
			for name, x := range map[string]*array.Array[float64]{"array": a, "slice": s} {
				if n := testing.AllocsPerRun(20, func() {
					if err := x.Take(idx, dst); err != nil {
						t.Fatal(err)
					}
				}); n != 0 {
					t.Errorf("Take of a Fortran-order %s: %v allocations, want 0", name, n)
				}
			}
			mustClose(t, a)
		})
	}
}
