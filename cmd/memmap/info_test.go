package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// npyCase is a .npy file the tests write with header.Encode: its dtype,
// order, shape, data and the spare bytes (capacity) after the data.
type npyCase struct {
	descr   string
	fortran bool
	shape   []int64
	data    []byte
	spare   int
}

// write writes c to dir/name and returns the path.
func (c npyCase) write(t testing.TB, dir, name string) string {
	t.Helper()
	dt, err := layout.ParseDescr(c.descr)
	if err != nil {
		t.Fatalf("ParseDescr(%s): %v", c.descr, err)
	}
	h := header.Header{DType: dt, FortranOrder: c.fortran, Shape: c.shape}
	b, err := h.Encode()
	if err != nil {
		t.Fatalf("Encode: %v", err)
	}
	b = append(b, c.data...)
	b = append(b, make([]byte, c.spare)...)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// put appends v to b in byte order bo (v a fixed-size value or slice).
func put(b []byte, bo binary.ByteOrder, v any) []byte {
	b, err := binary.Append(b, bo, v)
	if err != nil {
		panic(err)
	}
	return b
}

var le, be = binary.LittleEndian, binary.BigEndian

// The test files, shared by the info and head tests.
func float32Case() npyCase { // (3, 10) '<f4', v = 10i + j + 0.5, with 100 bytes of capacity
	var data []byte
	for i := 0; i < 3; i++ {
		for j := 0; j < 10; j++ {
			data = put(data, le, float32(10*i+j)+0.5)
		}
	}
	return npyCase{descr: "'<f4'", shape: []int64{3, 10}, data: data, spare: 100}
}

func int16FortranCase() npyCase { // (3, 4) '<i2' Fortran, v = 100i - j
	data := make([]byte, 3*4*2)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			le.PutUint16(data[2*(j*3+i):], uint16(int16(100*i-j)))
		}
	}
	return npyCase{descr: "'<i2'", fortran: true, shape: []int64{3, 4}, data: data}
}

func bigFloat64Case() npyCase { // (5,) '>f8'
	data := put(nil, be, []float64{1.5, -0.1, 1e300, math.Inf(-1), math.NaN()})
	return npyCase{descr: "'>f8'", shape: []int64{5}, data: data}
}

// structDescr: a nested struct with a big-endian half, a subarray, an S
// field and the padding NumPy writes for align=True.
const structDescr = "[('name', '|S5'), ('', '|V3'), ('inner', [('a', '<i4'), ('b', '>f2'), ('', '|V2')]), ('v', '<u2', (2, 2)), ('when', '<M8[s]')]"

func structCase() npyCase { // (2,), itemsize 32
	var data []byte
	for i, name := range []string{"alice", "b"} {
		rec := make([]byte, 32)
		copy(rec, name)
		le.PutUint32(rec[8:], uint32(int32(-i-1)))
		be.PutUint16(rec[12:], uint16(layout.Float16FromFloat64(0.1*float64(i+1))))
		for k := 0; k < 4; k++ {
			le.PutUint16(rec[16+2*k:], uint16(10*i+k))
		}
		le.PutUint64(rec[24:], uint64(1700000000+int64(i)))
		data = append(data, rec...)
	}
	return npyCase{descr: structDescr, shape: []int64{2}, data: data}
}

func packedCase() npyCase { // (2,) [('flag', '|u1'), ('x', '<f4'), ('y', '<f8')], packed as NumPy's default
	var data []byte
	for i := range 2 {
		data = put(put(append(data, byte(i)), le, float32(i)+0.5), le, -2.5*float64(i))
	}
	return npyCase{descr: "[('flag', '|u1'), ('x', '<f4'), ('y', '<f8')]", shape: []int64{2}, data: data}
}

func zeroDCase() npyCase { // () '<c16'
	return npyCase{descr: "'<c16'", shape: nil, data: put(nil, le, complex(1.5, -2))}
}

