package layout_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/layout"
)

// native rewrites a little-endian descr for the host: '<' becomes '>' on
// big-endian hosts.
func native(s string) string {
	if layout.HostOrder() == layout.Big {
		return strings.ReplaceAll(s, "<", ">")
	}
	return s
}

// is64 reports whether 8-byte scalars are 8-aligned on this host (not on
// 386 or 32-bit arm); layouts of structs mixing them with smaller fields
// depend on it.
var is64 = reflect.TypeFor[int64]().Align() == 8

type (
	Celsius float64
	Pixel   uint8
	Inner   struct {
		P uint8
		Q int32
	}
	Base struct{ ID int32 }
	Rec  struct {
		ID    int32
		Pos   [3]float32
		Name  [8]byte
		In    Inner
		Grid  [2][3]int16
		Tags  [2]Inner
		Score float64
	}
	Padded struct {
		X float32
		Y float64
	}
	Tail struct {
		A int64
		B int8
	}
	SmallPad struct {
		A int8
		B int32
		C int16
	}
	Complexes struct {
		B bool
		C complex64
		D complex128
		H layout.Float16
	}
	Renamed struct {
		X float32 `npy:"x"`
		Y float32 `npy:"y"`
		Z float32 `npy:""`
	}
	Unexported struct {
		A int32
		b int32
		C int32
	}
	Skipped struct {
		A int32
		B int32 `npy:"-"`
		C int16
	}
	Blank struct {
		A int16
		_ [6]byte
		B int32
	}
	Embedded struct {
		Base
		V float32
	}
	Times struct {
		When Datetime           `npy:"when,unit=ns"`
		Span layout.Timedelta64 `npy:",unit=25s"`
		Any  layout.Datetime64
	}
	Datetime = layout.Datetime64
	Strings  struct{ Names [2][4]byte }
	Pixels   struct {
		RGB [3]Pixel
		Raw [3]uint8
	}
	ZeroArray struct {
		A int32
		Z [0]int32
	}
	Deep struct {
		L1 struct {
			L2 struct {
				L3 [2]struct{ V int16 }
			}
		}
	}
	Temp struct {
		T Celsius
		F float32
	}
	Dash struct {
		D int32 `npy:"-,"`
	}
)

// ofCases are Go types and the descr Of must give them (little-endian; see
// native). only64 marks layouts that differ where int64 is 4-aligned.
var ofCases = []struct {
	name   string
	typ    reflect.Type
	descr  string
	only64 bool
}{
	{"bool", reflect.TypeFor[bool](), "'|b1'", false},
	{"int8", reflect.TypeFor[int8](), "'|i1'", false},
	{"uint8", reflect.TypeFor[uint8](), "'|u1'", false},
	{"int16", reflect.TypeFor[int16](), "'<i2'", false},
	{"uint16", reflect.TypeFor[uint16](), "'<u2'", false},
	{"int32", reflect.TypeFor[int32](), "'<i4'", false},
	{"uint32", reflect.TypeFor[uint32](), "'<u4'", false},
	{"int64", reflect.TypeFor[int64](), "'<i8'", false},
	{"uint64", reflect.TypeFor[uint64](), "'<u8'", false},
	{"float16", reflect.TypeFor[layout.Float16](), "'<f2'", false},
	{"float32", reflect.TypeFor[float32](), "'<f4'", false},
	{"float64", reflect.TypeFor[float64](), "'<f8'", false},
	{"complex64", reflect.TypeFor[complex64](), "'<c8'", false},
	{"complex128", reflect.TypeFor[complex128](), "'<c16'", false},
	{"datetime64", reflect.TypeFor[layout.Datetime64](), "'<M8'", false},
	{"timedelta64", reflect.TypeFor[layout.Timedelta64](), "'<m8'", false},
	{"bytes", reflect.TypeFor[[12]byte](), "'|S12'", false},
	{"bytes0", reflect.TypeFor[[0]byte](), "'|S0'", false},
	{"named float", reflect.TypeFor[Celsius](), "'<f8'", false},
	{"named uint8", reflect.TypeFor[Pixel](), "'|u1'", false},
	{"padded", reflect.TypeFor[Padded](), "[('X', '<f4'), ('', '|V4'), ('Y', '<f8')]", true},
	{"tail padding", reflect.TypeFor[Tail](), "[('A', '<i8'), ('B', '|i1'), ('', '|V7')]", true},
	{"small padding", reflect.TypeFor[SmallPad](), "[('A', '|i1'), ('', '|V3'), ('B', '<i4'), ('C', '<i2'), ('', '|V2')]", false},
	{"nested and subarrays", reflect.TypeFor[Rec](), "[('ID', '<i4'), ('Pos', '<f4', (3,)), ('Name', '|S8'), ('In', [('P', '|u1'), ('', '|V3'), ('Q', '<i4')]), ('Grid', '<i2', (2, 3)), ('Tags', [('P', '|u1'), ('', '|V3'), ('Q', '<i4')], (2,)), ('', '|V4'), ('Score', '<f8')]", true},
	{"complexes", reflect.TypeFor[Complexes](), "[('B', '|b1'), ('', '|V3'), ('C', '<c8'), ('', '|V4'), ('D', '<c16'), ('H', '<f2'), ('', '|V6')]", true},
	{"renamed", reflect.TypeFor[Renamed](), "[('x', '<f4'), ('y', '<f4'), ('Z', '<f4')]", false},
	{"unexported is padding", reflect.TypeFor[Unexported](), "[('A', '<i4'), ('', '|V4'), ('C', '<i4')]", false},
	{"npy:- is padding", reflect.TypeFor[Skipped](), "[('A', '<i4'), ('', '|V4'), ('C', '<i2'), ('', '|V2')]", false},
	{"blank is padding", reflect.TypeFor[Blank](), "[('A', '<i2'), ('', '|V6'), ('B', '<i4')]", false},
	{"embedded is nested", reflect.TypeFor[Embedded](), "[('Base', [('ID', '<i4')]), ('V', '<f4')]", false},
	{"datetime units", reflect.TypeFor[Times](), "[('when', '<M8[ns]'), ('Span', '<m8[25s]'), ('Any', '<M8')]", false},
	{"bytes subarray", reflect.TypeFor[Strings](), "[('Names', '|S4', (2,))]", false},
	{"named uint8 array", reflect.TypeFor[Pixels](), "[('RGB', '|u1', (3,)), ('Raw', '|S3')]", false},
	{"zero-size array", reflect.TypeFor[ZeroArray](), "[('A', '<i4'), ('Z', '<i4', (0,)), ('', '|V4')]", false},
	{"deep", reflect.TypeFor[Deep](), "[('L1', [('L2', [('L3', [('V', '<i2')], (2,))])])]", false},
	{"npy:-, names a field -", reflect.TypeFor[Dash](), "[('-', '<i4')]", false},
	{"named field", reflect.TypeFor[Temp](), "[('T', '<f8'), ('F', '<f4'), ('', '|V4')]", true},
	{"anonymous", reflect.TypeFor[struct {
		A uint16
		B [2]uint64
	}](), "[('A', '<u2'), ('', '|V6'), ('B', '<u8', (2,))]", true},
}

