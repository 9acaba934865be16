package memmap_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/google/go-cmp/cmp"
)

// orders are the byte orders the tests read in, by name.
var orders = []struct {
	name  string
	order binary.ByteOrder
}{
	{"little", binary.LittleEndian},
	{"big", binary.BigEndian},
}

// otherOrder is the byte order that is not the host's.
var otherOrder binary.ByteOrder = binary.BigEndian

func init() {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		otherOrder = binary.LittleEndian
	}
}

// scalarOp is one scalar method of Reader with its encoding/binary twin:
// read decodes from r, ref decodes the same type with binary.Read.
type scalarOp struct {
	name string
	size int
	read func(r *memmap.Reader) (any, error)
	ref  func(rd io.Reader, order binary.ByteOrder) (any, error)
}

// refRead decodes a T with binary.Read.
func refRead[T any](rd io.Reader, order binary.ByteOrder) (any, error) {
	var v T
	err := binary.Read(rd, order, &v)
	return v, err
}

// bitsOf makes floats comparable bit for bit (NaN == NaN).
func bitsOf(v any) any {
	switch v := v.(type) {
	case float32:
		return math.Float32bits(v)
	case float64:
		return math.Float64bits(v)
	case Packed:
		return bitsPacked(v)
	}
	return v
}

var scalarOps = []scalarOp{
	{"Uint8", 1, func(r *memmap.Reader) (any, error) { return r.Uint8() }, refRead[uint8]},
	{"ReadByte", 1, func(r *memmap.Reader) (any, error) { return r.ReadByte() }, refRead[uint8]},
	{"Int8", 1, func(r *memmap.Reader) (any, error) { return r.Int8() }, refRead[int8]},
	{"Uint16", 2, func(r *memmap.Reader) (any, error) { return r.Uint16() }, refRead[uint16]},
	{"Int16", 2, func(r *memmap.Reader) (any, error) { return r.Int16() }, refRead[int16]},
	{"Uint32", 4, func(r *memmap.Reader) (any, error) { return r.Uint32() }, refRead[uint32]},
	{"Int32", 4, func(r *memmap.Reader) (any, error) { return r.Int32() }, refRead[int32]},
	{"Float32", 4, func(r *memmap.Reader) (any, error) { return r.Float32() }, refRead[float32]},
	{"Uint64", 8, func(r *memmap.Reader) (any, error) { return r.Uint64() }, refRead[uint64]},
	{"Int64", 8, func(r *memmap.Reader) (any, error) { return r.Int64() }, refRead[int64]},
	{"Float64", 8, func(r *memmap.Reader) (any, error) { return r.Float64() }, refRead[float64]},
	{"Decode[Packed]", int(unsafe.Sizeof(Packed{})), func(r *memmap.Reader) (any, error) { return memmap.Decode[Packed](r) }, refRead[Packed]},
	{"Decode[uint32]", 4, func(r *memmap.Reader) (any, error) { return memmap.Decode[uint32](r) }, refRead[uint32]},
	{"Decode[float64]", 8, func(r *memmap.Reader) (any, error) { return memmap.Decode[float64](r) }, refRead[float64]},
	{"Bytes(3)", 3, func(r *memmap.Reader) (any, error) {
		b, err := r.Bytes(3)
		if err != nil {
			return [3]byte{}, err
		}
		return [3]byte(b), err
	}, refRead[[3]byte]},
}

// Packed is a struct without padding on any host, so that its Go layout
// is binary.Read's packed layout.
type Packed struct {
	U64 uint64
	F64 float64
	I32 int32
	F32 float32
	U16 uint16
	I16 int16
	U8  uint8
	I8  int8
	Ok  bool
	B   [9]byte
}

func TestPackedHasNoPadding(t *testing.T) {
	if s, b := unsafe.Sizeof(Packed{}), binary.Size(Packed{}); int(s) != b {
		t.Fatalf("Packed is %d bytes in memory, %d packed: the tests comparing with binary.Read need no padding", s, b)
	}
}

// TestReaderScalars reads every scalar from every length of input up to
// its size plus one, in both orders, and compares value, error and
// position with encoding/binary's.
func TestReaderScalars(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, o := range orders {
		for _, op := range scalarOps {
			t.Run(o.name+"/"+op.name, func(t *testing.T) {
				for n := 0; n <= op.size+1; n++ {
					for trial := 0; trial < 20; trial++ {
						b := make([]byte, n)
						for i := range b {
							b[i] = byte(rng.Uint32())
						}
						r := memmap.NewReader(b, o.order)
						got, err := op.read(r)
						want, wantErr := op.ref(bytes.NewReader(b), o.order)
						if err != wantErr {
							t.Fatalf("%d bytes %x: error %v, binary.Read's %v", n, b, err, wantErr)
						}
						if err != nil {
							if r.Pos() != 0 {
								t.Fatalf("%d bytes: failed read moved to %d", n, r.Pos())
							}
							continue
						}
						if diff := cmp.Diff(bitsOf(want), bitsOf(got)); diff != "" {
							t.Fatalf("%d bytes %x: (-binary.Read +Reader):\n%s", n, b, diff)
						}
						if r.Pos() != int64(op.size) || r.Remaining() != n-op.size {
							t.Fatalf("%d bytes: after a %d-byte read Pos %d, Remaining %d", n, op.size, r.Pos(), r.Remaining())
						}
					}
				}
			})
		}
	}
}