func emptyCase() npyCase { // (0, 64) '<f4'
	return npyCase{descr: "'<f4'", shape: []int64{0, 64}}
}

// runOK runs the command line and fails the test unless it exits 0 with
// nothing on stderr; it returns stdout.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(args, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
		t.Fatalf("run(%q) = %d, stderr:\n%s", args, code, stderr.String())
	}
	return stdout.String()
}

func TestInfo(t *testing.T) {
	dir := testutil.TempDir(t)
	tests := []struct {
		name string
		c    npyCase
		want string // the block after the path line
	}{
		{"float32.npy", float32Case(), `
  format      1.0
  dtype       '<f4'
  go type     float32
  shape       (3, 10)
  order       C (row-major), growth axis 0
  byte order  little-endian
  header      128 bytes
  data        120 bytes (3 rows of 40 bytes)
  file        348 bytes (100 bytes of capacity past the data)
`},
		{"int16f.npy", int16FortranCase(), `
  format      1.0
  dtype       '<i2'
  go type     int16
  shape       (3, 4)
  order       Fortran (column-major), growth axis 1
  byte order  little-endian
  header      128 bytes
  data        24 bytes (4 columns of 6 bytes)
  file        152 bytes (no capacity past the data)
`},
		{"big.npy", bigFloat64Case(), `
  format      1.0
  dtype       '>f8'
  go type     float64
  shape       (5,)
  order       C (row-major), growth axis 0
  byte order  big-endian
  header      128 bytes
  data        40 bytes (5 elements of 8 bytes)
  file        168 bytes (no capacity past the data)
`},
		{"struct.npy", structCase(), `
  format      1.0
  dtype       ` + structDescr + `
  go type     struct { Name [5]byte ` + "`npy:\"name\"`" + `; _ [3]byte; Inner struct { A int32 ` + "`npy:\"a\"`" + `; B layout.Float16 ` + "`npy:\"b\"`" + `; _ [2]byte } ` + "`npy:\"inner\"`" + `; V [2][2]uint16 ` + "`npy:\"v\"`" + `; When layout.Datetime64 ` + "`npy:\"when,unit=s\"`" + ` }
  shape       (2,)
  order       C (row-major), growth axis 0
  byte order  mixed
  header      256 bytes
  data        64 bytes (2 elements of 32 bytes)
  file        320 bytes (no capacity past the data)
  fields      4
  field       name     '|S5'                                      offset 0   [5]byte
  field       inner    [('a', '<i4'), ('b', '>f2'), ('', '|V2')]  offset 8   struct { A int32 ` + "`npy:\"a\"`" + `; B layout.Float16 ` + "`npy:\"b\"`" + `; _ [2]byte }
  field       inner.a  '<i4'                                      offset 8   int32
  field       inner.b  '>f2'                                      offset 12  layout.Float16
  field       v        '<u2', (2, 2)                              offset 16  [2][2]uint16
  field       when     '<M8[s]'                                   offset 24  layout.Datetime64
`},
		{"packed.npy", packedCase(), `
  format      1.0
  dtype       [('flag', '|u1'), ('x', '<f4'), ('y', '<f8')]
  go type     struct { Flag uint8 ` + "`npy:\"flag\"`" + `; X float32 ` + "`npy:\"x\"`" + `; Y float64 ` + "`npy:\"y\"`" + ` }
  shape       (2,)
  order       C (row-major), growth axis 0
  byte order  little-endian
  header      192 bytes
  data        26 bytes (2 elements of 13 bytes)
  file        218 bytes (no capacity past the data)
  fields      3
  field       flag  '|u1'  offset 0  uint8
  field       x     '<f4'  offset 1  float32
  field       y     '<f8'  offset 5  float64
  layout      packed, no Go struct matches: field 1 "x": file has it at offset 1, Go type at offset 4
  access      ` + packedAccess + `
`},
		{"zero.npy", zeroDCase(), `
  format      1.0
  dtype       '<c16'
  go type     complex128
  shape       ()
  order       C (row-major), no growth axis (0-d)
  byte order  little-endian
  header      128 bytes
  data        16 bytes (one element of 16 bytes)
  file        144 bytes (no capacity past the data)
`},
		{"empty.npy", emptyCase(), `
  format      1.0
  dtype       '<f4'
  go type     float32
  shape       (0, 64)
  order       C (row-major), growth axis 0
  byte order  little-endian
  header      128 bytes
  data        0 bytes (0 rows of 256 bytes)
  file        128 bytes (no capacity past the data)
`},
	}
	var paths []string
	var all []string
	for _, tt := range tests {
		path := tt.c.write(t, dir, tt.name)
		paths = append(paths, path)
		want := path + tt.want
		all = append(all, want)
		t.Run(tt.name, func(t *testing.T) {
			got := runOK(t, "info", path)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("info %s (-want +got):\n%s", tt.name, diff)
			}
		})
	}
	// All at once: the same blocks, separated by blank lines.
	got := runOK(t, append([]string{"info"}, paths...)...)
	if diff := cmp.Diff(strings.Join(all, "\n"), got); diff != "" {
		t.Errorf("info of all files (-want +got):\n%s", diff)
	}
}