func TestOf(t *testing.T) {
	for _, tc := range ofCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.only64 && !is64 {
				t.Skip("layout differs where int64 is 4-aligned; checked against reflect by TestOfMatchesReflect")
			}
			d, err := layout.TypeOf(tc.typ)
			if err != nil {
				t.Fatalf("TypeOf(%v): %v", tc.typ, err)
			}
			if diff := cmp.Diff(native(tc.descr), d.Descr()); diff != "" {
				t.Errorf("TypeOf(%v).Descr() (-want +got):\n%s", tc.typ, diff)
			}
		})
	}
}

// TestOfMatchesReflect checks Of against Go's own layout on every host:
// size, alignment, field offsets, the Go type, and that the descr parses
// back to the same dtype.
func TestOfMatchesReflect(t *testing.T) {
	for _, tc := range ofCases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := layout.TypeOf(tc.typ)
			if err != nil {
				t.Fatal(err)
			}
			if d.Size() != int(tc.typ.Size()) || d.Align() != tc.typ.Align() || d.GoType() != tc.typ {
				t.Errorf("size %d align %d type %v, want %d %d %v", d.Size(), d.Align(), d.GoType(), tc.typ.Size(), tc.typ.Align(), tc.typ)
			}
			if tc.typ.Kind() == reflect.Struct {
				var want []int
				for i := range tc.typ.NumField() {
					f := tc.typ.Field(i)
					if f.IsExported() && f.Tag.Get("npy") != "-" {
						want = append(want, int(f.Offset))
					}
				}
				var got []int
				for _, f := range d.Fields() {
					got = append(got, f.Offset)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("field offsets (-reflect +Of):\n%s", diff)
				}
			}
			p, err := layout.ParseDescr(d.Descr())
			if err != nil {
				t.Fatalf("ParseDescr(%s): %v", d.Descr(), err)
			}
			if !p.Equal(d) {
				t.Errorf("ParseDescr(%s) = %s, not Equal", d.Descr(), p.Descr())
			}
			if err := layout.Compatible(p, d); err != nil {
				t.Errorf("Compatible(parsed, Of): %v", err)
			}
		})
	}
}

func TestOfCached(t *testing.T) {
	a, err1 := layout.Of[Rec]()
	b, err2 := layout.Of[Rec]()
	if err1 != nil || err2 != nil || a != b {
		t.Errorf("Of[Rec] twice: %p %v, %p %v; want the same dtype", a, err1, b, err2)
	}
}

