package layout

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gomemmap/memmap/internal/pylit"
)

// maxNesting bounds how deeply struct descrs may nest.
const maxNesting = 32

// MaxSubarrayDims is the largest number of dims a field's subarray shape
// may have, nested subarrays joined: NumPy's NPY_MAXDIMS (64 since NumPy
// 2; 32 in 1.x), beyond which np.dtype refuses a (dtype, shape) tuple
// ("invalid shape in fixed-type tuple") and no array could index the
// field. ParseDescr and TypeOf refuse more with ErrDType and ErrType.
const MaxSubarrayDims = 64

// ParseDescr parses the descr value of a .npy header: the Python literal
// source text exactly as it stands in the header, such as
//
//	'<f8'
//	'|S12'
//	[('x', '<f4'), ('', '|V4'), ('y', '<f8')]
//
// It accepts everything NumPy's numpy.lib.format.dtype_to_descr writes for
// a fixed-size dtype, and for those ParseDescr(text).Descr() == text byte
// for byte.
//
// Scalars are '<', '>' or '|' (or '=' or nothing: host order), then b1,
// i1 i2 i4 i8, u1 u2 u4 u8, f2 f4 f8, c8 c16, S<n>, V<n>, M8 or m8 with an
// optional [unit]; the order of one-byte kinds, S and V is normalised to
// '|'. A struct is a list of (name, descr) or (name, descr, shape) tuples,
// where name is a str or a (title, name) pair of strs, descr a scalar str,
// a nested list or a (descr, shape) subarray tuple (nested to any depth,
// as in [('c', ('<f8', (5,)), (2,))]: the Field's Shape joins the shapes,
// (2, 5), and Descr writes the nesting back), and shape a tuple of
// non-negative ints. As in NumPy
// (descr_to_dtype), fields are laid out back to back in list order, and
// padding entries (an empty name and a void, non-struct dtype such as
// '|V4', or any subarray) are gaps, not fields. Names and titles must be
// unique, as in NumPy; a title may be empty.
//
// Refused, with an error matching ErrDType that says why and gives the
// byte offset in text and the field: a (descr, shape) subarray at the top
// level (NumPy never writes one: it turns the subarray into array
// dimensions), object ('|O'), unicode ('<U<n>': UTF-32 text,
// which has no Go counterpart here; store bytes, 'S<n>', instead), long
// double and quad types ('f16', 'c32'), subarrays of more than
// MaxSubarrayDims dims (nested ones joined), anything else NumPy would not
// write for a fixed-size dtype, and items over 2 GiB - 1. Datetime64 and
// timedelta64 are supported (kinds Datetime and Timedelta, Go types
// Datetime64 and Timedelta64), with their unit kept (see Unit). A text
// that is not a Python literal gives an error that matches both ErrDType
// and pylit's syntax error.
func ParseDescr(text string) (*DType, error) {
	v, err := pylit.Parse(text)
	if err != nil {
		return nil, dtypeErrorf("descr %s: %w", clip(text), err)
	}
	switch v.Kind() {
	case pylit.Str:
		return parseScalar(v, fieldAt{i: -1})
	case pylit.List:
		return parseStruct(v, 0)
	case pylit.Tuple:
		return nil, dtypeErrorf("descr offset %d: a (dtype, shape) subarray descr is not supported at the top level (NumPy writes a subarray dtype as '|V<n>')", v.Off())
	}
	return nil, dtypeErrorf("descr offset %d: expected a str or a list of fields, found a %s", v.Off(), v.Kind())
}

