package array

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/layout"
)

// Value is one element of an array whose dtype is known only at run time
// (see Any), or a field or subarray of one: its dtype, its bytes as they
// are in the file, and for a subarray its shape. It decodes the bytes on
// demand, each multi-byte scalar in its own byte order, so a Value reads
// the same on every host.
//
// Read a scalar with Bool, Int, Uint, Float or Complex (each reports
// whether the Value is of its kind), a struct's fields with Field and
// FieldByName, a subarray's elements with Index, or anything as a Go value
// with Interface. String formats the Value as memmap's command line prints
// it.
//
// A Value is small and is passed by value; the zero Value is invalid
// (Kind Invalid). A Value from Any.At holds its own copy of the bytes; one
// from NewValue shares the caller's.
type Value struct {
	dt    *layout.DType // the element dtype (of each subarray element when shape is set)
	shape []int         // subarray shape, outermost first; nil for one element
	b     []byte        // dt.Size() times the product of shape bytes
}

// NewValue returns the Value of the element of dtype dt whose bytes, in
// dt's byte order, are b, which must hold exactly dt.Size() bytes (an
// error wrapping memmap.ErrShape otherwise). The Value shares b: it sees
// changes to b and must not be used after b becomes invalid (for b from
// Any.ElemBytes or Any.Bytes: after Close). It allocates nothing.
func NewValue(dt *layout.DType, b []byte) (Value, error) {
	if dt == nil {
		return Value{}, fmt.Errorf("%w: NewValue with a nil dtype", layout.ErrDType)
	}
	if len(b) != dt.Size() {
		return Value{}, fmt.Errorf("%w: %d bytes for an element of dtype %s, which has %d", memmap.ErrShape, len(b), dt.Descr(), dt.Size())
	}
	return Value{dt: dt, b: b[:len(b):len(b)]}, nil
}

// IsValid reports whether v is a Value, not the zero Value.
func (v Value) IsValid() bool { return v.dt != nil }

// DType returns the dtype of v's element, or of each element of a
// subarray; nil for the zero Value.
func (v Value) DType() *layout.DType { return v.dt }

// Kind returns the kind of v's dtype (of each element, for a subarray):
// layout.Invalid for the zero Value.
func (v Value) Kind() layout.Kind {
	if v.dt == nil {
		return layout.Invalid
	}
	return v.dt.Kind()
}

// Shape returns the shape of a subarray Value (a field such as
// ('pos', '<f4', (2, 3)), or an Index of one), nil for a single element.
// The caller may keep and change the slice.
func (v Value) Shape() []int {
	if len(v.shape) == 0 {
		return nil
	}
	return append([]int(nil), v.shape...)
}

// Bytes returns v's bytes as they are in the file: in the file's byte
// order, without copying. NumPy's value of an 'S' element is these bytes
// with the trailing NULs removed.
func (v Value) Bytes() []byte { return v.b }

// Len returns the length of a subarray Value's first dimension, 0 for a
// single element.
func (v Value) Len() int {
	if len(v.shape) == 0 {
		return 0
	}
	return v.shape[0]
}

// Index returns element i of a subarray Value, along its first dimension
// (a subarray itself when the Value has more than one dimension); the
// zero Value when v is not a subarray or i is out of range.
func (v Value) Index(i int) Value {
	if len(v.shape) == 0 || i < 0 || i >= v.shape[0] {
		return Value{}
	}
	n := len(v.b) / v.shape[0] // exact: len(v.b) is the product of the shape and the item size
	w := Value{dt: v.dt, b: v.b[i*n : (i+1)*n : (i+1)*n]}
	if len(v.shape) > 1 {
		w.shape = v.shape[1:]
	}
	return w
}

// NumField returns the number of named fields of a struct Value, 0 for
// other Values.
func (v Value) NumField() int {
	if v.Kind() != layout.Struct || len(v.shape) > 0 {
		return 0
	}
	return v.dt.NumField()
}

// Field returns field i of a struct Value (a subarray Value for a
// subarray field), or the zero Value when v is not a struct or i is out
// of range.
func (v Value) Field(i int) Value {
	if i < 0 || i >= v.NumField() {
		return Value{}
	}
	return v.field(v.dt.Field(i))
}

