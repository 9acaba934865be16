package memmap_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/layout"
	"github.com/google/go-cmp/cmp"
)

// The types the tests below decode: each takes a different road through
// Decode (a plain copy; a copy with swaps; bools to fix; a swap list too
// long to keep flat).
type (
	// item is the benchmarks' record: no padding, no bools, so in the
	// host's order a Decode is one copy.
	item struct {
		ID    int64
		Value float64
		Kind  uint32
		Count uint32
	}
	// padTail has padding inside and at the end.
	padTail struct {
		A uint16
		B uint64
		C [3]int16
		D uint8
	}
	// nestedArrays has arrays of structs of arrays, complex numbers, a
	// Float16 and an unexported field (padding to layout: never swapped).
	nestedArrays struct {
		M    [2][3]float32
		S    [2]struct{ X, Y int16 }
		C    complex128
		c64  complex64
		H    layout.Float16
		tail uint32
		Z    [0]uint64
	}
	// boolArrays has bools in arrays of structs, contiguous across
	// elements: Decode must make every one of them 0 or 1.
	boolArrays struct {
		P [3]struct{ A, B bool }
		Q [2]struct {
			On bool
			N  int32
		}
		flag bool
	}
	// deep has too many scalar runs for a flat swap list, so that
	// layout's SwapBytes swaps it.
	deep struct {
		E [1500]struct {
			A int32
			B int16
		}
	}
	// bytesOnly reads the same in either order.
	bytesOnly struct {
		Tag [5]byte
		K   int8
	}
)

// refDecode is what Decode of a T from b must return, made another way:
// the bytes copied, swapped by layout's own SwapBytes when the order is
// not the host's, and each bool byte (found by walking the type) made 0
// or 1.
func refDecode[T any](t *testing.T, b []byte, order binary.ByteOrder) T {
	t.Helper()
	var v T
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&v)), unsafe.Sizeof(v))
	copy(raw, b)
	if (order == binary.BigEndian) != (binary.NativeEndian.Uint16([]byte{0, 1}) == 1) {
		dt, err := layout.Of[T]()
		if err != nil {
			t.Fatal(err)
		}
		dt.SwapBytes(raw)
	}
	for _, off := range boolOffsets(reflect.TypeFor[T](), 0) {
		if raw[off] != 0 {
			raw[off] = 1
		}
	}
	return v
}

// boolOffsets returns the offset of each bool in a value of type t at off.
func boolOffsets(t reflect.Type, off uintptr) []uintptr {
	switch t.Kind() {
	case reflect.Bool:
		return []uintptr{off}
	case reflect.Array:
		var offs []uintptr
		for i := range t.Len() {
			offs = append(offs, boolOffsets(t.Elem(), off+uintptr(i)*t.Elem().Size())...)
		}
		return offs
	case reflect.Struct:
		var offs []uintptr
		for i := range t.NumField() {
			offs = append(offs, boolOffsets(t.Field(i).Type, off+t.Field(i).Offset)...)
		}
		return offs
	}
	return nil
}

// memOf returns the bytes of v's memory but for its padding (which a
// copy of a Go value need not keep), as zeros.
func memOf[T any](v *T) []byte {
	b := bytes.Clone(unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v)))
	var used []bool
	used = markFields(used, reflect.TypeFor[T](), 0)
	for i := range b {
		if i >= len(used) || !used[i] {
			b[i] = 0
		}
	}
	return b
}

// markFields marks in used the bytes of the fields (exported or not) of a
// value of type t at off: every byte but padding.
func markFields(used []bool, t reflect.Type, off uintptr) []bool {
	switch t.Kind() {
	case reflect.Array:
		for i := range t.Len() {
			used = markFields(used, t.Elem(), off+uintptr(i)*t.Elem().Size())
		}
	case reflect.Struct:
		for i := range t.NumField() {
			used = markFields(used, t.Field(i).Type, off+t.Field(i).Offset)
		}
	default:
		for uintptr(len(used)) < off+t.Size() {
			used = append(used, false)
		}
		for i := off; i < off+t.Size(); i++ {
			used[i] = true
		}
	}
	return used
}