// clip shortens a text for an error message.
func clip(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

// parseScalar parses a scalar dtype string such as '<f8'.
// where names the field it is the dtype of, for error messages.
func parseScalar(v pylit.Node, where fieldAt) (*DType, error) {
	str := v.Str()
	if d := internedScalar(str); d != nil {
		return d, nil
	}
	d, err := scalarFromStr(str)
	if err != nil {
		return nil, dtypeErrorf("descr offset %d: %sdtype %s: %w", v.Off(), where.prefix(), pylit.Quote(str), err)
	}
	return d, nil
}

// interned holds the dtypes of the common scalar strs ('<f8', '|u1',
// '>i4', ...), so that a struct of thousands of fields shares a few
// scalar dtypes instead of allocating one per field. DTypes are immutable,
// so sharing them is safe.
var interned = sync.OnceValue(func() map[string]*DType {
	m := make(map[string]*DType)
	for _, o := range []string{"<", ">", "|", "=", ""} {
		for _, c := range []string{"b1", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16", "M8", "m8"} {
			d, err := scalarFromStr(o + c)
			if err != nil {
				panic("layout: interning " + o + c + ": " + err.Error())
			}
			m[o+c] = d
		}
	}
	return m
})

// internedScalar returns the shared dtype of the scalar str s, or nil
// when s is not one of the interned ones.
func internedScalar(s string) *DType {
	if len(s) > 4 {
		return nil
	}
	return interned()[s]
}

func scalarFromStr(s string) (*DType, error) {
	order := hostOrder
	if s != "" {
		switch s[0] {
		case '<':
			order, s = Little, s[1:]
		case '>':
			order, s = Big, s[1:]
		case '|', '=':
			s = s[1:]
		}
	}
	if s == "" {
		return nil, errors.New("missing type code")
	}
	code, rest := s[0], s[1:]
	var unit string
	if code == 'M' || code == 'm' {
		if i := strings.IndexByte(rest, '['); i >= 0 {
			if !strings.HasSuffix(rest, "]") {
				return nil, errors.New("expected ']' after the datetime unit")
			}
			var err error
			if unit, err = canonicalUnit(rest[i+1 : len(rest)-1]); err != nil {
				return nil, err
			}
			rest = rest[:i]
		}
	}
	var k Kind
	sizes := ""
	switch code {
	case 'b':
		k, sizes = Bool, "1"
	case 'i':
		k, sizes = Int, "1 2 4 8"
	case 'u':
		k, sizes = Uint, "1 2 4 8"
	case 'f':
		k, sizes = Float, "2 4 8"
	case 'c':
		k, sizes = Complex, "8 16"
	case 'M':
		k, sizes = Datetime, "8"
	case 'm':
		k, sizes = Timedelta, "8"
	case 'S':
		k = Bytes
	case 'V':
		k = Void
	case 'U':
		return nil, errors.New("unicode ('U') dtypes are not supported: NumPy stores them as UTF-32 code points; store bytes ('S<n>', Go [n]byte) instead")
	case 'O':
		return nil, errors.New("object ('O') dtypes hold Python object pointers, not data, and cannot be mapped")
	default:
		return nil, fmt.Errorf("unknown type code %q (supported: b i u f c S V M m)", code)
	}
	size, ok := parseSize(rest)
	if !ok {
		return nil, fmt.Errorf("expected a type code and a decimal size, found %q after %q", rest, code)
	}
	if sizes != "" && !strings.Contains(" "+sizes+" ", " "+strconv.Itoa(size)+" ") {
		if k == Float || k == Complex {
			return nil, fmt.Errorf("%s of %d bytes is not supported (long double or quad precision?); supported sizes: %s", k, size, sizes)
		}
		return nil, fmt.Errorf("%s of %d bytes is not supported; supported sizes: %s", k, size, sizes)
	}
	return newScalar(k, size, order, unit), nil
}

// parseSize parses a non-negative decimal size up to maxSize.
func parseSize(s string) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	var n int64 // 10 digits fit, even where int is 32 bits
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if n > maxSize {
		return 0, false
	}
	return int(n), true
}

// datetimeUnits are the units of NumPy's datetime64 and timedelta64.
var datetimeUnits = []string{"Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"}

// canonicalUnit checks a datetime unit with an optional multiplier ("ns",
// "25s") and returns it as NumPy writes it (no multiplier of 1).
func canonicalUnit(s string) (string, error) {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	mult, unit := s[:i], s[i:]
	if unit == "generic" && mult == "" {
		return "", nil
	}
	known := false
	for _, u := range datetimeUnits {
		known = known || u == unit
	}
	if !known {
		return "", fmt.Errorf("unknown datetime unit %q (known: %s)", s, strings.Join(datetimeUnits, " "))
	}
	if mult == "" {
		return unit, nil
	}
	n, ok := parseSize(mult)
	if !ok || n == 0 {
		return "", fmt.Errorf("bad datetime unit multiplier in %q", s)
	}
	if n == 1 {
		return unit, nil
	}
	return strconv.Itoa(n) + unit, nil
}

