package layout_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/layout"
)

type (
	Scored struct {
		ID    int32   `npy:"id"`
		Name  [4]byte `npy:"name"`
		Score float32 `npy:"score"`
	}
	Packed2 struct {
		A uint8 `npy:"a"`
		B int32 `npy:"b"`
	}
	Vec struct {
		A [4]int32 `npy:"a"`
	}
	Nest struct {
		N struct {
			P uint8 `npy:"p"`
			Q int32 `npy:"q"`
		} `npy:"n"`
	}
	When struct {
		T layout.Datetime64 `npy:"t"`
	}
	WhenSec struct {
		T layout.Datetime64 `npy:"t,unit=s"`
	}
	Raw struct {
		V [4]byte `npy:"v"`
	}
	Signed struct {
		A int32 `npy:"a"`
	}
)

func mustOf[T any](t *testing.T) *layout.DType {
	t.Helper()
	d, err := layout.Of[T]()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCompatible(t *testing.T) {
	rec := mustOf[Rec](t)
	for _, tc := range []struct {
		name string
		file string // a descr; "<" is the host order (see native)
		go_  *layout.DType
		want string // "" for compatible
	}{
		{"same", rec.Descr(), rec, ""},
		{"other byte order", rec.Swapped().Descr(), rec, ""},
		{"scalar", "'<f4'", mustOf[float32](t), ""},
		{"scalar big-endian", "'>f4'", mustOf[float32](t), ""},
		{"struct", "[('id', '<i4'), ('name', '|S4'), ('score', '<f4')]", mustOf[Scored](t), ""},
		{"datetime any unit", "[('t', '<M8[ns]')]", mustOf[When](t), ""},
		{"void as bytes", "[('v', '|V4')]", mustOf[Raw](t), ""},
		{"titles ignored", "[(('The ID', 'id'), '<i4'), ('name', '|S4'), ('score', '<f4')]", mustOf[Scored](t), ""},

		{"scalar kind", "'<f8'", mustOf[float32](t), "layout: file has '<f8', Go type has float32 ('<f4')"},
		{"scalar signedness", "'<u4'", mustOf[int32](t), "layout: file has '<u4', Go type has int32 ('<i4')"},
		{"scalar vs struct", "'<i4'", mustOf[Signed](t), "layout: file has '<i4', Go type has layout_test.Signed"},
		{"struct vs scalar", "[('a', '<i4')]", mustOf[int32](t), "layout: file has [('a', '<i4')], Go type has int32 ('<i4')"},
		{"field type", "[('id', '<i4'), ('name', '|S4'), ('score', '<f8')]", mustOf[Scored](t), `layout: field 2 "score": file has '<f8', Go type has float32 ('<f4')`},
		{"field bytes size", "[('id', '<i4'), ('name', '|S8'), ('score', '<f4')]", mustOf[Scored](t), `layout: field 1 "name": file has '|S8', Go type has [4]uint8 ('|S4')`},
		{"field name", "[('id', '<i4'), ('nom', '|S4'), ('score', '<f4')]", mustOf[Scored](t), "layout: field 1: file has name \"nom\", Go type has \"name\" (rename the Go field with an `npy:\"nom\"` tag)"},
		{"missing in Go", "[('id', '<i4'), ('name', '|S4'), ('score', '<f4'), ('extra', '<f4')]", mustOf[Scored](t), `layout: field 3 "extra": the file has it ('<f4'), the Go type has no such field`},
		{"missing in file", "[('id', '<i4'), ('name', '|S4')]", mustOf[Scored](t), `layout: field 2 "score": the Go type has it (float32 ('<f4')), the file has no such field`},
		{"offset", "[('a', '|u1'), ('b', '<i4'), ('', '|V3')]", mustOf[Packed2](t), `layout: field 1 "b": file has it at offset 1, Go type at offset 4`},
		{"shape", "[('a', '<i4', (3,)), ('', '|V4')]", mustOf[Vec](t), `layout: field 0 "a": file has subarray shape (3,), Go type has (4,)`},
		{"shape vs plain", "[('a', '<i4'), ('', '|V12')]", mustOf[Vec](t), `layout: field 0 "a": file has subarray shape (), Go type has (4,)`},
		{"item size", "[('a', '<i4'), ('', '|V4')]", mustOf[Signed](t), "layout: file has an item size of 8 bytes, Go type layout_test.Signed has 4"},
		{"nested", "[('n', [('p', '|u1'), ('', '|V3'), ('q', '<i8')])]", mustOf[Nest](t), `layout: field 0.1 "n.q": file has '<i8', Go type has int32 ('<i4')`},
		{"nested name", "[('n', [('p', '|u1'), ('', '|V3'), ('r', '<i4')])]", mustOf[Nest](t), "layout: field 0.1: file has name \"n.r\", Go type has \"n.q\" (rename the Go field with an `npy:\"r\"` tag)"},
		{"datetime unit", "[('t', '<M8[ns]')]", mustOf[WhenSec](t), `layout: field 0 "t": file has '<M8[ns]', Go type has layout.Datetime64 ('<M8[s]')`},
		{"datetime vs int64", "[('t', '<i8')]", mustOf[When](t), `layout: field 0 "t": file has '<i8', Go type has layout.Datetime64 ('<M8')`},
		{"bytes as void", "'|S4'", func() *layout.DType { d, _ := layout.ParseDescr("'|V4'"); return d }(), "layout: file has '|S4', Go type has '|V4'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file, err := layout.ParseDescr(native(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			err = layout.Compatible(file, tc.go_)
			if tc.want == "" {
				if err != nil {
					t.Errorf("Compatible(%s, %s) = %v, want nil", file, tc.go_, err)
				}
				return
			}
			if !errors.Is(err, layout.ErrDType) {
				t.Fatalf("Compatible(%s, %s) = %v, want an error matching ErrDType", file, tc.go_, err)
			}
			if want := native(tc.want); err.Error() != want {
				t.Errorf("Compatible(%s, %s) error:\n got %s\nwant %s", file, tc.go_, err, want)
			}
		})
	}
	if err := layout.Compatible(nil, rec); !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), "nil") {
		t.Errorf("Compatible(nil, ...) = %v", err)
	}
}

