package layout_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/internal/pylit"
	"github.com/gomemmap/memmap/layout"
)

// descrCanonical are descrs as NumPy writes them: Descr must give them
// back byte for byte.
var descrCanonical = []string{
	"'<f8'", "'>f8'", "'<f4'", "'>f2'", "'|u1'", "'|i1'", "'|b1'", "'>i4'", "'<u8'",
	"'<c16'", "'>c8'", "'|S12'", "'|S0'", "'|V4'", "'|V0'",
	"'<M8'", "'<M8[ns]'", "'>m8[25s]'", "'<M8[D]'", "'<m8[as]'",
	"[]",
	"[('x', '<f4'), ('', '|V4'), ('y', '<f8')]",
	"[('a', '<i4', (2, 3)), ('b', '|S3', (1,)), ('c', '<f8', (0,))]",
	"[('n', [('p', '|u1'), ('', '|V7'), ('q', '<i8')]), ('m', [('r', '>f2', (4,))], (2, 2))]",
	"[(('Title A', 'a'), '<i4'), ('b', '<f8')]",
	"[(('', 'a'), '<i4'), ('', '|V4')]",
	"[('', '|V4'), ('a', '<i4'), ('', '|V8')]",
	"[('', '|V8')]",
	"[('', '<i4'), (('t', 'u'), '|V4'), ('v', '|V3')]",
	"[(('t', ''), '|V4')]",
	`[('naïve', '<i4'), ("it's", '<u2'), ('say "hi"', '|b1'), ('tab\there', '<c8'), ('both \' and "', '<i2')]`,
	"[('a', '<i8'), ('b', '>i8'), ('c', '|u1'), ('', '|V7')]",
	"[('deep', [('er', [('est', [('x', '>u2', (3,))], (2,))])])]",
	// Subarrays of subarrays (issue 15), as NumPy writes them.
	"[('c', ('<f8', (5,)), (2,))]",
	"[('c', ([('a', '<i4'), ('b', '|u1')], (3,)), (2,))]",
	"[('c', ('<f8', (5, 6)), (2, 3)), ('d', '<i2')]",
	"[('x', (([('a', '<i8'), ('b', [('a', '|i1'), ('', '|V3'), ('b', '|i1'), ('', '|V3')])], (3,)), (4,)), (5,))]",
	"[('x', ([('a', '|i1'), ('', '|V3'), ('b', '|i1'), ('', '|V3')], (3,)), (4,))]",
	"[(('t', 'c'), ('>i2', (1,)), (2,)), ('', '|V1'), ('d', '|u1')]",
}

// descrNormalised are descrs NumPy accepts but does not write, and the
// descr Descr writes for them, with '=' standing for the host's order.
var descrNormalised = []struct{ in, want string }{
	{"'=f8'", "'=f8'"},
	{"'f8'", "'=f8'"},
	{"'|i4'", "'=i4'"},
	{"'<u1'", "'|u1'"},
	{"'>b1'", "'|b1'"},
	{"'>S5'", "'|S5'"},
	{"'<V2'", "'|V2'"},
	{"'<f08'", "'<f8'"},
	{`"<f8"`, "'<f8'"},
	{"u'<f8'", "'<f8'"},
	{"'<M8[1s]'", "'<M8[s]'"},
	{"'<M8[generic]'", "'<M8'"},
	{"'<m8[007ms]'", "'<m8[7ms]'"},
	{"[('a', '<i4', ())]", "[('a', '<i4')]"},
	{"[('a', '<i4'), ('', '|V0')]", "[('a', '<i4')]"},
	{"[('', '|V4', (2,)), ('a', '<i4')]", "[('', '|V8'), ('a', '<i4')]"},
	{"[('', '|V4'), ('', '|V4')]", "[('', '|V8')]"},
	{"[('', '<i4', (2,)), ('a', '<i4')]", "[('', '|V8'), ('a', '<i4')]"},
	{"[('', [('b', '<i4')], (2,)), ('a', '<i4')]", "[('', '|V8'), ('a', '<i4')]"},
	{"[('', '<i4', ()), ('a', '<i4')]", "[('', '<i4'), ('a', '<i4')]"},
	{"[('', '<i4', (0,)), ('a', '<i4')]", "[('a', '<i4')]"},
	{" [ ( 'a' , '<i4' , ( 2 , ) ) , ] \n", "[('a', '<i4', (2,))]"},
	{"[(\"x\", \"<f4\")]", "[('x', '<f4')]"},
	{"[('a', ('<i4', (2,)))]", "[('a', '<i4', (2,))]"},
	{"[('c', ('<f8', ()), (2,))]", "[('c', '<f8', (2,))]"},
	{"[('c', ('<f8', (5,)), ())]", "[('c', '<f8', (5,))]"},
	{"[('c', (('<f8', (5,)), ()), (2,))]", "[('c', ('<f8', (5,)), (2,))]"},
	{"[('c', (('<f8', (5,)), (4,)))]", "[('c', ('<f8', (5,)), (4,))]"},
	{"[('', ('<f8', (5,)), (2,)), ('a', '|u1')]", "[('', '|V80'), ('a', '|u1')]"},
}