// checkDecode decodes Ts from random bytes with Decode, DecodeSlice and
// View, in both orders and at every offset from an aligned address up to
// 8, and compares each value with refDecode, byte for byte (so that NaNs,
// padding and unexported fields count too).
func checkDecode[T any](t *testing.T, rng *rand.Rand) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	const count = 5
	tail, tailErr := size-1, io.ErrUnexpectedEOF // a partial value at the end
	if tail == 0 {
		tailErr = io.EOF
	}
	for _, o := range orders {
		for shift := 0; shift < 8; shift++ {
			buf := alignedBytes(shift + count*size + tail)
			for i := range buf {
				buf[i] = byte(rng.Uint32())
				if rng.IntN(4) == 0 {
					buf[i] = byte(rng.IntN(3)) // bools of 0, 1 and 2
				}
			}
			b := buf[shift:]
			want := make([]T, count)
			for i := range want {
				want[i] = refDecode[T](t, b[i*size:], o.order)
			}

			r := memmap.NewReader(b, o.order)
			for i := range count {
				got, err := memmap.Decode[T](r)
				if err != nil {
					t.Fatalf("%s, shift %d: Decode %d: %v", o.name, shift, i, err)
				}
				if !bytes.Equal(memOf(&got), memOf(&want[i])) {
					t.Fatalf("%s, shift %d: Decode %d:\n got % x\nwant % x", o.name, shift, i, memOf(&got), memOf(&want[i]))
				}
			}
			if _, err := memmap.Decode[T](r); err != tailErr || r.Pos() != int64(count*size) {
				t.Fatalf("%s: Decode of the last %d bytes: %v at %d; want %v at %d", o.name, tail, err, r.Pos(), tailErr, count*size)
			}

			r = memmap.NewReader(b, o.order)
			got := make([]T, count+1)
			n, err := memmap.DecodeSlice(r, got)
			if n != count || err != tailErr || r.Pos() != int64(count*size) {
				t.Fatalf("%s, shift %d: DecodeSlice of %d = %d, %v at %d; want %d, %v at %d",
					o.name, shift, len(got), n, err, r.Pos(), count, tailErr, count*size)
			}
			for i := range count {
				if !bytes.Equal(memOf(&got[i]), memOf(&want[i])) {
					t.Fatalf("%s, shift %d: DecodeSlice [%d]:\n got % x\nwant % x", o.name, shift, i, memOf(&got[i]), memOf(&want[i]))
				}
			}

			// View agrees with Decode where it succeeds.
			r = memmap.NewReader(b, o.order)
			for i := range count {
				p, err := memmap.View[T](r)
				if err != nil {
					if !errors.Is(err, memmap.ErrByteOrder) && !errors.Is(err, memmap.ErrAlign) && !errors.Is(err, memmap.ErrRange) {
						t.Fatalf("%s, shift %d: View %d: %v", o.name, shift, i, err)
					}
					if r.Pos() != int64(i*size) {
						t.Fatalf("a failed View moved to %d", r.Pos())
					}
					break
				}
				if unsafe.Pointer(p) != unsafe.Pointer(&b[i*size]) || !bytes.Equal(memOf(p), memOf(&want[i])) {
					t.Fatalf("%s, shift %d: View %d: % x, want % x at %p", o.name, shift, i, memOf(p), memOf(&want[i]), &b[i*size])
				}
			}
		}
	}
}

// TestDecodeTypes checks Decode, DecodeSlice and View of types that take
// each road through them against refDecode.
func TestDecodeTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 3))
	t.Run("item", func(t *testing.T) { checkDecode[item](t, rng) })
	t.Run("padTail", func(t *testing.T) { checkDecode[padTail](t, rng) })
	t.Run("Padded", func(t *testing.T) { checkDecode[Padded](t, rng) })
	t.Run("Nested", func(t *testing.T) { checkDecode[Nested](t, rng) })
	t.Run("nestedArrays", func(t *testing.T) { checkDecode[nestedArrays](t, rng) })
	t.Run("boolArrays", func(t *testing.T) { checkDecode[boolArrays](t, rng) })
	t.Run("deep", func(t *testing.T) { checkDecode[deep](t, rng) })
	t.Run("bytesOnly", func(t *testing.T) { checkDecode[bytesOnly](t, rng) })
	t.Run("uint16", func(t *testing.T) { checkDecode[uint16](t, rng) })
	t.Run("complex64", func(t *testing.T) { checkDecode[complex64](t, rng) })
	t.Run("int8", func(t *testing.T) { checkDecode[int8](t, rng) })
	t.Run("bool", func(t *testing.T) { checkDecode[bool](t, rng) })
}

