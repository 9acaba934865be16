package memmap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"github.com/gomemmap/memmap/layout"
)

// errVarintOverflow is returned by Uvarint and Varint for a varint that
// does not fit in 64 bits, as binary.ReadUvarint's unexported error is.
var errVarintOverflow = errorf(ErrRange, "memmap: varint overflows a 64-bit integer")

// hostBig reports whether the host is big-endian.
var hostBig = binary.NativeEndian.Uint16([]byte{0, 1}) == 1

// Reader decodes raw binary data — integers, floats, varints, byte strings
// and fixed-layout Go values — from a byte slice, usually a [Map]'s bytes,
// like encoding/binary but without copies or allocations: a cursor that
// moves through the bytes as they are read. Make one with [NewReader] or
// [Map.NewReader]. Its zero value reads nothing (every read returns
// io.EOF) until Reset gives it bytes, which it reads little-endian.
//
// Every read returns its value and an error, as encoding/binary's Read
// and binary.ReadUvarint do: io.EOF when no bytes remain at all,
// io.ErrUnexpectedEOF when some remain but too few, both unwrapped so that
// == works as it does for io readers. A failed read does not move the
// position. (Why not a sticky error checked once at the end, as
// bufio.Scanner does? The (value, error) methods are small enough for the
// compiler to inline, and decoded records of five fields faster than a
// sticky-error form did when both were measured; and an error is seen
// where it happens.) bench/RESULTS.md has the Reader's figures.
//
// Multi-byte values are read in the Reader's byte order with
// encoding/binary's LittleEndian and BigEndian functions, which compile to
// single loads.
//
// The slices that Bytes and CString return, and the pointers View returns,
// alias the bytes the Reader was made on, without copying them: for a Map
// they stay valid until the Map is closed (see the caveats of the package),
// and writes through them change the map. Their capacity is their length,
// so an append copies rather than writing over the bytes that follow.
//
// A Reader also implements io.Reader, io.ByteReader and io.Seeker, so it
// can be handed to binary.Read (to decode a packed layout, see [Decode]),
// binary.ReadUvarint or any other reader of streams.
//
// A Reader is not safe for concurrent use; several Readers may read the
// same bytes at once.
type Reader struct {
	b   []byte
	off int  // the position; may be past len(b) after a Seek
	big bool // the order: big-endian if set, else little-endian
	// err, for a Reader made with an order it does not recognise, is
	// returned by every read; b is nil then.
	err error
	// dec is the *decoder[T] of the type T that Decode or View last
	// read, for r's order: a loop decoding one type finds it here with
	// one type assertion, without the lookup in decoders.
	dec any
}

// NewReader returns a Reader over b in the byte order order, positioned at
// the start of b.
//
// The order is binary.LittleEndian, binary.BigEndian or
// binary.NativeEndian (the host's order); any other binary.ByteOrder is
// recognised by how it decodes the bytes 1, 2, 3, 4. A nil order is
// little-endian, the order of most file formats and of NumPy's files on
// the common hosts: never the host's order by default, so that a program
// decodes a file the same way on every host. An order that is none of
// these (which decodes 1, 2, 3, 4 neither way, or panics) makes a Reader
// whose every read returns an error wrapping [ErrByteOrder].
func NewReader(b []byte, order binary.ByteOrder) *Reader {
	r := &Reader{b: b}
	big, err := isBig(order)
	if err != nil {
		r.b, r.err = nil, err
	}
	r.big = big
	return r
}

// isBig reports whether order is big-endian, and an error if it is
// neither big- nor little-endian.
func isBig(order binary.ByteOrder) (big bool, err error) {
	switch order {
	case nil, binary.LittleEndian:
		return false, nil
	case binary.BigEndian:
		return true, nil
	case binary.NativeEndian:
		return hostBig, nil
	}
	defer func() {
		if p := recover(); p != nil {
			big, err = false, errorf(ErrByteOrder, "memmap: NewReader: byte order %T panics: %v", order, p)
		}
	}()
	switch order.Uint32([]byte{1, 2, 3, 4}) {
	case 0x04030201:
		return false, nil
	case 0x01020304:
		return true, nil
	}
	return false, errorf(ErrByteOrder, "memmap: NewReader: byte order %T is neither little- nor big-endian", order)
}

