package array_test

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// numpyCorpus writes one .npy file per case with np.save, and prints for
// each, as JSON, what NumPy says of it: the header facts, the strides,
// and every element (in C order of its indexes) as a list of leaves, one
// per scalar, structs and subarrays flattened: integers and datetimes as
// decimal int64 counts, floats as "f:" and Python's repr (shortest
// round-trip; float16 and float32 converted exactly), complex numbers as
// two floats, 'S' values as the hex of NumPy's bytes (trailing NULs
// stripped) and 'V' as the hex of every byte.
const numpyCorpus = `
import json, os, sys
import numpy as np
d = sys.argv[1]
def mn(t): return np.iinfo(t).min
def mx(t): return np.iinfo(t).max
aligned = np.dtype([('a', 'i1'), ('b', '<f8'), ('c', '<i4'), ('d', '<u2')], align=True)
packed = np.dtype([('x', '<f4'), ('y', '<f8'), ('z', 'u1')])
nested = np.dtype([('id', '<u2'), ('pos', '<f4', (2, 3)),
                   ('inner', [('t', '<M8[ms]'), ('s', 'S3'), ('h', '<f2')]),
                   ('arr', [('q', '<i2'), ('c', '<c8')], (2,)), ('v', 'V3')])
rng = np.random.default_rng(12)
def recs(dt, n):
    b = rng.integers(0, 256, size=n * dt.itemsize, dtype='u1').tobytes()
    a = np.frombuffer(b, dtype=dt).copy()
    return a
cases = {
    'b1': np.array([True, False, True]),
    'i1': np.array([mn('i1'), -1, 0, 1, mx('i1')], 'i1'),
    'i2': np.array([mn('i2'), -1, 0, 1, mx('i2')], '<i2'),
    'i4': np.array([mn('i4'), -1, 0, 1, mx('i4')], '<i4'),
    'i8': np.array([mn('i8'), -1, 0, 1, mx('i8')], '<i8'),
    'u1': np.array([0, 1, mx('u1')], 'u1'),
    'u2': np.array([0, 1, mx('u2')], '<u2'),
    'u4': np.array([0, 1, mx('u4')], '<u4'),
    'u8': np.array([0, 1, mx('u8')], '<u8'),
    'f2': np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 65504, 2.0 ** -24, 1 / 3], '<f2'),
    'f4': np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 3.4e38, 1e-45, 1 / 3], '<f4'),
    'f8': np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 1.7e308, 5e-324, 1 / 3], '<f8'),
    'c8': np.array([1 + 2j, complex(-0.0, np.nan), complex(np.inf, -np.inf), 1 / 3 - 0.1j], '<c8'),
    'c16': np.array([1 + 2j, complex(-0.0, np.nan), complex(np.inf, -np.inf), 1 / 3 - 0.1j], '<c16'),
    'M8ns': np.array([0, 1700000000123456789, -1, 'NaT'], '<M8[ns]'),
    'm8s': np.array([0, -5, 86400, 'NaT'], '<m8[s]'),
    'S5': np.array([b'', b'a', b'hello', b'a\x00b', b'\xff\x00\x00\x01'], 'S5'),
    'V4': np.array([b'\x00\x01\x02\x03', b'\xff\xfe\x00\x00'], 'V4'),
    'aligned': recs(aligned, 4),
    'packed': recs(packed, 4),
    'nested': recs(nested, 3),
    'f8_2d_fortran': np.asfortranarray(rng.standard_normal((3, 4))),
    'i2_3d_fortran': np.asfortranarray(np.arange(24, dtype='<i2').reshape(2, 3, 4) * 1000 - 9000),
    'i4_3d': np.arange(24, dtype='<i4').reshape(2, 3, 4) - 12,
    'f8_0d': np.array(3.5),
    'packed_0d': recs(packed, 1).reshape(()),
    'zero_1d': np.zeros((0,), '<f4'),
    'zero_mid': np.zeros((3, 0, 2), '<i8'),
    'zero_2d': np.zeros((0, 4), packed),
}
for name in list(cases):
    a = cases[name]
    if name.startswith('zero') or a.dtype.kind == 'b' or a.dtype.itemsize == 1 and a.dtype.names is None:
        continue
    if a.dtype.kind in 'SV' and a.dtype.names is None:
        continue
    be = a.astype(a.dtype.newbyteorder('>'))
    if a.flags.f_contiguous and not a.flags.c_contiguous:
        be = np.asfortranarray(be)
    cases['be_' + name] = be
# Packed records with random bytes hold NaNs of any payload: keep the
# bytes, as NumPy's astype keeps them.

` + npytest.PyLeaves + `
info = {}
for name, a in cases.items():
    p = os.path.join(d, name + '.npy')
    np.save(p, a)
    m = np.load(p, mmap_mode='r')
    with open(p, 'rb') as f:
        pre = f.read(12)
    hlen = int.from_bytes(pre[8:10], 'little') if pre[6] == 1 else int.from_bytes(pre[8:12], 'little')
    info[name] = {
        'descr': repr(np.lib.format.dtype_to_descr(m.dtype)),
        'shape': list(m.shape),
        'strides': list(m.strides),
        'fortran': bool(m.flags.f_contiguous and not m.flags.c_contiguous),
        'version': pre[6],
        'hlen': hlen,
        'offset': hlen + (10 if pre[6] == 1 else 12),
        'nbytes': int(m.nbytes),
        'size': os.path.getsize(p),
        'values': [leaves(m[idx], m.dtype) for idx in np.ndindex(m.shape)],
    }
print(json.dumps(info))
`

