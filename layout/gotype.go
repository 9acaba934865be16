package layout

import (
	"math"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"
)

// Datetime64 is NumPy's datetime64: a signed count of units (the dtype's
// Unit: "s", "ms", "ns", ...) since 1970-01-01T00:00:00, with NaT as
// "not a time". Of maps it to the generic-unit dtype '<M8'; give it a unit
// with WithUnit or, for a struct field, with the tag option unit=, as in
// `npy:"when,unit=ns"`. Compatible accepts a generic-unit Go dtype over a
// file of any unit (read the file dtype's Unit to interpret the values).
type Datetime64 int64

// Timedelta64 is NumPy's timedelta64: a signed count of units, with NaT.
// It maps like Datetime64, to '<m8'.
type Timedelta64 int64

// NaT is NumPy's "not a time" value of datetime64 and timedelta64.
const NaT = math.MinInt64

var (
	float16Type     = reflect.TypeFor[Float16]()
	bfloat16Type    = reflect.TypeFor[BFloat16]()
	e4m3Type        = reflect.TypeFor[Float8E4M3]()
	e5m2Type        = reflect.TypeFor[Float8E5M2]()
	datetime64Type  = reflect.TypeFor[Datetime64]()
	timedelta64Type = reflect.TypeFor[Timedelta64]()
	byteType        = reflect.TypeFor[byte]()
)

// typeCache maps reflect.Type to *DType for the types Of has accepted.
var typeCache sync.Map

// Of returns the dtype of the Go type T, for reading and writing arrays
// whose elements are T. See TypeOf for the mapping.
func Of[T any]() (*DType, error) {
	return TypeOf(reflect.TypeFor[T]())
}

// TypeOf returns the dtype of the Go type t, laid out exactly as Go lays
// it out in memory (reflect's Size, Align and field offsets), in the host
// byte order.
//
// The mapping: bool is '|b1'; int8 ... int64 are '|i1' '<i2' '<i4' '<i8',
// uint8 ... uint64 likewise 'u'; Float16 is '<f2'; float32 and float64 are
// '<f4' '<f8'; complex64 and complex128 are '<c8' '<c16'; Datetime64 and
// Timedelta64 are '<M8' and '<m8'; BFloat16, Float8E4M3 and Float8E5M2
// are the kinds BFloat, FloatE4M3 and FloatE5M2, which NumPy lacks (see
// DType.CheckNumPy); [N]byte (exactly byte, not a named
// uint8 type) is '|S<N>'. Named types map to their underlying kind (type
// Celsius float64 is '<f8'). ('<' is the host order: '>' on big-endian
// hosts.)
//
// A struct is a structured dtype whose descr is what NumPy's
// np.dtype([...], align=True).descr writes for the same fields: each field
// at its Go offset, the gaps and the tail padding as padding entries
// (an empty name, '|V<n>'). Field names are the Go names, or the name in
// an `npy:"name"` tag; a Datetime64 or Timedelta64 field takes its unit
// from the tag option unit=, as in `npy:"when,unit=ns"` or `npy:",unit=s"`.
// Unexported fields (including blank _ fields and embedded structs of
// unexported types) and fields tagged `npy:"-"` are padding: they keep
// their bytes in the file but NumPy sees them as padding. Padding may
// hold no pointers, strings, slices or other reference types, nor int,
// uint or uintptr: it is laid over file bytes too. An
// embedded exported struct is a nested struct field named after its type;
// it is not flattened. Array fields [N]T (T not byte) are subarray fields,
// ('a', '<i4', (N,)), and nested arrays [2][3]T have shape (2, 3); a
// nested struct is a nested descr list.
//
// Refused with an error matching ErrType that names the field path (e.g.
// "Rec.Inner.Name") and the type to use instead: int, uint and uintptr
// (platform-sized: use int64, uint64), strings ([N]byte), slices ([N]T),
// pointers, maps, interfaces, channels, funcs, structs without exported
// fields, and at the top level arrays other than [N]byte (use a struct
// with an array field, or the element type with one more dimension in the
// array shape). Items larger than 2 GiB - 1 are refused too.
func TypeOf(t reflect.Type) (*DType, error) {
	if t == nil {
		return nil, typeErrorf("nil reflect.Type")
	}
	if d, ok := typeCache.Load(t); ok {
		return d.(*DType), nil
	}
	if t.Kind() == reflect.Array && t.Elem() != byteType {
		return nil, typeErrorf("%s: a top-level array type is not a dtype; use a struct with an array field, or %s with one more dimension in the array shape", t, t.Elem())
	}
	d, err := goDType(t, typeName(t), "")
	if err != nil {
		return nil, err
	}
	typeCache.Store(t, d)
	return d, nil
}

