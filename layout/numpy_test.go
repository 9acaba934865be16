package layout_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// notNumPyAligned lists the ofCases whose Go layout is not what NumPy's
// align=True gives for the same exported fields, and why.
var notNumPyAligned = map[string]string{
	"unexported is padding": "NumPy does not see the unexported field",
	"npy:- is padding":      "NumPy does not see the skipped field",
	"blank is padding":      "NumPy does not see the blank field",
	"zero-size array":       "Go pads after a trailing zero-size field, NumPy does not",
}

// pyDType writes the Python np.dtype spec of the Go type t, straight from
// reflect (not through this package): a str for a scalar, a list of
// fields for a struct. unit is a datetime unit from a tag.
func pyDType(t reflect.Type, unit string) string {
	o := layout.HostOrder().String()
	q := func(s string) string { return "'" + s + "'" }
	switch t {
	case reflect.TypeFor[layout.Float16]():
		return q(o + "f2")
	case reflect.TypeFor[layout.Datetime64](), reflect.TypeFor[layout.Timedelta64]():
		c := "M8"
		if t == reflect.TypeFor[layout.Timedelta64]() {
			c = "m8"
		}
		if unit != "" {
			c += "[" + unit + "]"
		}
		return q(o + c)
	}
	size := strconv.Itoa(int(t.Size()))
	switch t.Kind() {
	case reflect.Bool:
		return q("|b1")
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return q(o + "i" + size)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return q(o + "u" + size)
	case reflect.Float32, reflect.Float64:
		return q(o + "f" + size)
	case reflect.Complex64, reflect.Complex128:
		return q(o + "c" + size)
	case reflect.Array: // [N]byte
		return q("|S" + size)
	case reflect.Struct:
		var fs []string
		for i := range t.NumField() {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("npy"), ",")
			name := tag[0]
			if name == "" {
				name = f.Name
			}
			u := ""
			if len(tag) > 1 {
				u = strings.TrimPrefix(tag[1], "unit=")
			}
			ft := f.Type
			var dims []string
			for ft.Kind() == reflect.Array && ft.Elem() != reflect.TypeFor[byte]() {
				dims = append(dims, strconv.Itoa(ft.Len()))
				ft = ft.Elem()
			}
			s := "(" + q(name) + ", " + pyDType(ft, u)
			if dims != nil {
				s += ", (" + strings.Join(dims, ", ") + ",)"
			}
			fs = append(fs, s+")")
		}
		return "[" + strings.Join(fs, ", ") + "]"
	}
	panic("pyDType: unexpected " + t.String())
}

// TestOfNumPyAligned checks that for every Go type of ofCases, Of's descr
// and size are NumPy's for np.dtype(the same fields, align=True).
func TestOfNumPyAligned(t *testing.T) {
	testutil.NumPy(t)
	if !is64 {
		t.Skip("int64 is 4-aligned on this host, NumPy's x86-64 align=True is not; TestOfMatchesReflect checks Go's layout here")
	}
	var script strings.Builder
	script.WriteString("import numpy as np\nfrom numpy.lib import format as f\n")
	var want []string
	var names []string
	for _, tc := range ofCases {
		if _, skip := notNumPyAligned[tc.name]; skip {
			continue
		}
		d, err := layout.TypeOf(tc.typ)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&script, "dt = np.dtype(%s, align=True)\nprint(dt.itemsize, repr(f.dtype_to_descr(dt)))\n", pyDType(tc.typ, ""))
		want = append(want, strconv.Itoa(d.Size())+" "+d.Descr())
		names = append(names, tc.name)
	}
	out := testutil.RunPython(t, script.String())
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("python printed %d lines, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if diff := cmp.Diff(got[i], want[i]); diff != "" {
			t.Errorf("%s: size and descr (-NumPy +Of):\n%s", names[i], diff)
		}
	}
}