func TestDescrRoundTrip(t *testing.T) {
	for _, text := range descrCanonical {
		d, err := layout.ParseDescr(text)
		if err != nil {
			t.Errorf("ParseDescr(%s): %v", text, err)
			continue
		}
		if diff := cmp.Diff(text, d.Descr()); diff != "" {
			t.Errorf("ParseDescr(%s).Descr() (-want +got):\n%s", text, diff)
		}
		if d.String() != d.Descr() {
			t.Errorf("String() = %s, Descr() = %s", d.String(), d.Descr())
		}
	}
	for _, tc := range descrNormalised {
		d, err := layout.ParseDescr(tc.in)
		if err != nil {
			t.Errorf("ParseDescr(%s): %v", tc.in, err)
			continue
		}
		want := strings.ReplaceAll(tc.want, "=", layout.HostOrder().String())
		if diff := cmp.Diff(want, d.Descr()); diff != "" {
			t.Errorf("ParseDescr(%s).Descr() (-want +got):\n%s", tc.in, diff)
		}
		e, err := layout.ParseDescr(d.Descr())
		if err != nil || !e.Equal(d) {
			t.Errorf("ParseDescr(%s) = %v, %v; not Equal to ParseDescr(%s)", d.Descr(), e, err, tc.in)
		}
	}
}

