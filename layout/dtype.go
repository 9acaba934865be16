package layout

import (
	"encoding/binary"
	"reflect"
	"slices"
	"strconv"
)

// Kind is the kind of a dtype, following NumPy's dtype.kind.
type Kind uint8

// The kinds of dtype. Every scalar kind has a fixed size (the dtype's Size).
const (
	Invalid   Kind = iota // the zero Kind; no DType has it
	Bool                  // bool, NumPy 'b1'
	Int                   // signed integer, NumPy 'i1' 'i2' 'i4' 'i8'
	Uint                  // unsigned integer, NumPy 'u1' 'u2' 'u4' 'u8'
	Float                 // IEEE-754 float, NumPy 'f2' (Float16) 'f4' 'f8'
	Complex               // complex, NumPy 'c8' 'c16' (two floats, real first)
	Bytes                 // fixed-size bytes, NumPy 'S<n>' ([n]byte)
	Void                  // raw bytes, NumPy 'V<n>'
	Datetime              // NumPy datetime64 'M8[unit]' (Datetime64)
	Timedelta             // NumPy timedelta64 'm8[unit]' (Timedelta64)
	Struct                // structured dtype: named fields at offsets

	// The floats NumPy has no dtype for (see DType.CheckNumPy): they are
	// in safetensors files, never in .npy files.
	BFloat    // bfloat16 (BFloat16), safetensors BF16
	FloatE4M3 // OCP FP8 E4M3, no infinities (Float8E4M3), safetensors F8_E4M3
	FloatE5M2 // OCP FP8 E5M2 (Float8E5M2), safetensors F8_E5M2
)

var kindNames = [...]string{"invalid", "bool", "int", "uint", "float", "complex", "bytes", "void", "datetime", "timedelta", "struct",
	"bfloat16", "float8_e4m3fn", "float8_e5m2"}

// String returns the kind's lower-case name ("float", "struct", ...; the
// ml_dtypes names "bfloat16", "float8_e4m3fn" and "float8_e5m2" for
// BFloat, FloatE4M3 and FloatE5M2).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// code is the NumPy type character of a scalar kind.
var kindCodes = [...]byte{Bool: 'b', Int: 'i', Uint: 'u', Float: 'f', Complex: 'c', Bytes: 'S', Void: 'V', Datetime: 'M', Timedelta: 'm'}

// ByteOrder is the byte order of a dtype's multi-byte scalars.
type ByteOrder uint8

// The byte orders. A scalar dtype is NotApplicable (NumPy '|': one-byte
// kinds, Bytes, Void), Little ('<') or Big ('>'); a struct is the order of
// its multi-byte scalars, NotApplicable when it has none and Mixed when
// they differ.
const (
	NotApplicable ByteOrder = iota // '|': no multi-byte scalars
	Little                         // '<'
	Big                            // '>'
	Mixed                          // a struct mixing '<' and '>' fields
)

// String returns "|", "<", ">" or "mixed".
func (o ByteOrder) String() string {
	switch o {
	case NotApplicable:
		return "|"
	case Little:
		return "<"
	case Big:
		return ">"
	case Mixed:
		return "mixed"
	}
	return "ByteOrder(" + strconv.Itoa(int(o)) + ")"
}

// Name returns the order in words, for messages: "little-endian",
// "big-endian", or what String returns for the others.
func (o ByteOrder) Name() string {
	switch o {
	case Little:
		return "little-endian"
	case Big:
		return "big-endian"
	}
	return o.String()
}

// hostOrder is the byte order of the machine we run on.
var hostOrder = func() ByteOrder {
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 {
		return Little
	}
	return Big
}()

// HostOrder returns the byte order of the machine the program runs on:
// Little on amd64, arm64, 386, ..., Big on s390x, ppc64, mips.
func HostOrder() ByteOrder { return hostOrder }

// maxSize bounds every item size, on every platform, so that sizes and
// offsets computed from a descr never overflow an int, even on 32-bit
// hosts; NumPy cannot hold larger items either.
const maxSize = 1<<31 - 1