// TestReaderSequence reads a stream written by binary.Write back field by
// field.
func TestReaderSequence(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			var buf bytes.Buffer
			vals := []any{uint8(200), int8(-3), uint16(0xbeef), int16(-2), uint32(0xdeadbeef), int32(-5),
				uint64(1<<63 + 7), int64(-1 << 40), float32(1.5), float64(-math.Pi)}
			for _, v := range vals {
				if err := binary.Write(&buf, o.order, v); err != nil {
					t.Fatal(err)
				}
			}
			r := memmap.NewReader(buf.Bytes(), o.order)
			var got []any
			add := func(v any, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, v)
			}
			add(r.Uint8())
			add(r.Int8())
			add(r.Uint16())
			add(r.Int16())
			add(r.Uint32())
			add(r.Int32())
			add(r.Uint64())
			add(r.Int64())
			add(r.Float32())
			add(r.Float64())
			if diff := cmp.Diff(vals, got); diff != "" {
				t.Fatalf("(-written +read):\n%s", diff)
			}
			if _, err := r.Uint8(); err != io.EOF {
				t.Fatalf("read at the end: %v, want io.EOF", err)
			}
		})
	}
}

func TestNewReaderOrders(t *testing.T) {
	b := []byte{1, 2, 3, 4}
	for _, tc := range []struct {
		name  string
		order binary.ByteOrder
		want  uint32
	}{
		{"nil", nil, 0x04030201},
		{"little", binary.LittleEndian, 0x04030201},
		{"big", binary.BigEndian, 0x01020304},
		{"native", binary.NativeEndian, binary.NativeEndian.Uint32(b)},
		{"custom big", customOrder{binary.BigEndian}, 0x01020304},
		{"custom little", customOrder{binary.LittleEndian}, 0x04030201},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := memmap.NewReader(b, tc.order).Uint32()
			if err != nil || got != tc.want {
				t.Fatalf("Uint32 = %#x, %v; want %#x", got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		order binary.ByteOrder
	}{
		{"mixed", mixedOrder{}},
		{"panics", (*customOrderPtr)(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := memmap.NewReader(b, tc.order)
			if _, err := r.Uint32(); !errors.Is(err, memmap.ErrByteOrder) {
				t.Fatalf("Uint32 with a bad order: %v, want ErrByteOrder", err)
			}
			if _, err := memmap.Decode[uint8](r); !errors.Is(err, memmap.ErrByteOrder) {
				t.Fatalf("Decode with a bad order: %v, want ErrByteOrder", err)
			}
		})
	}
}

// customOrder is a binary.ByteOrder that is not one of encoding/binary's.
type customOrder struct{ binary.ByteOrder }

// mixedOrder decodes as neither little- nor big-endian.
type mixedOrder struct{ binary.ByteOrder }

func (mixedOrder) Uint32(b []byte) uint32 { return uint32(b[1]) }

// customOrderPtr is a byte order whose methods panic on a nil receiver.
type customOrderPtr struct{ binary.ByteOrder }

func (o *customOrderPtr) Uint32(b []byte) uint32 { return o.ByteOrder.Uint32(b) }

func TestReaderSeekSkip(t *testing.T) {
	b := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	r := memmap.NewReader(b, nil)
	if r.Size() != 10 || r.Remaining() != 10 || r.Pos() != 0 {
		t.Fatalf("new: Size %d Remaining %d Pos %d", r.Size(), r.Remaining(), r.Pos())
	}
	seek := func(off int64, whence int, want int64) {
		t.Helper()
		got, err := r.Seek(off, whence)
		if err != nil || got != want || r.Pos() != want {
			t.Fatalf("Seek(%d, %d) = %d, %v (Pos %d); want %d", off, whence, got, err, r.Pos(), want)
		}
	}
	seek(3, io.SeekStart, 3)
	seek(2, io.SeekCurrent, 5)
	seek(-1, io.SeekEnd, 9)
	if v, err := r.Uint8(); v != 9 || err != nil {
		t.Fatalf("Uint8 at 9 = %d, %v", v, err)
	}
	seek(5, io.SeekEnd, 15) // past the end is allowed
	if r.Remaining() != 0 {
		t.Fatalf("Remaining past the end = %d", r.Remaining())
	}
	if _, err := r.Uint8(); err != io.EOF {
		t.Fatalf("Uint8 past the end: %v, want io.EOF", err)
	}
	if _, err := r.Bytes(0); err != nil {
		t.Fatalf("Bytes(0) past the end: %v", err)
	}
	for _, bad := range []struct {
		off    int64
		whence int
	}{{-1, io.SeekStart}, {-16, io.SeekCurrent}, {-11, io.SeekEnd}, {0, 3}, {math.MaxInt64, io.SeekCurrent}} {
		if _, err := r.Seek(bad.off, bad.whence); !errors.Is(err, memmap.ErrRange) || r.Pos() != 15 {
			t.Fatalf("Seek(%d, %d): %v (Pos %d); want ErrRange and Pos 15", bad.off, bad.whence, err, r.Pos())
		}
	}
	seek(0, io.SeekStart, 0)
	if err := r.Skip(4); err != nil || r.Pos() != 4 {
		t.Fatalf("Skip(4): %v, Pos %d", err, r.Pos())
	}
	if err := r.Skip(-1); !errors.Is(err, memmap.ErrRange) || r.Pos() != 4 {
		t.Fatalf("Skip(-1): %v, Pos %d", err, r.Pos())
	}
	if err := r.Skip(7); err != io.ErrUnexpectedEOF || r.Pos() != 4 {
		t.Fatalf("Skip(7) with 6 left: %v, Pos %d; want io.ErrUnexpectedEOF, 4", err, r.Pos())
	}
	if err := r.Skip(6); err != nil || r.Pos() != 10 {
		t.Fatalf("Skip(6) with 6 left: %v, Pos %d", err, r.Pos())
	}
	if err := r.Skip(0); err != nil {
		t.Fatalf("Skip(0) at the end: %v", err)
	}
	if err := r.Skip(1); err != io.EOF {
		t.Fatalf("Skip(1) at the end: %v, want io.EOF", err)
	}
	r.Reset(b[:2])
	if r.Pos() != 0 || r.Size() != 2 {
		t.Fatalf("Reset: Pos %d Size %d", r.Pos(), r.Size())
	}
	var zero memmap.Reader
	if _, err := zero.Uint32(); err != io.EOF {
		t.Fatalf("zero Reader: %v, want io.EOF", err)
	}
	// After Reset the zero Reader reads little-endian, Decode too.
	zero.Reset([]byte{1, 0, 1, 0})
	if v, err := zero.Uint16(); v != 1 || err != nil {
		t.Fatalf("zero Reader after Reset: Uint16 = %d, %v; want 1", v, err)
	}
	if v, err := memmap.Decode[uint16](&zero); v != 1 || err != nil {
		t.Fatalf("zero Reader after Reset: Decode[uint16] = %d, %v; want 1", v, err)
	}
}

func TestReaderBytes(t *testing.T) {
	b := []byte("abcdefgh")
	r := memmap.NewReader(b, nil)
	got, err := r.Bytes(3)
	if err != nil || string(got) != "abc" || cap(got) != 3 {
		t.Fatalf("Bytes(3) = %q (cap %d), %v", got, cap(got), err)
	}
	if &got[0] != &b[0] {
		t.Fatal("Bytes copied")
	}
	got = append(got, 'X')
	if string(b) != "abcdefgh" {
		t.Fatalf("append to the slice Bytes returned wrote over the bytes: %q", b)
	}
	if _, err := r.Bytes(-1); !errors.Is(err, memmap.ErrRange) {
		t.Fatalf("Bytes(-1): %v, want ErrRange", err)
	}
	if _, err := r.Bytes(6); err != io.ErrUnexpectedEOF || r.Pos() != 3 {
		t.Fatalf("Bytes(6) with 5 left: %v, Pos %d", err, r.Pos())
	}
	if _, err := r.Bytes(math.MaxInt); err != io.ErrUnexpectedEOF {
		t.Fatalf("Bytes(MaxInt): %v", err)
	}
	p := make([]byte, 4)
	if n, err := r.Read(p); n != 4 || err != nil || string(p) != "defg" {
		t.Fatalf("Read = %d, %v, %q", n, err, p)
	}
	if n, err := r.Read(p); n != 1 || err != nil || p[0] != 'h' {
		t.Fatalf("Read at the last byte = %d, %v", n, err)
	}
	if n, err := r.Read(p); n != 0 || err != io.EOF {
		t.Fatalf("Read at the end = %d, %v", n, err)
	}
	if n, err := r.Read(nil); n != 0 || err != nil {
		t.Fatalf("Read(nil) at the end = %d, %v", n, err)
	}
}

func TestReaderCString(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		max  int
		want string
		pos  int64
		err  error // nil, io.EOF, io.ErrUnexpectedEOF or memmap.ErrRange
	}{
		{"simple", "abc\x00def", 10, "abc", 4, nil},
		{"empty string", "\x00abc", 1, "", 1, nil},
		{"NUL at max", "abc\x00", 4, "abc", 4, nil},
		{"NUL past max", "abc\x00", 3, "", 0, memmap.ErrRange},
		{"max 0", "\x00", 0, "", 0, memmap.ErrRange},
		{"max negative", "\x00", -1, "", 0, memmap.ErrRange},
		{"no NUL before end", "abc", 10, "", 0, io.ErrUnexpectedEOF},
		{"no NUL, max is the end", "abc", 3, "", 0, memmap.ErrRange},
		{"nothing left", "", 10, "", 0, io.EOF},
		{"two NULs", "a\x00\x00", 10, "a", 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(tc.in)
			r := memmap.NewReader(b, nil)
			got, err := r.CString(tc.max)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("CString(%d) of %q: %v, want %v", tc.max, tc.in, err, tc.err)
			}
			if string(got) != tc.want || r.Pos() != tc.pos {
				t.Fatalf("CString(%d) of %q = %q, Pos %d; want %q, %d", tc.max, tc.in, got, r.Pos(), tc.want, tc.pos)
			}
			if err == nil && cap(got) != len(got) {
				t.Fatalf("cap %d, len %d", cap(got), len(got))
			}
		})
	}
}

