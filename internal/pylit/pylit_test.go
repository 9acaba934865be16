package pylit

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gomemmap/memmap/internal/testutil"
)

// lit is a parsed literal as a plain tree, for comparisons in tests.
type lit struct {
	Kind     Kind
	Bool     bool
	Int      int64
	Str      string
	Items    []lit // Tuple and List elements; Dict values
	Keys     []lit // Dict keys
	Off, End int
}

// toLit converts a Node and its stored items to a lit.
func toLit(n Node) lit {
	v := lit{Kind: n.Kind(), Bool: n.Bool(), Int: n.Int(), Str: n.Str(), Off: n.Off(), End: n.End()}
	for _, it := range n.Items() {
		v.Items = append(v.Items, toLit(it))
	}
	for k, it := range n.Pairs() {
		v.Keys = append(v.Keys, toLit(k))
		v.Items = append(v.Items, toLit(it))
	}
	return v
}

// parseLit is Parse returning a lit.
func parseLit(in string) (lit, error) {
	n, err := Parse(in)
	if err != nil {
		return lit{}, err
	}
	return toLit(n), nil
}

func i(n int64) lit     { return lit{Kind: Int, Int: n} }
func s(x string) lit    { return lit{Kind: Str, Str: x} }
func b(x bool) lit      { return lit{Kind: Bool, Bool: x} }
func tup(v ...lit) lit  { return lit{Kind: Tuple, Items: v} }
func list(v ...lit) lit { return lit{Kind: List, Items: v} }
func dict(kv ...lit) lit {
	d := lit{Kind: Dict}
	for j := 0; j < len(kv); j += 2 {
		d.Keys = append(d.Keys, kv[j])
		d.Items = append(d.Items, kv[j+1])
	}
	return d
}

// ignoreSpans compares values without their Off/End.
var ignoreSpans = cmpopts.IgnoreFields(lit{}, "Off", "End")

var parseTests = []struct {
	in   string
	want lit
}{
	{"None", lit{Kind: None}},
	{"True", b(true)},
	{" False\n", b(false)},
	{"0", i(0)},
	{"00", i(0)},
	{"-0", i(0)},
	{"42", i(42)},
	{"+7", i(7)},
	{"- 7", i(-7)},
	{"3L", i(3)},
	{"3l", i(3)},
	{"9223372036854775807", i(9223372036854775807)},
	{"-9223372036854775808", i(-9223372036854775808)},
	{"''", s("")},
	{`""`, s("")},
	{`'<f8'`, s("<f8")},
	{`"it's"`, s("it's")},
	{`'a\'b"c'`, s(`a'b"c`)},
	{`'\\ \n \r \t \a \b \f \v \0 \101 \x41 \u00e9 \U0001F600'`, s("\\ \n \r \t \a \b \f \v \x00 A A é 😀")},
	{`'\q'`, s(`\q`)},
	{`u'x'`, s("x")},
	{`U"x"`, s("x")},
	{"'naïve 日本'", s("naïve 日本")},
	{"()", tup()},
	{"( )", tup()},
	{"(1,)", tup(i(1))},
	{"(1)", i(1)},
	{"((1))", i(1)},
	{"(3L, 4L)", tup(i(3), i(4))},
	{"(1, 2, 3,)", tup(i(1), i(2), i(3))},
	{"[]", list()},
	{"[1, 'a', [True]]", list(i(1), s("a"), list(b(true)))},
	{"{}", dict()},
	{"{'a': 1}", dict(s("a"), i(1))},
	{"{'a': 1, 'a': 2}", dict(s("a"), i(1), s("a"), i(2))},
	{"{(1, 'x'): None,}", dict(tup(i(1), s("x")), lit{Kind: None})},
	{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }                    \n",
		dict(s("descr"), s("<f8"), s("fortran_order"), b(false), s("shape"), tup(i(3), i(4))),
	},
	{
		"{'descr': [('a', '<i4'), (('t', 'b'), '<f8', (2, 3))], 'fortran_order': True, 'shape': (), }",
		dict(s("descr"), list(tup(s("a"), s("<i4")), tup(tup(s("t"), s("b")), s("<f8"), tup(i(2), i(3)))),
			s("fortran_order"), b(true), s("shape"), tup()),
	},
	{"\t{\r\n'a'\f:\n1\n}\n", dict(s("a"), i(1))},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseLit(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreSpans); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// pyRepr renders v as Python's repr of the value literal_eval returns.
