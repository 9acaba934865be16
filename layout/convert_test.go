package layout_test

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap/layout"
)

// packedXY is at other offsets than NumPy's packed [('x', 'i2'), ('y',
// 'f8')] on every platform: Y at 8 (4 on 386), 2 in the file.
type packedXY struct {
	X int16   `npy:"x"`
	Y float64 `npy:"y"`
}

type packedRec struct {
	ID    int64   `npy:"id"`
	Score float32 `npy:"score"`
	Flag  uint8   `npy:"flag"`
}

type nested struct {
	A  uint8       `npy:"a"`
	In [2]packedXY `npy:"in"`
	C  complex64   `npy:"c"`
}

func goBytes[T any](v *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))
}

func mustParse(t *testing.T, descr string) *layout.DType {
	t.Helper()
	d, err := layout.ParseDescr(descr)
	if err != nil {
		t.Fatalf("ParseDescr(%s): %v", descr, err)
	}
	return d
}

func mustConv[T any](t *testing.T, file *layout.DType) *layout.Converter {
	t.Helper()
	g, err := layout.Of[T]()
	if err != nil {
		t.Fatal(err)
	}
	c, err := layout.NewConverter(file, g)
	if err != nil {
		t.Fatalf("NewConverter(%s, %s): %v", file.Descr(), g.Descr(), err)
	}
	return c
}

// TestConverterPacked converts NumPy's packed (align=False) structs, in
// both byte orders and mixed, to Go structs and back, byte for byte.
func TestConverterPacked(t *testing.T) {
	for _, tc := range []struct {
		descr string
		order binary.ByteOrder
	}{
		{"[('x', '<i2'), ('y', '<f8')]", binary.LittleEndian},
		{"[('x', '>i2'), ('y', '>f8')]", binary.BigEndian},
	} {
		file := mustParse(t, tc.descr)
		g, _ := layout.Of[packedXY]()
		if err := layout.Compatible(file, g); err == nil {
			t.Fatalf("%s: Compatible with packedXY; the test needs a packed layout", tc.descr)
		}
		c := mustConv[packedXY](t, file)
		gs := int(unsafe.Sizeof(packedXY{}))
		if c.FileSize() != 10 || c.GoSize() != gs {
			t.Fatalf("%s: sizes %d, %d; want 10, %d", tc.descr, c.FileSize(), c.GoSize(), gs)
		}
		src := make([]byte, 20)
		for i := range 2 {
			tc.order.PutUint16(src[i*10:], uint16(int16(i-7)))
			tc.order.PutUint64(src[i*10+2:], math.Float64bits(float64(i)*1e10-3))
		}
		got := make([]packedXY, 2)
		gb := unsafe.Slice((*byte)(unsafe.Pointer(&got[0])), 2*gs)
		for i := range gb {
			gb[i] = 0xAA // padding must come out zero
		}
		if n := c.Decode(gb, src); n != 2 {
			t.Fatalf("Decode converted %d elements, want 2", n)
		}
		for i, v := range got {
			if v.X != int16(i-7) || v.Y != float64(i)*1e10-3 {
				t.Errorf("%s: element %d decodes to %+v", tc.descr, i, v)
			}
			if b := goBytes(&got[i]); b[2]|b[3] != 0 {
				t.Errorf("%s: element %d: padding %v not zeroed", tc.descr, i, b[2:4])
			}
		}
		back := make([]byte, 20)
		if n := c.Encode(back, gb); n != 2 || string(back) != string(src) {
			t.Errorf("%s: Encode gives %d elements % x, want % x", tc.descr, n, back, src)
		}
	}

	// Mixed byte orders, and a packed record with a 1-byte tail.
	file := mustParse(t, "[('id', '>i8'), ('score', '<f4'), ('flag', 'u1')]")
	if file.Order() != layout.Mixed {
		t.Fatalf("order %v, want Mixed", file.Order())
	}
	c := mustConv[packedRec](t, file)
	src := make([]byte, 13)
	binary.BigEndian.PutUint64(src, uint64(1)<<40+7)
	binary.LittleEndian.PutUint32(src[8:], math.Float32bits(-2.25))
	src[12] = 9
	var r packedRec
	c.Decode(goBytes(&r), src)
	if r != (packedRec{1<<40 + 7, -2.25, 9}) {
		t.Errorf("mixed: decodes to %+v", r)
	}
	back := make([]byte, 13)
	c.Encode(back, goBytes(&r))
	if string(back) != string(src) {
		t.Errorf("mixed: Encode gives % x, want % x", back, src)
	}
}