// A failing file among good ones: its one line on stderr, the others
// printed, exit 1.
func TestInfoSomeFail(t *testing.T) {
	dir := testutil.TempDir(t)
	good := float32Case().write(t, dir, "good.npy")
	missing := filepath.Join(dir, "missing.npy")
	var stdout, stderr bytes.Buffer
	code := run([]string{"info", missing, good, missing}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, line := range strings.SplitAfter(stderr.String(), "\n")[:2] {
		if !strings.HasPrefix(line, "memmap: "+missing+": ") || strings.Count(line, missing) != 1 || !strings.HasSuffix(line, "\n") {
			t.Errorf("stderr line %q is not one line naming %s once", line, missing)
		}
	}
	if n := strings.Count(stderr.String(), "\n"); n != 2 {
		t.Errorf("stderr has %d lines, want 2:\n%s", n, stderr.String())
	}
	if out := stdout.String(); !strings.HasPrefix(out, good+"\n  format      1.0\n") || strings.Count(out, "\n\n") != 0 {
		t.Errorf("stdout is not the one block of %s:\n%s", good, out)
	}
}

func TestGoType(t *testing.T) {
	for _, tt := range []struct{ descr, want string }{
		{"'|b1'", "bool"},
		{"'>i8'", "int64"},
		{"'|u1'", "uint8"},
		{"'<f2'", "layout.Float16"},
		{"'<c8'", "complex64"},
		{"'|S16'", "[16]byte"},
		{"'|V3'", "[3]byte"},
		{"'<m8[ns]'", "layout.Timedelta64"},
		{"[('X', '<f8'), ('y z', '<i4'), ('2nd', '|u1'), ('x', '<i2', (3,))]",
			"struct { X float64; Y_z int32 `npy:\"y z\"`; F2nd uint8 `npy:\"2nd\"`; X_2 [3]int16 `npy:\"x\"` }"},
		{"[('t', '<M8'), ('u', '<M8[25ms]')]", "struct { T layout.Datetime64 `npy:\"t\"`; U layout.Datetime64 `npy:\"u,unit=25ms\"` }"},
		{"[('a`b', '|u1')]", "struct { A_b uint8 \"npy:\\\"a`b\\\"\" }"},
	} {
		dt, err := layout.ParseDescr(tt.descr)
		if err != nil {
			t.Errorf("ParseDescr(%s): %v", tt.descr, err)
			continue
		}
		if got := goType(dt); got != tt.want {
			t.Errorf("goType(%s):\n got %s\nwant %s", tt.descr, got, tt.want)
		}
	}
	// A dtype made from a Go type names that type.
	type rec struct{ A float32 }
	dt, err := layout.Of[rec]()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := goType(dt), "main.rec"; got != want {
		t.Errorf("goType(Of[rec]) = %s, want %s", got, want)
	}
}

// TestPacked: info notes the structured dtypes no Go struct can mirror
// (a field off its Go offset, an item size that is not Go's, at any
// depth), and only those: the Go type it suggests for the others has the
// file's layout on this host. Go's layout is the host's: on 386 a float64
// at offset 4 is where Go puts it.
func TestPacked(t *testing.T) {
	f8at4 := `field 1 "y": file has it at offset 4, Go type at offset 8`
	if unsafe.Alignof(float64(0)) == 4 {
		f8at4 = ""
	}
	for _, tt := range []struct {
		descr string
		want  string // "" when the layout is Go's
	}{
		{"[('x', '<f4'), ('y', '<f8')]", f8at4},
		{"[('x', '<f8'), ('y', '|u1')]", "item size of 9 bytes"},
		{"[('a', '|u1'), ('in', [('x', '<f4'), ('y', '<f8')])]", `"in`},
		{"[('a', '|u1'), ('b', '<i2')]", `field 1 "b": file has it at offset 1, Go type at offset 2`},
		{"[('x', '<f4'), ('', '|V4'), ('y', '<f8')]", ""},
		{"[('a', '<f8'), ('b', '<i4'), ('', '|V4')]", ""},
		{"[('a', '|u1'), ('b', '|S3'), ('c', '<u2', (3,))]", ""},
		{"[('t', '<M8[ns]'), ('u', '<m8[s]'), ('h', '<f2'), ('', '|V6')]", ""},
		{structDescr, ""},
		{"[('s', '|S2', (2,)), ('e', [('x', '|i1')], (1,))]", ""},
		{"[('X', '<f8'), ('y z', '<i4'), ('2nd', '|u1'), ('', '|V1'), ('x', '<i2', (3,)), ('', '|V4')]", ""},
		{"[('X', '<f8'), ('y z', '<i4'), ('2nd', '|u1'), ('x', '<i2', (3,))]", `field 3 "x"`},
	} {
		dt, err := layout.ParseDescr(tt.descr)
		if err != nil {
			t.Fatalf("ParseDescr(%s): %v", tt.descr, err)
		}
		got := packed(dt)
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("packed(%s) = %q, want %q", tt.descr, got, tt.want)
		}
		// The reflect type is the type goType writes.
		rt, ok := goReflectType(dt)
		if !ok {
			t.Errorf("goReflectType(%s) failed", tt.descr)
			continue
		}
		if a, b := strings.ReplaceAll(rt.String(), "uint8", "byte"), strings.ReplaceAll(goType(dt), "uint8", "byte"); strings.Count(a, ";") != strings.Count(b, ";") || strings.Count(a, "_ [") != strings.Count(b, "_ [") {
			t.Errorf("goReflectType(%s) = %s, goType %s", tt.descr, a, b)
		}
	}
}