// npyFacts is what numpyCorpus prints for one file.
type npyFacts struct {
	Descr   string
	Shape   []int
	Strides []int
	Fortran bool
	Version int
	HLen    int64
	Offset  int64
	NBytes  int64
	Size    int64
	Values  [][]string
}

// TestAnyReadsNumPy: every dtype NumPy writes with a fixed size, in both
// byte orders, C and Fortran order, 0-d and with zero dims, opens with
// OpenAny and Stat; the header facts, strides and bytes are NumPy's, and
// every element's every scalar equals NumPy's value.
func TestAnyReadsNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	var corpus map[string]npyFacts
	if err := json.Unmarshal(testutil.RunPython(t, numpyCorpus, dir), &corpus); err != nil {
		t.Fatalf("python output: %v", err)
	}
	if len(corpus) < 40 {
		t.Fatalf("corpus of %d files, want at least 40", len(corpus))
	}
	for name, want := range corpus {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".npy")
			file, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}

			in, err := array.Stat(path)
			if err != nil {
				t.Fatalf("Stat: %v", err)
			}
			rows := int64(1)
			if len(want.Shape) > 0 {
				rows = int64(want.Shape[0])
				if want.Fortran {
					rows = int64(want.Shape[len(want.Shape)-1])
				}
			}
			gotInfo := []any{in.Path, in.DType.Descr(), in.Shape, in.FortranOrder, int(in.Version), in.HeaderLen, in.DataOffset, in.DataSize, in.FileSize, in.Rows, in.Cap, in.ByteOrder}
			wantShape := make([]int64, len(want.Shape))
			for i, d := range want.Shape {
				wantShape[i] = int64(d)
			}
			wantCap := rows
			if in.RowSize == 0 && len(want.Shape) > 0 {
				wantCap = math.MaxInt64
			}
			wantInfo := []any{path, want.Descr, wantShape, want.Fortran, want.Version, want.HLen, want.Offset, want.NBytes, want.Size, rows, wantCap, in.DType.Order()}
			if diff := cmp.Diff(wantInfo, gotInfo); diff != "" {
				t.Errorf("Stat (-numpy +go):\n%s", diff)
			}
			if isBig := strings.HasPrefix(name, "be_"); isBig != (in.ByteOrder == layout.Big) {
				t.Errorf("ByteOrder %v for %s", in.ByteOrder, name)
			}

			a, err := array.OpenAny(path, memmap.ReadOnly, nil)
			if err != nil {
				t.Fatalf("OpenAny: %v", err)
			}
			defer a.Close()
			npLen := 1 // NumPy's len, in either order
			if len(want.Shape) > 0 {
				npLen = want.Shape[0]
			}
			if diff := cmp.Diff([]any{want.Shape, want.Strides, want.Fortran, want.Descr, len(want.Shape), npLen, len(want.Values), path, memmap.ReadOnly},
				[]any{a.Shape(), a.Strides(), a.FortranOrder(), a.DType().Descr(), a.Rank(), a.Len(), a.Size(), a.Path(), a.Mode()}, cmp.Comparer(func(x, y []int) bool {
					return len(x) == len(y) && (len(x) == 0 || cmp.Equal(x, y))
				})); diff != "" {
				t.Errorf("Shape, Strides, FortranOrder, DType, Rank, Len, Size, Path, Mode (-numpy +go):\n%s", diff)
			}
			data, err := a.Bytes()
			if err != nil {
				t.Fatalf("Bytes: %v", err)
			}
			if !cmp.Equal(data, file[want.Offset:want.Offset+want.NBytes]) || data == nil {
				t.Errorf("Bytes: %d bytes, not the file's %d bytes of data", len(data), want.NBytes)
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
				got := npytest.Leaves(v)
				ok := len(got) == len(want.Values[n])
				for i := 0; ok && i < len(got); i++ {
					ok = npytest.SameLeaf(got[i], want.Values[n][i])
				}
				if !ok {
					t.Errorf("At%v = %v: leaves %q, NumPy %q", idx, v, got, want.Values[n])
				}
				// ElemBytes is the element's bytes in the data, at
				// NumPy's strides; NewValue over them reads the same.
				b, err := a.ElemBytes(idx...)
				off := 0
				for k, i := range idx {
					off += i * want.Strides[k]
				}
				if err != nil || !cmp.Equal(b, data[off:off+a.DType().Size()]) || cap(b) != len(b) {
					t.Errorf("ElemBytes%v = % x, %v; want the bytes at offset %d", idx, b, err, off)
				}
				if w, err := array.NewValue(a.DType(), b); err != nil || w.String() != v.String() {
					t.Errorf("NewValue(ElemBytes%v) = %v, %v; At gives %v", idx, w, err, v)
				}
				n++
			})
			if n != len(want.Values) {
				t.Errorf("%d elements, NumPy %d", n, len(want.Values))
			}
		})
	}
}