func TestParseDescrErrors(t *testing.T) {
	deep := strings.Repeat("[('a', ", 40) + "'<i4'" + strings.Repeat(")]", 40)
	for _, tc := range []struct{ in, want string }{
		{"'<U3'", "descr offset 0: dtype '<U3': unicode ('U') dtypes are not supported"},
		{"[('a', '<i4'), ('s', '<U3')]", "descr offset 21: field 1 ('s'): dtype '<U3': unicode"},
		{"[('a', [('o', '|O')])]", "descr offset 14: field 0 ('o'): dtype '|O': object"},
		{"[('a', ('<U3', (2,)), (2,))]", "descr offset 8: field 0 ('a'): dtype '<U3': unicode"},
		{"'|O'", "dtype '|O': object ('O') dtypes hold Python object pointers"},
		{"'|O8'", "object"},
		{"'<f16'", "float of 16 bytes is not supported (long double or quad precision?); supported sizes: 2 4 8"},
		{"'<f12'", "long double"},
		{"'<c32'", "complex of 32 bytes"},
		{"'<i3'", "int of 3 bytes is not supported; supported sizes: 1 2 4 8"},
		{"'|b2'", "bool of 2 bytes"},
		{"'<M4'", "datetime of 4 bytes"},
		{"'<x4'", "unknown type code 'x'"},
		{"'<a5'", "unknown type code 'a'"},
		{"''", "missing type code"},
		{"'<'", "missing type code"},
		{"'<f'", `expected a type code and a decimal size, found "" after 'f'`},
		{"'<f8x'", "expected a type code and a decimal size"},
		{"'<f-8'", "expected a type code and a decimal size"},
		{"'|S99999999999'", "expected a type code and a decimal size"},
		{"'|S2147483648'", "expected a type code and a decimal size"},
		{"'<M8[fortnight]'", `unknown datetime unit "fortnight"`},
		{"'<M8[ns'", "expected ']'"},
		{"'<M8[0s]'", "bad datetime unit multiplier"},
		{"'<i4[ns]'", "expected a type code and a decimal size"},
		{"('<i4', (2,))", "a (dtype, shape) subarray descr is not supported at the top level"},
		{"42", "expected a str or a list of fields, found a int"},
		{"{'a': 1}", "found a dict"},
		{"None", "found a None"},
		{"[('a',)]", "descr offset 1: field 0: expected a (name, dtype) or (name, dtype, shape) tuple, found a tuple of 1 items"},
		{"[('a', '<i4', (2,), 5)]", "found a tuple of 4 items"},
		{"[['a', '<i4']]", "found a list of 2 items"},
		{"['<i4']", "found the str '<i4'"},
		{"[(1, '<i4')]", "expected a name (a str) or a (title, name) pair of strs, found the int 1"},
		{"[((1, 'a'), '<i4')]", "pair of strs, found a tuple of 2 items"},
		{"[(('', 'a'), '<i4'), ('', '<f4')]", "already used"},
		{"[('a', 5)]", "field 0 ('a'): expected a dtype str, a list of fields or a (dtype, shape) subarray, found the int 5"},
		{"[('a', ('<i4',))]", "descr offset 7: field 0 ('a'): expected a dtype str, a list of fields or a (dtype, shape) subarray, found a tuple of 1 items"},
		{"[('a', ('<i4', (2,), (3,)))]", "found a tuple of 3 items"},
		{"[('a', ('<i4', 3))]", "descr offset 15: field 0 ('a'): expected a shape tuple, found the int 3"},
		{"[('a', (('<i4', (-1,)), (2,)))]", "expected a shape dimension from 0 to 2147483647, found the int -1"},
		{"[('a', ('|S1000', (100000,)), (100000,))]", "subarray of shape [100000 100000] is too large"},
		{"[('a', '<i4', 3)]", "field 0 ('a'): expected a shape tuple, found the int 3"},
		{"[('a', '<i4', (-1,))]", "expected a shape dimension from 0 to 2147483647, found the int -1"},
		{"[('a', '<i4', (True,))]", "found a bool"},
		{"[('a', '<i4', (2147483648,))]", "found the int 2147483648"},
		{"[('a', '|S1000', (100000, 100000))]", "subarray of shape [100000 100000] is too large"},
		{"[('a', '|S1000', (1000, 1000, 3))]", "the struct is larger than 2147483647 bytes"},
		{"[('a', '|S2000000000'), ('b', '|S2000000000')]", "field 1 ('b'): the struct is larger"},
		{"[('a', '<i4'), ('a', '<f4')]", "field 1: name 'a' or title already used as a name or title"},
		{"[(('a', 'b'), '<i4'), ('a', '<f4')]", "already used"},
		{"[(('a', 'a'), '<i4')]", "already used"},
		{"[('a', '<i4'), (('a', 'b'), '<f4')]", "already used"},
		{"[('', '<i4'), ('', '<f4')]", "already used"},
		{"[('\xff', '<i4')]", "not valid UTF-8"},
		{"[('a', '<i4'", "pylit: offset 12"},
		{"'<f8' '<f4'", "pylit"},
		{"", "pylit"},
		{deep, "pylit"},
	} {
		t.Run(strings.ReplaceAll(tc.in, "/", "|"), func(t *testing.T) {
			d, err := layout.ParseDescr(tc.in)
			if !errors.Is(err, layout.ErrDType) {
				t.Fatalf("ParseDescr(%s) = %v, %v; want an error matching ErrDType", tc.in, d, err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "layout: ") {
				t.Errorf("ParseDescr(%s) error:\n%v\nwant it to contain %q", tc.in, err, tc.want)
			}
			if strings.Contains(tc.want, "pylit") && !errors.Is(err, pylit.ErrSyntax) {
				t.Errorf("ParseDescr(%s) error %v does not match pylit.ErrSyntax", tc.in, err)
			}
		})
	}
}

func TestDTypeAccessors(t *testing.T) {
	d, err := layout.ParseDescr("[(('T', 'a'), '<i4', (2, 3)), ('', '|V4'), ('n', [('p', '|u1'), ('q', '>f8')]), ('w', '<M8[ns]')]")
	if err != nil {
		t.Fatal(err)
	}
	type field struct {
		Name, Title, Str string
		HasTitle         bool
		Kind             layout.Kind
		Offset, Size     int
		Shape            []int
	}
	var got []field
	for _, f := range d.Fields() {
		got = append(got, field{f.Name, f.Title, f.Type.Str(), f.HasTitle, f.Type.Kind(), f.Offset, f.Size(), f.Shape})
	}
	want := []field{
		{"a", "T", "<i4", true, layout.Int, 0, 24, []int{2, 3}},
		{"n", "", "|V9", false, layout.Struct, 28, 9, nil},
		{"w", "", "<M8[ns]", false, layout.Datetime, 37, 8, nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if d.Kind() != layout.Struct || d.Size() != 45 || d.NumField() != 3 || d.Str() != "|V45" || d.Order() != layout.Mixed || d.InHostOrder() {
		t.Errorf("kind %v size %d fields %d str %s order %v host %v", d.Kind(), d.Size(), d.NumField(), d.Str(), d.Order(), d.InHostOrder())
	}
	if a := d.Align(); a != reflectAlign8() {
		t.Errorf("Align() = %d, want %d (float64's)", a, reflectAlign8())
	}
	if f := d.Field(-1); f.Type != nil || d.Field(3).Type != nil || f.Size() != 0 {
		t.Errorf("Field out of range = %+v", f)
	}
	f := d.Field(0)
	f.Shape[0] = 99 // a copy
	if d.Field(0).Shape[0] != 2 {
		t.Error("Field returned the dtype's own shape slice")
	}
	if w := d.Field(2).Type; w.Unit() != "ns" || w.Order() != layout.Little || w.Size() != 8 {
		t.Errorf("datetime field: unit %q order %v size %d", w.Unit(), w.Order(), w.Size())
	}
	if d.GoType() != nil {
		t.Errorf("GoType of a parsed dtype = %v, want nil", d.GoType())
	}
	for _, tc := range []struct {
		descr string
		order layout.ByteOrder
	}{
		{"'<f8'", layout.Little},
		{"'>f8'", layout.Big},
		{"'|u1'", layout.NotApplicable},
		{"'|S8'", layout.NotApplicable},
		{"[('a', '|u1'), ('b', '|S3')]", layout.NotApplicable},
		{"[('a', '|u1'), ('b', '>i2')]", layout.Big},
		{"[('a', '<i2'), ('b', [('c', '>i2')])]", layout.Mixed},
		{"[]", layout.NotApplicable},
	} {
		d, err := layout.ParseDescr(tc.descr)
		if err != nil {
			t.Fatal(err)
		}
		if d.Order() != tc.order {
			t.Errorf("ParseDescr(%s).Order() = %v, want %v", tc.descr, d.Order(), tc.order)
		}
		if want := tc.order == layout.NotApplicable || tc.order == layout.HostOrder(); d.InHostOrder() != want {
			t.Errorf("ParseDescr(%s).InHostOrder() = %v", tc.descr, d.InHostOrder())
		}
	}
	if layout.Kind(99).String() != "Kind(99)" || layout.Float.String() != "float" || layout.ByteOrder(9).String() != "ByteOrder(9)" || layout.Mixed.String() != "mixed" {
		t.Error("String methods of Kind and ByteOrder")
	}
}

func reflectAlign8() int {
	d, _ := layout.Of[float64]()
	return d.Align()
}

func TestWithUnit(t *testing.T) {
	d, _ := layout.Of[layout.Datetime64]()
	e, err := d.WithUnit("1ns")
	if err != nil || e.Descr() != native("'<M8[ns]'") || e.GoType() != d.GoType() {
		t.Errorf("WithUnit(1ns) = %v, %v", e, err)
	}
	if g, err := e.WithUnit(""); err != nil || !g.Equal(d) {
		t.Errorf("WithUnit(\"\") = %v, %v", g, err)
	}
	if _, err := d.WithUnit("parsec"); !errors.Is(err, layout.ErrDType) {
		t.Errorf("WithUnit(parsec) error = %v", err)
	}
	f, _ := layout.Of[float64]()
	if _, err := f.WithUnit("ns"); !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), "not a datetime64 or timedelta64") {
		t.Errorf("WithUnit on float64: %v", err)
	}
}