type (
	SubSub struct {
		C [2][5]float64 `npy:"c"`
	}
	Pt struct {
		A int32 `npy:"a"`
		B uint8 `npy:"b"`
	}
	SubStructs struct {
		C [2][3]Pt `npy:"c"`
	}
	DeepSub struct {
		X [5][4][3]Pt `npy:"x"`
	}
)

// TestCompatibleNestedSubarray: a field whose dtype is a subarray of
// subarrays (issue 15) maps to Go's nested arrays, and keeps its nested
// descr.
func TestCompatibleNestedSubarray(t *testing.T) {
	pt := "[('a', '<i4'), ('b', '|u1'), ('', '|V3')]"
	for _, tc := range []struct {
		file  string
		go_   *layout.DType
		shape []int
		want  string // "" for compatible
	}{
		{"[('c', ('<f8', (5,)), (2,))]", mustOf[SubSub](t), []int{2, 5}, ""},
		{"[('c', '<f8', (2, 5))]", mustOf[SubSub](t), []int{2, 5}, ""},
		{"[('c', (('<f8', (5,)), (1,)), (2,))]", mustOf[SubSub](t), []int{2, 1, 5}, "file has subarray shape (2, 1, 5), Go type has (2, 5)"},
		{"[('c', ('<f8', (5,)), (3,))]", mustOf[SubSub](t), []int{3, 5}, "file has subarray shape (3, 5), Go type has (2, 5)"},
		{"[('c', ('<f4', (5,)), (2,))]", mustOf[SubSub](t), []int{2, 5}, "file has '<f4', Go type has float64"},
		{"[('c', (" + pt + ", (3,)), (2,))]", mustOf[SubStructs](t), []int{2, 3}, ""},
		{"[('x', ((" + pt + ", (3,)), (4,)), (5,))]", mustOf[DeepSub](t), []int{5, 4, 3}, ""},
		{"[('x', (" + pt + ", (4, 3)), (5,))]", mustOf[DeepSub](t), []int{5, 4, 3}, ""},
	} {
		file, err := layout.ParseDescr(native(tc.file))
		if err != nil {
			t.Errorf("ParseDescr(%s): %v", tc.file, err)
			continue
		}
		if got := file.Descr(); got != native(tc.file) {
			t.Errorf("ParseDescr(%s).Descr() = %s", tc.file, got)
		}
		if got := file.Field(0).Shape; !slices.Equal(got, tc.shape) {
			t.Errorf("%s: Field(0).Shape = %v, want %v", tc.file, got, tc.shape)
		}
		err = layout.Compatible(file, tc.go_)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("Compatible(%s, %s): %v", tc.file, tc.go_.GoType(), err)
		case tc.want != "" && (!errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), native(tc.want))):
			t.Errorf("Compatible(%s, %s) = %v, want an ErrDType containing %q", tc.file, tc.go_.GoType(), err, tc.want)
		}
	}
}

// TestCompatibleNoFields: a struct of only padding (NumPy's dt6 of its
// format tests) is raw bytes, and a Go [N]byte of its size matches it.
func TestCompatibleNoFields(t *testing.T) {
	file, err := layout.ParseDescr("[('', '|V8')]")
	if err != nil {
		t.Fatal(err)
	}
	if file.Kind() != layout.Struct || file.NumField() != 0 || file.Size() != 8 || file.Descr() != "[('', '|V8')]" {
		t.Fatalf("ParseDescr([('', '|V8')]) = %s, kind %v, %d fields, size %d", file.Descr(), file.Kind(), file.NumField(), file.Size())
	}
	if err := layout.Compatible(file, mustOf[[8]byte](t)); err != nil {
		t.Errorf("Compatible with [8]byte: %v", err)
	}
	if err := layout.Compatible(file, mustOf[[4]byte](t)); !errors.Is(err, layout.ErrDType) {
		t.Errorf("Compatible with [4]byte: %v, want ErrDType", err)
	}
}