func TestPyTuple(t *testing.T) {
	for _, tt := range []struct {
		shape []int64
		want  string
	}{
		{nil, "()"},
		{[]int64{5}, "(5,)"},
		{[]int64{3, 0, 7}, "(3, 0, 7)"},
	} {
		if got := pyTuple(tt.shape); got != tt.want {
			t.Errorf("pyTuple(%v) = %q, want %q", tt.shape, got, tt.want)
		}
	}
}

// Describe a .npy file: a file of 1000 rows of 64 float32s written with
// room for 500 more rows.
func Example_info() {
	dir, err := os.MkdirTemp("", "memmap-example-")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	dt, err := layout.ParseDescr("'<f4'")
	if err != nil {
		fmt.Println(err)
		return
	}
	h := header.Header{DType: dt, Shape: []int64{1000, 64}}
	b, err := h.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}
	b = append(b, make([]byte, 1500*64*4)...)
	path := filepath.Join(dir, "embeddings.npy")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fmt.Println(err)
		return
	}
	var out bytes.Buffer
	run([]string{"info", path}, &out, os.Stderr)
	fmt.Print(strings.Replace(out.String(), path, "embeddings.npy", 1))
	// Output:
	// embeddings.npy
	//   format      1.0
	//   dtype       '<f4'
	//   go type     float32
	//   shape       (1000, 64)
	//   order       C (row-major), growth axis 0
	//   byte order  little-endian
	//   header      128 bytes
	//   data        256000 bytes (1000 rows of 256 bytes)
	//   file        384128 bytes (128000 bytes of capacity past the data)
}