// typeName names t at the start of a field path: its name without the
// package if it is a defined type of a package, else its full name, or
// for a long unnamed type (a struct literal) its start and "...": every
// field's path starts with it, so a full struct literal of n fields
// would make the paths cost O(n²) bytes.
func typeName(t reflect.Type) string {
	if t.Name() != "" && t.PkgPath() != "" && t.PkgPath() != "unsafe" {
		return t.Name()
	}
	const maxName = 64
	s := t.String()
	if len(s) > maxName {
		s = strings.ToValidUTF8(s[:maxName-3], "") + "..."
	}
	return s
}

// goDType maps t, found at path, to a dtype; unit is the unit= tag option
// of the field.
func goDType(t reflect.Type, path, unit string) (*DType, error) {
	if unit != "" && t != datetime64Type && t != timedelta64Type {
		return nil, typeErrorf("%s: the unit= tag option is only for Datetime64 and Timedelta64 fields, not %s", path, t)
	}
	if uintptr(t.Size()) > maxSize {
		return nil, typeErrorf("%s: %s is %d bytes, more than the largest item size %d", path, t, t.Size(), maxSize)
	}
	var d *DType
	switch t {
	case float16Type:
		d = newScalar(Float, 2, hostOrder, "")
	case bfloat16Type:
		d = newScalar(BFloat, 2, hostOrder, "")
	case e4m3Type:
		d = newScalar(FloatE4M3, 1, NotApplicable, "")
	case e5m2Type:
		d = newScalar(FloatE5M2, 1, NotApplicable, "")
	case datetime64Type, timedelta64Type:
		k := Datetime
		if t == timedelta64Type {
			k = Timedelta
		}
		if unit != "" {
			var err error
			if unit, err = canonicalUnit(unit); err != nil {
				return nil, typeErrorf("%s: %w", path, err)
			}
		}
		d = newScalar(k, 8, hostOrder, unit)
	}
	if d != nil {
		d.gotype = t
		return d, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		d = newScalar(Bool, 1, NotApplicable, "")
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d = newScalar(Int, int(t.Size()), hostOrder, "")
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		d = newScalar(Uint, int(t.Size()), hostOrder, "")
	case reflect.Float32, reflect.Float64:
		d = newScalar(Float, int(t.Size()), hostOrder, "")
	case reflect.Complex64, reflect.Complex128:
		d = newScalar(Complex, int(t.Size()), hostOrder, "")
	case reflect.Int:
		return nil, typeErrorf("%s: %s is platform-sized; use int64 (or int32)", path, t)
	case reflect.Uint, reflect.Uintptr:
		return nil, typeErrorf("%s: %s is platform-sized; use uint64 (or uint32)", path, t)
	case reflect.String:
		return nil, typeErrorf("%s: %s is not fixed-size; use [N]byte", path, t)
	case reflect.Slice:
		return nil, typeErrorf("%s: %s is not fixed-size; use [N]%s", path, t, t.Elem())
	case reflect.Pointer, reflect.UnsafePointer:
		return nil, typeErrorf("%s: %s is a pointer, which means nothing in a file; store an index or offset (int64) instead", path, t)
	case reflect.Map, reflect.Interface, reflect.Chan, reflect.Func:
		return nil, typeErrorf("%s: %s is not fixed-size data; use fixed-size fields (int64, float64, [N]byte, [N]T, structs)", path, t)
	case reflect.Array:
		if t.Elem() != byteType {
			// Arrays of other types are subarray fields (see structDType).
			return nil, typeErrorf("%s: %s: arrays are only supported as struct fields", path, t)
		}
		d = newScalar(Bytes, t.Len(), NotApplicable, "")
	case reflect.Struct:
		var err error
		if d, err = structDType(t, path); err != nil {
			return nil, err
		}
	default:
		return nil, typeErrorf("%s: %s cannot be mapped to a dtype", path, t)
	}
	d.gotype = t
	return d, nil
}

