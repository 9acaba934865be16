package array_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestValueMinifloats: the untyped Value decodes bfloat16 and FP8
// elements (of safetensors files) in their own byte order.
func TestValueMinifloats(t *testing.T) {
	bf, _ := layout.Of[layout.BFloat16]()
	e4, _ := layout.Of[layout.Float8E4M3]()
	e5, _ := layout.Of[layout.Float8E5M2]()
	for _, c := range []struct {
		dt    *layout.DType
		b     []byte
		want  float64
		str   string
		iface any
	}{
		{bf.WithByteOrder(layout.Little), []byte{0xc0, 0x3f}, 1.5, "1.5", layout.BFloat16(0x3fc0)},
		{bf.WithByteOrder(layout.Big), []byte{0x3f, 0xc0}, 1.5, "1.5", layout.BFloat16(0x3fc0)},
		{bf.WithByteOrder(layout.Little), []byte{0xcd, 0x3d}, 0.10009765625, "0.1", layout.BFloat16(0x3dcd)},
		{e4, []byte{0x7e}, 448, "450", layout.Float8E4M3(0x7e)},
		{e4, []byte{0xb8}, -1, "-1", layout.Float8E4M3(0xb8)},
		{e5, []byte{0x7b}, 57344, "60000", layout.Float8E5M2(0x7b)},
		{e5, []byte{0x41}, 2.5, "2.5", layout.Float8E5M2(0x41)},
	} {
		v, err := array.NewValue(c.dt, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := v.Float(); !ok || f != c.want {
			t.Errorf("%s % x: Float() = %v, %v, want %v", c.dt, c.b, f, ok, c.want)
		}
		if s := v.String(); s != c.str {
			t.Errorf("%s % x: String() = %q, want %q", c.dt, c.b, s, c.str)
		}
		if got := v.Interface(); got != c.iface {
			t.Errorf("%s % x: Interface() = %#v, want %#v", c.dt, c.b, got, c.iface)
		}
		if _, ok := v.Uint(); ok {
			t.Errorf("%s: Uint() reports a uint", c.dt)
		}
	}
	v, _ := array.NewValue(e4, []byte{0x7f})
	if s := v.String(); s != "NaN" {
		t.Errorf("E4M3 NaN prints %q", s)
	}
}

// TestCreateMinifloatRefused: no .npy file can hold a dtype NumPy lacks;
// a raw file can.
func TestCreateMinifloatRefused(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "bf.npy")
	if a, err := array.Create[layout.BFloat16](path, []int{4}, nil); !errors.Is(err, layout.ErrDType) {
		if a != nil {
			a.Close()
		}
		t.Fatalf("Create[BFloat16] = %v, want ErrDType", err)
	} else {
		t.Log(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused Create left a file: %v", err)
	}
	if err := array.Save(path, []layout.Float8E4M3{1, 2}, nil, nil); !errors.Is(err, layout.ErrDType) {
		t.Errorf("Save[Float8E4M3] = %v, want ErrDType", err)
	}
	raw := filepath.Join(dir, "bf.raw")
	a, err := array.CreateRaw[layout.BFloat16](raw, []int{3}, nil)
	if err != nil {
		t.Fatalf("CreateRaw[BFloat16]: %v", err)
	}
	a.Set(layout.BFloat16From(2.5), 1)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := array.OpenRaw[layout.BFloat16](raw, memmap.ReadOnly, []int{-1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.At(1).Float32(); got != 2.5 || r.Len() != 3 {
		t.Errorf("raw bfloat16: At(1) = %v, Len %d", got, r.Len())
	}
}
