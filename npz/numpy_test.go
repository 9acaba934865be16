package npz_test

import (
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// numpyCorpus writes the same arrays with np.savez (stored.npz) and
// np.savez_compressed (deflated.npz) in the directory argv[1], and prints
// for each, as JSON, what NumPy says of it: descr, shape, order and every
// element (in C order of its indexes) as leaves, one per scalar, as
// array's any_test.go does: integers and datetimes as decimal, floats as
// "f:" and Python's repr, complex as two floats, 'S' as the hex of the
// bytes (trailing NULs stripped), 'V' as the hex of every byte.
const numpyCorpus = `
import json, os, sys
import numpy as np
d = sys.argv[1]
def mn(t): return np.iinfo(t).min
def mx(t): return np.iinfo(t).max
aligned = np.dtype([('a', 'i1'), ('b', '<f8'), ('c', '<i4'), ('d', '<u2')], align=True)
packed = np.dtype([('x', '<f4'), ('y', '<f8'), ('z', 'u1')])
nested = np.dtype([('id', '<u2'), ('pos', '<f4', (2, 3)),
                   ('inner', [('t', '<M8[ms]'), ('s', 'S3'), ('h', '<f2')]), ('v', 'V3')])
rng = np.random.default_rng(13)
def recs(dt, n):
    b = rng.integers(0, 256, size=n * dt.itemsize, dtype='u1').tobytes()
    return np.frombuffer(b, dtype=dt).copy()
cases = {
    'b1': np.array([True, False, True]),
    'i1': np.array([mn('i1'), -1, 0, 1, mx('i1')], 'i1'),
    'i2': np.array([mn('i2'), -1, 0, 1, mx('i2')], '<i2'),
    'i4': np.array([mn('i4'), -1, 0, 1, mx('i4')], '<i4'),
    'i8': np.array([mn('i8'), -1, 0, 1, mx('i8')], '<i8'),
    'u1': np.array([0, 1, mx('u1')], 'u1'),
    'u8': np.array([0, 1, mx('u8')], '<u8'),
    'f2': np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 65504, 2.0 ** -24, 1 / 3], '<f2'),
    'f4': np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 3.4e38, 1e-45, 1 / 3], '<f4'),
    'f8': np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 1.7e308, 5e-324, 1 / 3], '<f8'),
    'c8': np.array([1 + 2j, complex(-0.0, np.nan), complex(np.inf, -np.inf), 1 / 3 - 0.1j], '<c8'),
    'c16': np.array([1 + 2j, complex(-0.0, np.nan), complex(np.inf, -np.inf), 1 / 3 - 0.1j], '<c16'),
    'M8ns': np.array([0, 1700000000123456789, -1, 'NaT'], '<M8[ns]'),
    'S5': np.array([b'', b'a', b'hello', b'a\x00b', b'\xff\x00\x00\x01'], 'S5'),
    'V4': np.array([b'\x00\x01\x02\x03', b'\xff\xfe\x00\x00'], 'V4'),
    'aligned': recs(aligned, 4),
    'packed': recs(packed, 5),
    'nested': recs(nested, 3),
    'f8_2d_fortran': np.asfortranarray(rng.standard_normal((3, 4))),
    'i2_3d_fortran': np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4) * 1000 - 9000),
    'i4_3d': np.arange(24, dtype='<i4').reshape(2, 3, 4) - 12,
    'f8_0d': np.array(3.5),
    'packed_0d': recs(packed, 1).reshape(()),
    'zero_1d': np.zeros((0,), '<f4'),
    'zero_mid': np.zeros((3, 0, 2), '<i8'),
    'zero_2d': np.zeros((0, 4), packed),
    'big': np.arange(100000, dtype='<f8').reshape(1000, 100) / 7,
}
for name in list(cases):
    a = cases[name]
    if name.startswith('zero') or name == 'big' or a.dtype.kind in 'bSV' and a.dtype.names is None or a.dtype.itemsize == 1:
        continue
    be = a.astype(a.dtype.newbyteorder('>'))
    if a.flags.f_contiguous and not a.flags.c_contiguous:
        be = np.asfortranarray(be)
    cases['be_' + name] = be
np.savez(os.path.join(d, 'stored.npz'), **cases)
np.savez_compressed(os.path.join(d, 'deflated.npz'), **cases)
` + npytest.PyLeaves + `
info = {}
for name, a in cases.items():
    info[name] = {
        'descr': repr(np.lib.format.dtype_to_descr(a.dtype)),
        'shape': list(a.shape),
        'fortran': bool(a.flags.f_contiguous and not a.flags.c_contiguous),
        'nbytes': int(a.nbytes),
        'values': [leaves(a[idx], a.dtype) for idx in np.ndindex(a.shape)],
    }
print(json.dumps({'order': list(cases), 'cases': info}))
`

// npyFacts is what numpyCorpus prints for one array.
type npyFacts struct {
	Descr   string
	Shape   []int
	Fortran bool
	NBytes  int64
	Values  [][]string
}

// inside reports whether the bytes of b lie inside those of m.
func inside[T any](b []T, m []byte) bool {
	if len(b) == 0 || len(m) == 0 {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(unsafe.Pointer(unsafe.SliceData(m)))
	return p >= lo && p+uintptr(len(b))*unsafe.Sizeof(b[0]) <= lo+uintptr(len(m))
}

// TestReadsNumPy: archives np.savez and np.savez_compressed write, of
// every kind of dtype (packed and nested structs, big-endian), Fortran
// order, 0-d and zero-size, open with the names in NumPy's order; each
// member's Info and Any agree with NumPy on dtype, shape and order, every
// element's every scalar equals NumPy's value, a stored member's bytes are
// the archive's map (no copy) and a compressed member's are not.
func TestReadsNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	var out struct {
		Order []string
		Cases map[string]npyFacts
	}
	if err := json.Unmarshal(testutil.RunPython(t, numpyCorpus, dir), &out); err != nil {
		t.Fatalf("python output: %v", err)
	}
	if len(out.Cases) < 40 {
		t.Fatalf("corpus of %d arrays, want at least 40", len(out.Cases))
	}
	for _, kind := range []string{"stored", "deflated"} {
		t.Run(kind, func(t *testing.T) {
			path := filepath.Join(dir, kind+".npz")
			f, err := npz.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if diff := cmp.Diff(out.Order, f.Names()); diff != "" {
				t.Errorf("Names (-numpy +go):\n%s", diff)
			}
			archive := npz.MapBytes(f)
			for _, name := range out.Order {
				want := out.Cases[name]
				t.Run(name, func(t *testing.T) {
					in, err := f.Info(name)
					if err != nil {
						t.Fatalf("Info: %v", err)
					}
					shape := make([]int64, len(want.Shape))
					for i, d := range want.Shape {
						shape[i] = int64(d)
					}
					if diff := cmp.Diff([]any{name, want.Descr, shape, want.Fortran, want.NBytes, kind == "deflated"},
						[]any{in.Name, in.DType.Descr(), in.Shape, in.FortranOrder, in.DataSize, in.Compressed},
						cmp.Comparer(func(x, y []int64) bool { return len(x) == len(y) && (len(x) == 0 || cmp.Equal(x, y)) })); diff != "" {
						t.Errorf("Info (-numpy +go):\n%s", diff)
					}
					a, err := f.Any(name)
					if err != nil {
						t.Fatalf("Any: %v", err)
					}
					defer a.Close()
					if diff := cmp.Diff([]any{want.Shape, want.Fortran, want.Descr, memmap.ReadOnly, path + ":" + name},
						[]any{a.Shape(), a.FortranOrder(), a.DType().Descr(), a.Mode(), a.Path()},
						cmp.Comparer(func(x, y []int) bool { return len(x) == len(y) && (len(x) == 0 || cmp.Equal(x, y)) })); diff != "" {
						t.Errorf("Any (-numpy +go):\n%s", diff)
					}
					data, err := a.Bytes()
					if err != nil {
						t.Fatalf("Bytes: %v", err)
					}
					if int64(len(data)) != want.NBytes {
						t.Errorf("Bytes: %d bytes, NumPy %d", len(data), want.NBytes)
					}
					if kind == "stored" && len(data) > 0 {
						if !inside(data, archive) || &data[0] != &archive[in.DataOffset] {
							t.Errorf("Bytes of a stored member are not the archive's map at DataOffset %d", in.DataOffset)
						}
					}
					if kind == "deflated" && inside(data, archive) {
						t.Errorf("Bytes of a deflated member point into the archive")
					}
					n := 0
					npytest.ForEach(a.Shape(), func(idx []int) {
						if n >= len(want.Values) {
							n++
							return
						}
						v, err := a.At(idx...)
						if err != nil {
							t.Fatalf("At%v: %v", idx, err)
						}
						if got := npytest.Leaves(v); !npytest.SameLeaves(got, want.Values[n]) {
							t.Errorf("At%v = %v: leaves %q, NumPy %q", idx, v, got, want.Values[n])
						}
						n++
					})
					if n != len(want.Values) {
						t.Errorf("%d elements, NumPy %d", n, len(want.Values))
					}
				})
			}
			t.Run("typed", func(t *testing.T) { checkTyped(t, f, out.Cases, kind == "stored") })
			for _, name := range out.Order {
				if err := f.Verify(name); err != nil {
					t.Errorf("Verify(%s): %v", name, err)
				}
			}
		})
	}
}

// packedRec is the Go struct for NumPy's packed dtype of the corpus.
type packedRec struct {
	X float32 `npy:"x"`
	Y float64 `npy:"y"`
	Z uint8   `npy:"z"`
}

// checkTyped opens members of the corpus as typed arrays and compares
// every element with NumPy's leaves.
func checkTyped(t *testing.T, f *npz.File, cases map[string]npyFacts, stored bool) {
	num := func(x float64) []string { return []string{"f:" + strconv.FormatFloat(x, 'g', -1, 64)} }
	typed(t, f, cases, "f8", func(x float64) []string { return num(x) })
	typed(t, f, cases, "be_f8", func(x float64) []string { return num(x) })
	typed(t, f, cases, "f4", func(x float32) []string { return num(float64(x)) })
	typed(t, f, cases, "be_f4", func(x float32) []string { return num(float64(x)) })
	typed(t, f, cases, "f2", func(x layout.Float16) []string { return num(float64(x.Float32())) })
	typed(t, f, cases, "c16", func(x complex128) []string { return append(num(real(x)), num(imag(x))...) })
	typed(t, f, cases, "i4_3d", func(x int32) []string { return []string{strconv.Itoa(int(x))} })
	typed(t, f, cases, "i2_3d_fortran", func(x int16) []string { return []string{strconv.Itoa(int(x))} })
	typed(t, f, cases, "be_i2_3d_fortran", func(x int16) []string { return []string{strconv.Itoa(int(x))} })
	typed(t, f, cases, "u8", func(x uint64) []string { return []string{strconv.FormatUint(x, 10)} })
	typed(t, f, cases, "b1", func(x bool) []string { return []string{map[bool]string{false: "0", true: "1"}[x]} })
	typed(t, f, cases, "S5", func(x [5]byte) []string {
		return []string{hex.EncodeToString([]byte(strings.TrimRight(string(x[:]), "\x00")))}
	})
	typed(t, f, cases, "f8_0d", func(x float64) []string { return num(x) })
	typed(t, f, cases, "zero_1d", func(x float32) []string { return num(float64(x)) })
	rec := func(r packedRec) []string {
		return []string{"f:" + strconv.FormatFloat(float64(r.X), 'g', -1, 64), "f:" + strconv.FormatFloat(r.Y, 'g', -1, 64), strconv.Itoa(int(r.Z))}
	}
	typed(t, f, cases, "packed", rec)
	typed(t, f, cases, "be_packed", rec)
	typed(t, f, cases, "packed_0d", rec)

	// A big C-order member in the host's order: Data is a zero-copy view
	// when the data is aligned (always for a decompressed member; for a
	// stored one where np.savez happened to put it).
	a, err := npz.Array[float64](f, "big")
	if err != nil {
		t.Fatalf("Array big: %v", err)
	}
	in, _ := f.Info("big")
	d, err := a.Data()
	aligned := !stored || in.DataOffset%8 == 0
	switch {
	case aligned && layout.HostOrder() == layout.Little && err != nil:
		t.Errorf("Data of aligned big: %v", err)
	case !aligned && err == nil:
		t.Errorf("Data of big at offset %d: no error", in.DataOffset)
	case err == nil:
		for i, x := range d {
			if x != float64(i)/7 {
				t.Fatalf("big[%d] = %v, want %v", i, x, float64(i)/7)
			}
		}
		if stored && !inside(d, npz.MapBytes(f)) {
			t.Errorf("Data of stored big is not a view of the archive's map")
		}
	}
	if got := a.At(999, 99); got != 99999.0/7 {
		t.Errorf("big.At(999, 99) = %v", got)
	}
	if _, err := npz.Array[float32](f, "big"); !errorsIs(err, layout.ErrDType) {
		t.Errorf("Array[float32] of a '<f8' member: %v, want layout.ErrDType", err)
	}
}

// typed opens the member name as an Array of T and compares every element
// (Get, in C order of the indexes) with NumPy's leaves through conv.
func typed[T any](t *testing.T, f *npz.File, cases map[string]npyFacts, name string, conv func(T) []string) {
	t.Helper()
	want := cases[name]
	a, err := npz.Array[T](f, name)
	if err != nil {
		t.Errorf("Array[%T](%s): %v", *new(T), name, err)
		return
	}
	defer a.Close()
	if a.Mode() != memmap.ReadOnly {
		t.Errorf("%s: mode %v, want ReadOnly", name, a.Mode())
	}
	n := 0
	npytest.ForEach(a.Shape(), func(idx []int) {
		v, err := a.Get(idx...)
		if err != nil {
			t.Fatalf("%s.Get%v: %v", name, idx, err)
		}
		if n < len(want.Values) && !npytest.SameLeaves(conv(v), want.Values[n]) {
			t.Errorf("%s.Get%v = %v, NumPy %q", name, idx, v, want.Values[n])
		}
		n++
	})
	if n != len(want.Values) {
		t.Errorf("%s: %d elements, NumPy %d", name, n, len(want.Values))
	}
}