// refUvarint decodes with encoding/binary: the value and length of
// Uvarint and the error of ReadUvarint.
func refUvarint(b []byte) (uint64, int, error) {
	v, n := binary.Uvarint(b)
	_, err := binary.ReadUvarint(bytes.NewReader(b))
	return v, n, err
}

func TestReaderVarint(t *testing.T) {
	cases := [][]byte{
		{}, {0}, {1}, {0x7f}, {0x80}, {0x80, 0x01}, {0xff, 0xff},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},                   // MaxUint64
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},                   // overflow at the 10th byte
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},             // 11 bytes
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},                   // 10 continuation bytes, then the end
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80},                         // 9, then the end
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},                   // 0, not minimal
		{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, // long
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		v := rng.Uint64() >> rng.IntN(64)
		cases = append(cases, binary.AppendUvarint(nil, v), binary.AppendVarint(nil, int64(v)))
	}
	for _, b := range cases {
		want, n, wantErr := refUvarint(b)
		r := memmap.NewReader(b, nil)
		got, err := r.Uvarint()
		checkVarintErr(t, b, err, wantErr)
		if err == nil && (got != want || r.Pos() != int64(n)) {
			t.Fatalf("Uvarint(%x) = %d, Pos %d; binary.Uvarint %d, %d", b, got, r.Pos(), want, n)
		}
		if err != nil && r.Pos() != 0 {
			t.Fatalf("failed Uvarint(%x) moved to %d", b, r.Pos())
		}

		swant, sn := binary.Varint(b)
		_, swantErr := binary.ReadVarint(bytes.NewReader(b))
		r = memmap.NewReader(b, nil)
		sgot, err := r.Varint()
		checkVarintErr(t, b, err, swantErr)
		if err == nil && (sgot != swant || r.Pos() != int64(sn)) {
			t.Fatalf("Varint(%x) = %d, Pos %d; binary.Varint %d, %d", b, sgot, r.Pos(), swant, sn)
		}
	}
}