// NewReader returns a Reader, in the byte order order (see [NewReader]),
// over the map's bytes as they are now (m.Bytes()). It does not see later
// growth by Resize or Remap: make a new Reader (and Seek it to where the
// old one was) to read the grown map. A Reader made after Close reads
// nothing; one made before must not be read after Close, since its bytes
// are unmapped (see the caveats of the package).
func (m *Map) NewReader(order binary.ByteOrder) *Reader {
	return NewReader(m.Bytes(), order)
}

// Reset makes r read b from its start, in the same byte order. (A Reader
// made with an order it does not recognise stays empty.)
func (r *Reader) Reset(b []byte) {
	if r.err != nil {
		return
	}
	r.b, r.off = b, 0
}

// Pos returns the position: the offset in the bytes of the next read.
func (r *Reader) Pos() int64 { return int64(r.off) }

// Size returns the length of the bytes the Reader reads.
func (r *Reader) Size() int64 { return int64(len(r.b)) }

// Remaining returns the number of bytes left to read: 0 at or past the
// end.
func (r *Reader) Remaining() int {
	if r.off >= len(r.b) {
		return 0
	}
	return len(r.b) - r.off
}

// short returns the error of a read that needs more bytes than remain:
// io.EOF if none remain, io.ErrUnexpectedEOF otherwise.
func (r *Reader) short() error {
	if r.err != nil {
		return r.err
	}
	if r.off >= len(r.b) {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}

// Seek sets the position to offset from the start (whence io.SeekStart),
// the position (io.SeekCurrent) or the end (io.SeekEnd), and returns the
// new position, following the contract of io.Seeker. As for
// bytes.Reader, a position past the end is allowed (reads there return
// io.EOF); a negative one, an unknown whence, or a position past the
// largest int (on 32-bit hosts) returns an error wrapping [ErrRange] and
// leaves the position alone.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	base, err := seekBase("Reader.Seek", whence, r.off, len(r.b))
	if err != nil {
		return int64(r.off), err
	}
	// base >= 0, so base+offset cannot overflow when offset <= MaxInt-base.
	if offset < -base || offset > math.MaxInt-base {
		return int64(r.off), errorf(ErrRange, "memmap: Reader.Seek: offset %d from %d (whence %d) is negative or too large", offset, base, whence)
	}
	r.off = int(base + offset)
	return int64(r.off), nil
}

// Skip moves the position n bytes forward. Skipping past the end returns
// io.EOF when no bytes remain, io.ErrUnexpectedEOF when too few do, and
// does not move; a negative n returns an error wrapping [ErrRange] (Seek
// moves backwards).
func (r *Reader) Skip(n int) error {
	if n < 0 {
		return errorf(ErrRange, "memmap: Reader.Skip: negative count %d", n)
	}
	if r.off > len(r.b)-n {
		if n == 0 && r.err == nil {
			return nil
		}
		return r.short()
	}
	r.off += n
	return nil
}

// Uint8 reads one byte.
func (r *Reader) Uint8() (uint8, error) {
	off := r.off
	if off >= len(r.b) {
		return 0, r.short()
	}
	r.off = off + 1
	return r.b[off], nil
}

// ReadByte reads one byte, for io.ByteReader; it is Uint8.
func (r *Reader) ReadByte() (byte, error) { return r.Uint8() }

// Uint16 reads a 2-byte unsigned integer.
func (r *Reader) Uint16() (uint16, error) {
	off := r.off
	if off > len(r.b)-2 {
		return 0, r.short()
	}
	r.off = off + 2
	b := r.b[off : off+2]
	if r.big {
		return binary.BigEndian.Uint16(b), nil
	}
	return binary.LittleEndian.Uint16(b), nil
}

// Uint32 reads a 4-byte unsigned integer.
func (r *Reader) Uint32() (uint32, error) {
	off := r.off
	if off > len(r.b)-4 {
		return 0, r.short()
	}
	r.off = off + 4
	b := r.b[off : off+4]
	if r.big {
		return binary.BigEndian.Uint32(b), nil
	}
	return binary.LittleEndian.Uint32(b), nil
}

