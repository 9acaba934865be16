package array_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// rawPrefix is what the raw test files hold before their data: a
// caller's own header, which no raw array may change.
func rawPrefix(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + i%26)
	}
	return b
}

// rawF8 and rawI4 are the elements of the NumPy-made raw test files:
// exact in their dtypes.
func rawF8(i int) float64 { return float64(i)*0.5 - 3 }
func rawI4(i int) int32   { return int32(i*7 - 50) }

// rawWrite makes, with np.memmap "w+", the raw files of the NumPy tests,
// each after a 16- or 24-byte prefix of the caller's, and prints their
// strides.
const rawWrite = `
import json, os, sys
import numpy as np
d = sys.argv[1]
host = sys.argv[2]
def make(name, dtype, shape, offset, order, values):
    path = os.path.join(d, name)
    with open(path, "wb") as f:
        f.write(bytes(ord("A") + i % 26 for i in range(offset)))
    a = np.memmap(path, dtype=dtype, mode="r+", offset=offset, shape=shape, order=order)
    a[...] = values.reshape(shape, order=order)
    a.flush()
    return list(a.strides)
out = {}
out["c_f8"] = make("c_f8.dat", "<f8", (5, 3), 16, "C", np.arange(15) * 0.5 - 3)
out["f_i4"] = make("f_i4.dat", ">i4", (4, 6), 24, "F", np.arange(24) * 7 - 50)
out["odd"] = make("odd.dat", host + "f4", (10,), 3, "C", np.arange(10) * 0.5 - 3)
print(json.dumps(out))
`

// hostDescr is NumPy's byte-order character of the host.
func hostDescr() string {
	if layout.HostOrder() == layout.Big {
		return ">"
	}
	return "<"
}