// FieldByName returns the field called name of a struct Value, and
// whether there is one.
func (v Value) FieldByName(name string) (Value, bool) {
	for i := range v.NumField() {
		if f := v.dt.Field(i); f.Name == name {
			return v.field(f), true
		}
	}
	return Value{}, false
}

func (v Value) field(f layout.Field) Value {
	end := f.Offset + f.Size() // inside the item: layout checks every field against Size
	w := Value{dt: f.Type, b: v.b[f.Offset:end:end]}
	if len(f.Shape) > 0 {
		w.shape = f.Shape
	}
	return w
}

// scalar reports whether v is one element of kind k.
func (v Value) scalar(k layout.Kind) bool {
	return v.dt != nil && len(v.shape) == 0 && v.dt.Kind() == k
}

// order returns the byte order to decode v's scalar with.
func (v Value) order() binary.ByteOrder {
	if v.dt.Order() == layout.Big {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Bool returns a bool element (NumPy '?', any non-zero byte is true), and
// whether v is one.
func (v Value) Bool() (x, ok bool) {
	if !v.scalar(layout.Bool) {
		return false, false
	}
	return v.b[0] != 0, true
}

// Int returns a signed integer element, or the count of units of a
// datetime64 or timedelta64 element (layout.NaT for "not a time"; the
// unit is DType().Unit()), and whether v is one of those.
func (v Value) Int() (x int64, ok bool) {
	if v.dt == nil || len(v.shape) > 0 {
		return 0, false
	}
	switch v.dt.Kind() {
	case layout.Int, layout.Datetime, layout.Timedelta:
		return intAt(v.b, v.order()), true
	}
	return 0, false
}

// Uint returns an unsigned integer element, and whether v is one.
func (v Value) Uint() (x uint64, ok bool) {
	if !v.scalar(layout.Uint) {
		return 0, false
	}
	return uintAt(v.b, v.order()), true
}

// Float returns a floating-point element (float16, float32 or float64,
// or bfloat16 or an FP8 float of a safetensors file, converted exactly),
// and whether v is one.
func (v Value) Float() (x float64, ok bool) {
	if v.dt == nil || len(v.shape) > 0 {
		return 0, false
	}
	switch v.dt.Kind() {
	case layout.Float:
		return floatAt(v.b, v.order()), true
	case layout.BFloat:
		return layout.BFloat16(v.order().Uint16(v.b)).Float64(), true
	case layout.FloatE4M3:
		return layout.Float8E4M3(v.b[0]).Float64(), true
	case layout.FloatE5M2:
		return layout.Float8E5M2(v.b[0]).Float64(), true
	}
	return 0, false
}

// Complex returns a complex element (complex64 converted exactly), and
// whether v is one.
func (v Value) Complex() (x complex128, ok bool) {
	if !v.scalar(layout.Complex) {
		return 0, false
	}
	half := len(v.b) / 2
	bo := v.order()
	return complex(floatAt(v.b[:half], bo), floatAt(v.b[half:], bo)), true
}

// Interface returns v as a Go value, in the host's representation:
//
//   - bool for a bool element;
//   - int8, int16, int32, int64, uint8, uint16, uint32, uint64 for integers;
//   - layout.Float16, float32, float64, complex64, complex128 for floats
//     and complex numbers, layout.BFloat16, layout.Float8E4M3 and
//     layout.Float8E5M2 for the floats of those kinds;
//   - layout.Datetime64 and layout.Timedelta64 (counts of DType().Unit());
//   - []byte for 'S' (a copy, trailing NULs removed, as NumPy shows it)
//     and 'V' (a copy of every byte);
//   - map[string]any of the named fields for a struct (Field keeps the
//     order);
//   - []any of the elements along the first dimension for a subarray;
//   - nil for the zero Value.
//
// It allocates for the struct, subarray and bytes cases and for the
// interface itself.
func (v Value) Interface() any {
	if v.dt == nil {
		return nil
	}
	if len(v.shape) > 0 {
		s := make([]any, v.shape[0])
		for i := range s {
			s[i] = v.Index(i).Interface()
		}
		return s
	}
	bo := v.order()
	b := v.b
	switch v.dt.Kind() {
	case layout.Bool:
		return b[0] != 0
	case layout.Int:
		x := intAt(b, bo)
		switch len(b) {
		case 1:
			return int8(x)
		case 2:
			return int16(x)
		case 4:
			return int32(x)
		}
		return x
	case layout.Uint:
		x := uintAt(b, bo)
		switch len(b) {
		case 1:
			return uint8(x)
		case 2:
			return uint16(x)
		case 4:
			return uint32(x)
		}
		return x
	case layout.Float:
		switch len(b) {
		case 2:
			return layout.Float16(bo.Uint16(b))
		case 4:
			return math.Float32frombits(bo.Uint32(b))
		}
		return math.Float64frombits(bo.Uint64(b))
	case layout.Complex:
		c, _ := v.Complex()
		if len(b) == 8 {
			return complex64(c)
		}
		return c
	case layout.BFloat:
		return layout.BFloat16(bo.Uint16(b))
	case layout.FloatE4M3:
		return layout.Float8E4M3(b[0])
	case layout.FloatE5M2:
		return layout.Float8E5M2(b[0])
	case layout.Datetime:
		return layout.Datetime64(intAt(b, bo))
	case layout.Timedelta:
		return layout.Timedelta64(intAt(b, bo))
	case layout.Bytes:
		return bytes.Clone(bytes.TrimRight(b, "\x00"))
	case layout.Struct:
		m := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			m[v.dt.Field(i).Name] = v.Field(i).Interface()
		}
		return m
	}
	return bytes.Clone(b) // Void
}

// String formats v as memmap's command line (memmap head) prints it: bool
// true/false, integers in decimal, floats in the shortest form that reads
// back as the same value at their own precision (Go's 'g' format: 0.1,
// 1e+21, NaN, -Inf; float16, bfloat16 and FP8 included), complex numbers as (re+imj), 'S'
// bytes as a quoted Go string without the trailing NULs, 'V' bytes quoted
// whole, datetime64 and timedelta64 as the count followed by the unit
// ("1700000000 s", NaT), structs as {v1 v2 ...} and subarrays as [v1 v2
// ...], nested, with dims longer than 8 elided in the middle as NumPy
// summarises them ([0 1 2 ... 7 8 9]). The zero Value is "<invalid>".
//
// The values are NumPy's; the spelling is Go's (true, NaN, "ab" where
// NumPy's repr writes True, nan, b'ab').
func (v Value) String() string {
	b, _ := v.AppendText(nil)
	return string(b)
}

// AppendText appends String's text of v to b (encoding.TextAppender). It
// never fails.
func (v Value) AppendText(b []byte) ([]byte, error) {
	if v.dt == nil {
		return append(b, "<invalid>"...), nil
	}
	return appendSubarray(b, v.b, v.dt, v.shape), nil
}

// appendValue appends the element of dtype d at the start of b (which
// holds at least d.Size() bytes), formatted as Value.String does. Each
// multi-byte scalar is decoded in its own byte order, so the result does
// not depend on the host's.
func appendValue(dst []byte, b []byte, d *layout.DType) []byte {
	b = b[:d.Size()]
	var bo binary.ByteOrder = binary.LittleEndian
	if d.Order() == layout.Big {
		bo = binary.BigEndian
	}
	switch d.Kind() {
	case layout.Bool:
		return strconv.AppendBool(dst, b[0] != 0)
	case layout.Int:
		return strconv.AppendInt(dst, intAt(b, bo), 10)
	case layout.Uint:
		return strconv.AppendUint(dst, uintAt(b, bo), 10)
	case layout.Float:
		return appendFloat(dst, b, bo)
	case layout.BFloat:
		return append(dst, layout.BFloat16(bo.Uint16(b)).String()...)
	case layout.FloatE4M3:
		return append(dst, layout.Float8E4M3(b[0]).String()...)
	case layout.FloatE5M2:
		return append(dst, layout.Float8E5M2(b[0]).String()...)
	case layout.Complex:
		half := len(b) / 2
		dst = append(dst, '(')
		dst = appendFloat(dst, b[:half], bo)
		// The imaginary part always has a sign, as in Python: -0 keeps
		// its '-', and NaN, which 'g' writes without one, takes '+'.
		n := len(dst)
		dst = appendFloat(dst, b[half:], bo)
		if c := dst[n]; c != '-' && c != '+' {
			dst = append(dst[:n+1], dst[n:]...)
			dst[n] = '+'
		}
		return append(dst, 'j', ')')
	case layout.Bytes:
		return strconv.AppendQuote(dst, string(bytes.TrimRight(b, "\x00")))
	case layout.Datetime, layout.Timedelta:
		v := intAt(b, bo)
		if v == layout.NaT {
			return append(dst, "NaT"...)
		}
		dst = strconv.AppendInt(dst, v, 10)
		if u := d.Unit(); u != "" {
			dst = append(append(dst, ' '), u...)
		}
		return dst
	case layout.Struct:
		dst = append(dst, '{')
		for i := range d.NumField() {
			if i > 0 {
				dst = append(dst, ' ')
			}
			f := d.Field(i)
			dst = appendSubarray(dst, b[f.Offset:], f.Type, f.Shape)
		}
		return append(dst, '}')
	}
	return strconv.AppendQuote(dst, string(b)) // Void
}

// appendSubarray appends the subarray of the given shape of d elements at
// the start of b as [..] (nested for several dims, long dims elided), or
// the single element when shape is empty.
func appendSubarray(dst []byte, b []byte, d *layout.DType, shape []int) []byte {
	if len(shape) == 0 {
		return appendValue(dst, b, d)
	}
	stride := d.Size()
	for _, n := range shape[1:] {
		stride *= n
	}
	dst = append(dst, '[')
	n := shape[0]
	for k := 0; k < n; k++ {
		if k > 0 {
			dst = append(dst, ' ')
		}
		if n > elideOver && k == elideEdge {
			dst = append(dst, "..."...)
			k = n - elideEdge - 1
			continue
		}
		dst = appendSubarray(dst, b[k*stride:], d, shape[1:])
	}
	return append(dst, ']')
}

// NumPy's summary of long dimensions, as Value.String writes subarrays:
// more than elideOver elements show the first and last elideEdge with
// "..." between.
const elideOver, elideEdge = 8, 3

// intAt decodes a signed integer of len(b) bytes (1, 2, 4 or 8).
func intAt(b []byte, bo binary.ByteOrder) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(bo.Uint16(b)))
	case 4:
		return int64(int32(bo.Uint32(b)))
	}
	return int64(bo.Uint64(b))
}