// Uint64 reads an 8-byte unsigned integer.
func (r *Reader) Uint64() (uint64, error) {
	off := r.off
	if off > len(r.b)-8 {
		return 0, r.short()
	}
	r.off = off + 8
	b := r.b[off : off+8]
	if r.big {
		return binary.BigEndian.Uint64(b), nil
	}
	return binary.LittleEndian.Uint64(b), nil
}

// Int8 reads a 1-byte signed integer.
func (r *Reader) Int8() (int8, error) {
	v, err := r.Uint8()
	return int8(v), err
}

// Int16 reads a 2-byte signed integer.
func (r *Reader) Int16() (int16, error) {
	v, err := r.Uint16()
	return int16(v), err
}

// Int32 reads a 4-byte signed integer.
func (r *Reader) Int32() (int32, error) {
	v, err := r.Uint32()
	return int32(v), err
}

// Int64 reads an 8-byte signed integer.
func (r *Reader) Int64() (int64, error) {
	v, err := r.Uint64()
	return int64(v), err
}

// Float32 reads a 4-byte IEEE 754 float.
func (r *Reader) Float32() (float32, error) {
	// Not r.Uint32(): written out, the method is cheap enough to inline.
	off := r.off
	if off > len(r.b)-4 {
		return 0, r.short()
	}
	r.off = off + 4
	b := r.b[off : off+4]
	if r.big {
		return math.Float32frombits(binary.BigEndian.Uint32(b)), nil
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b)), nil
}

// Float64 reads an 8-byte IEEE 754 float.
func (r *Reader) Float64() (float64, error) {
	// Not r.Uint64(): written out, the method is cheap enough to inline.
	off := r.off
	if off > len(r.b)-8 {
		return 0, r.short()
	}
	r.off = off + 8
	b := r.b[off : off+8]
	if r.big {
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b)), nil
}

// Bytes returns the next n bytes, without copying them (see [Reader] for
// how long they stay valid); the slice's capacity is n. Fewer than n
// bytes left is io.EOF or io.ErrUnexpectedEOF; a negative n an error
// wrapping [ErrRange].
func (r *Reader) Bytes(n int) ([]byte, error) {
	if n < 0 {
		return nil, errorf(ErrRange, "memmap: Reader.Bytes: negative count %d", n)
	}
	off := r.off
	if off > len(r.b)-n {
		if n == 0 && r.err == nil {
			return r.b[len(r.b):], nil
		}
		return nil, r.short()
	}
	r.off = off + n
	return r.b[off : off+n : off+n], nil
}

// Read copies the next bytes into p, for io.Reader: it reads
// min(len(p), Remaining()) bytes and returns io.EOF only when none remain
// (and len(p) > 0).
func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.off >= len(r.b) {
		return 0, r.short()
	}
	n := copy(p, r.b[r.off:])
	r.off += n
	return n, nil
}

// CString reads a NUL-terminated string whose NUL is within the next max
// bytes, and returns its bytes without the NUL and without copying them
// (see [Reader]); the position moves past the NUL. A string whose NUL is
// not within max bytes (with at least max bytes left) returns an error
// wrapping [ErrRange], and one that runs to the end of the bytes without
// a NUL returns io.ErrUnexpectedEOF (io.EOF if no bytes were left); the
// position does not move. For a fixed-size NUL-padded field, read
// Bytes(n) and cut it at the first NUL instead.
func (r *Reader) CString(max int) ([]byte, error) {
	off := r.off
	if off >= len(r.b) {
		return nil, r.short()
	}
	if max < 0 {
		max = 0
	}
	w := r.b[off:]
	cut := len(w) >= max // the NUL must be within max bytes, even if more follow
	if cut {
		w = w[:max]
	}
	i := bytes.IndexByte(w, 0)
	if i < 0 {
		if cut {
			return nil, errorf(ErrRange, "memmap: Reader.CString: no NUL in the %d bytes at offset %d", max, off)
		}
		return nil, io.ErrUnexpectedEOF
	}
	r.off = off + i + 1
	return w[:i:i], nil
}