// numpyDTypes builds, in Python, dtypes of every kind NumPy can write in a
// .npy header that this package supports, and prints one descr per line
// as NumPy writes it (repr of dtype_to_descr), after its item size.
const numpyDTypes = `
import numpy as np
from numpy.lib import format as f
dts = []
for o in '<>':
    for c in ['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8',
              'c8', 'c16', 'M8', 'm8', 'M8[ns]', 'M8[s]', 'M8[D]', 'M8[Y]', 'm8[us]', 'm8[25s]', 'M8[7ms]']:
        dts.append(np.dtype(o + c))
dts += [np.dtype(s) for s in ['S12', 'S0', 'S1', 'V4', 'V0', 'V100']]
dts += [
    np.dtype([('x', '<f4'), ('y', '<f8')], align=True),
    np.dtype([('x', '<f4'), ('y', '<f8')]),
    np.dtype([('a', '<i4', (2, 3)), ('b', '>f8', (1,)), ('c', 'S3', (2,)), ('d', 'u1', (0,))], align=True),
    np.dtype([('n', [('p', 'u1'), ('q', '<i8')]), ('m', [('r', '<f2', (4,))], (2, 2))], align=True),
    np.dtype([('n', [('p', 'u1'), ('q', '>i8')]), ('m', [('r', '<f2', (4,))], (2, 2))]),
    np.dtype({'names': ['a', 'b'], 'formats': ['<i4', '<f8'], 'titles': ['Title A', None]}),
    np.dtype({'names': ['a', 'b'], 'formats': ['<i4', '<f8'], 'titles': ['', 'B']}),
    np.dtype({'names': ['a', 'b'], 'formats': ['<i4', '<f8'], 'offsets': [4, 16], 'itemsize': 32}),
    np.dtype({'names': ['a'], 'formats': ['<i4'], 'offsets': [0], 'itemsize': 12}, align=True),
    np.dtype([('naïve', '<i4'), ('名前', 'S5'), ("it's", '<u2'), ('say "hi"', '|b1'), ('tab\there', '<c8'),
              ('back\\slash', '<f4'), ('both \' and "', '<i2')]),
    np.dtype([('', '<i4'), ('v', 'V3'), ('w', '<M8[ns]', (2,)), ('z', '<m8')]),
    np.dtype([]),
    np.dtype([('deep', [('er', [('est', [('x', '>u2', (3,))], (2,))])])], align=True),
    np.dtype([('a', '<i8'), ('b', '>i8'), ('c', 'u1')], align=True),
]
for dt in dts:
    print(dt.itemsize, repr(f.dtype_to_descr(dt)))
`

// TestParseDescrNumPy parses every descr NumPy writes for numpyDTypes
// and checks that Descr gives it back byte for byte, with NumPy's size.
func TestParseDescrNumPy(t *testing.T) {
	out := testutil.RunPython(t, numpyDTypes)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	for _, line := range lines {
		size, descr, _ := strings.Cut(line, " ")
		d, err := layout.ParseDescr(descr)
		if err != nil {
			t.Errorf("ParseDescr(%s): %v", descr, err)
			continue
		}
		if diff := cmp.Diff(descr, d.Descr()); diff != "" {
			t.Errorf("ParseDescr(%s).Descr() (-NumPy +got):\n%s", descr, diff)
		}
		if strconv.Itoa(d.Size()) != size {
			t.Errorf("ParseDescr(%s).Size() = %d, NumPy's itemsize is %s", descr, d.Size(), size)
		}
	}
	t.Logf("%d NumPy descrs round-tripped", len(lines))
}

// TestParseDescrNumPyReader checks that ParseDescr reads every descr of
// the round-trip tables, including the ones NumPy accepts but never
// writes, as NumPy's own reader (descr_to_dtype) does: both must write
// the same descr back.
func TestParseDescrNumPyReader(t *testing.T) {
	var texts []string
	texts = append(texts, descrCanonical...)
	hostDependent := make(map[string]bool) // descrs in the host's order ('=', '|f8', ...)
	for _, tc := range descrNormalised {
		texts = append(texts, tc.in)
		hostDependent[tc.in] = strings.Contains(tc.want, "=")
	}
	args := make([]string, len(texts))
	for i, s := range texts {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		args[i] = string(b)
	}
	out := testutil.RunPython(t, `
import ast, json, sys
import numpy as np
from numpy.lib import format as f
print(sys.byteorder)
for arg in sys.argv[1:]:
    text = json.loads(arg)
    try:
        print(repr(f.dtype_to_descr(f.descr_to_dtype(ast.literal_eval(text)))))
    except Exception as e:
        print("ERR", type(e).__name__, e)
`, args...)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts)+1 {
		t.Fatalf("python printed %d lines for %d descrs:\n%s", len(lines), len(texts), out)
	}
	pyOrder := map[string]layout.ByteOrder{"little": layout.Little, "big": layout.Big}[lines[0]]
	lines = lines[1:]
	for i, text := range texts {
		if hostDependent[text] && pyOrder != layout.HostOrder() {
			t.Logf("%s: not compared: NumPy runs in the other byte order (emulated host?)", text)
			continue
		}
		d, err := layout.ParseDescr(text)
		if err != nil {
			t.Errorf("ParseDescr(%s): %v", text, err)
			continue
		}
		if diff := cmp.Diff(lines[i], d.Descr()); diff != "" {
			t.Errorf("ParseDescr(%s).Descr() (-NumPy's reader +got):\n%s", text, diff)
		}
	}
}