// parseStruct parses a list of field tuples.
func parseStruct(v pylit.Node, depth int) (*DType, error) {
	if depth >= maxNesting {
		return nil, dtypeErrorf("descr offset %d: structs nested more than %d deep", v.Off(), maxNesting)
	}
	// Check the form of every item before allocating the fields, so that
	// a long list of junk fails without costing a Field per item.
	n := 0
	for i, item := range v.Items() {
		if item.Kind() != pylit.Tuple || item.Len() < 2 || item.Len() > 3 {
			return nil, dtypeErrorf("descr offset %d: field %d: expected a (name, dtype) or (name, dtype, shape) tuple, found %s", item.Off(), i, describe(item))
		}
		n++
	}
	fields := make([]Field, 0, n) // exactly enough unless there is padding
	var used map[string]struct{}  // names and titles, once there are many
	var nested [][]int            // DType.levels, once a field has a nested subarray
	offset := 0
	for i, item := range v.Items() {
		nv, tv := item.Index(0), item.Index(1)
		var name, title string
		hasTitle := false
		switch {
		case nv.Kind() == pylit.Str:
			name = nv.Str()
		case nv.Kind() == pylit.Tuple && nv.Len() == 2 && nv.Index(0).Kind() == pylit.Str && nv.Index(1).Kind() == pylit.Str:
			title, name, hasTitle = nv.Index(0).Str(), nv.Index(1).Str(), true
		default:
			return nil, dtypeErrorf("descr offset %d: field %d: expected a name (a str) or a (title, name) pair of strs, found %s", nv.Off(), i, describe(nv))
		}
		if !utf8.ValidString(name) || !utf8.ValidString(title) {
			return nil, dtypeErrorf("descr offset %d: field %d: name or title is not valid UTF-8", nv.Off(), i)
		}
		where := fieldAt{i, name}
		t, shape, levels, err := fieldType(tv, depth, where)
		if err != nil {
			return nil, err
		}
		if item.Len() == 3 {
			outer, err := parseShape(item.Index(2), where)
			if err != nil {
				return nil, err
			}
			if n := len(outer) + len(shape); n > MaxSubarrayDims {
				return nil, tooManyDims(item.Index(2).Off(), where, n)
			}
			shape, levels = nest(outer, shape, levels)
		}
		if shapeLen(shape) < 0 {
			return nil, dtypeErrorf("descr offset %d: %ssubarray of shape %v is too large", tv.Off(), where.prefix(), shape)
		}
		size := mulSize(t.size, shapeLen(shape))
		if size < 0 || size > maxSize-offset {
			return nil, dtypeErrorf("descr offset %d: field %d (%s): the struct is larger than %d bytes", item.Off(), i, pylit.Quote(name), maxSize)
		}
		if !hasTitle && name == "" && (t.kind == Void || shape != nil) {
			// Padding, as numpy.lib.format.descr_to_dtype reads it: an
			// unnamed entry whose dtype is void and not a struct, which
			// every subarray dtype is, whatever its element.
			offset += size
			continue
		}
		if hasTitle && title == name || nameUsed(fields, used, name) || hasTitle && nameUsed(fields, used, title) {
			return nil, dtypeErrorf("descr offset %d: field %d: name %s or title already used as a name or title", nv.Off(), i, pylit.Quote(name))
		}
		if levels != nil && nested == nil {
			nested = make([][]int, len(fields), n)
		}
		if nested != nil {
			nested = append(nested, levels)
		}
		fields = append(fields, Field{Name: name, Title: title, HasTitle: hasTitle, Offset: offset, Type: t, Shape: shape})
		if len(fields) == smallStruct {
			used = make(map[string]struct{}, n)
			for _, f := range fields {
				used[f.Name] = struct{}{}
				if f.HasTitle {
					used[f.Title] = struct{}{}
				}
			}
		} else if used != nil {
			used[name] = struct{}{}
			if hasTitle {
				used[title] = struct{}{}
			}
		}
		offset += size
	}
	d := newStruct(offset, fields)
	if nested != nil {
		d.levels = &nested
	}
	return d, nil
}

