package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// statNPY reads the header of the .npy file at path (array.Stat).
// Errors are *fileError values, which print as "PATH: problem".
func statNPY(path string) (*array.Info, error) {
	if err := notDir(path); err != nil {
		return nil, err
	}
	in, err := array.Stat(path)
	if err != nil {
		return nil, &fileError{path, err}
	}
	return in, nil
}

// openAny opens the .npy file at path read-only, whatever its dtype
// (array.OpenAny). Errors are *fileError values.
func openAny(path string) (*array.Any, error) {
	if err := notDir(path); err != nil {
		return nil, err
	}
	a, err := array.OpenAny(path, memmap.ReadOnly, nil)
	if err != nil {
		return nil, &fileError{path, err}
	}
	return a, nil
}

// notDir returns a *fileError for a directory, which the library would
// report less plainly (mmap says "no such device", ENODEV).
func notDir(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &fileError{path, errIsDir}
	}
	return nil
}

// errIsDir is the problem with a directory given as a file: mmap would
// say "no such device" (ENODEV).
var errIsDir = errors.New("is a directory, not a .npy file")

// fileError is an error about one file. It prints as "PATH: problem",
// without repeating the path that an *os.PathError carries, and without
// the "open" or "stat" operation, which says nothing a reader of the
// message needs.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string {
	// The library's sentinels start "memmap: ", which the command's
	// "memmap: " before the path already says.
	msg := func(err error) string { return strings.TrimPrefix(err.Error(), "memmap: ") }
	var pe *os.PathError
	if errors.As(e.err, &pe) && (pe.Path == e.path || pe.Path == "") {
		if pe.Op == "open" || pe.Op == "stat" {
			return e.path + ": " + msg(pe.Err)
		}
		return e.path + ": " + pe.Op + ": " + msg(pe.Err)
	}
	return e.path + ": " + msg(e.err)
}

func (e *fileError) Unwrap() error { return e.err }

// pyTuple returns the shape as Python writes a tuple: "()", "(5,)",
// "(3, 4)".
func pyTuple(shape []int64) string {
	switch len(shape) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.FormatInt(shape[0], 10) + ",)"
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(d, 10))
	}
	b.WriteByte(')')
	return b.String()
}

// pyTupleInt is pyTuple for a subarray shape.
func pyTupleInt(shape []int) string {
	s := make([]int64, len(shape))
	for i, d := range shape {
		s[i] = int64(d)
	}
	return pyTuple(s)
}

// orderName names a byte order for people.
func orderName(o layout.ByteOrder) string {
	switch o {
	case layout.Little:
		return "little-endian"
	case layout.Big:
		return "big-endian"
	case layout.Mixed:
		return "mixed"
	}
	return "not applicable"
}

// goType returns a Go type expression for elements of d: the type d was
// made from when it has one, otherwise one built from the dtype, such as
// float32, [16]byte, layout.Float16 or
//
//	struct { Name [16]byte `npy:"name"`; Score float32 `npy:"score"` }
//
// Gaps between struct fields and the tail padding are written as blank
// [n]byte fields, so that the offsets are the file's on every host where
// the fields' natural alignment allows them (a packed struct, NumPy's
// default without align=True, may have offsets no Go struct can have).
func goType(d *layout.DType) string {
	if t := d.GoType(); t != nil {
		return t.String()
	}
	switch d.Kind() {
	case layout.Bool:
		return "bool"
	case layout.Int:
		return "int" + strconv.Itoa(8*d.Size())
	case layout.Uint:
		return "uint" + strconv.Itoa(8*d.Size())
	case layout.Float:
		if d.Size() == 2 {
			return "layout.Float16"
		}
		return "float" + strconv.Itoa(8*d.Size())
	case layout.Complex:
		return "complex" + strconv.Itoa(8*d.Size())
	case layout.Bytes, layout.Void:
		return "[" + strconv.Itoa(d.Size()) + "]byte"
	case layout.BFloat:
		return "layout.BFloat16"
	case layout.FloatE4M3:
		return "layout.Float8E4M3"
	case layout.FloatE5M2:
		return "layout.Float8E5M2"
	case layout.Datetime:
		return "layout.Datetime64"
	case layout.Timedelta:
		return "layout.Timedelta64"
	case layout.Struct:
		if d.NumField() == 0 {
			return "[" + strconv.Itoa(d.Size()) + "]byte" // all padding: raw bytes
		}
		return goStruct(d)
	}
	return "[" + strconv.Itoa(d.Size()) + "]byte"
}

