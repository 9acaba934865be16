package safetensors_test

import (
	"errors"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/safetensors"
)

// fixtures is the reference implementation's sample files, copied into
// testdata (see testdata/README.md for their source and licence).
var fixtures = "testdata"

// wantRange is range(-3, 3) as elements of T (unsigned types wrap, as
// NumPy's astype does).
func wantRange[T any](conv func(int) T) []T {
	var v []T
	for i := -3; i < 3; i++ {
		v = append(v, conv(i))
	}
	return v
}

// checkTensor opens the tensor name of f as T and checks its dtype,
// shape and values, through Tensor[T] (At, CopyTo and, where aligned,
// Data) and through Any.
func checkTensor[T comparable](t *testing.T, f *safetensors.File, name, dtype string, want []T) {
	t.Helper()
	info, err := f.Info(name)
	if err != nil {
		t.Fatalf("%s: Info(%q): %v (names %q)", f.Path(), name, err, f.Names())
	}
	if info.DType != dtype || !slices.Equal(info.Shape, []int64{6}) || info.Size != int64(6*info.Type.Size()) {
		t.Errorf("%s: info %+v, want dtype %s shape [6]", name, info, dtype)
	}
	a, err := safetensors.Tensor[T](f, name)
	if err != nil {
		t.Fatalf("Tensor[%T](%s): %v", *new(T), name, err)
	}
	defer a.Close()
	if !slices.Equal(a.Shape(), []int{6}) {
		t.Errorf("%s: shape %v", name, a.Shape())
	}
	got := make([]T, 6)
	for i := range got {
		got[i] = a.At(i)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s via At (-want +got):\n%s", name, diff)
	}
	cp := make([]T, 6)
	if n, err := a.CopyTo(cp, 0); err != nil || n != 6 || !slices.Equal(cp, want) {
		t.Errorf("%s: CopyTo = %d, %v, %v", name, n, err, cp)
	}
	d, err := a.Data()
	switch {
	case layout.HostOrder() == layout.Big && info.Type.Size() > 1:
		if !errors.Is(err, memmap.ErrByteOrder) {
			t.Errorf("%s: Data on a big-endian host: %v, want ErrByteOrder", name, err)
		}
	case info.Offset%int64(info.Type.Align()) != 0:
		if !errors.Is(err, memmap.ErrAlign) {
			t.Errorf("%s at offset %d: Data = %v, want ErrAlign", name, info.Offset, err)
		}
	case err != nil || !slices.Equal(d, want):
		t.Errorf("%s: Data = %v, %v", name, d, err)
	}
	u, err := f.Any(name)
	if err != nil {
		t.Fatalf("Any(%s): %v", name, err)
	}
	defer u.Close()
	if !u.DType().Equal(info.Type) {
		t.Errorf("%s: Any dtype %s, want %s", name, u.DType(), info.Type)
	}
	for i := range 6 {
		v, err := u.At(i)
		if err != nil {
			t.Fatal(err)
		}
		if v.Interface() != any(want[i]) {
			t.Errorf("%s[%d] via Any = %#v, want %#v", name, i, v.Interface(), want[i])
		}
	}
}

func checkFixture(t *testing.T, f *safetensors.File, name string) {
	t.Helper()
	switch name {
	case "B":
		checkTensor(t, f, name, "U8", wantRange(func(i int) uint8 { return uint8(i) }))
	case "H":
		checkTensor(t, f, name, "U16", wantRange(func(i int) uint16 { return uint16(i) }))
	case "I":
		checkTensor(t, f, name, "U32", wantRange(func(i int) uint32 { return uint32(i) }))
	case "b":
		checkTensor(t, f, name, "I8", wantRange(func(i int) int8 { return int8(i) }))
	case "h":
		checkTensor(t, f, name, "I16", wantRange(func(i int) int16 { return int16(i) }))
	case "i":
		checkTensor(t, f, name, "I32", wantRange(func(i int) int32 { return int32(i) }))
	case "d":
		checkTensor(t, f, name, "F64", wantRange(func(i int) float64 { return float64(i) }))
	case "f":
		checkTensor(t, f, name, "F32", wantRange(func(i int) float32 { return float32(i) }))
	case "e":
		checkTensor(t, f, name, "F16", wantRange(func(i int) layout.Float16 { return layout.Float16From(float32(i)) }))
	default:
		t.Errorf("unexpected tensor %q", name)
	}
}

