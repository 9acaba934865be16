package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/safetensors"
)

// roundTrip adds data as a tensor and returns a check that reads it back
// from the written file.
type roundTrip struct {
	name, dtype string
	shape       []int
	add         func(w *safetensors.Writer) error
	check       func(t *testing.T, f *safetensors.File)
}

func tensorCase[T comparable](name, dtype string, data []T, shape []int) roundTrip {
	return roundTrip{
		name: name, dtype: dtype, shape: shape,
		add: func(w *safetensors.Writer) error { return safetensors.Add(w, name, data, shape) },
		check: func(t *testing.T, f *safetensors.File) {
			t.Helper()
			a, err := safetensors.Tensor[T](f, name)
			if err != nil {
				t.Fatalf("Tensor(%s): %v", name, err)
			}
			defer a.Close()
			got := make([]T, a.Len()*rowLen(a.Shape()))
			if len(data) > 0 {
				if _, err := a.CopyTo(got, 0); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(got, data) {
				t.Errorf("%s: got %v, want %v", name, got, data)
			}
			if layout.HostOrder() == layout.Little {
				d, err := a.Data()
				if err != nil {
					t.Errorf("%s: Data: %v (every tensor of our writer is aligned)", name, err)
				} else if !slices.Equal(d, data) {
					t.Errorf("%s: Data %v", name, d)
				}
			}
		},
	}
}

func rowLen(shape []int) int {
	n := 1
	for _, d := range shape[min(1, len(shape)):] {
		n *= d
	}
	return n
}

func allDTypeCases() []roundTrip {
	n := 5
	bf := make([]layout.BFloat16, n)
	e4 := make([]layout.Float8E4M3, n)
	e5 := make([]layout.Float8E5M2, n)
	for i := range n {
		bf[i] = layout.BFloat16From(float32(i) - 1.5)
		e4[i] = layout.Float8E4M3From(float32(i) * 0.75)
		e5[i] = layout.Float8E5M2From(-float32(i) * 3)
	}
	return []roundTrip{
		tensorCase("bool", "BOOL", []bool{true, false, true}, []int{3}),
		tensorCase("u8", "U8", []uint8{0, 1, 255}, []int{3}),
		tensorCase("i8", "I8", []int8{-128, 0, 127}, []int{3}),
		tensorCase("u16", "U16", []uint16{1, 65535, 3, 4}, []int{2, 2}),
		tensorCase("i16", "I16", []int16{-32768, 7}, []int{2}),
		tensorCase("f16", "F16", []layout.Float16{layout.Float16From(1.5), layout.Float16From(-2)}, []int{1, 2}),
		tensorCase("bf16", "BF16", bf, []int{n}),
		tensorCase("u32", "U32", []uint32{1 << 31, 5, 6}, []int{3, 1}),
		tensorCase("i32", "I32", []int32{-1, 2, -3}, []int{3}),
		tensorCase("f32", "F32", []float32{1.5, float32(math.Inf(-1)), 3}, []int{3}),
		tensorCase("c64", "C64", []complex64{1 + 2i, -3 - 4i}, []int{2}),
		tensorCase("f64", "F64", []float64{math.Pi, -0.5, 1e300}, []int{3}),
		tensorCase("i64", "I64", []int64{math.MinInt64, 1, math.MaxInt64}, []int{3}),
		tensorCase("u64", "U64", []uint64{math.MaxUint64, 0}, []int{2}),
		tensorCase("e4m3", "F8_E4M3", e4, []int{n}),
		tensorCase("e5m2", "F8_E5M2", e5, []int{1, n}),
		tensorCase("scalar", "F64", []float64{42}, nil),                 // 0-d
		tensorCase("empty", "F32", []float32{}, []int{0, 3}),            // zero-size
		tensorCase("empty2", "I64", []int64{}, []int{4, 0}),             // zero-size, 8-byte
		tensorCase("odd", "U8", []uint8{1, 2, 3, 4, 5, 6, 7}, []int{7}), // odd size before smaller ones
		tensorCase("名前 ✓", "I16", []int16{9}, []int{1}),                 // unicode name
	}
}

// checkLayout checks the invariants of our writer on the file's bytes:
// data area on a DataAlign boundary, header padded with spaces, every
// tensor aligned to its element size, no holes, in the reference's order.
func checkLayout(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%safetensors.DataAlign != 0 {
		t.Errorf("data area at %d, not a multiple of %d", 8+n, safetensors.DataAlign)
	}
	h := b[8 : 8+n]
	if h[0] != '{' {
		t.Errorf("header starts with %q", h[0])
	}
	trimmed := bytes.TrimRight(h, " ")
	if trimmed[len(trimmed)-1] != '}' {
		t.Errorf("header ends with %q before its padding", trimmed[len(trimmed)-1])
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(h, &m); err != nil {
		t.Fatalf("header is not JSON: %v", err)
	}
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prevAlign := 1 << 30
	for _, ti := range f.Tensors() {
		if ti.Type == nil {
			continue
		}
		if ti.Offset%int64(ti.Type.Size()) != 0 {
			t.Errorf("%s (%s) at offset %d, not aligned to %d", ti.Name, ti.DType, ti.Offset, ti.Type.Size())
		}
		if ti.Size > 0 {
			if ti.Type.Size() > prevAlign {
				t.Errorf("%s (%s) after a tensor of smaller elements", ti.Name, ti.DType)
			}
			prevAlign = ti.Type.Size()
		}
	}
}

func TestWriteRoundTrip(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "all.safetensors")
	meta := map[string]string{"format": "pt", "note": `quotes " and \ and ✓`, "": "empty key"}
	w, err := safetensors.Create(path, &safetensors.WriterOptions{Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	cases := allDTypeCases()
	for _, c := range cases {
		if err := c.add(w); err != nil {
			t.Fatalf("Add %s: %v", c.name, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the file appears before Close: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want the file alone", len(ents))
	}
	checkLayout(t, path)
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if diff := cmp.Diff(meta, f.Metadata()); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if f.Len() != len(cases) {
		t.Errorf("%d tensors, want %d", f.Len(), len(cases))
	}
	for _, c := range cases {
		info, err := f.Info(c.name)
		if err != nil {
			t.Errorf("Info(%q): %v", c.name, err)
			continue
		}
		wantShape := make([]int64, len(c.shape))
		for i, d := range c.shape {
			wantShape[i] = int64(d)
		}
		if info.DType != c.dtype || !slices.Equal(info.Shape, wantShape) {
			t.Errorf("%s: dtype %s shape %v, want %s %v", c.name, info.DType, info.Shape, c.dtype, wantShape)
		}
		c.check(t, f)
	}
}

// TestWriteEmpty: a file without tensors is a header alone, as the
// reference writes it (padded further, to DataAlign).
func TestWriteEmpty(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "e.safetensors")
	w, err := safetensors.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := append([]byte{56, 0, 0, 0, 0, 0, 0, 0, '{', '}'}, bytes.Repeat([]byte{' '}, 54)...)
	if !bytes.Equal(b, want) {
		t.Errorf("empty file % x", b)
	}
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Len() != 0 || f.Metadata() != nil {
		t.Errorf("Len %d, metadata %v", f.Len(), f.Metadata())
	}
}

// TestWriteStreaming assembles a file in pieces: tensors declared first,
// their bytes written in small pieces, interleaved, out of file order.
func TestWriteStreaming(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "s.safetensors")
	w, err := safetensors.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]float32, 10000)
	for i := range big {
		big[i] = float32(i) / 7
	}
	small := []int16{1, -2, 3, -4, 5}
	raw := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}
	must(t, w.Declare("big", "F32", []int{100, 100}))
	must(t, w.Declare("small", "I16", []int{5}))
	must(t, w.Declare("raw", "U8", []int{3, 3}))
	must(t, w.Declare("e8m0", "F8_E8M0", []int{2})) // no Go type: raw bytes
	must(t, safetensors.Add(w, "added", []float64{1, 2}, []int{2}))
	for i := 0; i < len(big); i += 999 {
		must(t, safetensors.WriteTensor(w, "big", big[i:min(i+999, len(big))]))
		if k := i / 999; k < len(small) {
			must(t, safetensors.WriteTensor(w, "small", small[k:k+1]))
		}
	}
	if _, err := io.Copy(w.TensorWriter("raw"), bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	must(t, w.Write("e8m0", []byte{127, 128}))
	if err := safetensors.Add(w, "late", []float32{1}, []int{1}); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Add after Write: %v, want ErrShape", err)
	}
	must(t, w.Close())
	checkLayout(t, path)
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Names(); !slices.Equal(got, []string{"added", "big", "small", "e8m0", "raw"}) {
		t.Errorf("file order %q", got)
	}
	a, err := safetensors.Tensor[float32](f, "big")
	must(t, err)
	got := make([]float32, 10000)
	if _, err := a.CopyTo(got, 0); err != nil || !slices.Equal(got, big) {
		t.Errorf("big: %v", err)
	}
	s, err := safetensors.Tensor[int16](f, "small")
	must(t, err)
	for i, v := range small {
		if s.At(i) != v {
			t.Errorf("small[%d] = %d", i, s.At(i))
		}
	}
	if b, err := f.Bytes("raw"); err != nil || !bytes.Equal(b, raw) {
		t.Errorf("raw: % x, %v", b, err)
	}
	if b, err := f.Bytes("e8m0"); err != nil || !bytes.Equal(b, []byte{127, 128}) {
		t.Errorf("e8m0: % x, %v", b, err)
	}
	if _, err := f.Any("e8m0"); !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), "F8_E8M0") {
		t.Errorf("Any of F8_E8M0: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteErrors: every misuse is an error, and a failed or abandoned
// writer leaves nothing behind (and an existing file untouched).
func TestWriteErrors(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "x.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	leftover := func(t *testing.T) {
		t.Helper()
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 {
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			t.Errorf("directory holds %q", names)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("the old file changed: %q", b)
		}
	}
	for _, c := range []struct {
		name string
		do   func(w *safetensors.Writer) error
		want error
	}{
		{"complex128", func(w *safetensors.Writer) error { return safetensors.Add(w, "x", []complex128{1}, []int{1}) }, layout.ErrType},
		{"struct", func(w *safetensors.Writer) error {
			return safetensors.Add(w, "x", []struct{ A float32 }{{1}}, []int{1})
		}, layout.ErrType},
		{"datetime", func(w *safetensors.Writer) error { return safetensors.Add(w, "x", []layout.Datetime64{1}, []int{1}) }, layout.ErrType},
		{"int", func(w *safetensors.Writer) error { return safetensors.Add(w, "x", []int{1}, []int{1}) }, layout.ErrType},
		{"shape mismatch", func(w *safetensors.Writer) error { return safetensors.Add(w, "x", []float32{1, 2}, []int{3}) }, memmap.ErrShape},
		{"negative dim", func(w *safetensors.Writer) error { return w.Declare("x", "F32", []int{-1}) }, memmap.ErrShape},
		{"overflow", func(w *safetensors.Writer) error {
			return w.Declare("x", "F64", []int{math.MaxInt / 2, math.MaxInt / 2})
		}, memmap.ErrRange},
		{"unknown dtype", func(w *safetensors.Writer) error { return w.Declare("x", "F128", []int{1}) }, layout.ErrDType},
		{"half bytes", func(w *safetensors.Writer) error { return w.Declare("x", "F4", []int{3}) }, memmap.ErrShape},
		{"duplicate", func(w *safetensors.Writer) error {
			must(t, w.Declare("x", "F32", []int{1}))
			return w.Declare("x", "F32", []int{1})
		}, memmap.ErrShape},
		{"metadata name", func(w *safetensors.Writer) error { return w.Declare("__metadata__", "F32", []int{1}) }, safetensors.ErrFormat},
		{"bad utf-8 name", func(w *safetensors.Writer) error { return w.Declare("\xff", "F32", []int{1}) }, safetensors.ErrFormat},
		{"undeclared", func(w *safetensors.Writer) error { return w.Write("x", []byte{1}) }, safetensors.ErrNotFound},
		{"too many bytes", func(w *safetensors.Writer) error {
			must(t, w.Declare("x", "U8", []int{2}))
			return w.Write("x", []byte{1, 2, 3})
		}, memmap.ErrShape},
		{"wrong type", func(w *safetensors.Writer) error {
			must(t, w.Declare("x", "F32", []int{2}))
			return safetensors.WriteTensor(w, "x", []int32{1, 2})
		}, layout.ErrDType},
		{"write to added", func(w *safetensors.Writer) error {
			must(t, safetensors.Add(w, "x", []uint8{1}, []int{1}))
			return w.Write("x", []byte{1})
		}, memmap.ErrShape},
		{"incomplete", func(w *safetensors.Writer) error {
			must(t, w.Declare("x", "U8", []int{4}))
			must(t, w.Write("x", []byte{1, 2}))
			return w.Close()
		}, memmap.ErrShape},
		{"never written", func(w *safetensors.Writer) error {
			must(t, w.Declare("x", "U8", []int{4}))
			return w.Close()
		}, memmap.ErrShape},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, err := safetensors.Create(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = c.do(w)
			if !errors.Is(err, c.want) {
				t.Errorf("got %v, want %v", err, c.want)
			} else {
				t.Log(err)
			}
			if err := w.Abort(); err != nil {
				t.Errorf("Abort: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close after Abort: %v, want nil", err)
			}
			leftover(t)
		})
	}
	if _, err := safetensors.Create(path, &safetensors.WriterOptions{Metadata: map[string]string{"k": "\xff"}}); !errors.Is(err, safetensors.ErrFormat) {
		t.Errorf("bad metadata: %v", err)
	}
	if _, err := safetensors.Create(filepath.Join(dir, "no", "such", "dir", "x"), nil); err == nil {
		t.Error("Create in a missing directory")
	}
	leftover(t)
	// A failed Write aborts the writer: later calls give its error.
	w, err := safetensors.Create(path, nil)
	must(t, err)
	must(t, w.Declare("x", "U8", []int{1}))
	first := w.Write("x", []byte{1, 2})
	if err := w.Write("x", []byte{1}); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Write after a failure: %v, want the first error %v", err, first)
	}
	if err := w.Close(); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("Close after a failure: %v", err)
	}
	leftover(t)
}