// unfitPadding says what makes t unfit to be padding over file bytes:
// pointers of any kind, or a size that differs between platforms; "" if
// nothing does.
func unfitPadding(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer, reflect.UnsafePointer, reflect.String, reflect.Slice, reflect.Map,
		reflect.Chan, reflect.Func, reflect.Interface:
		return "pointers (" + t.Kind().String() + ")"
	case reflect.Int, reflect.Uint, reflect.Uintptr:
		return "a platform-sized integer (" + t.Kind().String() + ")"
	case reflect.Array:
		return unfitPadding(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if bad := unfitPadding(t.Field(i).Type); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// structDType maps a struct type.
func structDType(t reflect.Type, path string) (*DType, error) {
	var fields []Field
	seen := make(map[string]bool)
	for i := range t.NumField() {
		sf := t.Field(i)
		tag, hasTag := sf.Tag.Lookup("npy")
		name, opts, _ := strings.Cut(tag, ",")
		if !sf.IsExported() || tag == "-" {
			// Padding; `npy:"-,"` names a field "-", as in encoding/json.
			// Padding is still file bytes: it must hold no pointers (the
			// garbage collector would follow file bytes) and have the same
			// size everywhere.
			if bad := unfitPadding(sf.Type); bad != "" {
				return nil, typeErrorf("%s.%s: padding field of type %s holds %s; a type laid over file bytes cannot, even in unexported or npy:\"-\" fields (use a [N]byte)", path, sf.Name, sf.Type, bad)
			}
			continue
		}
		fpath := path + "." + sf.Name
		if !hasTag || name == "" {
			name = sf.Name
		}
		if !utf8.ValidString(name) {
			return nil, typeErrorf("%s: field name %q in the npy tag is not valid UTF-8", fpath, name)
		}
		if seen[name] {
			return nil, typeErrorf("%s: duplicate field name %q", fpath, name)
		}
		seen[name] = true
		var unit string
		for _, opt := range strings.Split(opts, ",") {
			switch {
			case opt == "":
			case strings.HasPrefix(opt, "unit="):
				unit = strings.TrimPrefix(opt, "unit=")
				if unit == "" {
					return nil, typeErrorf("%s: empty unit= in the npy tag", fpath)
				}
			default:
				return nil, typeErrorf("%s: unknown npy tag option %q (known: unit=)", fpath, opt)
			}
		}
		// Peel array dimensions off [N]T fields; [N]byte is a scalar.
		ft := sf.Type
		var shape []int
		for ft.Kind() == reflect.Array && ft.Elem() != byteType {
			shape = append(shape, ft.Len())
			ft = ft.Elem()
		}
		if len(shape) > MaxSubarrayDims {
			return nil, typeErrorf("%s: array of %d dims: NumPy allows at most %d in a field (MaxSubarrayDims)", fpath, len(shape), MaxSubarrayDims)
		}
		ftype, err := goDType(ft, fpath, unit)
		if err != nil {
			return nil, err
		}
		fields = append(fields, Field{Name: name, Offset: int(sf.Offset), Type: ftype, Shape: shape})
	}
	if len(fields) == 0 {
		if t.NumField() == 0 {
			return nil, typeErrorf("%s: %s has no fields; an empty struct is not a dtype", path, t)
		}
		return nil, typeErrorf("%s: %s has no exported fields (unexported fields are padding)", path, t)
	}
	return newStruct(int(t.Size()), fields), nil
}

// WithUnit returns a Datetime or Timedelta dtype with the given unit ("s",
// "ms", "us", "ns", "D", "25s", ... as NumPy writes it between brackets;
// "" for the generic unit). It fails with ErrDType for other kinds and
// unknown units.
func (d *DType) WithUnit(unit string) (*DType, error) {
	if d.kind != Datetime && d.kind != Timedelta {
		return nil, dtypeErrorf("WithUnit: %s is not a datetime64 or timedelta64 dtype", d.Str())
	}
	if unit != "" {
		var err error
		if unit, err = canonicalUnit(unit); err != nil {
			return nil, dtypeErrorf("WithUnit: %w", err)
		}
	}
	e := newScalar(d.kind, d.size, d.order, unit)
	e.gotype = d.gotype
	return e, nil
}
