package memmap

import (
	"encoding/binary"
	"reflect"
	"testing"
)

// TestDecoderDirect checks which decoders copy without a plan: only those
// whose bytes in the Reader's order are the host's memory. On a
// big-endian host (s390x) a little-endian Reader must not take the plain
// copy for a type with multi-byte scalars, and on a little-endian host a
// big-endian one must not.
func TestDecoderDirect(t *testing.T) {
	type rec struct {
		ID    int64
		Value float64
		Kind  uint32
	}
	type flagged struct {
		N  uint8
		On bool
	}
	type zero struct{ Z [0]uint32 }
	for _, tc := range []struct {
		name   string
		order  binary.ByteOrder
		direct func(r *Reader) (bool, error)
		want   bool
	}{
		{"rec/native", binary.NativeEndian, directOf[rec], true},
		{"rec/little", binary.LittleEndian, directOf[rec], !hostBig},
		{"rec/big", binary.BigEndian, directOf[rec], hostBig},
		{"bytes/little", binary.LittleEndian, directOf[[2]uint8], true},
		{"bytes/big", binary.BigEndian, directOf[[2]uint8], true},
		{"bool/native", binary.NativeEndian, directOf[flagged], false},
		{"zero-sized", binary.NativeEndian, directOf[zero], false},
	} {
		r := NewReader(nil, tc.order)
		got, err := tc.direct(r)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s: direct %v, want %v (host big-endian: %v)", tc.name, got, tc.want, hostBig)
		}
	}
}

// directOf returns whether r's decoder for T is a plain copy.
func directOf[T any](r *Reader) (bool, error) {
	d, err := decoderOf[T](r)
	if err != nil {
		return false, err
	}
	if r.dec != any(d) {
		return false, errorf(ErrRange, "the decoder of %T is not kept in the Reader", *new(T))
	}
	return d.direct, nil
}

// TestSwapPlan checks the flat swap lists of a few types, and that a
// type with too many runs falls back to layout's SwapBytes.
func TestSwapPlan(t *testing.T) {
	type mixed struct {
		A uint16
		B [2]struct{ X, Y uint32 }
		C uint8
		D complex64
		e uint64 // unexported: padding to layout, never swapped
	}
	type long struct {
		E [maxFixRuns + 1]struct {
			A int32
			B int16
		}
	}
	ti, err := infoOf(reflect.TypeFor[mixed]())
	if err != nil {
		t.Fatal(err)
	}
	want := []fixRun{{0, 2, 1}, {4, 4, 4}, {24, 4, 2}}
	if len(ti.swaps) != len(want) || ti.deep {
		t.Fatalf("mixed: swaps %v (deep %v), want %v", ti.swaps, ti.deep, want)
	}
	for i := range want {
		if ti.swaps[i] != want[i] {
			t.Fatalf("mixed: swaps %v, want %v", ti.swaps, want)
		}
	}
	ti, err = infoOf(reflect.TypeFor[long]())
	if err != nil {
		t.Fatal(err)
	}
	if !ti.deep || ti.swaps != nil {
		t.Fatalf("long: deep %v with %d runs; want deep with none", ti.deep, len(ti.swaps))
	}
}