// TestRawNumPyFiles: raw files np.memmap wrote after a prefix — C-order
// '<f8', Fortran-order '>i4', and '=f4' at an odd offset — open ReadOnly
// with their shape and with -1 on the growth axis: every element equal
// through At, NumPy's strides, Data refused for the other byte order
// (ErrByteOrder) and the misaligned offset (ErrAlign), and allowed
// otherwise.
func TestRawNumPyFiles(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	var strides map[string][]int
	if err := json.Unmarshal(testutil.RunPython(t, rawWrite, dir, hostDescr()), &strides); err != nil {
		t.Fatal(err)
	}
	for _, shape := range [][]int{{5, 3}, {-1, 3}} {
		a, err := array.OpenRaw[float64](filepath.Join(dir, "c_f8.dat"), memmap.ReadOnly, shape, &array.Options{Offset: 16, ByteOrder: layout.Little})
		if err != nil {
			t.Fatalf("OpenRaw c_f8 %v: %v", shape, err)
		}
		if diff := cmp.Diff([]int{5, 3}, a.Shape()); diff != "" {
			t.Errorf("c_f8 %v: Shape (-want +got):\n%s", shape, diff)
		}
		if diff := cmp.Diff(strides["c_f8"], a.Strides()); diff != "" {
			t.Errorf("c_f8: Strides (-numpy +go):\n%s", diff)
		}
		for i := range 5 {
			for j := range 3 {
				if got, want := a.At(i, j), rawF8(i*3+j); got != want {
					t.Errorf("c_f8 %v: At(%d, %d) = %v, want %v", shape, i, j, got, want)
				}
			}
		}
		_, err = a.Data()
		if host := layout.HostOrder(); host == layout.Little && err != nil || host == layout.Big && !errors.Is(err, memmap.ErrByteOrder) {
			t.Errorf("c_f8 Data on a %v host: %v", host, err)
		}
		mustClose(t, a)
	}
	for _, shape := range [][]int{{4, 6}, {4, -1}} {
		a, err := array.OpenRaw[int32](filepath.Join(dir, "f_i4.dat"), memmap.ReadOnly, shape, &array.Options{Offset: 24, ByteOrder: layout.Big, FortranOrder: true})
		if err != nil {
			t.Fatalf("OpenRaw f_i4 %v: %v", shape, err)
		}
		if diff := cmp.Diff([]int{4, 6}, a.Shape()); diff != "" {
			t.Errorf("f_i4 %v: Shape (-want +got):\n%s", shape, diff)
		}
		if diff := cmp.Diff(strides["f_i4"], a.Strides()); diff != "" {
			t.Errorf("f_i4: Strides (-numpy +go):\n%s", diff)
		}
		for i := range 4 {
			for j := range 6 {
				if got, want := a.At(i, j), rawI4(i+4*j); got != want {
					t.Errorf("f_i4 %v: At(%d, %d) = %v, want %v", shape, i, j, got, want)
				}
			}
		}
		_, err = a.Data()
		if host := layout.HostOrder(); host == layout.Big && err != nil || host == layout.Little && !errors.Is(err, memmap.ErrByteOrder) {
			t.Errorf("f_i4 Data on a %v host: %v", host, err)
		}
		mustClose(t, a)
	}
	a, err := array.OpenRaw[float32](filepath.Join(dir, "odd.dat"), memmap.ReadOnly, []int{-1}, &array.Options{Offset: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Len() != 10 {
		t.Errorf("odd: Len %d, want 10", a.Len())
	}
	for i := range 10 {
		if got, want := a.At(i), float32(rawF8(i)); got != want {
			t.Errorf("odd: At(%d) = %v, want %v", i, got, want)
		}
	}
	if _, err := a.Data(); !errors.Is(err, array.ErrAlign) {
		t.Errorf("odd: Data at offset 3 = %v, want ErrAlign", err)
	}
}

// TestRawNumPyReadsGoWrites: Go opens np.memmap's files ReadWrite with
// -1 on the growth axis, Sets elements and appends rows (columns, in
// Fortran order), closes; np.memmap reads the new shape (inferred from
// the file's size, which is exact: the capacity was given back) and
// every value, and the caller's prefix is untouched.
func TestRawNumPyReadsGoWrites(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	testutil.RunPython(t, rawWrite, dir, hostDescr())

	c, err := array.OpenRaw[float64](filepath.Join(dir, "c_f8.dat"), memmap.ReadWrite, []int{-1, 3}, &array.Options{Offset: 16, ByteOrder: layout.Little})
	if err != nil {
		t.Fatal(err)
	}
	c.Set(1e300, 0, 0)
	c.Set(-0.25, 4, 2)
	if _, err := c.Append([]float64{100, 101, 102, 103, 104, 105}...); err != nil {
		t.Fatal(err)
	}
	mustClose(t, c)

	f, err := array.OpenRaw[int32](filepath.Join(dir, "f_i4.dat"), memmap.ReadWrite, []int{4, -1}, &array.Options{Offset: 24, ByteOrder: layout.Big, FortranOrder: true})
	if err != nil {
		t.Fatal(err)
	}
	f.Set(math.MinInt32, 3, 5)
	if _, err := f.Append([]int32{-1, -2, -3, -4}...); err != nil { // column 6
		t.Fatal(err)
	}
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)

	out := testutil.RunPython(t, `
import json, os, sys
import numpy as np
d = sys.argv[1]
def prefix(name, n):
    with open(os.path.join(d, name), "rb") as f:
        return f.read(n) == bytes(ord("A") + i % 26 for i in range(n))
c = np.memmap(os.path.join(d, "c_f8.dat"), dtype="<f8", mode="r", offset=16).reshape(-1, 3)
wc = (np.arange(15) * 0.5 - 3).reshape(5, 3)
wc[0, 0] = 1e300
wc[4, 2] = -0.25
wc = np.concatenate([wc, np.arange(100, 106, dtype=np.float64).reshape(2, 3)])
f = np.memmap(os.path.join(d, "f_i4.dat"), dtype=">i4", mode="r", offset=24)
f = f.reshape((4, -1), order="F")
wf = (np.arange(24) * 7 - 50).reshape((4, 6), order="F")
wf[3, 5] = -2**31
wf = np.concatenate([wf, np.array([[-1], [-2], [-3], [-4]])], axis=1)
print(json.dumps({
    "c_shape": list(c.shape), "c_equal": bool(np.array_equal(c, wc)), "c_prefix": prefix("c_f8.dat", 16),
    "f_shape": list(f.shape), "f_equal": bool(np.array_equal(f, wf)), "f_prefix": prefix("f_i4.dat", 24),
}))
`, dir)
	var got struct {
		CShape  []int `json:"c_shape"`
		CEqual  bool  `json:"c_equal"`
		CPrefix bool  `json:"c_prefix"`
		FShape  []int `json:"f_shape"`
		FEqual  bool  `json:"f_equal"`
		FPrefix bool  `json:"f_prefix"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	want := got
	want.CShape, want.CEqual, want.CPrefix = []int{7, 3}, true, true
	want.FShape, want.FEqual, want.FPrefix = []int{4, 7}, true, true
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NumPy sees (-want +got):\n%s", diff)
	}
}

// TestRawNumPyReadsGoCreates: CreateRaw files — Fortran-order
// big-endian int32 after a 40-byte offset, with appended columns, and
// C-order float64 with a capacity — read in np.memmap exactly, with zero
// bytes before the data and no bytes after it.
func TestRawNumPyReadsGoCreates(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	fp := filepath.Join(dir, "f.bin")
	f, err := array.CreateRaw[int32](fp, []int{3, 5}, &array.Options{Offset: 40, FortranOrder: true, ByteOrder: layout.Big})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		for j := range 5 {
			f.Set(rawI4(i+3*j), i, j)
		}
	}
	if _, err := f.Append([]int32{rawI4(15), rawI4(16), rawI4(17)}...); err != nil {
		t.Fatal(err)
	}
	mustClose(t, f)

	cp := filepath.Join(dir, "c.bin")
	c, err := array.CreateRaw[float64](cp, []int{2, 4}, &array.Options{Offset: 8, Capacity: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if c.Cap() < 1000 {
		t.Errorf("Cap %d, want at least 1000", c.Cap())
	}
	for k := range 8 {
		c.Set(rawF8(k), k/4, k%4)
	}
	if _, err := c.Append([]float64{rawF8(8), rawF8(9), rawF8(10), rawF8(11)}...); err != nil {
		t.Fatal(err)
	}
	mustClose(t, c)

	out := testutil.RunPython(t, `
import json, os, sys
import numpy as np
fp, cp, host = sys.argv[1], sys.argv[2], sys.argv[3]
f = np.memmap(fp, dtype=">i4", mode="r", offset=40, shape=(3, 6), order="F")
c = np.memmap(cp, dtype=host + "f8", mode="r", offset=8, shape=(3, 4))
print(json.dumps({
    "f": bool(np.array_equal(f, (np.arange(18) * 7 - 50).reshape((3, 6), order="F"))),
    "f_size": os.path.getsize(fp), "f_prefix": open(fp, "rb").read(40) == bytes(40),
    "c": bool(np.array_equal(c, (np.arange(12) * 0.5 - 3).reshape(3, 4))),
    "c_size": os.path.getsize(cp),
}))
`, fp, cp, hostDescr())
	var got struct {
		F       bool
		FSize   int  `json:"f_size"`
		FPrefix bool `json:"f_prefix"`
		C       bool
		CSize   int `json:"c_size"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	want := got
	want.F, want.FSize, want.FPrefix = true, 40+3*6*4, true
	want.C, want.CSize = true, 8+3*4*8
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NumPy sees (-want +got):\n%s", diff)
	}
}

// rawFile writes prefix bytes then the values in order bo and returns the
// path.
func rawFile[T any](t *testing.T, prefix int, bo binary.ByteOrder, values []T, extra ...byte) string {
	t.Helper()
	var b bytes.Buffer
	b.Write(rawPrefix(prefix))
	if err := binary.Write(&b, bo, values); err != nil {
		t.Fatal(err)
	}
	b.Write(extra)
	return testutil.WriteFile(t, b.Bytes())
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestRawByteOrders: uint16s written in each byte order, at an even and
// an odd offset, read equal through At in either; Data works only in the
// host's order at the aligned offset (ErrByteOrder, ErrAlign otherwise);
// Set writes the file's order.
func TestRawByteOrders(t *testing.T) {
	vals := []uint16{0x0102, 0xa0b0, 7, 0xffff}
	for _, bo := range []layout.ByteOrder{layout.Little, layout.Big} {
		for _, off := range []int{6, 7} {
			t.Run(bo.String()+"/"+strconv.Itoa(off), func(t *testing.T) {
				var enc binary.ByteOrder = binary.LittleEndian
				if bo == layout.Big {
					enc = binary.BigEndian
				}
				path := rawFile(t, off, enc, vals)
				a, err := array.OpenRaw[uint16](path, memmap.ReadWrite, []int{-1}, &array.Options{Offset: int64(off), ByteOrder: bo})
				if err != nil {
					t.Fatal(err)
				}
				for i, v := range vals {
					if got := a.At(i); got != v {
						t.Errorf("At(%d) = %#x, want %#x", i, got, v)
					}
				}
				_, err = a.Data()
				switch {
				case bo != layout.HostOrder():
					if !errors.Is(err, memmap.ErrByteOrder) {
						t.Errorf("Data = %v, want ErrByteOrder", err)
					}
				case off%2 != 0:
					if !errors.Is(err, array.ErrAlign) {
						t.Errorf("Data = %v, want ErrAlign", err)
					}
				case err != nil:
					t.Errorf("Data: %v", err)
				}
				a.Set(0x1234, 1)
				mustClose(t, a)
				b := readFile(t, path)
				if got := enc.Uint16(b[off+2:]); got != 0x1234 {
					t.Errorf("the file holds %#x after Set(0x1234), want it in %v order", got, bo)
				}
				if !bytes.Equal(b[:off], rawPrefix(off)) {
					t.Errorf("the prefix changed: %q", b[:off])
				}
			})
		}
	}
}

// TestRawErrors: bad shapes, offsets, types and files give errors that
// match their sentinels, for OpenRaw (in each mode) and CreateRaw.
func TestRawErrors(t *testing.T) {
	le := binary.LittleEndian
	rows5 := make([]float64, 15) // 5 rows of 3 after 16 bytes
	good := rawFile(t, 16, le, rows5)
	partial := rawFile(t, 16, le, rows5, 1, 2, 3) // 3 bytes left over
	tiny := testutil.WriteFile(t, []byte("abc"))
	o16 := &array.Options{Offset: 16}
	for _, tc := range []struct {
		name  string
		path  string
		shape []int
		opt   *array.Options
		want  []error
	}{
		{"remainder", partial, []int{-1, 3}, o16, []error{memmap.ErrShape}},
		{"too short", good, []int{6, 3}, o16, []error{memmap.ErrShape, io.ErrUnexpectedEOF}},
		{"offset past end", tiny, []int{-1}, o16, []error{memmap.ErrRange, io.ErrUnexpectedEOF}},
		{"two -1", good, []int{-1, -1}, o16, []error{memmap.ErrShape}},
		{"-1 off the growth axis", good, []int{5, -1}, o16, []error{memmap.ErrShape}},
		{"-1 off the Fortran growth axis", good, []int{-1, 5}, &array.Options{Offset: 16, FortranOrder: true}, []error{memmap.ErrShape}},
		{"-2", good, []int{-2, 3}, o16, []error{memmap.ErrShape}},
		{"-1 with rows of no bytes", good, []int{-1, 0}, o16, []error{memmap.ErrShape}},
		{"negative offset", good, []int{5, 3}, &array.Options{Offset: -8}, []error{memmap.ErrRange}},
		{"offset overflows", good, []int{5, 3}, &array.Options{Offset: math.MaxInt64 - 8}, []error{memmap.ErrRange}},
		{"bad byte order", good, []int{5, 3}, &array.Options{ByteOrder: layout.Mixed}, []error{memmap.ErrByteOrder}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.CopyOnWrite, memmap.ReadWrite} {
				if tc.name == "too short" && mode == memmap.ReadWrite {
					continue // extends the file: TestRawExtends
				}
				size := fileSize(t, tc.path)
				a, err := array.OpenRaw[float64](tc.path, mode, tc.shape, tc.opt)
				if err == nil {
					a.Close()
					t.Fatalf("OpenRaw(%v, %v) opened", mode, tc.shape)
				}
				for _, w := range tc.want {
					if !errors.Is(err, w) {
						t.Errorf("OpenRaw(%v, %v) = %v, want it to match %v", mode, tc.shape, err, w)
					}
				}
				if errors.Is(err, header.ErrFormat) { // a raw file has no header to be malformed
					t.Errorf("OpenRaw(%v, %v) = %v, matches header.ErrFormat", mode, tc.shape, err)
				}
				if got := fileSize(t, tc.path); got != size {
					t.Errorf("a failed OpenRaw(%v) changed the file's size from %d to %d", mode, size, got)
				}
			}
		})
	}
	if _, err := array.OpenRaw[struct{}](good, memmap.ReadOnly, []int{-1}, nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("OpenRaw[struct{}] = %v, want ErrType", err)
	}
	if _, err := array.OpenRaw[int](good, memmap.ReadOnly, []int{-1}, nil); !errors.Is(err, layout.ErrType) {
		t.Errorf("OpenRaw[int] = %v, want ErrType", err)
	}
	dir := testutil.TempDir(t)
	for _, tc := range []struct {
		shape []int
		opt   *array.Options
		want  error
	}{
		{[]int{-1, 3}, nil, memmap.ErrShape},
		{[]int{3, -4}, nil, memmap.ErrShape},
		{[]int{3}, &array.Options{Offset: -1}, memmap.ErrRange},
		{[]int{3}, &array.Options{Capacity: -1}, memmap.ErrRange},
	} {
		path := filepath.Join(dir, "new.bin")
		if a, err := array.CreateRaw[float32](path, tc.shape, tc.opt); !errors.Is(err, tc.want) {
			if err == nil {
				a.Close()
			}
			t.Errorf("CreateRaw(%v, %+v) = %v, want %v", tc.shape, tc.opt, err, tc.want)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed CreateRaw(%v) left a file: %v", tc.shape, err)
		}
	}
}