// Uvarint reads an unsigned varint as encoded by binary.PutUvarint, with
// binary.ReadUvarint's errors: io.EOF when no bytes remain,
// io.ErrUnexpectedEOF when the varint runs past the end, and, for a
// varint that overflows 64 bits (more than binary.MaxVarintLen64 bytes,
// or a 10th byte over 1), an error wrapping [ErrRange]. On an error the
// position does not move.
func (r *Reader) Uvarint() (uint64, error) {
	off := r.off
	if off >= len(r.b) {
		return 0, r.short()
	}
	x, n := binary.Uvarint(r.b[off:])
	if n <= 0 {
		return 0, r.varintErr(n)
	}
	r.off = off + n
	return x, nil
}

// Varint reads a signed varint as encoded by binary.PutVarint (zig-zag),
// with the errors of Uvarint.
func (r *Reader) Varint() (int64, error) {
	ux, err := r.Uvarint()
	x := int64(ux >> 1) // zig-zag, as binary.Varint decodes it
	if ux&1 != 0 {
		x = ^x
	}
	return x, err
}

// varintErr returns the error of a varint at the position that
// binary.Uvarint decoded to n <= 0 bytes: overflow for
// n < 0, and for n == 0 io.ErrUnexpectedEOF, unless binary.MaxVarintLen64
// bytes or more remain, all with the continuation bit set, which
// binary.ReadUvarint reports as overflow.
func (r *Reader) varintErr(n int) error {
	if n < 0 || len(r.b)-r.off >= binary.MaxVarintLen64 {
		return errVarintOverflow
	}
	return io.ErrUnexpectedEOF
}

// typeInfo is what Decode and View need to know about a Go type, in
// either byte order: computed once per type (infoOf) and shared by its
// two decoders.
type typeInfo struct {
	dt    *layout.DType
	size  int
	align int
	// swaps are the multi-byte scalars to byte-reverse when the Reader's
	// order is not the host's, as runs in offset order: empty for a type
	// of bytes only. If deep, a flat list would be longer than
	// maxFixRuns (a long array of structs of mixed scalars) and
	// dt.SwapBytes walks the fields instead.
	swaps []fixRun
	deep  bool
	// bools are the runs of the type's bools, including those of
	// unexported fields (which layout treats as padding); their size is 1.
	bools []fixRun
}

// fixRun is n scalars of size bytes back to back from off: one step of a
// decoder's plan. Scalars of 2 bytes or more are byte-reversed; those of
// size 1 are bools, made 0 or 1.
type fixRun struct{ off, size, n int }

// maxFixRuns bounds a type's flat swap list, so that a small type
// declaration ([1 << 20]struct{ A int32; B int16 }) cannot make a huge
// one.
const maxFixRuns = 1024

// decoder is the plan that Decode and View follow for a T read in one
// byte order. It is computed once per type and order, cached by type in
// decoders, and kept in the Reader that last used it, where Decode and
// View find it with one type assertion: a comparison of type words, with
// no call and no map lookup.
type decoder[T any] struct{ plan }

// plan is a decoder's content, which does not depend on T.
type plan struct {
	*typeInfo
	// direct reports that a T's bytes in this order are its memory as Go
	// holds it: the order is the host's (or T has no multi-byte
	// scalars), T has no bools to check, and it is not zero-sized.
	// Decode is then one copy of the bytes, and View one alignment check.
	direct bool
	// swap reports that T has scalars to swap in this order.
	swap bool
	// runs are what Decode does to the bytes it copied: the swaps (unless
	// deep) if swap, then the bools. Empty if direct.
	runs []fixRun
}

// decoderPair is the two decoders of a T, for a little- and a big-endian
// Reader.
type decoderPair[T any] struct{ little, big decoder[T] }

// decoders caches a *decoderPair[T] by the reflect.Type of T.
var decoders sync.Map

// decoderOf returns r's decoder for T, from r if it last read a T, else
// from the cache, which it fills on T's first use; or layout's error for a
// type it refuses. Once T is cached it allocates nothing.
func decoderOf[T any](r *Reader) (*decoder[T], error) {
	if d, ok := r.dec.(*decoder[T]); ok {
		return d, nil
	}
	return lookUpDecoder[T](r)
}