// DType is a NumPy dtype with a fixed size: a scalar (Bool, Int, Uint,
// Float, Complex, Bytes, Void, Datetime, Timedelta; or BFloat, FloatE4M3,
// FloatE5M2, which NumPy lacks) or a Struct of named fields at fixed
// offsets, possibly nested and possibly with subarray fields.
//
// A DType is immutable and always used through a pointer; it is safe for
// concurrent use, and Of may return the same *DType to several callers.
// Compare two DTypes with Equal, never with ==.
//
// Struct fields are the named fields only: the padding NumPy writes as
// entries with an empty name and a '|V<n>' dtype is not a field, it is the
// gaps between fields and after the last one up to Size; Descr writes it back exactly as NumPy
// does.
type DType struct {
	// Fields by size, so that the struct packs tightly: a descr may hold
	// many thousands of DTypes.
	size   int
	align  int
	unit   string  // Datetime, Timedelta: "ns", "25s", or "" (generic)
	fields []Field // Struct only
	gotype reflect.Type
	plan   []swapRun // flat swap plan; nil when deep is set or nothing to swap
	// levels, for a struct with a field whose subarray nests, holds per
	// field the number of dims of each nested shape, outermost first (nil
	// for the others). Kept out of Field, which a descr may hold
	// thousands of.
	levels *[][]int
	kind   Kind
	order  ByteOrder // scalars: their order; structs: the combined order
	deep   bool      // the plan is too long to flatten: SwapBytes recurses
}

// Field is one named field of a struct dtype. The values returned by
// DType.Field and DType.Fields are copies; Type is shared and immutable.
type Field struct {
	Name     string // the field name ("" is allowed, as in NumPy)
	Title    string // the NumPy title, if HasTitle
	HasTitle bool   // whether the field has a title (which may be "")
	Offset   int    // byte offset of the field in the struct
	Type     *DType // the element dtype (of each subarray element if Shape is set)
	// Shape is the subarray shape, nil for a plain field. A subarray of
	// subarrays, such as ('c', ('<f8', (5,)), (2,)) in a descr, has the
	// shapes joined, outermost first ((2, 5)), as NumPy's dtype.shape
	// does and as Go's [2][5]float64 is laid out; Descr still writes the
	// nesting the field was parsed with.
	Shape []int
}

// Size returns the field's size in bytes: Type.Size() times the product of
// Shape (0 for the zero Field).
func (f Field) Size() int {
	if f.Type == nil {
		return 0
	}
	return f.Type.size * shapeLen(f.Shape)
}

// fieldLevels returns the dims of each nested subarray shape of field i,
// outermost first, or nil when its subarray does not nest.
func (d *DType) fieldLevels(i int) []int {
	if d.levels == nil {
		return nil
	}
	return (*d.levels)[i]
}

// shapeLen returns the number of elements of a shape, 1 for nil, or -1
// when that exceeds maxSize. Shapes are checked on construction so that
// the product fits.
func shapeLen(shape []int) int {
	n := 1
	for _, d := range shape {
		if n = mulSize(n, d); n < 0 {
			return -1
		}
	}
	return n
}

// Kind returns the dtype's kind.
func (d *DType) Kind() Kind { return d.kind }

// Size returns the item size in bytes (NumPy's dtype.itemsize).
func (d *DType) Size() int { return d.size }

// Align returns the alignment a Go value of this layout needs on this host:
// the natural alignment of each scalar (as reflect reports it for the
// matching Go type: int64 and float64 are 4-aligned on 386), 1 for Bytes
// and Void, and the largest alignment of its fields for a Struct. For a
// DType from Of it equals the Go type's alignment. NumPy's own
// dtype.alignment is 1 for structs read from a descr (they are packed);
// this one is what laying a Go type over the bytes requires.
func (d *DType) Align() int { return d.align }

// Order returns the byte order of the dtype's multi-byte scalars (see
// ByteOrder).
func (d *DType) Order() ByteOrder { return d.order }

