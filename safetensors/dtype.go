package safetensors

import (
	"io/fs"

	"github.com/gomemmap/memmap/layout"
)

var errNotExist = fs.ErrNotExist

// dtypeInfo is what the package knows of one safetensors dtype.
type dtypeInfo struct {
	name   string
	bits   int           // bits per element (4 and 6 for F4 and F6_*)
	dt     *layout.DType // the little-endian dtype; nil for those without a Go type
	rank   int           // the reference's order (its enum Dtype): writers sort by it, largest first
	goType string        // the Go element type that reads it, for messages; "" when dt is nil
}

// dtypes are the safetensors dtypes, in the reference implementation's
// order (huggingface/safetensors, safetensors/src/tensor.rs, enum Dtype),
// which is by increasing alignment.
var dtypes = func() []dtypeInfo {
	scalar := func(descr string) *layout.DType {
		d, err := layout.ParseDescr(descr)
		if err != nil {
			panic("safetensors: " + descr + ": " + err.Error())
		}
		return d
	}
	of := func(d *layout.DType, err error) *layout.DType {
		if err != nil {
			panic("safetensors: " + err.Error())
		}
		return d.WithByteOrder(layout.Little)
	}
	t := []dtypeInfo{
		{name: "BOOL", bits: 8, dt: scalar("'|b1'"), goType: "bool"},
		{name: "F4", bits: 4},
		{name: "F6_E2M3", bits: 6},
		{name: "F6_E3M2", bits: 6},
		{name: "U8", bits: 8, dt: scalar("'|u1'"), goType: "uint8"},
		{name: "I8", bits: 8, dt: scalar("'|i1'"), goType: "int8"},
		{name: "F8_E5M2", bits: 8, dt: of(layout.Of[layout.Float8E5M2]()), goType: "layout.Float8E5M2"},
		{name: "F8_E4M3", bits: 8, dt: of(layout.Of[layout.Float8E4M3]()), goType: "layout.Float8E4M3"},
		{name: "F8_E8M0", bits: 8},
		{name: "F8_E4M3FNUZ", bits: 8},
		{name: "F8_E5M2FNUZ", bits: 8},
		{name: "I16", bits: 16, dt: scalar("'<i2'"), goType: "int16"},
		{name: "U16", bits: 16, dt: scalar("'<u2'"), goType: "uint16"},
		{name: "F16", bits: 16, dt: scalar("'<f2'"), goType: "layout.Float16"},
		{name: "BF16", bits: 16, dt: of(layout.Of[layout.BFloat16]()), goType: "layout.BFloat16"},
		{name: "I32", bits: 32, dt: scalar("'<i4'"), goType: "int32"},
		{name: "U32", bits: 32, dt: scalar("'<u4'"), goType: "uint32"},
		{name: "F32", bits: 32, dt: scalar("'<f4'"), goType: "float32"},
		{name: "C64", bits: 64, dt: scalar("'<c8'"), goType: "complex64"},
		{name: "F64", bits: 64, dt: scalar("'<f8'"), goType: "float64"},
		{name: "I64", bits: 64, dt: scalar("'<i8'"), goType: "int64"},
		{name: "U64", bits: 64, dt: scalar("'<u8'"), goType: "uint64"},
	}
	for i := range t {
		t[i].rank = i
	}
	return t
}()

// lookupDType returns the dtype named s, or nil.
func lookupDType(s string) *dtypeInfo {
	for i := range dtypes {
		if dtypes[i].name == s {
			return &dtypes[i]
		}
	}
	return nil
}

// dtypeOfGo returns the safetensors dtype of the Go element dtype d (from
// layout.Of), or nil when the format has none.
func dtypeOfGo(d *layout.DType) *dtypeInfo {
	if d.NumField() > 0 {
		return nil
	}
	for i := range dtypes {
		t := &dtypes[i]
		if t.dt != nil && t.dt.Kind() == d.Kind() && t.dt.Size() == d.Size() && d.Unit() == "" {
			return t
		}
	}
	return nil
}

// DTypeOf returns the safetensors dtype name of the Go element type T
// ("F32" for float32, "BF16" for layout.BFloat16, ...), or an error
// matching layout.ErrType when the format has no dtype for T: the format
// holds bool, the fixed-size integers, layout.Float16, layout.BFloat16,
// float32, float64, complex64, layout.Float8E4M3 and layout.Float8E5M2
// (and named types of those), not complex128, structs, [N]byte,
// Datetime64 or Timedelta64.
func DTypeOf[T any]() (string, error) {
	d, err := layout.Of[T]()
	if err != nil {
		return "", err
	}
	t := dtypeOfGo(d)
	if t == nil {
		return "", wrapErr(layout.ErrType, "%s (%s) has no safetensors dtype (the format holds BOOL, U8-U64, I8-I64, F16, BF16, F32, F64, C64 and FP8 E4M3 and E5M2 scalars)", d.GoType(), d)
	}
	return t.name, nil
}