// lookUpDecoder is decoderOf for a T that r did not read last.
func lookUpDecoder[T any](r *Reader) (*decoder[T], error) {
	t := reflect.TypeFor[T]()
	var dp *decoderPair[T]
	if v, ok := decoders.Load(t); ok {
		dp = v.(*decoderPair[T])
	} else {
		ti, err := infoOf(t)
		if err != nil {
			return nil, err
		}
		dp = &decoderPair[T]{little: newDecoder[T](ti, false), big: newDecoder[T](ti, true)}
		v, _ := decoders.LoadOrStore(t, dp)
		dp = v.(*decoderPair[T])
	}
	d := &dp.little
	if r.big {
		d = &dp.big
	}
	r.dec = d
	return d, nil
}

// newDecoder returns the decoder of a T of info ti for a Reader that is
// big-endian if big.
func newDecoder[T any](ti *typeInfo, big bool) decoder[T] {
	p := plan{typeInfo: ti, swap: big != hostBig && (ti.deep || len(ti.swaps) > 0)}
	if p.swap && !ti.deep {
		p.runs = append(p.runs, ti.swaps...)
	}
	p.runs = append(p.runs, ti.bools...)
	p.direct = !p.swap && len(ti.bools) == 0 && ti.size > 0
	return decoder[T]{p}
}

// infoOf returns the typeInfo of t, or layout's error for a type it
// refuses.
func infoOf(t reflect.Type) (*typeInfo, error) {
	dt, err := layout.TypeOf(t)
	if err != nil {
		return nil, err
	}
	// layout takes unexported fields for padding whatever their type;
	// filling a pointer, string or slice from bytes would corrupt memory.
	if path, ft := pointerField(t, t.String()); ft != nil {
		return nil, fmt.Errorf("memmap: %s is a %s, which holds pointers: a %s cannot be read from bytes (use fixed-size fields only, unexported ones too): %w",
			path, ft, t, layout.ErrType)
	}
	ti := &typeInfo{
		dt:    dt,
		size:  dt.Size(),
		align: dt.Align(),
	}
	ti.swaps, ti.deep = swapPlan(dt)
	ti.bools = appendBools(nil, t, 0)
	return ti, nil
}

// swapPlan returns the runs of multi-byte scalars of a value of dtype d,
// relative to its start, or deep if they would be more than maxFixRuns
// runs. It follows layout's own plan for SwapBytes: the scalars of the
// named fields (unexported ones are padding to layout, never swapped), a
// complex number as two floats.
func swapPlan(d *layout.DType) (runs []fixRun, deep bool) {
	if d.Kind() != layout.Struct {
		switch {
		case d.Order() == layout.NotApplicable || d.Size() == 0:
			return nil, false
		case d.Kind() == layout.Complex:
			return []fixRun{{0, d.Size() / 2, 2}}, false
		}
		return []fixRun{{0, d.Size(), 1}}, false
	}
	for _, f := range d.Fields() {
		sub, deep := swapPlan(f.Type)
		if deep {
			return nil, true
		}
		if len(sub) == 0 {
			continue
		}
		n, esize := 1, f.Type.Size()
		for _, k := range f.Shape {
			n *= k // layout has checked that the field's size fits in an int
		}
		if s := sub[0]; len(sub) == 1 && s.off == 0 && s.size*s.n == esize {
			// The element is one run (a scalar, or a struct of same-size
			// scalars packed together): so is the array of them.
			runs = addRun(runs, fixRun{f.Offset, s.size, s.n * n})
			continue
		}
		if n > (maxFixRuns-len(runs))/len(sub) {
			return nil, true
		}
		for i := range n {
			for _, s := range sub {
				runs = addRun(runs, fixRun{f.Offset + i*esize + s.off, s.size, s.n})
			}
		}
	}
	if len(runs) > maxFixRuns {
		return nil, true
	}
	return runs, false
}