// TestRawLocked: a second writer of a raw file, by OpenRaw or CreateRaw,
// gets ErrLocked; readers open alongside; after the writer's Close the
// file opens for writing again.
func TestRawLocked(t *testing.T) {
	path := rawFile(t, 0, binary.LittleEndian, []int64{1, 2, 3})
	w := mustOpenRaw[int64](t, path, memmap.ReadWrite, []int{-1}, &array.Options{ByteOrder: layout.Little})
	if _, err := array.OpenRaw[int64](path, memmap.ReadWrite, []int{-1}, nil); !errors.Is(err, memmap.ErrLocked) {
		t.Errorf("second OpenRaw ReadWrite = %v, want ErrLocked", err)
	}
	if _, err := array.CreateRaw[int64](path, []int{3}, nil); !errors.Is(err, memmap.ErrLocked) {
		t.Errorf("CreateRaw over a held file = %v, want ErrLocked", err)
	}
	r := mustOpenRaw[int64](t, path, memmap.ReadOnly, []int{-1}, &array.Options{ByteOrder: layout.Little})
	if r.At(2) != 3 {
		t.Errorf("reader At(2) = %d, want 3", r.At(2))
	}
	mustClose(t, w)
	w2 := mustOpenRaw[int64](t, path, memmap.ReadWrite, []int{-1}, &array.Options{ByteOrder: layout.Little})
	mustClose(t, w2)
}