type (
	BadInt    struct{ N int }
	BadNested struct {
		Inner struct{ Name string }
	}
	BadSlice struct{ V []float32 }
	BadArray struct{ S [2]string }
	BadPtr   struct{ P *int32 }
	BadEmpty struct{ E struct{} }
	BadNoExp struct{ a, b int32 }
	BadDup   struct {
		A int32 `npy:"x"`
		B int32 `npy:"x"`
	}
	BadOpt struct {
		A int32 `npy:"a,omitempty"`
	}
	BadUnit struct {
		A int32 `npy:"a,unit=ns"`
	}
	BadUnit2 struct {
		A layout.Datetime64 `npy:"a,unit=fortnights"`
	}
	BadMap struct {
		Deep [2]struct{ M map[string]int }
	}
)

// Padding is file bytes too: it may hold no pointers and no
// platform-sized integers.
type (
	BadPadPtr struct {
		A int64
		p *int64
	}
	BadPadString struct {
		A    int64
		Skip string `npy:"-"`
	}
	BadPadInt struct {
		A int64
		n [2]int
	}
	BadPadNested struct {
		A  int64
		in struct{ s []byte }
	}
)

func TestOfRefused(t *testing.T) {
	for _, tc := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[int](), "int: int is platform-sized; use int64"},
		{reflect.TypeFor[uint](), "uint: uint is platform-sized; use uint64"},
		{reflect.TypeFor[uintptr](), "uintptr: uintptr is platform-sized; use uint64"},
		{reflect.TypeFor[string](), "string: string is not fixed-size; use [N]byte"},
		{reflect.TypeFor[[]float32](), "[]float32: []float32 is not fixed-size; use [N]float32"},
		{reflect.TypeFor[*int32](), "*int32: *int32 is a pointer"},
		{reflect.TypeFor[unsafe.Pointer](), "unsafe.Pointer: unsafe.Pointer is a pointer"},
		{reflect.TypeFor[map[string]int](), "map[string]int is not fixed-size data"},
		{reflect.TypeFor[any](), "interface {} is not fixed-size data"},
		{reflect.TypeFor[chan int](), "chan int is not fixed-size data"},
		{reflect.TypeFor[func()](), "func() is not fixed-size data"},
		{reflect.TypeFor[[3]float32](), "[3]float32: a top-level array type is not a dtype; use a struct with an array field, or float32 with one more dimension"},
		{reflect.TypeFor[struct{}](), "struct {}: struct {} has no fields"},
		{reflect.TypeFor[BadInt](), "BadInt.N: int is platform-sized; use int64"},
		{reflect.TypeFor[BadNested](), "BadNested.Inner.Name: string is not fixed-size; use [N]byte"},
		{reflect.TypeFor[BadSlice](), "BadSlice.V: []float32 is not fixed-size; use [N]float32"},
		{reflect.TypeFor[BadArray](), "BadArray.S: string is not fixed-size; use [N]byte"},
		{reflect.TypeFor[BadPtr](), "BadPtr.P: *int32 is a pointer"},
		{reflect.TypeFor[BadEmpty](), "BadEmpty.E: struct {} has no fields"},
		{reflect.TypeFor[BadNoExp](), "BadNoExp: layout_test.BadNoExp has no exported fields"},
		{reflect.TypeFor[BadDup](), `BadDup.B: duplicate field name "x"`},
		{reflect.TypeFor[BadOpt](), `BadOpt.A: unknown npy tag option "omitempty"`},
		{reflect.TypeFor[BadUnit](), "BadUnit.A: the unit= tag option is only for Datetime64 and Timedelta64 fields, not int32"},
		{reflect.TypeFor[BadUnit2](), `BadUnit2.A: unknown datetime unit "fortnights"`},
		{reflect.TypeFor[BadMap](), "BadMap.Deep.M: map[string]int is not fixed-size data"},
		{reflect.TypeFor[BadPadPtr](), "BadPadPtr.p: padding field of type *int64 holds pointers (ptr)"},
		{reflect.TypeFor[BadPadString](), "BadPadString.Skip: padding field of type string holds pointers (string)"},
		{reflect.TypeFor[BadPadInt](), "BadPadInt.n: padding field of type [2]int holds a platform-sized integer (int)"},
		{reflect.TypeFor[BadPadNested](), "BadPadNested.in: padding field of type struct { s []uint8 } holds pointers (slice)"},
		{nil, "nil reflect.Type"},
	} {
		t.Run(strings.ReplaceAll(tc.want, "/", "|"), func(t *testing.T) {
			d, err := layout.TypeOf(tc.typ)
			if !errors.Is(err, layout.ErrType) {
				t.Fatalf("TypeOf(%v) = %v, %v; want an error matching ErrType", tc.typ, d, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "layout: ") {
				t.Errorf("TypeOf(%v) error:\n%v\nwant it to contain %q", tc.typ, err, tc.want)
			}
		})
	}
}