// TestInfoPackedNumPy: of the structured arrays NumPy writes, info notes
// the packed ones (NumPy's default) and not those made with align=True.
func TestInfoPackedNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	testutil.RunPython(t, `
import sys
import numpy as np
fields = [('id', '<i8'), ('score', '<f4'), ('flag', '?'), ('pos', '<f8', (3,)), ('t', '<M8[us]')]
np.save(sys.argv[1] + '/packed.npy', np.zeros(3, np.dtype(fields)))
np.save(sys.argv[1] + '/aligned.npy', np.zeros(3, np.dtype(fields, align=True)))
`, dir)
	packed := runOK(t, "info", filepath.Join(dir, "packed.npy"))
	if !strings.Contains(packed, "\n  layout      packed, no Go struct matches: ") || !strings.Contains(packed, "\n  access      "+packedAccess+"\n") {
		t.Errorf("info of a packed struct lacks the layout note:\n%s", packed)
	}
	if aligned := runOK(t, "info", filepath.Join(dir, "aligned.npy")); strings.Contains(aligned, "packed") {
		t.Errorf("info of an align=True struct says packed:\n%s", aligned)
	}
}

// TestInfoUnnamedAndEmpty: NumPy's own format tests hold a struct with a
// field with an empty name (which no Go field can have) and a struct with no
// fields at all (8 bytes of padding): info says the first has no Go
// type and suggests [8]byte, which opens, for the second (issue 15).
func TestInfoUnnamedAndEmpty(t *testing.T) {
	noName, err := layout.ParseDescr("[('a', '<i4'), ('', '<i4'), ('b', '<i4')]")
	if err != nil {
		t.Fatal(err)
	}
	if f := unnamed(noName, ""); f != "1" {
		t.Errorf("unnamed = %q, want field 1", f)
	}
	if _, ok := goReflectType(noName); ok {
		t.Error("goReflectType of a struct with an unnamed field succeeded; layout cannot match its name")
	}
	var b strings.Builder
	writeInfo(&b, &array.Info{Path: "dt4.npy", DType: noName, Shape: []int64{3}, GrowthAxis: 0})
	if !strings.Contains(b.String(), "field 1 has an empty name") || strings.Contains(b.String(), "packed") {
		t.Errorf("info of dt4:\n%s", b.String())
	}
	empty, err := layout.ParseDescr("[('', '|V8')]") // NumPy's descr of dt6
	if err != nil || empty.Kind() != layout.Struct || empty.NumField() != 0 {
		t.Fatalf("ParseDescr of the empty struct: %v, %v", empty, err)
	}
	if got := goType(empty); got != "[8]byte" {
		t.Errorf("goType of an empty 8-byte struct = %s, want [8]byte", got)
	}
	rt, ok := goReflectType(empty)
	if !ok {
		t.Fatal("goReflectType of the empty struct failed")
	}
	g, err := layout.TypeOf(rt)
	if err != nil || layout.Compatible(empty, g) != nil {
		t.Errorf("%v does not open the empty struct: %v, %v", rt, err, layout.Compatible(empty, g))
	}
}
