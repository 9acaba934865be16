package array_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// mustValue parses descr and makes the Value of data.
func mustValue(t *testing.T, descr string, data []byte) array.Value {
	t.Helper()
	dt, err := layout.ParseDescr(descr)
	if err != nil {
		t.Fatalf("ParseDescr(%s): %v", descr, err)
	}
	v, err := array.NewValue(dt, data)
	if err != nil {
		t.Fatalf("NewValue(%s, % x): %v", descr, data, err)
	}
	return v
}

// TestValueString: the text of every kind, as memmap head prints it (the
// table moved here from cmd/memmap with the formatting).
func TestValueString(t *testing.T) {
	le := binary.LittleEndian
	for _, tt := range []struct {
		descr string
		data  []byte
		want  string
	}{
		{"'|b1'", []byte{2}, "true"},
		{"'|b1'", []byte{0}, "false"},
		{"'|i1'", []byte{0x80}, "-128"},
		{"'>u4'", []byte{0, 0, 1, 0}, "256"},
		{"'<i8'", le.AppendUint64(nil, 1<<63), "-9223372036854775808"},
		{"'<u8'", le.AppendUint64(nil, 1<<63), "9223372036854775808"},
		{"'<f2'", le.AppendUint16(nil, 0x2e66), "0.1"},   // float16 nearest 0.1
		{"'<f2'", le.AppendUint16(nil, 0x7bff), "65500"}, // max half, 65504: shortest that rounds back, as NumPy prints it
		{"'<f2'", le.AppendUint16(nil, 0x0001), "6e-08"}, // smallest subnormal
		{"'>f2'", []byte{0xfc, 0}, "-Inf"},               // big-endian -Inf
		{"'<f2'", le.AppendUint16(nil, 0x8000), "-0"},    // negative zero
		{"'<f4'", le.AppendUint32(nil, math.Float32bits(0.1)), "0.1"},
		{"'<f8'", le.AppendUint64(nil, math.Float64bits(1e21)), "1e+21"},
		{"'<c8'", append(le.AppendUint32(nil, math.Float32bits(1)), le.AppendUint32(nil, math.Float32bits(float32(math.Copysign(0, -1))))...), "(1-0j)"},
		{"'>c16'", append(binary.BigEndian.AppendUint64(nil, math.Float64bits(-2.5)), binary.BigEndian.AppendUint64(nil, math.Float64bits(math.NaN()))...), "(-2.5+NaNj)"},
		{"'<c8'", append(le.AppendUint32(nil, 0xffc00000), le.AppendUint32(nil, 0xff800000)...), "(NaN-Infj)"},
		{"'<c8'", append(le.AppendUint32(nil, 0), le.AppendUint32(nil, 0xffc00000)...), "(0+NaNj)"}, // negative NaN
		{"'<c16'", append(le.AppendUint64(nil, 0), le.AppendUint64(nil, math.Float64bits(math.Inf(1)))...), "(0+Infj)"},
		{"'|S4'", []byte("a\x00b\x00"), `"a\x00b"`},
		{"'|S3'", []byte("\"\n\xff"), `"\"\n\xff"`},
		{"'|V2'", []byte{0, 1}, `"\x00\x01"`},
		{"'<M8[ns]'", le.AppendUint64(nil, 1<<63), "NaT"},
		{"'<m8'", le.AppendUint64(nil, 5), "5"},
		{"'>m8[D]'", binary.BigEndian.AppendUint64(nil, uint64(1<<64-3)), "-3 D"},
		{"[('a', '|u1', (10,))]", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "{[0 1 2 ... 7 8 9]}"},
		{"[('s', '|S2', (2,)), ('e', [('x', '|i1')], (1,))]", []byte("ab\x00c\xff"), `{["ab" "\x00c"] [{-1}]}`},
	} {
		v := mustValue(t, tt.descr, tt.data)
		if got := v.String(); got != tt.want {
			t.Errorf("Value(%s, % x).String() = %s, want %s", tt.descr, tt.data, got, tt.want)
		}
	}
}