// InHostOrder reports whether no multi-byte scalar of the dtype is in the
// other order than the host's, i.e. whether a Go value can be read
// straight from the bytes without swapping.
func (d *DType) InHostOrder() bool {
	return d.order == NotApplicable || d.order == hostOrder
}

// Unit returns the unit of a Datetime or Timedelta dtype, as NumPy writes
// it between brackets ("ns", "s", "25ms", "D"), or "" for the generic unit
// and for other kinds.
func (d *DType) Unit() string { return d.unit }

// NumField returns the number of named fields of a Struct (padding is not
// a field), 0 for other kinds.
func (d *DType) NumField() int { return len(d.fields) }

// Field returns the i'th named field of a Struct. It returns the zero
// Field when i is out of range.
func (d *DType) Field(i int) Field {
	if i < 0 || i >= len(d.fields) {
		return Field{}
	}
	f := d.fields[i]
	f.Shape = slices.Clone(f.Shape)
	return f
}

// Fields returns a copy of the named fields of a Struct in offset order,
// nil for other kinds.
func (d *DType) Fields() []Field {
	if len(d.fields) == 0 {
		return nil
	}
	fs := make([]Field, len(d.fields))
	for i := range d.fields {
		fs[i] = d.Field(i)
	}
	return fs
}

// GoType returns the Go type the dtype was made from by Of or TypeOf, nil
// for a dtype parsed from a descr.
func (d *DType) GoType() reflect.Type { return d.gotype }

// Equal reports whether d and e describe the same dtype: same kind, size,
// byte order, unit, and fields (names, titles, offsets, shapes, dtypes).
// The Go type a dtype was made from is not compared.
func (d *DType) Equal(e *DType) bool {
	if d == e {
		return true
	}
	if d == nil || e == nil {
		return false
	}
	if d.kind != e.kind || d.size != e.size || d.order != e.order || d.unit != e.unit || len(d.fields) != len(e.fields) {
		return false
	}
	for i := range d.fields {
		f, g := &d.fields[i], &e.fields[i]
		if f.Name != g.Name || f.Title != g.Title || f.HasTitle != g.HasTitle || f.Offset != g.Offset ||
			!slices.Equal(f.Shape, g.Shape) || !slices.Equal(d.fieldLevels(i), e.fieldLevels(i)) || !f.Type.Equal(g.Type) {
			return false
		}
	}
	return true
}

// Str returns NumPy's dtype.str: the order character, the type character
// and the size ("<f8", "|u1", "|S12", ">M8[ns]"); for a Struct, "|V" and
// its size, as NumPy writes it. NumPy has no str for the kinds BFloat,
// FloatE4M3 and FloatE5M2: theirs is the order character and the kind's
// name ("<bfloat16", "|float8_e4m3fn"), which no .npy header holds and
// ParseDescr does not read.
func (d *DType) Str() string {
	switch d.kind {
	case Struct:
		return "|V" + strconv.Itoa(d.size)
	case BFloat, FloatE4M3, FloatE5M2:
		return d.order.String() + d.kind.String()
	}
	if int(d.kind) >= len(kindCodes) || kindCodes[d.kind] == 0 {
		return "|V" + strconv.Itoa(d.size) // unreachable for DTypes of this package
	}
	s := d.order.String() + string(kindCodes[d.kind]) + strconv.Itoa(d.size)
	if d.unit != "" {
		s += "[" + d.unit + "]"
	}
	return s
}

// String returns Descr.
func (d *DType) String() string { return d.Descr() }

// int64Align and complex128Align are the host's alignments of 8-byte
// integers and floats and of complex128 (4 on 386 and 32-bit arm).
var (
	int64Align      = reflect.TypeFor[int64]().Align()
	float64Align    = reflect.TypeFor[float64]().Align()
	complex128Align = reflect.TypeFor[complex128]().Align()
)

// scalarAlign returns the host alignment of a scalar kind and size.
func scalarAlign(k Kind, size int) int {
	switch k {
	case Int, Uint, Datetime, Timedelta:
		if size == 8 {
			return int64Align
		}
		return size
	case Float:
		if size == 8 {
			return float64Align
		}
		return size
	case Complex:
		if size == 16 {
			return complex128Align
		}
		return size / 2
	case BFloat:
		return 2
	}
	return 1
}