// addRun appends s to runs, merging it into the last run when it
// continues it; empty runs (of zero-length arrays) are left out.
func addRun(runs []fixRun, s fixRun) []fixRun {
	if s.n == 0 {
		return runs
	}
	if k := len(runs) - 1; k >= 0 {
		if last := &runs[k]; last.size == s.size && last.off+last.size*last.n == s.off {
			last.n += s.n
			return runs
		}
	}
	return append(runs, s)
}

// pointerField returns the path and type of the first part of t, found
// at path, that holds pointers, or a nil type if none does.
func pointerField(t reflect.Type, path string) (string, reflect.Type) {
	switch t.Kind() {
	case reflect.Array:
		if t.Len() > 0 {
			return pointerField(t.Elem(), path+"[0]")
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if p, ft := pointerField(f.Type, path+"."+f.Name); ft != nil {
				return p, ft
			}
		}
	case reflect.Pointer, reflect.UnsafePointer, reflect.String, reflect.Slice,
		reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
		return path, t
	}
	return "", nil
}

// appendBools appends to runs the bools of a value of type t at off,
// including those of unexported fields, which layout treats as padding.
func appendBools(runs []fixRun, t reflect.Type, off int) []fixRun {
	switch t.Kind() {
	case reflect.Bool:
		return addRun(runs, fixRun{off, 1, 1})
	case reflect.Array:
		sub := appendBools(nil, t.Elem(), 0)
		if len(sub) == 0 || t.Len() == 0 {
			return runs
		}
		esize := int(t.Elem().Size())
		if s := sub[0]; len(sub) == 1 && s.off == 0 && s.n == esize {
			// The element is all bools: so is the array.
			return addRun(runs, fixRun{off, 1, s.n * t.Len()})
		}
		for i := range t.Len() {
			for _, s := range sub {
				runs = addRun(runs, fixRun{off + i*esize + s.off, 1, s.n})
			}
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			runs = appendBools(runs, f.Type, off+int(f.Offset))
		}
	}
	return runs
}

// fix makes b, the bytes of one value copied from the Reader's bytes,
// what Go holds in memory: it byte-reverses the scalars if the order is
// not the host's, and makes the bools 0 or 1 (a byte that is not 0 is
// true, as NumPy reads it).
func (p *plan) fix(b []byte) {
	if p.swap && p.deep {
		p.dt.SwapBytes(b)
	}
	for _, s := range p.runs {
		w := b[s.off : s.off+s.size*s.n]
		switch s.size {
		case 1:
			for i, c := range w {
				if c > 1 {
					w[i] = 1
				}
			}
		case 2:
			for ; len(w) >= 2; w = w[2:] {
				w[0], w[1] = w[1], w[0]
			}
		case 4:
			for ; len(w) >= 4; w = w[4:] {
				binary.LittleEndian.PutUint32(w, bits.ReverseBytes32(binary.LittleEndian.Uint32(w)))
			}
		case 8:
			for ; len(w) >= 8; w = w[8:] {
				binary.LittleEndian.PutUint64(w, bits.ReverseBytes64(binary.LittleEndian.Uint64(w)))
			}
		default:
			for ; len(w) >= s.size; w = w[s.size:] {
				slices.Reverse(w[:s.size])
			}
		}
	}
}