// TestReferenceSamples reads the reference implementation's sample files:
// every tensor's dtype, shape, values and the metadata.
func TestReferenceSamples(t *testing.T) {
	all := []string{"B", "H", "I", "b", "d", "e", "f", "h", "i"}
	for _, name := range all {
		t.Run(name, func(t *testing.T) {
			f, err := safetensors.Open(filepath.Join(fixtures, name+".safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if !slices.Equal(f.Names(), []string{name}) {
				t.Errorf("names %q", f.Names())
			}
			if diff := cmp.Diff(map[string]string{"test": "a"}, f.Metadata()); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
			checkFixture(t, f, name)
		})
	}
	t.Run("overall", func(t *testing.T) {
		f, err := safetensors.Open(filepath.Join(fixtures, "overall.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		names := f.Names()
		if got := slices.Sorted(slices.Values(names)); !slices.Equal(got, slices.Sorted(slices.Values(all))) {
			t.Fatalf("names %q", names)
		}
		if diff := cmp.Diff(map[string]string{"test": "a"}, f.Metadata()); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
		// File order is offset order, contiguous from the data area.
		off := f.DataOffset()
		for _, ti := range f.Tensors() {
			if ti.Offset != off {
				t.Errorf("%s at %d, want %d", ti.Name, ti.Offset, off)
			}
			off += ti.Size
			checkFixture(t, f, ti.Name)
		}
		// The wrong T is refused, as for .npy files.
		if _, err := safetensors.Tensor[int32](f, "f"); !errors.Is(err, layout.ErrDType) {
			t.Errorf("Tensor[int32] of F32: %v", err)
		}
		if _, err := safetensors.Tensor[uint16](f, "e"); !errors.Is(err, layout.ErrDType) {
			t.Errorf("Tensor[uint16] of F16: %v", err)
		}
		if _, err := safetensors.Tensor[layout.BFloat16](f, "e"); !errors.Is(err, layout.ErrDType) {
			t.Errorf("Tensor[BFloat16] of F16: %v", err)
		}
		_, err = safetensors.Tensor[float32](f, "nope")
		if !errors.Is(err, safetensors.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("missing tensor: %v", err)
		}
		if _, err := f.Any("nope"); !errors.Is(err, safetensors.ErrNotFound) {
			t.Errorf("missing tensor via Any: %v", err)
		}
		if _, err := f.Info("nope"); !errors.Is(err, safetensors.ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Info of a missing tensor: %v, want ErrNotFound and fs.ErrNotExist", err)
		}
		// Read-only: Set returns ErrReadOnly.
		a, err := safetensors.Tensor[float32](f, "f")
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Set(1, 0); !errors.Is(err, memmap.ErrReadOnly) {
			t.Errorf("Set on a tensor: %v, want ErrReadOnly", err)
		}
		b, err := f.Bytes("f")
		if err != nil || len(b) != 24 || math.Float32frombits(uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24) != -3 {
			t.Errorf("Bytes(f) = % x, %v", b, err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if _, err := safetensors.Tensor[float32](f, "f"); !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("Tensor after Close: %v", err)
		}
		if _, err := a.Data(); !errors.Is(err, memmap.ErrClosed) {
			t.Logf("a view's Data after the File's Close: %v (documented as invalid)", err)
		}
	})
}

// TestAnyPrints: the untyped view prints the values as memmap head does.
func TestAnyPrints(t *testing.T) {
	f, err := safetensors.Open(filepath.Join(fixtures, "e.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := f.Any("e")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := range a.Len() {
		v, _ := a.At(i)
		got = append(got, v.String())
	}
	if !slices.Equal(got, []string{"-3", "-2", "-1", "0", "1", "2"}) {
		t.Errorf("printed %q", got)
	}
	var _ *array.Any = a
}