// checkVarintErr checks a Reader varint error against ReadUvarint's: the
// same io errors, and ErrRange for its overflow error.
func checkVarintErr(t *testing.T, b []byte, err, want error) {
	t.Helper()
	switch want {
	case nil, io.EOF, io.ErrUnexpectedEOF:
		if err != want {
			t.Fatalf("varint %x: %v, binary.ReadUvarint's %v", b, err, want)
		}
	default:
		if !errors.Is(err, memmap.ErrRange) {
			t.Fatalf("varint %x: %v, binary.ReadUvarint's %v (want ErrRange)", b, err, want)
		}
	}
}

// Padded has implicit padding: Decode reads it at Go's offsets.
type Padded struct {
	A uint8
	B uint32
	C uint8
	D int64 // 8-aligned on 64-bit hosts, 4-aligned on 386
	E bool
}

func TestDecodePadded(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			var want Padded
			b := make([]byte, unsafe.Sizeof(want)+3)
			for i := range b {
				b[i] = byte(i*7 + 1)
			}
			b[unsafe.Offsetof(want.E)] = 5 // not 0 or 1: read as true
			want = Padded{
				A: b[0],
				B: o.order.Uint32(b[unsafe.Offsetof(want.B):]),
				C: b[unsafe.Offsetof(want.C)],
				D: int64(o.order.Uint64(b[unsafe.Offsetof(want.D):])),
				E: true,
			}
			r := memmap.NewReader(b, o.order)
			got, err := memmap.Decode[Padded](r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			if e := *(*uint8)(unsafe.Pointer(&got.E)); e != 1 {
				t.Fatalf("bool stored as %d, want 1", e)
			}
			if r.Pos() != int64(unsafe.Sizeof(want)) {
				t.Fatalf("Pos %d, want %d", r.Pos(), unsafe.Sizeof(want))
			}
			if _, err := memmap.Decode[Padded](r); err != io.ErrUnexpectedEOF || r.Pos() != int64(unsafe.Sizeof(want)) {
				t.Fatalf("Decode of 3 bytes: %v, Pos %d", err, r.Pos())
			}
		})
	}
}