// Decode reads a T laid out as Go lays it out in memory — the layout that
// layout.Of[T] describes and the .npy files of the array and record
// packages use: fields at their Go offsets, with Go's padding between
// and after them — and returns a copy of it, swapped into the host's
// order if the Reader's order is not the host's. It consumes
// unsafe.Sizeof(T) bytes, padding included, and allocates nothing.
//
// Decode is the way to read fixed-size records one at a time with a
// Reader ([DecodeSlice] reads many at once). What it does for T is worked
// out on T's first use and kept: when T's bytes in the Reader's order are
// its memory (the order is the host's, or T has no multi-byte scalars,
// and T has no bools), a Decode is a check of the type, a bounds check
// and a copy of unsafe.Sizeof(T) bytes; otherwise it copies, then swaps
// scalars and fixes bools following a list of T's fields made once. The
// Reader keeps the plan of the type it decoded last, so a loop that
// decodes one type finds it without a lookup; a Reader that alternates
// between types looks the type up (in a sync.Map) at each change.
//
// This is not the packed layout of binary.Read, which leaves out padding:
// for a struct without padding the two agree; for one with padding, use
// binary.Read(r, order, &v) on the Reader (an io.Reader) to read the
// packed form. The Go layout depends on the host in one way: int64,
// uint64, float64 and complex types are 4-byte aligned on 386 and 32-bit
// arm (see the caveats of package layout).
//
// T must be a type that layout.Of accepts (fixed-size numbers, bools,
// layout's Float16, Datetime64 and Timedelta64, arrays and structs of
// them); others (int, pointers, strings, slices ...) return layout's
// error, which matches layout.ErrType, and so does a struct with an
// unexported field that holds pointers (layout takes unexported fields
// for padding; bytes cannot fill a pointer). A bool whose byte is not 0 is
// read as true (stored as 1), as NumPy reads it. Unexported fields are
// padding to layout: their bytes are copied but never swapped.
//
// Too few bytes left returns io.EOF or io.ErrUnexpectedEOF, like every
// read, and does not move the position.
func Decode[T any](r *Reader) (T, error) {
	// The fast path: T's bytes are its memory.
	if d, ok := r.dec.(*decoder[T]); ok && d.direct {
		off := r.off
		if n := int(unsafe.Sizeof(*(*T)(nil))); off <= len(r.b)-n {
			// SAFETY: 0 <= off (no method makes the position negative) and
			// off+n <= len(r.b), so the n = unsafe.Sizeof(T) bytes from p
			// are in r.b.
			p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(r.b)), off)
			if uintptr(p)%unsafe.Alignof(*(*T)(nil)) == 0 {
				r.off = off + n
				// SAFETY: p points to a T's bytes, aligned for T (a
				// misaligned T is copied by decode instead, since some
				// hosts fault on misaligned loads). T holds no pointers
				// (layout refuses them) and d.direct says it has no
				// bools, so every bit pattern is a valid T.
				return *(*T)(p), nil
			}
		}
	}
	return decode[T](r)
}

// decode is Decode but for its fast path: the first Decode of a T in a
// Reader, T's that need swapping or bools fixed, and short reads.
func decode[T any](r *Reader) (T, error) {
	var v T
	d, err := decoderOf[T](r)
	if err != nil {
		return v, err
	}
	n := d.size
	off := r.off
	if off > len(r.b)-n {
		if n == 0 && r.err == nil {
			return v, nil
		}
		return v, r.short()
	}
	if n == 0 {
		return v, nil
	}
	// SAFETY: v is a T of n = unsafe.Sizeof(T) bytes (layout's Size is
	// reflect's Size), so the slice covers exactly v's memory. T holds no
	// pointers (layout refuses them), so any bytes written into it are
	// harmless to the garbage collector; bools, the only Go type with
	// invalid bit patterns among those layout accepts, are made 0 or 1
	// by fix before v is returned.
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&v)), n)
	copy(dst, r.b[off:off+n])
	d.fix(dst)
	r.off = off + n
	return v, nil
}

// DecodeSlice decodes Ts into dst, as len(dst) calls of [Decode] would,
// and returns how many it decoded: len(dst), or, when fewer whole Ts
// remain, as many as remain, with the error the Decode after them would
// return (io.EOF if no bytes remain, io.ErrUnexpectedEOF if part of a T
// does). The position moves past the Ts decoded. For a type layout
// refuses, it returns 0 and layout's error. It allocates nothing, and
// when T's bytes in the Reader's order are its memory (see Decode) it is
// a single copy of the bytes into dst: the fastest way to read many
// records.
func DecodeSlice[T any](r *Reader, dst []T) (int, error) {
	d, err := decoderOf[T](r)
	if err != nil {
		return 0, err
	}
	n := d.size
	if n == 0 {
		clear(dst) // zero-sized Ts, which Decode reads anywhere
		return len(dst), nil
	}
	off := r.off
	k := 0
	if off < len(r.b) {
		k = min(len(dst), (len(r.b)-off)/n)
	}
	if k > 0 {
		// SAFETY: dst's first k Ts are k*n bytes of memory (n is
		// unsafe.Sizeof(T)); k*n <= len(r.b)-off cannot overflow. T holds
		// no pointers (layout refuses them), so any bytes written into it
		// are harmless to the garbage collector; bools are made 0 or 1 by
		// fix before DecodeSlice returns.
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), k*n)
		copy(b, r.b[off:off+k*n])
		if !d.direct {
			for i := 0; i < k; i++ {
				d.fix(b[i*n : i*n+n])
			}
		}
		r.off = off + k*n
	}
	if k < len(dst) {
		return k, r.short()
	}
	return k, nil
}