// goStruct returns the Go struct type expression of a Struct dtype.
func goStruct(d *layout.DType) string {
	var parts []string
	for _, p := range goStructParts(d) {
		if p.pad > 0 {
			parts = append(parts, fmt.Sprintf("_ [%d]byte", p.pad))
			continue
		}
		typ := goType(p.f.Type)
		for k := len(p.f.Shape) - 1; k >= 0; k-- {
			typ = "[" + strconv.Itoa(p.f.Shape[k]) + "]" + typ
		}
		part := p.name + " " + typ
		if p.tag != "" {
			t := p.tag
			if strings.Contains(t, "`") {
				t = strconv.Quote(t)
			} else {
				t = "`" + t + "`"
			}
			part += " " + t
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "struct{}"
	}
	return "struct { " + strings.Join(parts, "; ") + " }"
}

// goPart is one field of the Go struct suggested for a Struct dtype: a
// blank padding field of pad bytes, or the named field f with its Go name
// and its struct tag (without the backquotes; "" for none).
type goPart struct {
	pad  int
	f    layout.Field
	name string
	tag  string
}

// goStructParts returns the fields of the Go struct suggested for the
// Struct d: its named fields, exported, tagged with their NumPy name when
// the Go name differs and with the unit of a datetime64 or timedelta64,
// and gaps between fields and the tail padding as blank [n]byte fields,
// so that the offsets are the file's on every host where the fields'
// natural alignment allows them.
func goStructParts(d *layout.DType) []goPart {
	var parts []goPart
	used := map[string]bool{}
	end := 0
	for i, f := range d.Fields() {
		if f.Offset > end {
			parts = append(parts, goPart{pad: f.Offset - end})
		}
		name := goFieldName(f.Name, i)
		for n := 2; used[name]; n++ {
			name = goFieldName(f.Name, i) + "_" + strconv.Itoa(n)
		}
		used[name] = true
		tag := ""
		if name != f.Name {
			tag = f.Name
		}
		if k := f.Type.Kind(); (k == layout.Datetime || k == layout.Timedelta) && f.Type.Unit() != "" {
			tag += ",unit=" + f.Type.Unit()
		}
		if tag != "" {
			tag = `npy:` + strconv.Quote(tag)
		}
		parts = append(parts, goPart{f: f, name: name, tag: tag})
		end = f.Offset + f.Size()
	}
	if d.Size() > end {
		parts = append(parts, goPart{pad: d.Size() - end})
	}
	return parts
}

// goFieldName returns an exported Go identifier for the NumPy field name
// of field i: the name with its first letter upper-cased and any character
// that cannot be in an identifier replaced by '_'.
func goFieldName(name string, i int) string {
	var b strings.Builder
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case s == "":
		return "F" + strconv.Itoa(i)
	case unicode.IsUpper(r):
		return s
	case unicode.IsLower(r) && unicode.IsUpper(unicode.ToUpper(r)):
		return string(unicode.ToUpper(r)) + s[n:]
	}
	return "F" + s // a digit, '_' or a letter without case
}

// elide returns the indexes to show of n values: all of them up to
// maxShown, otherwise the first and last edgeItems with -1 marking the
// gap, as NumPy summarises long arrays.
func elide(n int) []int {
	const maxShown, edgeItems = 8, 3
	var idx []int
	if n <= maxShown {
		for i := range n {
			idx = append(idx, i)
		}
		return idx
	}
	for i := range edgeItems {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - edgeItems; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}