// Nested has bools in nested structs and arrays, and unexported fields.
type Nested struct {
	Flags [3]bool
	In    [2]struct {
		X  int16
		On bool
	}
	hidden bool
	V      float32
}

func TestDecodeNested(t *testing.T) {
	var n Nested
	size := int(unsafe.Sizeof(n))
	for _, o := range orders {
		b := bytes.Repeat([]byte{2}, size)
		got, err := memmap.Decode[Nested](memmap.NewReader(b, o.order))
		if err != nil {
			t.Fatal(err)
		}
		// Every bool, exported or not, is made 1.
		raw := unsafe.Slice((*byte)(unsafe.Pointer(&got)), size)
		for _, off := range []uintptr{0, 1, 2, unsafe.Offsetof(n.In) + unsafe.Offsetof(n.In[0].On),
			unsafe.Offsetof(n.In) + unsafe.Sizeof(n.In[0]) + unsafe.Offsetof(n.In[0].On), unsafe.Offsetof(n.hidden)} {
			if raw[off] != 1 {
				t.Fatalf("%s: bool at %d is %d, want 1", o.name, off, raw[off])
			}
		}
		if got.In[1].X != 0x0202 || got.V != math.Float32frombits(0x02020202) {
			t.Fatalf("%s: %+v", o.name, got)
		}
	}
}

// TestDecodeStruct compares Decode of a struct without padding with
// binary.Read on random bytes, in both orders.
func TestDecodeStruct(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, o := range orders {
		for trial := 0; trial < 100; trial++ {
			b := make([]byte, 3*unsafe.Sizeof(Packed{}))
			for i := range b {
				b[i] = byte(rng.Uint32())
			}
			r := memmap.NewReader(b, o.order)
			rd := bytes.NewReader(b)
			for i := 0; i < 3; i++ {
				got, err := memmap.Decode[Packed](r)
				if err != nil {
					t.Fatal(err)
				}
				var want Packed
				if err := binary.Read(rd, o.order, &want); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(bitsPacked(want), bitsPacked(got)); diff != "" {
					t.Fatalf("%s: (-binary.Read +Decode):\n%s", o.name, diff)
				}
			}
		}
	}
}

// bitsPacked returns p with its floats' bits in place of the floats, so
// that NaN == NaN; all NaNs of F32 are one, since binary.Read converts a
// float32 field through float64, which quiets signaling NaNs.
func bitsPacked(p Packed) [3]any {
	f32 := any(math.Float32bits(p.F32))
	if p.F32 != p.F32 {
		f32 = "NaN"
	}
	return [3]any{math.Float64bits(p.F64), f32, Packed{U64: p.U64, I32: p.I32, U16: p.U16, I16: p.I16, U8: p.U8, I8: p.I8, Ok: p.Ok, B: p.B}}
}

// hiddenPointer has a pointer in an unexported field, which layout takes
// for padding.
type hiddenPointer struct {
	A int64
	p *int64
}

// hiddenString has a string in an unexported field of an embedded struct.
type hiddenString struct {
	A     uint32
	inner struct{ s string }
}

func TestDecodeRefusedTypes(t *testing.T) {
	b := make([]byte, 64)
	check := func(name string, err1, err2 error) {
		t.Helper()
		if !errors.Is(err1, layout.ErrType) || !errors.Is(err2, layout.ErrType) {
			t.Fatalf("%s: Decode %v, View %v; want layout.ErrType", name, err1, err2)
		}
	}
	r := memmap.NewReader(b, nil)
	_, e1 := memmap.Decode[int](r)
	_, e2 := memmap.View[int](r)
	check("int", e1, e2)
	_, e1 = memmap.Decode[*uint8](r)
	_, e2 = memmap.View[*uint8](r)
	check("pointer", e1, e2)
	_, e1 = memmap.Decode[string](r)
	_, e2 = memmap.View[string](r)
	check("string", e1, e2)
	_, e1 = memmap.Decode[struct{ A []byte }](r)
	_, e2 = memmap.View[struct{ A []byte }](r)
	check("slice field", e1, e2)
	_, e1 = memmap.Decode[hiddenPointer](r)
	_, e2 = memmap.View[hiddenPointer](r)
	check("unexported pointer field", e1, e2)
	_, e1 = memmap.Decode[hiddenString](r)
	_, e2 = memmap.View[hiddenString](r)
	check("unexported string in a nested struct", e1, e2)
	_, e1 = memmap.Decode[any](r)
	_, e2 = memmap.View[any](r)
	check("interface", e1, e2)
	if r.Pos() != 0 {
		t.Fatalf("refused decodes moved to %d", r.Pos())
	}
}