// View returns a pointer to the T at the position, into the bytes the
// Reader reads, without copying (see [Reader] for how long it stays
// valid; writing through it writes the bytes, and for a ReadOnly map
// faults), and moves the position past it. The layout is [Decode]'s.
//
// A view needs the bytes to be what Go holds in memory, so View returns
// an error, and does not move, when:
//   - the Reader's order is not the host's and T has multi-byte scalars:
//     an error wrapping [ErrByteOrder];
//   - the address is not a multiple of T's alignment: one wrapping
//     [ErrAlign];
//   - a bool of T has a byte other than 0 or 1, which is not a valid Go
//     bool: one wrapping [ErrRange];
//   - T is a type layout refuses (layout.ErrType), or too few bytes are
//     left (io.EOF, io.ErrUnexpectedEOF).
//
// In each case Decode reads the value by copying it.
func View[T any](r *Reader) (*T, error) {
	// The fast path, small enough to inline, as Decode's.
	if d, ok := r.dec.(*decoder[T]); ok && d.direct {
		n := int(unsafe.Sizeof(*new(T)))
		if off := r.off; off <= len(r.b)-n {
			// SAFETY: the n bytes from p are in r.b, as in Decode; only
			// the address is used until the alignment is checked.
			p := unsafe.Add(unsafe.Pointer(unsafe.SliceData(r.b)), off)
			if uintptr(p)%unsafe.Alignof(*new(T)) == 0 {
				r.off = off + n
				// SAFETY: p points to n = unsafe.Sizeof(T) bytes of live
				// memory (of the Map, valid until Close, or of the
				// caller's slice, kept alive by the pointer), aligned for
				// T; every bit pattern is a valid T, since T holds no
				// pointers and no bools (d.direct).
				return (*T)(p), nil
			}
		}
	}
	return view[T](r)
}

// view is View but for its fast path.
func view[T any](r *Reader) (*T, error) {
	d, err := decoderOf[T](r)
	if err != nil {
		return nil, err
	}
	n := d.size
	off := r.off
	if off > len(r.b)-n {
		if n == 0 && r.err == nil {
			return new(T), nil
		}
		return nil, r.short()
	}
	if n == 0 {
		return new(T), nil // zero-sized: no bytes to point into
	}
	if d.swap {
		return nil, errorf(ErrByteOrder, "memmap: View: reading %s in the other byte order than the host's", d.dt)
	}
	w := r.b[off : off+n]
	// SAFETY: only the address is taken here, to check its alignment;
	// w holds n > 0 bytes, so SliceData points into r.b.
	p := unsafe.Pointer(unsafe.SliceData(w))
	if uintptr(p)%uintptr(d.align) != 0 {
		return nil, errorf(ErrAlign, "memmap: View: offset %d (address %#x) is not a multiple of the %d-byte alignment of %v", off, uintptr(p), d.align, reflect.TypeFor[T]())
	}
	for _, run := range d.bools {
		for i := run.off; i < run.off+run.n; i++ {
			if w[i] > 1 {
				return nil, errorf(ErrRange, "memmap: View: byte %d at offset %d is not a valid bool of %v (0 or 1)", w[i], off+i, reflect.TypeFor[T]())
			}
		}
	}
	r.off = off + n
	// SAFETY: w is n = unsafe.Sizeof(T) bytes of live memory (of the Map,
	// valid until Close, or of the caller's slice, kept alive by the
	// pointer), aligned for T (checked above); every bit pattern is a
	// valid T since T holds no pointers (layout refuses them) and its
	// bools were checked to be 0 or 1.
	return (*T)(p), nil
}