// TestDecodeBoolArrays checks that every bool of an array of structs of
// bools is made 1 by Decode and refused by View: the bools of elements
// after the second were once left alone (their runs merged with the
// first's, which ended the walk of the array).
func TestDecodeBoolArrays(t *testing.T) {
	type pairs struct{ P [4]struct{ A, B bool } }
	b := bytes.Repeat([]byte{2}, 8)
	got, err := memmap.Decode[pairs](memmap.NewReader(b, nil))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range memOf(&got) {
		if c != 1 {
			t.Fatalf("bool %d is %d, want 1", i, c)
		}
	}
	for i := range b {
		c := make([]byte, 8)
		c[i] = 2
		if _, err := memmap.View[pairs](memmap.NewReader(c, nil)); !errors.Is(err, memmap.ErrRange) {
			t.Fatalf("View with a 2 in bool %d: %v, want ErrRange", i, err)
		}
	}
}

// binaryTypes are types whose Go layout has no padding, so that Decode
// reads what binary.Read reads, with a function that reads one each way.
var binaryTypes = []struct {
	name       string
	size       int
	decode     func(r *memmap.Reader) (any, error)
	decodeMany func(r *memmap.Reader, n int) (any, int, error)
	ref        func(rd io.Reader, order binary.ByteOrder) (any, error)
	refMany    func(rd io.Reader, order binary.ByteOrder, n int) (any, error)
}{
	binaryType[item]("item"),
	binaryType[Packed]("Packed"),
	binaryType[bytesOnly]("bytesOnly"),
	binaryType[bool]("bool"),
	binaryType[struct {
		E [2]struct {
			A [2]int16
			B uint32
			C [2]complex64
		}
	}]("arrays"),
	binaryType[struct {
		X [4]struct{ On, Off bool }
		Y int64
	}]("bools"),
	binaryType[float32]("float32"),
	binaryType[int16]("int16"),
}

func binaryType[T any](name string) (bt struct {
	name       string
	size       int
	decode     func(r *memmap.Reader) (any, error)
	decodeMany func(r *memmap.Reader, n int) (any, int, error)
	ref        func(rd io.Reader, order binary.ByteOrder) (any, error)
	refMany    func(rd io.Reader, order binary.ByteOrder, n int) (any, error)
}) {
	var zero T
	if s, p := int(unsafe.Sizeof(zero)), binary.Size(zero); s != p {
		panic(name + " has padding")
	}
	bt.name, bt.size = name, int(unsafe.Sizeof(zero))
	bt.decode = func(r *memmap.Reader) (any, error) { return memmap.Decode[T](r) }
	bt.decodeMany = func(r *memmap.Reader, n int) (any, int, error) {
		s := make([]T, n)
		k, err := memmap.DecodeSlice(r, s)
		return s[:k], k, err
	}
	bt.ref = func(rd io.Reader, order binary.ByteOrder) (any, error) {
		var v T
		err := binary.Read(rd, order, &v)
		return v, err
	}
	bt.refMany = func(rd io.Reader, order binary.ByteOrder, n int) (any, error) {
		s := make([]T, n)
		err := binary.Read(rd, order, s)
		return s, err
	}
	return bt
}

// floatBits compares floats (and the parts of complex numbers) bit for
// bit, with all NaNs equal: binary.Read converts float32s and complex64s
// through float64, which quiets signaling NaNs.
var floatBits = cmp.Options{
	cmp.Comparer(same32),
	cmp.Comparer(same64),
	cmp.Comparer(func(a, b complex64) bool { return same32(real(a), real(b)) && same32(imag(a), imag(b)) }),
	cmp.Comparer(func(a, b complex128) bool { return same64(real(a), real(b)) && same64(imag(a), imag(b)) }),
}

func same32(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
func same64(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) || a != a && b != b }