// alignedBytes returns n bytes at an address aligned to 8.
func alignedBytes(n int) []byte {
	u := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(u))), n)[:n:n]
}

func TestView(t *testing.T) {
	type Rec struct {
		ID    uint32
		Score float32
		Ok    bool
	}
	size := int(unsafe.Sizeof(Rec{}))
	b := alignedBytes(2*size + 1)
	binary.NativeEndian.PutUint32(b, 42)
	binary.NativeEndian.PutUint32(b[4:], math.Float32bits(2.5))
	b[8] = 1

	t.Run("host order", func(t *testing.T) {
		r := memmap.NewReader(b, binary.NativeEndian)
		p, err := memmap.View[Rec](r)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Rec{42, 2.5, true}); *p != want {
			t.Fatalf("View = %+v, want %+v", *p, want)
		}
		if unsafe.Pointer(p) != unsafe.Pointer(&b[0]) {
			t.Fatal("View does not point into the bytes")
		}
		p.ID = 7
		if binary.NativeEndian.Uint32(b) != 7 {
			t.Fatal("a write through the view did not change the bytes")
		}
		if r.Pos() != int64(size) {
			t.Fatalf("Pos %d, want %d", r.Pos(), size)
		}
	})
	t.Run("other order", func(t *testing.T) {
		r := memmap.NewReader(b, otherOrder)
		if _, err := memmap.View[Rec](r); !errors.Is(err, memmap.ErrByteOrder) || r.Pos() != 0 {
			t.Fatalf("View in the other order: %v, Pos %d; want ErrByteOrder, 0", err, r.Pos())
		}
		// Bytes read the same in either order.
		p, err := memmap.View[[4]byte](r)
		if err != nil || unsafe.Pointer(p) != unsafe.Pointer(&b[0]) {
			t.Fatalf("View[[4]byte] in the other order: %v", err)
		}
	})
	t.Run("misaligned", func(t *testing.T) {
		r := memmap.NewReader(b[1:], binary.NativeEndian)
		if _, err := memmap.View[Rec](r); !errors.Is(err, memmap.ErrAlign) || r.Pos() != 0 {
			t.Fatalf("misaligned View: %v, Pos %d; want ErrAlign, 0", err, r.Pos())
		}
		// Decode reads it all the same.
		if _, err := memmap.Decode[Rec](r); err != nil {
			t.Fatalf("misaligned Decode: %v", err)
		}
		// A type aligned to 1 views anywhere.
		r = memmap.NewReader(b[1:], binary.NativeEndian)
		if _, err := memmap.View[[3]byte](r); err != nil {
			t.Fatalf("View[[3]byte] at an odd address: %v", err)
		}
	})
	t.Run("bad bool", func(t *testing.T) {
		c := alignedBytes(size)
		c[8] = 2
		r := memmap.NewReader(c, binary.NativeEndian)
		if _, err := memmap.View[Rec](r); !errors.Is(err, memmap.ErrRange) || r.Pos() != 0 {
			t.Fatalf("View of a bool byte 2: %v, Pos %d; want ErrRange, 0", err, r.Pos())
		}
	})
	t.Run("short", func(t *testing.T) {
		r := memmap.NewReader(b[:size-1], binary.NativeEndian)
		if _, err := memmap.View[Rec](r); err != io.ErrUnexpectedEOF {
			t.Fatalf("View of too few bytes: %v", err)
		}
		r = memmap.NewReader(nil, binary.NativeEndian)
		if _, err := memmap.View[Rec](r); err != io.EOF {
			t.Fatalf("View of no bytes: %v", err)
		}
	})
}