func mustOpenRaw[T any](t *testing.T, path string, mode memmap.Mode, shape []int, opt *array.Options) *array.Array[T] {
	t.Helper()
	a, err := array.OpenRaw[T](path, mode, shape, opt)
	if err != nil {
		t.Fatalf("OpenRaw(%v, %v): %v", mode, shape, err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// TestRawExtends: ReadWrite with a shape longer than the file extends it
// with zeros, as np.memmap "r+" does; the file is then exactly the shape
// and the old bytes, prefix included, are kept.
func TestRawExtends(t *testing.T) {
	path := rawFile(t, 5, binary.LittleEndian, []int32{10, 20})
	a := mustOpenRaw[int32](t, path, memmap.ReadWrite, []int{2, 3}, &array.Options{Offset: 5, ByteOrder: layout.Little})
	if got, want := fileSize(t, path), int64(5+6*4); got != want {
		t.Errorf("file of %d bytes, want %d", got, want)
	}
	want := []int32{10, 20, 0, 0, 0, 0}
	for k, v := range want {
		if got := a.At(k/3, k%3); got != v {
			t.Errorf("At(%d, %d) = %d, want %d", k/3, k%3, got, v)
		}
	}
	// The array ends at the end of the file now: it can grow.
	if _, err := a.Append([]int32{7, 8, 9}...); err != nil {
		t.Fatal(err)
	}
	mustClose(t, a)
	b := readFile(t, path)
	if !bytes.Equal(b[:5], rawPrefix(5)) || len(b) != 5+9*4 || binary.LittleEndian.Uint32(b[len(b)-4:]) != 9 {
		t.Errorf("file after extend and append: % x", b)
	}
}

// TestRawFixedLength: a shape shorter than the file leaves the bytes
// after it alone: Append, Grow and Resize give ErrShape, Set and Flush
// work, Close keeps the file's size and its tail, and a reader's Refresh
// keeps the length.
func TestRawFixedLength(t *testing.T) {
	tail := []byte("TRAILER!")
	path := rawFile(t, 4, binary.LittleEndian, []float32{1, 2, 3, 4}, tail...)
	size := fileSize(t, path)
	opt := &array.Options{Offset: 4, ByteOrder: layout.Little}
	a := mustOpenRaw[float32](t, path, memmap.ReadWrite, []int{2, 2}, opt)
	if _, err := a.Append([]float32{5, 6}...); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Append = %v, want ErrShape", err)
	}
	if err := a.Grow(10); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Grow = %v, want ErrShape", err)
	}
	if err := a.Resize(1); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Resize = %v, want ErrShape", err)
	}
	a.Set(-1, 1, 1)
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	r := mustOpenRaw[float32](t, path, memmap.ReadOnly, []int{1, 2}, opt)
	if err := r.Refresh(); err != nil || r.Len() != 1 {
		t.Errorf("reader Refresh: %v, Len %d, want 1", err, r.Len())
	}
	mustClose(t, a)
	b := readFile(t, path)
	if int64(len(b)) != size || !bytes.HasSuffix(b, tail) {
		t.Errorf("Close changed the file's size or tail: %d bytes (want %d), % x", len(b), size, b)
	}
	if got := math.Float32frombits(binary.LittleEndian.Uint32(b[4+12:])); got != -1 {
		t.Errorf("element (1, 1) in the file = %v, want -1", got)
	}
}