func pyRepr(v lit) string {
	switch v.Kind {
	case None:
		return "None"
	case Bool:
		if v.Bool {
			return "True"
		}
		return "False"
	case Int:
		return strconv.FormatInt(v.Int, 10)
	case Str:
		return Quote(v.Str)
	case Tuple, List:
		var parts []string
		for _, it := range v.Items {
			parts = append(parts, pyRepr(it))
		}
		if v.Kind == List {
			return "[" + strings.Join(parts, ", ") + "]"
		}
		if len(parts) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case Dict:
		// A repeated key keeps its first position and takes the last value.
		var keys []string
		vals := map[string]string{}
		for i, k := range v.Keys {
			kr := pyRepr(k)
			if _, ok := vals[kr]; !ok {
				keys = append(keys, kr)
			}
			vals[kr] = pyRepr(v.Items[i])
		}
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+": "+vals[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return "?"
}

// TestParsePython checks Parse against Python's ast.literal_eval on the
// inputs of TestParse that Python 3 also accepts.
func TestParsePython(t *testing.T) {
	var ins, want []string
	for _, tt := range parseTests {
		if strings.Contains(tt.in, "L") || strings.HasSuffix(tt.in, "l") {
			continue // Python 2 longs: Python 3 refuses them (NumPy filters the L out)
		}
		ins = append(ins, tt.in)
		v, err := parseLit(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, pyRepr(v))
	}
	in, err := json.Marshal(ins)
	if err != nil {
		t.Fatal(err)
	}
	out := testutil.RunPython(t, `
import ast, json, sys
for s in json.loads(sys.argv[1]):
    sys.stdout.buffer.write(repr(ast.literal_eval(s)).encode("utf-8") + b"\n")
`, string(in))
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("Parse differs from ast.literal_eval (-python +go):\n%s", diff)
	}
}

func TestParseSpans(t *testing.T) {
	in := " {'descr': [('a', '<i4')], 'shape': (1)} "
	v, err := parseLit(in)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{in[v.Off:v.End], in[v.Keys[0].Off:v.Keys[0].End], in[v.Items[0].Off:v.Items[0].End],
		in[v.Items[0].Items[0].Off:v.Items[0].Items[0].End], in[v.Items[1].Off:v.Items[1].End]}
	want := []string{"{'descr': [('a', '<i4')], 'shape': (1)}", "'descr'", "[('a', '<i4')]", "('a', '<i4')", "(1)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		in  string
		off int
	}{
		{"", 0},
		{"   ", 3},
		{"1 2", 2},
		{"01", 0},
		{"1.5", 1},
		{"1e5", 1},
		{"0x10", 1},
		{"1LL", 2},
		{"-", 1},
		{"--1", 1},
		{"9223372036854775808", 0},
		{"-9223372036854775809", 0},
		{"'abc", 4},
		{"'ab\nc'", 3},
		{`'\x4'`, 1},
		{`'\xzz'`, 1},
		{`'\ud800'`, 1},
		{`'\U00110000'`, 1},
		{"'\xff'", 0},
		{"b'x'", 0},
		{`'\N{DASH}'`, 1},
		{"r'x'", 0},
		{"true", 0},
		{"Nonex", 0},
		{"(", 1},
		{"(,)", 1},
		{"(1,,)", 3},
		{"(1 2)", 3},
		{"[1", 2},
		{"{1}", 2},
		{"{'a' 1}", 5},
		{"{'a': }", 6},
		{"{[1]: 2}", 1},
		{"{(1, [2]): 2}", 1},
		{"{{}: 2}", 1},
		{"{'a': 1 'b': 2}", 8},
		{"{1, 2}", 2},
		{"é", 0},
		{"1 # comment", 2},
		{strings.Repeat("(", MaxDepth+1) + strings.Repeat(")", MaxDepth+1), MaxDepth},
		{strings.Repeat("[", 100000), MaxDepth},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			v, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", tt.in, v)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) error %v does not match ErrSyntax", tt.in, err)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", tt.in, err)
			}
			if se.Off != tt.off {
				t.Errorf("Parse(%q) error %q at offset %d, want %d", tt.in, err, se.Off, tt.off)
			}
			if !strings.HasPrefix(err.Error(), "pylit: offset ") {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestParseMaxDepth(t *testing.T) {
	in := strings.Repeat("(", MaxDepth) + "1," + strings.Repeat(")", MaxDepth)
	if _, err := Parse(in); err != nil {
		t.Errorf("nesting of exactly MaxDepth: %v", err)
	}
}

// quoteTable holds strings whose repr differs in interesting ways. Characters
// assigned after Unicode 14 are avoided: Python 3.11 does not know them.
var quoteTable = []string{
	"", "a", "<f8", "it's", `say "hi"`, `both ' and "`, `back\slash`,
	"tab\there", "nl\nx", "cr\rx", "\x00\x01\x1f\x7f", "\a\b\f\v",
	"é", "naïve", "\u0080\u009f\u00a0\u00ad\u00ff", "日本語", "😀", "\u2028\u2029\u200b\u3000",
	"\ue000", "\U000f0000", "\U0010ffff", "\ufeff", "\u0378", "x\u0301", "Ω≈ç√∫",
}

func TestQuote(t *testing.T) {
	for _, in := range quoteTable {
		got := Quote(in)
		v, err := parseLit(got)
		if err != nil || v.Kind != Str || v.Str != in {
			t.Errorf("Parse(Quote(%q)) = %+v, %v; want the string back", in, v, err)
		}
	}
	if got, want := Quote("\xff"), `'\xff'`; got != want {
		t.Errorf("Quote of invalid UTF-8 = %s, want %s", got, want)
	}
}

// TestQuotePython checks Quote against Python's repr.
func TestQuotePython(t *testing.T) {
	in, err := json.Marshal(quoteTable)
	if err != nil {
		t.Fatal(err)
	}
	out := testutil.RunPython(t, `
import json, sys
for s in json.loads(sys.argv[1]):
    sys.stdout.buffer.write(repr(s).encode("utf-8") + b"\n")
`, string(in))
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var got []string
	for _, s := range quoteTable {
		got = append(got, Quote(s))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Quote differs from Python's repr (-python +go):\n%s", diff)
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range []string{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }   \n",
		"{'descr': [('a', '<i4'), (('t', 'b'), '<f8', (2, 3))], 'fortran_order': True, 'shape': (), }",
		"(3L,)", `'\x41\u00e9\U0001F600\n'`, "[None, True, -1]", "((1))",
	} {
		f.Add(tt)
	}
	for _, s := range quoteTable {
		f.Add(Quote(s))
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := parseLit(in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Off < 0 || se.Off > len(in) {
				t.Fatalf("error offset %d outside input of %d bytes", se.Off, len(in))
			}
			return
		}
		checkSpans(t, in, v)
		if v.Kind == Str {
			if !utf8.ValidString(v.Str) {
				t.Fatalf("decoded string %q is not valid UTF-8", v.Str)
			}
			q := Quote(v.Str)
			w, err := parseLit(q)
			if err != nil || w.Kind != Str || w.Str != v.Str {
				t.Fatalf("Parse(Quote(%q)) = %+v, %v", v.Str, w, err)
			}
		}
	})
}

func checkSpans(t *testing.T, in string, v lit) {
	t.Helper()
	if v.Off < 0 || v.Off > v.End || v.End > len(in) {
		t.Fatalf("span [%d, %d) outside input of %d bytes", v.Off, v.End, len(in))
	}
	// Every literal re-parses from its own span to the same value.
	w, err := parseLit(in[v.Off:v.End])
	if err != nil {
		t.Fatalf("span %q of %q does not parse: %v", in[v.Off:v.End], in, err)
	}
	if !samelit(v, w) {
		t.Fatalf("span %q parses differently (-whole +span):\n%s", in[v.Off:v.End], cmp.Diff(v, w, ignoreSpans))
	}
	for _, k := range v.Keys {
		checkSpans(t, in, k)
	}
	for _, it := range v.Items {
		checkSpans(t, in, it)
	}
}

// samelit is cmp.Equal(a, b, ignoreSpans), fast enough for the fuzzer.
func samelit(a, b lit) bool {
	if a.Kind != b.Kind || a.Bool != b.Bool || a.Int != b.Int || a.Str != b.Str ||
		len(a.Items) != len(b.Items) || len(a.Keys) != len(b.Keys) {
		return false
	}
	for i := range a.Items {
		if !samelit(a.Items[i], b.Items[i]) {
			return false
		}
	}
	for i := range a.Keys {
		if !samelit(a.Keys[i], b.Keys[i]) {
			return false
		}
	}
	return true
}

// TestParseTop: the items below the kept level are checked but not
// stored, and Len still counts them.
func TestParseTop(t *testing.T) {
	in := "{'descr': [('a', '<i4'), ('b', '<f8')], 'shape': (3, 4, 5), 'x': ([1],), 'e': []}"
	d, err := ParseTop(in, 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for k, v := range d.Pairs() {
		got = append(got, fmt.Sprintf("%s=%s len %d stored %v", k.Str(), v.Source(), v.Len(), v.Stored()))
	}
	want := []string{
		"descr=[('a', '<i4'), ('b', '<f8')] len 2 stored false",
		"shape=(3, 4, 5) len 3 stored false",
		"x=([1],) len 1 stored false",
		"e=[] len 0 stored true",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseTop (-want +got):\n%s", diff)
	}
	if n := len(d.t.nodes); n != 9 {
		t.Errorf("ParseTop stored %d nodes, want 9", n)
	}
	for _, bad := range []string{"{'a': [1 2]}", "{'a': ((1,), [2)}", "{'a': ({[1]: 2},)}"} {
		_, err1 := ParseTop(bad, 1)
		_, err2 := Parse(bad)
		if err1 == nil || err1.Error() != fmt.Sprint(err2) {
			t.Errorf("ParseTop(%q) = %v, want Parse's error %v", bad, err1, err2)
		}
	}
}

// TestNodeOutOfRange: Index out of range gives the zero Node, whose
// methods are safe and report nothing.
func TestNodeOutOfRange(t *testing.T) {
	v, err := Parse("(1, 'a')")
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{-1, 2, 100} {
		z := v.Index(i)
		if z.Kind() != None || z.Source() != "" || z.Len() != 0 || z.Int() != 0 || z.Str() != "" || z.Bool() || z.Index(0).Kind() != None {
			t.Errorf("Index(%d) = %+v, want the zero Node", i, z)
		}
	}
	if v.Index(1).Str() != "a" || v.Index(0).Int() != 1 || v.Index(0).Str() != "" || v.Index(1).Int() != 0 {
		t.Errorf("Index(0), Index(1) = %q, %q", v.Index(0).Source(), v.Index(1).Source())
	}
}