// FuzzDecode compares Decode and DecodeSlice with binary.Read for the
// types binary.Read reads as Decode does, in both orders, from the fuzzed
// bytes at a fuzzed offset: values, errors and positions.
func FuzzDecode(f *testing.F) {
	f.Add(uint8(0), uint8(0), uint8(3), []byte("0123456789abcdefghijklmnopqrstuvwxyz0123456789"))
	f.Add(uint8(1), uint8(1), uint8(2), bytes.Repeat([]byte{2, 0, 0xff, 0x7f}, 20))
	f.Add(uint8(3), uint8(5), uint8(7), []byte{1, 2, 3})
	// A NaN in a complex64, which binary.Read quiets.
	f.Add(uint8(136), uint8(84), uint8(8), append(bytes.Repeat([]byte{'0'}, 50), 0xff, 0x7f))
	f.Fuzz(func(t *testing.T, which, skip, n uint8, data []byte) {
		bt := binaryTypes[int(which>>1)%len(binaryTypes)]
		o := orders[which&1]
		off := min(int(skip)%8, len(data))
		r := memmap.NewReader(data, o.order)
		if err := r.Skip(off); err != nil {
			t.Fatal(err)
		}
		rd := bytes.NewReader(data[off:])
		for i := range 3 {
			pos := r.Pos()
			got, err := bt.decode(r)
			want, wantErr := bt.ref(rd, o.order)
			if err != wantErr {
				t.Fatalf("%s %s Decode %d at %d: %v, binary.Read's %v", o.name, bt.name, i, pos, err, wantErr)
			}
			if err != nil {
				if r.Pos() != pos {
					t.Fatalf("a failed Decode moved from %d to %d", pos, r.Pos())
				}
				break
			}
			if diff := cmp.Diff(want, got, floatBits); diff != "" {
				t.Fatalf("%s %s Decode %d at %d: (-binary.Read +Decode):\n%s", o.name, bt.name, i, pos, diff)
			}
		}

		// DecodeSlice of n values from the same offset: the values
		// binary.Read reads, as many as there are.
		k := int(n % 8)
		r = memmap.NewReader(data, o.order)
		if err := r.Skip(off); err != nil {
			t.Fatal(err)
		}
		got, m, err := bt.decodeMany(r, k)
		whole := (len(data) - off) / bt.size
		wantN := min(k, whole)
		var wantErr error
		if k > whole {
			wantErr = io.ErrUnexpectedEOF
			if off+whole*bt.size == len(data) {
				wantErr = io.EOF
			}
		}
		if m != wantN || err != wantErr || r.Pos() != int64(off+m*bt.size) {
			t.Fatalf("%s %s DecodeSlice of %d at %d of %d: %d, %v at %d; want %d, %v",
				o.name, bt.name, k, off, len(data), m, err, r.Pos(), wantN, wantErr)
		}
		want, err := bt.refMany(bytes.NewReader(data[off:]), o.order, m)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, floatBits); diff != "" {
			t.Fatalf("%s %s DecodeSlice of %d at %d: (-binary.Read +DecodeSlice):\n%s", o.name, bt.name, k, off, diff)
		}
	})
}

// TestDecodeSlice checks DecodeSlice's contract at the edges: empty dst,
// no bytes, a partial value, zero-sized types, refused types, and a
// Reader with a bad byte order.
func TestDecodeSlice(t *testing.T) {
	size := int(unsafe.Sizeof(item{}))
	b := make([]byte, 2*size)
	binary.LittleEndian.PutUint64(b[size:], 7)
	r := memmap.NewReader(b, binary.LittleEndian)
	if n, err := memmap.DecodeSlice(r, []item(nil)); n != 0 || err != nil {
		t.Fatalf("DecodeSlice of nothing: %d, %v", n, err)
	}
	dst := make([]item, 3)
	if n, err := memmap.DecodeSlice(r, dst); n != 2 || err != io.EOF || dst[1].ID != 7 || r.Pos() != int64(2*size) {
		t.Fatalf("DecodeSlice of 3 from 2: %d, %v, %+v at %d; want 2, io.EOF", n, err, dst, r.Pos())
	}
	if n, err := memmap.DecodeSlice(r, dst); n != 0 || err != io.EOF {
		t.Fatalf("DecodeSlice at the end: %d, %v; want 0, io.EOF", n, err)
	}
	r = memmap.NewReader(b[:size+1], binary.LittleEndian)
	if n, err := memmap.DecodeSlice(r, dst); n != 1 || err != io.ErrUnexpectedEOF || r.Pos() != int64(size) {
		t.Fatalf("DecodeSlice of 3 from 1 and a byte: %d, %v at %d; want 1, io.ErrUnexpectedEOF", n, err, r.Pos())
	}
	if n, err := memmap.DecodeSlice(r, make([]struct{ Z [0]int64 }, 4)); n != 4 || err != nil {
		t.Fatalf("DecodeSlice of zero-sized values: %d, %v", n, err)
	}
	if n, err := memmap.DecodeSlice(r, make([]int, 4)); n != 0 || !errors.Is(err, layout.ErrType) || r.Pos() != int64(size) {
		t.Fatalf("DecodeSlice of []int: %d, %v at %d; want 0, layout.ErrType", n, err, r.Pos())
	}
	bad := memmap.NewReader(b, mixedOrder{binary.LittleEndian})
	if n, err := memmap.DecodeSlice(bad, dst); n != 0 || !errors.Is(err, memmap.ErrByteOrder) {
		t.Fatalf("DecodeSlice with a bad order: %d, %v; want 0, ErrByteOrder", n, err)
	}
	// Zero-sized values read without bytes, as Decode reads them.
	if n, err := memmap.DecodeSlice(bad, make([]struct{ Z [0]int64 }, 2)); n != 2 || err != nil {
		t.Fatalf("DecodeSlice of zero-sized values with a bad order: %d, %v", n, err)
	}
}