// TestRawGrowRefreshTruncate: a writer appends past its capacity, a
// reader that opened with -1 follows with Refresh (seeing the appended
// values, and zero rows for the writer's capacity); Truncate shrinks the
// file at once and Refresh sees it; Close leaves exactly the offset and
// the rows.
func TestRawGrowRefreshTruncate(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "grow.bin")
	opt := &array.Options{Offset: 12, ByteOrder: layout.Little}
	w, err := array.CreateRaw[uint32](path, []int{0, 2}, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r := mustOpenRaw[uint32](t, path, memmap.ReadOnly, []int{-1, 2}, opt)
	if r.Len() != 0 {
		t.Fatalf("reader Len %d, want 0", r.Len())
	}
	for i := range 100 {
		if _, err := w.Append([]uint32{uint32(i), uint32(i) << 16}...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(); err != nil {
		t.Fatal(err)
	}
	if r.Len() != w.Cap() {
		t.Errorf("reader Len %d after Refresh, want the writer's capacity %d (the file's size)", r.Len(), w.Cap())
	}
	for i := range r.Len() {
		want := [2]uint32{}
		if i < 100 {
			want = [2]uint32{uint32(i), uint32(i) << 16}
		}
		if got := [2]uint32{r.At(i, 0), r.At(i, 1)}; got != want {
			t.Fatalf("reader row %d = %v, want %v", i, got, want)
		}
	}
	if err := w.Truncate(30); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "windows" {
		// A mapped file cannot shrink there: the writer's Truncate and
		// Close shrink only its own view while the reader maps the file.
		mustClose(t, w)
		return
	}
	if got, want := fileSize(t, path), int64(12+30*8); got != want {
		t.Errorf("file of %d bytes after Truncate(30), want %d", got, want)
	}
	if err := r.Refresh(); err != nil || r.Len() != 30 {
		t.Errorf("reader Refresh after Truncate: %v, Len %d, want 30", err, r.Len())
	}
	if _, err := w.Append([]uint32{1, 2}...); err != nil { // grows again after the shrink
		t.Fatal(err)
	}
	if w.At(30, 1) != 2 || w.Len() != 31 {
		t.Errorf("after Append: Len %d, At(30, 1) %d", w.Len(), w.At(30, 1))
	}
	mustClose(t, w)
	if got, want := fileSize(t, path), int64(12+31*8); got != want {
		t.Errorf("file of %d bytes after Close, want %d", got, want)
	}
	if err := r.Refresh(); err != nil || r.Len() != 31 || r.At(30, 0) != 1 {
		t.Errorf("reader Refresh after Close: %v, Len %d, want 31", err, r.Len())
	}
}

// TestRawCopyOnWrite: Set on a CopyOnWrite raw array changes memory
// only; Append is refused (ErrReadOnly) and the file is unchanged.
func TestRawCopyOnWrite(t *testing.T) {
	path := rawFile(t, 8, binary.BigEndian, []int16{1, -2, 3})
	before := readFile(t, path)
	a := mustOpenRaw[int16](t, path, memmap.CopyOnWrite, []int{-1}, &array.Options{Offset: 8, ByteOrder: layout.Big})
	a.Set(99, 1)
	if a.At(1) != 99 || a.At(2) != 3 {
		t.Errorf("At = %d, %d, want 99, 3", a.At(1), a.At(2))
	}
	if _, err := a.Append([]int16{4}...); !errors.Is(err, memmap.ErrReadOnly) {
		t.Errorf("Append = %v, want ErrReadOnly", err)
	}
	mustClose(t, a)
	if diff := cmp.Diff(before, readFile(t, path)); diff != "" {
		t.Errorf("CopyOnWrite changed the file (-before +after):\n%s", diff)
	}
}

// TestRawZeroD: a 0-d raw array is one element at the offset; it cannot
// grow (ErrShape), and Close leaves the bytes after it.
func TestRawZeroD(t *testing.T) {
	path := rawFile(t, 2, binary.LittleEndian, []float64{2.5, 9})
	a := mustOpenRaw[float64](t, path, memmap.ReadWrite, []int{}, &array.Options{Offset: 2, ByteOrder: layout.Little})
	if a.At() != 2.5 {
		t.Errorf("At() = %v, want 2.5", a.At())
	}
	if _, err := a.Append([]float64{1}...); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Append = %v, want ErrShape", err)
	}
	mustClose(t, a)
	if got := fileSize(t, path); got != 2+16 {
		t.Errorf("file of %d bytes after Close, want 18", got)
	}
}