// uintAt decodes an unsigned integer of len(b) bytes (1, 2, 4 or 8).
func uintAt(b []byte, bo binary.ByteOrder) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(bo.Uint16(b))
	case 4:
		return uint64(bo.Uint32(b))
	}
	return bo.Uint64(b)
}

// floatAt decodes a float of len(b) bytes (2, 4 or 8), exactly.
func floatAt(b []byte, bo binary.ByteOrder) float64 {
	switch len(b) {
	case 2:
		return layout.Float16(bo.Uint16(b)).Float64()
	case 4:
		return float64(math.Float32frombits(bo.Uint32(b)))
	}
	return math.Float64frombits(bo.Uint64(b))
}

// appendFloat appends the float of len(b) bytes (2, 4 or 8) in the
// shortest decimal form that reads back as the same value at its own
// precision.
func appendFloat(dst []byte, b []byte, bo binary.ByteOrder) []byte {
	switch len(b) {
	case 2:
		return appendFloat16(dst, layout.Float16(bo.Uint16(b)))
	case 4:
		return strconv.AppendFloat(dst, float64(math.Float32frombits(bo.Uint32(b))), 'g', -1, 32)
	}
	return strconv.AppendFloat(dst, math.Float64frombits(bo.Uint64(b)), 'g', -1, 64)
}

// appendFloat16 appends h in the shortest decimal form that rounds back to
// h (strconv has no 16-bit precision; 0.1 would otherwise print as
// 0.099975586, its float32 form).
func appendFloat16(dst []byte, h layout.Float16) []byte {
	f := h.Float64()
	if h.IsNaN() || h.IsInf(0) || f == 0 {
		return strconv.AppendFloat(dst, f, 'g', -1, 32)
	}
	for prec := 1; prec < 17; prec++ {
		s := strconv.FormatFloat(f, 'g', prec, 64)
		if v, err := strconv.ParseFloat(s, 64); err == nil && layout.Float16FromFloat64(v) == h {
			// v's shortest float64 form has these digits (a shorter one
			// would have matched at a lower prec), in the layout 'g'
			// gives float32 and float64 values.
			return strconv.AppendFloat(dst, v, 'g', -1, 64)
		}
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