// TestWriteReplaces: Close replaces an existing file, and a map of the
// old file keeps the old data.
func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "r.safetensors")
	write := func(v float32) {
		w, err := safetensors.Create(path, nil)
		must(t, err)
		must(t, safetensors.Add(w, "v", []float32{v}, []int{1}))
		must(t, w.Close())
	}
	write(1)
	if runtime.GOOS == "windows" {
		t.Skip("windows cannot replace a file that is open")
	}
	old, err := safetensors.Open(path)
	must(t, err)
	defer old.Close()
	a, err := safetensors.Tensor[float32](old, "v")
	must(t, err)
	write(2)
	if a.At(0) != 1 {
		t.Errorf("the old map sees %v", a.At(0))
	}
	f, err := safetensors.Open(path)
	must(t, err)
	defer f.Close()
	b, err := safetensors.Tensor[float32](f, "v")
	must(t, err)
	if b.At(0) != 2 {
		t.Errorf("the new file holds %v", b.At(0))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v, want 0o644", fi.Mode(), err)
	}
}

// TestDTypeOf names the dtypes of Go types.
func TestDTypeOf(t *testing.T) {
	type celsius float32
	for _, c := range []struct{ got, want string }{
		{dt[bool](), "BOOL"}, {dt[uint8](), "U8"}, {dt[int8](), "I8"}, {dt[uint16](), "U16"}, {dt[int16](), "I16"},
		{dt[layout.Float16](), "F16"}, {dt[layout.BFloat16](), "BF16"}, {dt[uint32](), "U32"}, {dt[int32](), "I32"},
		{dt[float32](), "F32"}, {dt[celsius](), "F32"}, {dt[complex64](), "C64"}, {dt[float64](), "F64"},
		{dt[int64](), "I64"}, {dt[uint64](), "U64"}, {dt[layout.Float8E4M3](), "F8_E4M3"}, {dt[layout.Float8E5M2](), "F8_E5M2"},
		{dt[complex128](), "error"}, {dt[[4]byte](), "error"}, {dt[layout.Timedelta64](), "error"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

func dt[T any]() string {
	s, err := safetensors.DTypeOf[T]()
	if err != nil {
		if !errors.Is(err, layout.ErrType) {
			return fmt.Sprintf("error not ErrType: %v", err)
		}
		return "error"
	}
	return s
}