// TestConverterNested converts a struct with a subarray of packed structs
// and a complex field, leaving the file's padding bytes alone on Encode.
func TestConverterNested(t *testing.T) {
	// 'a' at 0, gap byte 1 (file padding), 'in' at 2 (2×12), 'c' at 26.
	file := mustParse(t, "[('a', 'u1'), ('', '|V1'), ('in', [('x', '>i2'), ('y', '>f8')], (2,)), ('c', '>c8'), ('', '|V6')]")
	c := mustConv[nested](t, file)
	want := nested{A: 3, In: [2]packedXY{{15, -2}, {-325, 1e300}}, C: complex(1.5, -0.5)}
	fb := make([]byte, 36)
	for i := range fb {
		fb[i] = 0xEE
	}
	c.Encode(fb, goBytes(&want))
	if fb[1] != 0xEE || fb[30] != 0xEE || fb[35] != 0xEE {
		t.Errorf("Encode wrote the file's padding: % x", fb)
	}
	if fb[0] != 3 || int16(binary.BigEndian.Uint16(fb[12:])) != -325 || binary.BigEndian.Uint32(fb[26:]) != math.Float32bits(-0.5) {
		t.Errorf("Encode: % x", fb)
	}
	var got nested
	c.Decode(goBytes(&got), fb)
	if got != want {
		t.Errorf("round trip: %+v, want %+v", got, want)
	}
}

// TestConverterMismatch: fields that differ by name, kind or shape are
// refused with ErrDType naming the field; a huge subarray of structs is
// refused, not planned.
func TestConverterMismatch(t *testing.T) {
	g, _ := layout.Of[packedXY]()
	for _, tc := range []struct{ descr, msg string }{
		{"[('x', '<i2'), ('z', '<f8')]", `"z"`},
		{"[('x', '<f2'), ('y', '<f8')]", `"x"`},
		{"[('x', '<i2'), ('y', '<f8', (2,))]", `"y"`},
		{"[('x', '<i2')]", `"y"`},
		{"'<f8'", "f8"},
	} {
		_, err := layout.NewConverter(mustParse(t, tc.descr), g)
		if !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want ErrDType naming %s", tc.descr, err, tc.msg)
		}
	}
	big := mustParse(t, "[('s', [('a', 'u1'), ('b', '<f8')], (100000,))]")
	gb, err := layout.Of[struct {
		S [100000]struct {
			A uint8   `npy:"a"`
			B float64 `npy:"b"`
		} `npy:"s"`
	}]()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := layout.NewConverter(big, gb); !errors.Is(err, layout.ErrDType) {
		t.Errorf("100000 packed structs: %v, want ErrDType", err)
	}
	if _, err := layout.NewConverter(nil, g); !errors.Is(err, layout.ErrDType) {
		t.Errorf("nil dtype: %v", err)
	}
}

// BenchmarkConverter decodes and encodes 4,096 elements of NumPy's packed
// [('id', '<i8'), ('score', '<f4'), ('flag', 'u1')] (13 bytes, Go's 16),
// as array and record read and write a packed file.
func BenchmarkConverter(b *testing.B) {
	file, err := layout.ParseDescr("[('id', '<i8'), ('score', '<f4'), ('flag', '|u1')]")
	if err != nil {
		b.Fatal(err)
	}
	g, err := layout.Of[packedRec]()
	if err != nil {
		b.Fatal(err)
	}
	c, err := layout.NewConverter(file, g)
	if err != nil {
		b.Fatal(err)
	}
	const n = 4096
	fileb := make([]byte, n*c.FileSize())
	gob := make([]byte, n*c.GoSize())
	b.Run("Decode", func(b *testing.B) {
		b.SetBytes(int64(len(fileb)))
		for b.Loop() {
			if c.Decode(gob, fileb) != n {
				b.Fatal("short decode")
			}
		}
	})
	b.Run("Encode", func(b *testing.B) {
		b.SetBytes(int64(len(fileb)))
		for b.Loop() {
			if c.Encode(fileb, gob) != n {
				b.Fatal("short encode")
			}
		}
	})
}