// TestReaderAllocs checks that no read allocates.
func TestReaderAllocs(t *testing.T) {
	b := alignedBytes(4096)
	b[100] = 0
	for _, o := range []binary.ByteOrder{binary.NativeEndian, otherOrder} {
		r := memmap.NewReader(b, o)
		var sink uint64
		allocs := testing.AllocsPerRun(100, func() {
			r.Reset(b)
			u8, _ := r.Uint8()
			i8, _ := r.Int8()
			u16, _ := r.Uint16()
			i16, _ := r.Int16()
			u32, _ := r.Uint32()
			i32, _ := r.Int32()
			u64, _ := r.Uint64()
			i64, _ := r.Int64()
			f32, _ := r.Float32()
			f64, _ := r.Float64()
			bs, _ := r.Bytes(3)
			_ = r.Skip(2)
			uv, _ := r.Uvarint()
			sv, _ := r.Varint()
			cs, _ := r.CString(200)
			_, _ = r.Seek(0, io.SeekStart)
			p, _ := memmap.Decode[Packed](r)
			q, _ := memmap.Decode[Padded](r)
			_, _ = r.Seek(0, io.SeekStart)
			v, _ := memmap.View[[8]byte](r)
			var w *Packed
			if o == binary.NativeEndian {
				w, _ = memmap.View[Packed](r)
			}
			sink += uint64(u8) + uint64(i8) + uint64(u16) + uint64(i16) + uint64(u32) + uint64(i32) + u64 + uint64(i64) +
				uint64(f32) + uint64(f64) + uint64(len(bs)) + uv + uint64(sv) + uint64(len(cs)) + p.U64 + uint64(q.A) + uint64(v[0])
			if w != nil {
				sink += w.U64
			}
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocations per run, want 0", o, allocs)
		}
		_ = sink
	}
	// The failure paths that return io errors allocate nothing either.
	r := memmap.NewReader(b[:1], nil)
	if allocs := testing.AllocsPerRun(100, func() {
		_, _ = r.Uint64()
		_, _ = memmap.Decode[Packed](r)
		_, _ = r.CString(100)
		_, _ = r.Bytes(2)
	}); allocs != 0 {
		t.Errorf("failed reads: %v allocations per run, want 0", allocs)
	}
}

// TestMapReader reads a file written with binary.Write through a Map.
func TestMapReader(t *testing.T) {
	for _, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			var buf bytes.Buffer
			want := []Packed{{U64: 1, F64: 2.5, I32: -3, Ok: true, B: [9]byte{'x'}}, {U64: 1 << 60, F32: -1, I8: -8}}
			for _, v := range []any{[4]byte{'R', 'E', 'C', 'S'}, uint16(2), uint32(len(want)), want} {
				if err := binary.Write(&buf, o.order, v); err != nil {
					t.Fatal(err)
				}
			}
			m, err := memmap.Open(testutil.WriteFile(t, buf.Bytes()), memmap.ReadOnly, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			r := m.NewReader(o.order)
			magic, err := r.Bytes(4)
			if err != nil || string(magic) != "RECS" {
				t.Fatalf("magic %q, %v", magic, err)
			}
			if &magic[0] != &m.Bytes()[0] {
				t.Fatal("Bytes of a Map reader copied")
			}
			if v, err := r.Uint16(); v != 2 || err != nil {
				t.Fatalf("version %d, %v", v, err)
			}
			n, err := r.Uint32()
			if err != nil || n != uint32(len(want)) {
				t.Fatalf("count %d, %v", n, err)
			}
			var got []Packed
			for i := uint32(0); i < n; i++ {
				p, err := memmap.Decode[Packed](r)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("(-written +read):\n%s", diff)
			}
			if _, err := r.Uint8(); err != io.EOF {
				t.Fatalf("at the end: %v", err)
			}
			// The Reader is an io.Reader for binary.Read.
			if _, err := r.Seek(10, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var p Packed
			if err := binary.Read(r, o.order, &p); err != nil || p != want[0] {
				t.Fatalf("binary.Read from the Reader: %+v, %v", p, err)
			}
		})
	}
}