// newScalar returns a scalar dtype; order is normalised to NotApplicable
// for the kinds that have no byte order.
func newScalar(k Kind, size int, order ByteOrder, unit string) *DType {
	d := &DType{kind: k, size: size, order: order, unit: unit, align: scalarAlign(k, size)}
	if !hasOrder(k, size) {
		d.order = NotApplicable
	}
	d.finish()
	return d
}

// hasOrder reports whether a scalar of kind k and this size has a byte
// order.
func hasOrder(k Kind, size int) bool {
	switch k {
	case Int, Uint, Float, Complex, Datetime, Timedelta, BFloat:
		return size > 1
	}
	return false
}

// newStruct returns a struct dtype of the given size with these fields
// (which must be in offset order, not overlapping, within size).
func newStruct(size int, fields []Field) *DType {
	d := &DType{kind: Struct, size: size, align: 1, order: NotApplicable, fields: fields}
	for _, f := range fields {
		d.align = max(d.align, f.Type.align)
		switch o := f.Type.order; {
		case o == NotApplicable || d.order == Mixed:
		case d.order == NotApplicable:
			d.order = o
		case d.order != o:
			d.order = Mixed
		}
	}
	d.finish()
	return d
}

// WithByteOrder returns the dtype with every multi-byte scalar in order o,
// which must be Little or Big; for any other o it returns d itself. Use it
// to describe a file written in a foreign byte order, for example
// layout.Of[T]() followed by WithByteOrder(layout.Big). The result keeps
// d's Go type.
func (d *DType) WithByteOrder(o ByteOrder) *DType {
	if (o != Little && o != Big) || d.order == o || d.order == NotApplicable {
		return d
	}
	return d.mapOrder(func(ByteOrder) ByteOrder { return o })
}

// Swapped returns the dtype with the byte order of every multi-byte scalar
// reversed: the other-endian twin of d.
func (d *DType) Swapped() *DType {
	if d.order == NotApplicable {
		return d
	}
	return d.mapOrder(func(o ByteOrder) ByteOrder {
		if o == Little {
			return Big
		}
		return Little
	})
}

func (d *DType) mapOrder(f func(ByteOrder) ByteOrder) *DType {
	if d.kind != Struct {
		if d.order == NotApplicable {
			return d
		}
		e := newScalar(d.kind, d.size, f(d.order), d.unit)
		e.gotype = d.gotype
		return e
	}
	fields := slices.Clone(d.fields)
	for i := range fields {
		fields[i].Type = fields[i].Type.mapOrder(f)
	}
	e := newStruct(d.size, fields)
	e.levels = d.levels
	e.gotype = d.gotype
	return e
}

// CheckNumPy reports whether NumPy has a dtype for d, so that a .npy file
// may hold it: it returns nil, or for a dtype of kind BFloat, FloatE4M3
// or FloatE5M2 (or a struct with such a field) an error matching ErrDType
// that names the field and says what to store instead. header.Encode
// refuses such dtypes with this error, so array.Create, array.Save and
// record.Create do too; headerless raw files (array.CreateRaw) may hold
// them.
func (d *DType) CheckNumPy() error {
	return d.checkNumPy("")
}

func (d *DType) checkNumPy(path string) error {
	switch d.kind {
	case BFloat, FloatE4M3, FloatE5M2:
		where, bits := "", "uint8"
		if path != "" {
			where = "field " + strconv.Quote(path) + ": "
		}
		if d.kind == BFloat {
			bits = "uint16"
		}
		return dtypeErrorf("%sNumPy has no %s dtype, so a .npy file cannot hold one: store the raw bits as %s, or write a safetensors file", where, d.kind, bits)
	case Struct:
		for _, f := range d.fields {
			if err := f.Type.checkNumPy(joinPath(path, f.Name)); err != nil {
				return err
			}
		}
	}
	return nil
}