// TestValueAccessors: each accessor decodes its kind in the dtype's byte
// order and refuses the others; Field, FieldByName, Index and Interface
// walk structs and subarrays.
func TestValueAccessors(t *testing.T) {
	be := binary.BigEndian
	i2 := mustValue(t, "'>i2'", be.AppendUint16(nil, uint16(0xfffe))) // -2
	if x, ok := i2.Int(); !ok || x != -2 {
		t.Errorf("'>i2' Int = %d, %v; want -2, true", x, ok)
	}
	if _, ok := i2.Float(); ok {
		t.Error("'>i2' Float ok")
	}
	if _, ok := i2.Uint(); ok {
		t.Error("'>i2' Uint ok")
	}
	if got := i2.Interface(); got != int16(-2) {
		t.Errorf("'>i2' Interface = %#v", got)
	}
	h := mustValue(t, "'>f2'", be.AppendUint16(nil, 0x3c00)) // 1
	if x, ok := h.Float(); !ok || x != 1 {
		t.Errorf("'>f2' Float = %v, %v", x, ok)
	}
	if got := h.Interface(); got != layout.Float16(0x3c00) {
		t.Errorf("'>f2' Interface = %#v", got)
	}
	c := mustValue(t, "'>c8'", append(be.AppendUint32(nil, math.Float32bits(1.5)), be.AppendUint32(nil, math.Float32bits(-2))...))
	if x, ok := c.Complex(); !ok || x != complex(1.5, -2) {
		t.Errorf("'>c8' Complex = %v, %v", x, ok)
	}
	if got := c.Interface(); got != complex64(complex(1.5, -2)) {
		t.Errorf("'>c8' Interface = %#v", got)
	}
	dt := mustValue(t, "'<M8[ns]'", binary.LittleEndian.AppendUint64(nil, 1<<63))
	if x, ok := dt.Int(); !ok || x != layout.NaT || dt.DType().Unit() != "ns" {
		t.Errorf("'<M8[ns]' Int = %d, %v, unit %q", x, ok, dt.DType().Unit())
	}
	if got := dt.Interface(); got != layout.Datetime64(layout.NaT) {
		t.Errorf("'<M8[ns]' Interface = %#v", got)
	}
	s := mustValue(t, "'|S4'", []byte("ab\x00\x00"))
	if got, ok := s.Interface().([]byte); !ok || string(got) != "ab" || !bytes.Equal(s.Bytes(), []byte("ab\x00\x00")) {
		t.Errorf("'|S4' Interface = %q, Bytes %q", got, s.Bytes())
	}
	b := mustValue(t, "'|b1'", []byte{1})
	if x, ok := b.Bool(); !ok || !x {
		t.Errorf("'|b1' Bool = %v, %v", x, ok)
	}

	// A packed struct with a nested struct and a subarray field.
	rec := []byte{7}                                  // a '|u1' at 0
	rec = be.AppendUint32(rec, math.Float32bits(0.5)) // b.x '>f4' at 1
	rec = be.AppendUint16(rec, 3)                     // b.y '>u2' at 5
	rec = append(rec, 0xff, 1, 2, 0xfe, 4, 5)         // m '|i1' (2, 3) at 7
	v := mustValue(t, "[('a', '|u1'), ('b', [('x', '>f4'), ('y', '>u2')]), ('m', '|i1', (2, 3))]", rec)
	if v.NumField() != 3 || v.Kind() != layout.Struct || v.Shape() != nil {
		t.Fatalf("struct: NumField %d, Kind %v, Shape %v", v.NumField(), v.Kind(), v.Shape())
	}
	if x, ok := v.Field(0).Uint(); !ok || x != 7 {
		t.Errorf("a = %d, %v", x, ok)
	}
	bv, ok := v.FieldByName("b")
	if !ok {
		t.Fatal("FieldByName(b) not found")
	}
	if y, _ := bv.FieldByName("y"); y.String() != "3" {
		t.Errorf("b.y = %s", y)
	}
	m := v.Field(2)
	if diff := cmp.Diff([]int{2, 3}, m.Shape()); diff != "" || m.Len() != 2 || m.NumField() != 0 {
		t.Errorf("m: Shape %v, Len %d", m.Shape(), m.Len())
	}
	if x, ok := m.Index(1).Index(0).Int(); !ok || x != -2 {
		t.Errorf("m[1][0] = %d, %v", x, ok)
	}
	if _, ok := m.Int(); ok {
		t.Error("a subarray's Int ok")
	}
	want := map[string]any{
		"a": uint8(7),
		"b": map[string]any{"x": float32(0.5), "y": uint16(3)},
		"m": []any{[]any{int8(-1), int8(1), int8(2)}, []any{int8(-2), int8(4), int8(5)}},
	}
	if diff := cmp.Diff(want, v.Interface()); diff != "" {
		t.Errorf("Interface (-want +got):\n%s", diff)
	}
	if got, want := v.String(), "{7 {0.5 3} [[-1 1 2] [-2 4 5]]}"; got != want {
		t.Errorf("String = %s, want %s", got, want)
	}

	// Out of range and the zero Value: zero Values, never a panic.
	for _, z := range []array.Value{v.Field(3), v.Field(-1), m.Index(2), m.Index(-1), v.Index(0), i2.Field(0), {}} {
		if z.IsValid() || z.Kind() != layout.Invalid || z.Interface() != nil || z.String() != "<invalid>" {
			t.Errorf("want the zero Value, got %v", z)
		}
		if _, ok := z.Int(); ok {
			t.Error("zero Value Int ok")
		}
	}
	if _, ok := v.FieldByName("nope"); ok {
		t.Error("FieldByName(nope) found")
	}

	// NewValue wants exactly one element's bytes.
	f8, _ := layout.ParseDescr("'<f8'")
	for _, n := range []int{0, 7, 9} {
		if _, err := array.NewValue(f8, make([]byte, n)); !errors.Is(err, memmap.ErrShape) {
			t.Errorf("NewValue('<f8', %d bytes): %v, want ErrShape", n, err)
		}
	}
	if _, err := array.NewValue(nil, nil); !errors.Is(err, layout.ErrDType) {
		t.Errorf("NewValue(nil): %v, want ErrDType", err)
	}
}