// fieldType parses the dtype of a field: a scalar str, a list of fields,
// or a (dtype, shape) subarray tuple of any of these, as
// numpy.lib.format.descr_to_dtype reads it. It returns the element dtype,
// the subarray shape flattened, outermost dims first (NumPy's
// dtype.shape), and, when the subarray nests more than one non-empty
// shape, the number of dims of each, outermost first (DType.levels).
// where names the field for error messages.
func fieldType(tv pylit.Node, depth int, where fieldAt) (*DType, []int, []int, error) {
	switch tv.Kind() {
	case pylit.Str:
		t, err := parseScalar(tv, where)
		return t, nil, nil, err
	case pylit.List:
		t, err := parseStruct(tv, depth+1)
		return t, nil, nil, err
	case pylit.Tuple:
		if tv.Len() != 2 {
			break
		}
		t, inner, levels, err := fieldType(tv.Index(0), depth, where)
		if err != nil {
			return nil, nil, nil, err
		}
		outer, err := parseShape(tv.Index(1), where)
		if err != nil {
			return nil, nil, nil, err
		}
		if n := len(outer) + len(inner); n > MaxSubarrayDims {
			return nil, nil, nil, tooManyDims(tv.Off(), where, n)
		}
		shape, levels := nest(outer, inner, levels)
		return t, shape, levels, nil
	}
	return nil, nil, nil, dtypeErrorf("descr offset %d: %sexpected a dtype str, a list of fields or a (dtype, shape) subarray, found %s", tv.Off(), where.prefix(), describe(tv))
}

// fieldAt names a field for error messages; i is -1 at the top level,
// outside any field.
type fieldAt struct {
	i    int
	name string
}

// prefix returns "field 3 ('name'): ", or "" at the top level. It is
// only called on errors, so that naming costs nothing otherwise.
func (a fieldAt) prefix() string {
	if a.i < 0 {
		return ""
	}
	return fmt.Sprintf("field %d (%s): ", a.i, pylit.Quote(a.name))
}

// nest returns the shape and levels of a subarray of shape outer whose
// elements are subarrays of shape inner with these levels. Empty shapes
// vanish, as in NumPy, where (dtype, ()) is dtype.
func nest(outer, inner, levels []int) ([]int, []int) {
	switch {
	case len(outer) == 0:
		return inner, levels
	case len(inner) == 0:
		return outer, nil
	case levels == nil:
		levels = []int{len(inner)}
	}
	return append(outer, inner...), append([]int{len(outer)}, levels...)
}

// tooManyDims is the error for a subarray of n dims, more than NumPy
// allows.
func tooManyDims(off int, where fieldAt, n int) error {
	return dtypeErrorf("descr offset %d: %ssubarray of %d dims: NumPy allows at most %d (MaxSubarrayDims)", off, where.prefix(), n, MaxSubarrayDims)
}

// parseShape parses a subarray shape tuple; () gives nil.
func parseShape(sv pylit.Node, where fieldAt) ([]int, error) {
	if sv.Kind() != pylit.Tuple {
		return nil, dtypeErrorf("descr offset %d: %sexpected a shape tuple, found %s", sv.Off(), where.prefix(), describe(sv))
	}
	if sv.Len() > MaxSubarrayDims {
		return nil, tooManyDims(sv.Off(), where, sv.Len())
	}
	var shape []int
	n := 1
	for _, dv := range sv.Items() {
		if dv.Kind() != pylit.Int || dv.Int() < 0 || dv.Int() > maxSize {
			return nil, dtypeErrorf("descr offset %d: %sexpected a shape dimension from 0 to %d, found %s", dv.Off(), where.prefix(), maxSize, describe(dv))
		}
		if shape == nil {
			shape = make([]int, 0, sv.Len())
		}
		shape = append(shape, int(dv.Int()))
		if n = mulSize(n, int(dv.Int())); n < 0 {
			return nil, dtypeErrorf("descr offset %d: %ssubarray of shape %v is too large", sv.Off(), where.prefix(), shape)
		}
	}
	return shape, nil
}