// TestDecodeAlternating decodes two types in turn from one Reader, so
// that each Decode finds the other type's plan in the Reader, and a type
// in two Readers of different orders.
func TestDecodeAlternating(t *testing.T) {
	var buf bytes.Buffer
	for i := range 4 {
		binary.Write(&buf, binary.BigEndian, item{ID: int64(i), Value: float64(i) / 2, Kind: uint32(i), Count: 9})
		binary.Write(&buf, binary.BigEndian, uint16(100+i))
	}
	big := memmap.NewReader(buf.Bytes(), binary.BigEndian)
	little := memmap.NewReader(buf.Bytes(), binary.LittleEndian)
	for i := range 4 {
		it, err := memmap.Decode[item](big)
		if err != nil || it != (item{ID: int64(i), Value: float64(i) / 2, Kind: uint32(i), Count: 9}) {
			t.Fatalf("item %d: %+v, %v", i, it, err)
		}
		u, err := memmap.Decode[uint16](big)
		if err != nil || u != uint16(100+i) {
			t.Fatalf("uint16 %d: %d, %v", i, u, err)
		}
		lt, err := memmap.Decode[item](little)
		if err != nil || lt.Count != 9<<24 {
			t.Fatalf("item %d little-endian: %+v, %v", i, lt, err)
		}
		if _, err := memmap.Decode[uint16](little); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDecodeAllocs checks that Decode, DecodeSlice and View allocate
// nothing once their type is known, in both orders, on every road.
func TestDecodeAllocs(t *testing.T) {
	b := alignedBytes(1 << 14)
	for _, o := range orders {
		r := memmap.NewReader(b, o.order)
		dst := make([]item, 16)
		pads := make([]Padded, 4)
		var sink int64
		allocs := testing.AllocsPerRun(100, func() {
			r.Reset(b)
			it, _ := memmap.Decode[item](r)
			p, _ := memmap.Decode[padTail](r)
			ba, _ := memmap.Decode[boolArrays](r)
			d, _ := memmap.Decode[deep](r)
			n, _ := memmap.DecodeSlice(r, dst)
			m, _ := memmap.DecodeSlice(r, pads)
			v, _ := memmap.View[bytesOnly](r)
			sink += it.ID + int64(p.A) + int64(ba.Q[0].N) + int64(d.E[0].A) + int64(n+m) + int64(v.K)
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per run, want 0", o.name, allocs)
		}
		_ = sink
	}
}

// BenchmarkDecodeOrders decodes 4096 items per op in the host's order
// (a plain copy per item) and in the other order (a copy and the swap
// list), one at a time and in batches of 64.
func BenchmarkDecodeOrders(b *testing.B) {
	const n = 4096
	size := int(unsafe.Sizeof(item{}))
	data := alignedBytes(n * size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, o := range []struct {
		name  string
		order binary.ByteOrder
	}{{"host", binary.NativeEndian}, {"other", otherOrder}} {
		b.Run("Decode/"+o.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			r := memmap.NewReader(data, o.order)
			var s int64
			for range b.N {
				r.Reset(data)
				for range n {
					it, err := memmap.Decode[item](r)
					if err != nil {
						b.Fatal(err)
					}
					s += it.ID + int64(it.Kind)
				}
			}
			_ = s
		})
		b.Run("DecodeSlice/"+o.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			r := memmap.NewReader(data, o.order)
			var buf [64]item
			var s int64
			for range b.N {
				r.Reset(data)
				for range n / len(buf) {
					k, err := memmap.DecodeSlice(r, buf[:])
					if err != nil {
						b.Fatal(err)
					}
					for _, it := range buf[:k] {
						s += it.ID + int64(it.Kind)
					}
				}
			}
			_ = s
		})
	}
}
