package array_test

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// Rec has the same layout on 32- and 64-bit hosts (no 8-byte field after
// a 4-byte-aligned gap that 386 would close), with a padding gap after A:
// NumPy's np.dtype(recDType, align=True).
type Rec struct {
	A   int16   `npy:"a"`
	B   float32 `npy:"b"`
	C   float64 `npy:"c"`
	Tag [4]byte `npy:"tag"`
	D   int32   `npy:"d"`
}

const recDType = `[('a', '<i2'), ('b', '<f4'), ('c', '<f8'), ('tag', 'S4'), ('d', '<i4')]`

func recAt(i int) Rec {
	return Rec{A: int16(i - 50), B: float32(i) / 4, C: float64(i)*1e10 + 0.5, Tag: [4]byte{'t', byte('a' + i%26)}, D: int32(i * 1000)}
}

// emb is the value of element [i, j] of the embeddings test array: exact
// in float32 and in float64.
func emb(i, j int) float32 { return float32(i*64+j)*0.5 - 1000 }

// TestNumPyLoadsGoArray: Go creates a (1000, 64) float32 array, appends in
// three batches to (3000, 64), closes; NumPy np.load(mmap_mode="r") sees
// that shape and equal values, and no trailing bytes.
func TestNumPyLoadsGoArray(t *testing.T) {
	testutil.NumPy(t)
	path := tempPath(t, "emb.npy")
	a := mustCreate[float32](t, path, []int{1000, 64}, nil)
	for i := range 1000 {
		for j := range 64 {
			a.Set2(emb(i, j), i, j)
		}
	}
	next := 1000
	for _, k := range []int{667, 667, 666} {
		batch := make([]float32, 0, k*64)
		for i := next; i < next+k; i++ {
			for j := range 64 {
				batch = append(batch, emb(i, j))
			}
		}
		if _, err := a.Append(batch...); err != nil {
			t.Fatalf("Append(%d rows): %v", k, err)
		}
		next += k
	}
	if diff := cmp.Diff([]int{3000, 64}, a.Shape()); diff != "" {
		t.Fatalf("Shape (-want +got):\n%s", diff)
	}
	mustClose(t, a)

	out := testutil.RunPython(t, `
import json, os, sys
import numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
want = (np.arange(3000 * 64, dtype=np.float64) * 0.5 - 1000).astype(np.float32).reshape(3000, 64)
print(json.dumps({
    "shape": list(a.shape),
    "dtype": a.dtype.str,
    "equal": bool(np.array_equal(a, want)),
    "values": [float(a[0, 0]), float(a[999, 63]), float(a[1000, 0]), float(a[2999, 63])],
    "slack": os.path.getsize(sys.argv[1]) - a.offset - a.nbytes,
}))
`, path)
	var got struct {
		Shape  []int
		DType  string
		Equal  bool
		Values []float64
		Slack  int
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	wantDType := "<f4"
	if layout.HostOrder() == layout.Big {
		wantDType = ">f4"
	}
	if diff := cmp.Diff([]int{3000, 64}, got.Shape); diff != "" || got.DType != wantDType {
		t.Errorf("NumPy sees shape %v dtype %s, want (3000, 64) %s", got.Shape, got.DType, wantDType)
	}
	if !got.Equal {
		t.Error("NumPy sees other values than Go wrote")
	}
	if diff := cmp.Diff([]float64{float64(emb(0, 0)), float64(emb(999, 63)), float64(emb(1000, 0)), float64(emb(2999, 63))}, got.Values); diff != "" {
		t.Errorf("NumPy's values (-want +got):\n%s", diff)
	}
	if got.Slack != 0 {
		t.Errorf("the file has %d bytes past the data, want 0", got.Slack)
	}
}

// TestNumPyLoadsGoStructs: a structured array Go writes (with padding, in
// both byte orders) loads in NumPy with equal fields.
func TestNumPyLoadsGoStructs(t *testing.T) {
	testutil.NumPy(t)
	for _, bo := range []layout.ByteOrder{layout.Little, layout.Big} {
		t.Run(bo.String(), func(t *testing.T) {
			path := tempPath(t, "rec.npy")
			a := mustCreate[Rec](t, path, []int{0}, &array.Options{ByteOrder: bo})
			for i := range 100 {
				if _, err := a.Append([]Rec{recAt(i)}...); err != nil {
					t.Fatal(err)
				}
			}
			mustClose(t, a)
			out := testutil.RunPython(t, `
import json, sys
import numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
dt = np.dtype(eval(sys.argv[2]), align=True)
if sys.argv[3] == ">":
    dt = dt.newbyteorder(">")
assert a.dtype == dt, (a.dtype, dt)
i = np.arange(100)
ok = (a.shape == (100,) and np.array_equal(a["a"], i - 50) and np.array_equal(a["b"], (i / 4).astype("f4"))
      and np.array_equal(a["c"], i * 1e10 + 0.5) and np.array_equal(a["d"], i * 1000)
      and all(a["tag"][k] == b"t" + bytes([ord("a") + k % 26]) for k in range(100)))
print(json.dumps({"ok": bool(ok), "itemsize": a.dtype.itemsize}))
`, path, recDType, bo.String())
			var got struct {
				OK       bool
				Itemsize int
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("python output %q: %v", out, err)
			}
			if !got.OK || got.Itemsize != 24 {
				t.Errorf("NumPy sees other records (itemsize %d): %s", got.Itemsize, out)
			}
		})
	}
}

// numpyFiles writes, with NumPy, the files TestGoReadsNumPy reads, and
// returns their strides.
const numpyWrite = `
import json, os, sys
import numpy as np
d = sys.argv[1]
out = {}
f3 = np.asfortranarray((np.arange(5 * 7 * 3, dtype="<i2") * 3 - 100).reshape(5, 7, 3))
np.save(os.path.join(d, "f3.npy"), f3)
f2 = np.asfortranarray((np.arange(6 * 4, dtype="<i2") - 7).reshape(6, 4))
np.save(os.path.join(d, "f2.npy"), f2)
be = (np.arange(4 * 6, dtype=np.float64) + 0.125).reshape(4, 6).astype(">f8")
np.save(os.path.join(d, "be.npy"), be)
i = np.arange(100)
rec = np.zeros(100, dtype=np.dtype(eval(sys.argv[2]), align=True))
rec["a"] = i - 50
rec["b"] = i / 4
rec["c"] = i * 1e10 + 0.5
rec["tag"] = [b"t" + bytes([ord("a") + k % 26]) for k in range(100)]
rec["d"] = i * 1000
np.save(os.path.join(d, "rec.npy"), rec)
for name in ["f3", "f2", "be", "rec"]:
    a = np.load(os.path.join(d, name + ".npy"), mmap_mode="r")
    out[name] = {"strides": list(a.strides), "fortran": bool(a.flags.f_contiguous and not a.flags.c_contiguous), "descr": str(a.dtype.descr)}
print(json.dumps(out))
`

// TestGoReadsNumPy: NumPy writes int16 Fortran-order, big-endian float64
// and structured (align=True) arrays; Go reads every element equal through
// At, with NumPy's strides, and Data on the big-endian file returns
// ErrByteOrder on a little-endian host.
func TestGoReadsNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	out := testutil.RunPython(t, numpyWrite, dir, recDType)
	var info map[string]struct {
		Strides []int
		Fortran bool
		Descr   string
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	checkStrides := func(name string, got []int) {
		t.Helper()
		if diff := cmp.Diff(info[name].Strides, got); diff != "" {
			t.Errorf("%s: Strides differ from NumPy's (-numpy +go):\n%s", name, diff)
		}
	}

	t.Run("fortran int16 3-d", func(t *testing.T) {
		a := mustOpen[int16](t, filepath.Join(dir, "f3.npy"), memmap.ReadOnly)
		if !a.FortranOrder() || !info["f3"].Fortran {
			t.Errorf("FortranOrder = %v, NumPy's %v", a.FortranOrder(), info["f3"].Fortran)
		}
		checkStrides("f3", a.Strides())
		n := 0
		npytest.ForEach([]int{5, 7, 3}, func(idx []int) {
			want := int16((idx[0]*21+idx[1]*3+idx[2])*3 - 100)
			if got := a.At(idx...); got != want {
				t.Errorf("At%v = %d, want %d", idx, got, want)
			}
			n++
		})
		if n != 105 || a.Size() != 105 {
			t.Errorf("checked %d elements, Size %d; want 105", n, a.Size())
		}
		// Data is in Fortran order: the first index varies fastest.
		d, err := a.Data()
		if layout.HostOrder() != layout.Little {
			if !errors.Is(err, memmap.ErrByteOrder) {
				t.Errorf("Data of a little-endian file on a big-endian host: %v, want ErrByteOrder", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if d[1] != a.At(1, 0, 0) || d[5] != a.At(0, 1, 0) || d[35] != a.At(0, 0, 1) {
			t.Errorf("Data is not in Fortran order: %v", d[:6])
		}
	})

	t.Run("fortran int16 2-d", func(t *testing.T) {
		a := mustOpen[int16](t, filepath.Join(dir, "f2.npy"), memmap.ReadOnly)
		checkStrides("f2", a.Strides())
		npytest.ForEach([]int{6, 4}, func(idx []int) {
			want := int16(idx[0]*4 + idx[1] - 7)
			if got := a.At(idx...); got != want {
				t.Errorf("At%v = %d, want %d", idx, got, want)
			}
			if got := a.At2(idx[0], idx[1]); got != want {
				t.Errorf("At2%v = %d, want %d", idx, got, want)
			}
		})
	})

	t.Run("big-endian float64", func(t *testing.T) {
		a := mustOpen[float64](t, filepath.Join(dir, "be.npy"), memmap.ReadOnly)
		checkStrides("be", a.Strides())
		if a.ByteOrder() != layout.Big || a.DType().Str() != ">f8" {
			t.Errorf("ByteOrder %v, DType %v; want big, >f8", a.ByteOrder(), a.DType())
		}
		npytest.ForEach([]int{4, 6}, func(idx []int) {
			want := float64(idx[0]*6+idx[1]) + 0.125
			if got := a.At(idx...); got != want {
				t.Errorf("At%v = %v, want %v", idx, got, want)
			}
		})
		_, err := a.Data()
		if layout.HostOrder() == layout.Little {
			if !errors.Is(err, memmap.ErrByteOrder) || !strings.Contains(err.Error(), "big-endian") {
				t.Errorf("Data on a big-endian file: %v, want ErrByteOrder", err)
			}
		} else if err != nil {
			t.Errorf("Data on a big-endian file on a big-endian host: %v", err)
		}
	})

	t.Run("structured align=True", func(t *testing.T) {
		a := mustOpen[Rec](t, filepath.Join(dir, "rec.npy"), memmap.ReadOnly)
		checkStrides("rec", a.Strides())
		if got := a.DType().Descr(); got != info["rec"].Descr {
			t.Errorf("DType %s, NumPy's %s", got, info["rec"].Descr)
		}
		for i := range 100 {
			if got := a.At(i); got != recAt(i) {
				t.Errorf("At(%d) = %+v, want %+v", i, got, recAt(i))
			}
		}
		d, err := a.Data()
		switch {
		case layout.HostOrder() != layout.Little:
			if !errors.Is(err, memmap.ErrByteOrder) {
				t.Errorf("Data of a little-endian file on a big-endian host: %v, want ErrByteOrder", err)
			}
		case err != nil || len(d) != 100 || d[42] != recAt(42):
			t.Errorf("Data: %v", err)
		}
	})
}

// TestNumPyChangesGoFile: NumPy opens r+ a file Go created and changes an
// element; a ReadOnly Go array open meanwhile sees it after Refresh, and
// a new Open sees it too.
func TestNumPyChangesGoFile(t *testing.T) {
	testutil.NumPy(t)
	path := tempPath(t, "chg.npy")
	w := mustCreate[int32](t, path, []int{10, 4}, nil)
	npytest.ForEach(w.Shape(), func(idx []int) { w.Set(int32(idx[0]*4+idx[1]), idx...) })
	mustClose(t, w)

	r := mustOpen[int32](t, path, memmap.ReadOnly)
	testutil.RunPython(t, `
import sys
import numpy as np
a = np.load(sys.argv[1], mmap_mode="r+")
assert a.shape == (10, 4) and a[3, 2] == 14, (a.shape, a[3, 2])
a[3, 2] = 123456
a.flush()
`, path)
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	if got := r.At(3, 2); got != 123456 {
		t.Errorf("after Refresh At(3, 2) = %d, want 123456", got)
	}
	if got := r.At(3, 1); got != 13 {
		t.Errorf("At(3, 1) = %d, want 13", got)
	}
	mustClose(t, r)
	r2 := mustOpen[int32](t, path, memmap.ReadWrite)
	if got := r2.At(3, 2); got != 123456 {
		t.Errorf("after reopening At(3, 2) = %d, want 123456", got)
	}
}