// smallStruct is the number of fields up to which parseStruct looks for
// a repeated name among the fields rather than in a map (which costs
// hundreds of bytes even for one entry).
const smallStruct = 16

// nameUsed reports whether s is the name or title of one of fields; used
// is nil or holds them all.
func nameUsed(fields []Field, used map[string]struct{}, s string) bool {
	if used != nil {
		_, ok := used[s]
		return ok
	}
	for i := range fields {
		if f := &fields[i]; f.Name == s || f.HasTitle && f.Title == s {
			return true
		}
	}
	return false
}

// mulSize returns a*b, or -1 when it exceeds maxSize; a, b >= 0.
func mulSize(a, b int) int {
	if b != 0 && a > maxSize/b {
		return -1
	}
	return a * b
}

// describe names a literal for an error message.
func describe(v pylit.Node) string {
	switch v.Kind() {
	case pylit.Str:
		return "the str " + pylit.Quote(v.Str())
	case pylit.Int:
		return "the int " + strconv.FormatInt(v.Int(), 10)
	case pylit.Tuple, pylit.List:
		return fmt.Sprintf("a %s of %d items", v.Kind(), v.Len())
	}
	return "a " + v.Kind().String()
}

// Descr returns the dtype as NumPy writes it in the descr of a .npy
// header: Python's repr of numpy.lib.format.dtype_to_descr(dtype). That is
// the quoted Str for a scalar ('<f8') and for a struct the list of its
// fields in offset order with the padding NumPy inserts, for example
//
//	[('x', '<f4'), ('', '|V4'), ('y', '<f8'), ('a', '<i4', (2, 3))]
func (d *DType) Descr() string {
	if d.kind != Struct {
		return "'" + d.Str() + "'"
	}
	var b strings.Builder
	d.appendDescr(&b)
	return b.String()
}

func (d *DType) appendDescr(b *strings.Builder) {
	b.WriteByte('[')
	offset := 0
	first := true
	sep := func() {
		if !first {
			b.WriteString(", ")
		}
		first = false
	}
	pad := func(n int) {
		sep()
		b.WriteString("('', '|V")
		b.WriteString(strconv.Itoa(n))
		b.WriteString("')")
	}
	for i, f := range d.fields {
		if f.Offset > offset {
			pad(f.Offset - offset)
		}
		sep()
		b.WriteByte('(')
		if f.HasTitle {
			b.WriteByte('(')
			b.WriteString(pylit.Quote(f.Title))
			b.WriteString(", ")
			b.WriteString(pylit.Quote(f.Name))
			b.WriteByte(')')
		} else {
			b.WriteString(pylit.Quote(f.Name))
		}
		b.WriteString(", ")
		// A nested subarray is written as NumPy does: the outermost
		// shape is the field's third item, the inner ones wrap the
		// element dtype in (dtype, shape) tuples, innermost first.
		levels := d.fieldLevels(i)
		for range max(len(levels)-1, 0) {
			b.WriteByte('(')
		}
		if f.Type.kind == Struct {
			f.Type.appendDescr(b)
		} else {
			b.WriteString(f.Type.Descr())
		}
		shape := f.Shape
		for k := len(levels) - 1; k >= 1; k-- {
			b.WriteString(", ")
			appendShape(b, shape[len(shape)-levels[k]:])
			b.WriteByte(')')
			shape = shape[:len(shape)-levels[k]]
		}
		if shape != nil {
			b.WriteString(", ")
			appendShape(b, shape)
		}
		b.WriteByte(')')
		offset = max(offset, f.Offset+f.Size())
	}
	if d.size > offset {
		pad(d.size - offset)
	}
	b.WriteByte(']')
}

// appendShape writes a shape as Python's repr of a tuple: "(3,)", "(2, 3)".
func appendShape(b *strings.Builder, shape []int) {
	b.WriteByte('(')
	for i, n := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(n))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
}