// FuzzReader runs a sequence of reads, chosen by the first bytes of the
// input, over the rest, and checks each against encoding/binary reading a
// bytes.Reader at the same position.
func FuzzReader(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, []byte("hello\x00world, some more bytes to read"))
	f.Add([]byte{1, 15, 14, 13, 12, 11}, binary.AppendUvarint(binary.AppendVarint(nil, -1<<40), 1<<63))
	f.Add([]byte{0, 12, 12, 16, 17}, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02})
	f.Fuzz(func(t *testing.T, ops, data []byte) {
		if len(ops) == 0 {
			return
		}
		order := orders[ops[0]&1].order
		r := memmap.NewReader(data, order)
		ref := bytes.NewReader(data)
		for i, op := range ops[1:] {
			pos := r.Pos()
			if _, err := ref.Seek(pos, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			arg := int(op >> 5) // 0..7
			var err error
			switch k := int(op&31) % 21; {
			case k < len(scalarOps):
				s := scalarOps[k]
				var got, want any
				var wantErr error
				got, err = s.read(r)
				want, wantErr = s.ref(ref, order)
				if err != wantErr {
					t.Fatalf("op %d %s at %d: %v, binary.Read's %v", i, s.name, pos, err, wantErr)
				}
				if err == nil && !cmp.Equal(bitsOf(want), bitsOf(got)) {
					t.Fatalf("op %d %s at %d: %v, binary.Read's %v", i, s.name, pos, got, want)
				}
			case k == 15, k == 16:
				var got, want uint64
				var n int
				if k == 15 {
					got, err = r.Uvarint()
					want, n, _ = refUvarint(data[min(int(pos), len(data)):])
				} else {
					var sv, sw int64
					sv, err = r.Varint()
					sw, n = binary.Varint(data[min(int(pos), len(data)):])
					got, want = uint64(sv), uint64(sw)
				}
				_, wantErr := binary.ReadUvarint(ref)
				checkVarintErr(t, data, err, wantErr)
				if err == nil && (got != want || r.Pos() != pos+int64(n)) {
					t.Fatalf("op %d varint at %d: %d to %d, binary's %d (%d bytes)", i, pos, got, r.Pos(), want, n)
				}
			case k == 17:
				var s []byte
				s, err = r.CString(arg * 3)
				if err == nil {
					if bytes.IndexByte(s, 0) >= 0 || data[pos+int64(len(s))] != 0 || len(s) >= arg*3 {
						t.Fatalf("op %d CString(%d) at %d = %q", i, arg*3, pos, s)
					}
				} else if !errors.Is(err, memmap.ErrRange) && err != io.EOF && err != io.ErrUnexpectedEOF {
					t.Fatalf("op %d CString: %v", i, err)
				}
			case k == 18:
				err = r.Skip(arg)
				if want := arg == 0 || int64(arg) <= int64(len(data))-pos; (err == nil) != want {
					t.Fatalf("op %d Skip(%d) at %d of %d: %v", i, arg, pos, len(data), err)
				}
			case k == 20:
				var p *Packed
				p, err = memmap.View[Packed](r)
				r2 := memmap.NewReader(data, order)
				if _, err := r2.Seek(pos, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				want, wantErr := memmap.Decode[Packed](r2)
				switch {
				case err == nil:
					if order == otherOrder {
						t.Fatalf("op %d View in the other order succeeded", i)
					}
					if bitsOf(*p) != bitsOf(want) || wantErr != nil {
						t.Fatalf("op %d View at %d = %+v, Decode %+v, %v", i, pos, *p, want, wantErr)
					}
				case err == io.EOF, err == io.ErrUnexpectedEOF:
					if err != wantErr {
						t.Fatalf("op %d View at %d: %v, Decode's %v", i, pos, err, wantErr)
					}
				case errors.Is(err, memmap.ErrByteOrder), errors.Is(err, memmap.ErrAlign), errors.Is(err, memmap.ErrRange):
					if wantErr != nil {
						t.Fatalf("op %d View at %d: %v, Decode's %v", i, pos, err, wantErr)
					}
				default:
					t.Fatalf("op %d View at %d: %v", i, pos, err)
				}
			default:
				_, err = r.Seek(int64(arg)*5-3, io.SeekCurrent)
				if (err == nil) != (pos+int64(arg)*5-3 >= 0) {
					t.Fatalf("op %d Seek(%d) at %d: %v", i, arg*5-3, pos, err)
				}
			}
			if err != nil && r.Pos() != pos {
				t.Fatalf("op %d failed (%v) and moved from %d to %d", i, err, pos, r.Pos())
			}
		}
	})
}

// BenchmarkReader decodes records of five fields with the scalar
// methods, as an application reads a binary file.
func BenchmarkReader(b *testing.B) {
	const records = 1 << 14
	data := make([]byte, records*24)
	b.SetBytes(int64(len(data)))
	var sink uint64
	for b.Loop() {
		r := memmap.NewReader(data, binary.LittleEndian)
		for range records {
			a, err := r.Uint32()
			if err != nil {
				b.Fatal(err)
			}
			c, err := r.Uint16()
			if err != nil {
				b.Fatal(err)
			}
			d, err := r.Int16()
			if err != nil {
				b.Fatal(err)
			}
			e, err := r.Uint64()
			if err != nil {
				b.Fatal(err)
			}
			f, err := r.Float64()
			if err != nil {
				b.Fatal(err)
			}
			sink += uint64(a) + uint64(c) + uint64(d) + e + uint64(f)
		}
	}
	_ = fmt.Sprint(sink)
}

// BenchmarkVarint decodes a stream of varints of every length from 1 to
// 10 bytes with Uvarint and Varint, as a reader of a varint-coded index
// does.
func BenchmarkVarint(b *testing.B) {
	var data []byte
	var n int
	for v := uint64(1); n < 1<<14; v = v*37 + 11 {
		data = binary.AppendUvarint(data, v)
		n++
	}
	b.Run("Uvarint", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var sink uint64
		for b.Loop() {
			r := memmap.NewReader(data, nil)
			for range n {
				v, err := r.Uvarint()
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
		}
		_ = fmt.Sprint(sink)
	})
	b.Run("Varint", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		var sink int64
		for b.Loop() {
			r := memmap.NewReader(data, nil)
			for range n {
				v, err := r.Varint()
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
		}
		_ = fmt.Sprint(sink)
	})
}