// TestAnySet: Set and SetBytes write the file's bytes (swapping a Value of
// the other byte order), NumPy-order aside; a CopyOnWrite array changes
// memory only.
func TestAnySet(t *testing.T) {
	dir := testutil.TempDir(t)
	little := filepath.Join(dir, "le.npy")
	big := filepath.Join(dir, "be.npy")
	for _, f := range []struct {
		path  string
		order layout.ByteOrder
	}{{little, layout.Little}, {big, layout.Big}} {
		w := mustCreate[float64](t, f.path, []int{2, 3}, &array.Options{ByteOrder: f.order})
		for i := range 2 {
			for j := range 3 {
				w.Set(float64(10*i+j)+0.5, i, j)
			}
		}
		mustClose(t, w)
	}
	src, err := array.OpenAny(big, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a, err := array.OpenAny(little, memmap.ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := src.At(1, 2) // 12.5, big-endian
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Set(v, 0, 0); err != nil {
		t.Fatalf("Set of a big-endian Value: %v", err)
	}
	raw, _ := src.ElemBytes(0, 1) // 1.5 in big-endian bytes: wrong for SetBytes into a little-endian file, on purpose
	if err := a.SetBytes(raw, 0, 1); err != nil {
		t.Fatalf("SetBytes: %v", err)
	}
	i4, _ := layout.ParseDescr("'<i8'")
	wrongType, _ := array.NewValue(i4, make([]byte, 8))
	for _, tt := range []struct {
		name string
		err  error
		want error
	}{
		{"Set of an int64", a.Set(wrongType, 0, 2), layout.ErrDType},
		{"Set of the zero Value", a.Set(array.Value{}, 0, 2), layout.ErrDType},
		{"SetBytes of 7 bytes", a.SetBytes(make([]byte, 7), 0, 2), memmap.ErrShape},
		{"Set out of range", a.Set(v, 2, 0), memmap.ErrRange},
		{"SetBytes with one index", a.SetBytes(raw, 0), memmap.ErrShape},
	} {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	r := mustOpen[float64](t, little, memmap.ReadOnly)
	want := math.Float64frombits(uint64(raw[7]) | uint64(raw[6])<<8 | uint64(raw[5])<<16 | uint64(raw[4])<<24 |
		uint64(raw[3])<<32 | uint64(raw[2])<<40 | uint64(raw[1])<<48 | uint64(raw[0])<<56) // 1.5
	wantLE := math.Float64frombits(uint64(raw[0]) | uint64(raw[1])<<8 | uint64(raw[2])<<16 | uint64(raw[3])<<24 |
		uint64(raw[4])<<32 | uint64(raw[5])<<40 | uint64(raw[6])<<48 | uint64(raw[7])<<56)
	if got := []float64{r.At(0, 0), r.At(0, 1), r.At(0, 2)}; !cmp.Equal(got, []float64{12.5, wantLE, 2.5}) || want != 1.5 {
		t.Errorf("row 0 after Set, SetBytes: %v, want [12.5 %v 2.5]", got, wantLE)
	}

	// CopyOnWrite: the array changes, the file does not.
	c, err := array.OpenAny(big, memmap.CopyOnWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	v0, _ := c.At(0, 0)
	if err := c.Set(v, 0, 0); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.At(0, 0); got.String() != "12.5" {
		t.Errorf("CopyOnWrite At(0, 0) after Set = %v", got)
	}
	c.Close()
	if got, _ := src.At(0, 0); got.String() != v0.String() {
		t.Errorf("the file changed under CopyOnWrite: %v, was %v", got, v0)
	}
}

// TestAnyErrors: the errors of the untyped API match the sentinels.
func TestAnyErrors(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "a.npy")
	w := mustCreate[int16](t, path, []int{3}, nil)
	mustClose(t, w)

	a, err := array.OpenAny(path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.At(1)
	if err != nil {
		t.Fatal(err)
	}
	_, errRange := a.At(3)
	_, errNeg := a.ElemBytes(-1)
	_, errRank := a.At(0, 0)
	for _, tt := range []struct {
		name string
		err  error
		want error
	}{
		{"Set ReadOnly", a.Set(v, 0), memmap.ErrReadOnly},
		{"SetBytes ReadOnly", a.SetBytes(v.Bytes(), 0), memmap.ErrReadOnly},
		{"At(3)", errRange, memmap.ErrRange},
		{"ElemBytes(-1)", errNeg, memmap.ErrRange},
		{"At(0, 0)", errRank, memmap.ErrShape},
	} {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, errAt := a.At(0)
	_, errBytes := a.Bytes()
	_, errElem := a.ElemBytes(0)
	for name, err := range map[string]error{
		"At": errAt, "Bytes": errBytes, "ElemBytes": errElem, "Set": a.Set(v, 0), "Flush": a.Flush(),
		"Refresh": a.Refresh(), "Guard": a.Guard(func() error { return nil }),
	} {
		if !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if s := v.String(); s != "0" {
		t.Errorf("a Value from At after Close: %s, want 0", s)
	}

	// Bad files: ErrFormat from both Stat and OpenAny, and
	// io.ErrUnexpectedEOF for every file cut short.
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"text":    []byte("not a .npy file at all, but long enough to be read as a header"),
		"unicode": npy("'<U5'", "(1,)", make([]byte, 20)),
		"short":   npy("[('x', '<f4'), ('y', '<f8')]", "(2, 3)", make([]byte, 71)),
	}
	for n := range len(good) {
		bad["cut"+strconv.Itoa(n)] = good[:n]
	}
	for name, b := range bad {
		p := filepath.Join(dir, name+".npy")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, errStat := array.Stat(p)
		_, errOpen := array.OpenAny(p, memmap.ReadOnly, nil)
		for what, err := range map[string]error{"Stat": errStat, "OpenAny": errOpen} {
			if !errors.Is(err, header.ErrFormat) || !strings.Contains(err.Error(), p) {
				t.Errorf("%s of %s: %v, want ErrFormat naming the path", what, name, err)
			}
			if (strings.HasPrefix(name, "cut") || name == "short") && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%s of %s: %v, want io.ErrUnexpectedEOF", what, name, err)
			}
		}
	}
	if _, err := array.Stat(filepath.Join(dir, "missing.npy")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Stat of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := array.OpenAny(filepath.Join(dir, "missing.npy"), memmap.ReadOnly, nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenAny of a missing file: %v, want ErrNotExist", err)
	}
	if _, err := array.Stat(dir); !errors.Is(err, header.ErrFormat) {
		t.Errorf("Stat of a directory: %v, want ErrFormat", err)
	}
	if _, err := array.OpenAny(path, memmap.ReadOnly, &array.Options{Access: 99}); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("OpenAny with Access 99: %v, want ErrRange", err)
	}
}

// TestAnyRefresh: a ReadOnly Any follows a writer's committed appends.
func TestAnyRefresh(t *testing.T) {
	path := tempPath(t, "r.npy")
	w := mustCreate[int32](t, path, []int{1, 2}, nil)
	w.Set(7, 0, 1)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	a, err := array.OpenAny(path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := w.Append([]int32{8, 9}...); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if a.Len() != 1 {
		t.Errorf("Len before Refresh = %d, want 1", a.Len())
	}
	if err := a.Refresh(); err != nil {
		t.Fatal(err)
	}
	v, err := a.At(1, 1)
	if err != nil || a.Len() != 2 || !cmp.Equal(a.Shape(), []int{2, 2}) || v.String() != "9" {
		t.Errorf("after Refresh: Shape %v, At(1, 1) = %v, %v; want [2 2], 9", a.Shape(), v, err)
	}
	err = a.Guard(func() error {
		b, err := a.Bytes()
		if len(b) != 16 {
			t.Errorf("Bytes after Refresh: %d bytes, want 16", len(b))
		}
		return err
	})
	if err != nil {
		t.Errorf("Guard: %v", err)
	}
}

// TestAnyAllocs: reading an element's bytes and decoding them in place
// allocate nothing.
func TestAnyAllocs(t *testing.T) {
	path := tempPath(t, "f.npy")
	w := mustCreate[float64](t, path, []int{4, 5}, &array.Options{ByteOrder: otherOrder()})
	w.Set(2.5, 3, 4)
	mustClose(t, w)
	a, err := array.OpenAny(path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	allocs := testing.AllocsPerRun(100, func() {
		b, err := a.ElemBytes(3, 4)
		if err != nil {
			t.Fatal(err)
		}
		v, err := array.NewValue(a.DType(), b)
		if err != nil {
			t.Fatal(err)
		}
		if x, ok := v.Float(); !ok || x != 2.5 {
			t.Fatalf("Float = %v, %v; want 2.5", x, ok)
		}
	})
	if allocs != 0 {
		t.Errorf("ElemBytes + NewValue + Float: %v allocations, want 0", allocs)
	}
}
