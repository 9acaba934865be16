package main

import (
	"errors"
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
	if errors.As(e.err, &pe) {
		// The containers name a member "PATH:NAME": say PATH once.
		member, isMember := strings.CutPrefix(pe.Path, e.path+":")
		if pe.Path == e.path || pe.Path == "" || isMember {
			s := e.path + ": "
			if isMember {
				s += member + ": "
			}
			if pe.Op != "open" && pe.Op != "stat" {
				s += pe.Op + ": "
			}
			return s + msg(pe.Err)
		}
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
	var b strings.Builder
	appendGoType(&b, d)
	return b.String()
}

// appendGoType writes goType(d) to b. Everything is written into the one
// builder, so that the cost is linear in the length of the result: built
// by concatenation, a subarray of n dims cost O(n²) bytes and nested
// structs copied their fields' types once per level (issue 18 item 12).
func appendGoType(b *strings.Builder, d *layout.DType) {
	if t := d.GoType(); t != nil {
		b.WriteString(t.String())
		return
	}
	bytes := func(n int) {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(n))
		b.WriteString("]byte")
	}
	switch d.Kind() {
	case layout.Bool:
		b.WriteString("bool")
	case layout.Int:
		b.WriteString("int" + strconv.Itoa(8*d.Size()))
	case layout.Uint:
		b.WriteString("uint" + strconv.Itoa(8*d.Size()))
	case layout.Float:
		if d.Size() == 2 {
			b.WriteString("layout.Float16")
		} else {
			b.WriteString("float" + strconv.Itoa(8*d.Size()))
		}
	case layout.Complex:
		b.WriteString("complex" + strconv.Itoa(8*d.Size()))
	case layout.BFloat:
		b.WriteString("layout.BFloat16")
	case layout.FloatE4M3:
		b.WriteString("layout.Float8E4M3")
	case layout.FloatE5M2:
		b.WriteString("layout.Float8E5M2")
	case layout.Datetime:
		b.WriteString("layout.Datetime64")
	case layout.Timedelta:
		b.WriteString("layout.Timedelta64")
	case layout.Struct:
		if d.NumField() == 0 {
			bytes(d.Size()) // all padding: raw bytes
			return
		}
		appendGoStruct(b, d)
	default: // Bytes, Void
		bytes(d.Size())
	}
}

// appendArrayPrefix writes the Go array dims of a subarray shape:
// "[2][3]" for (2, 3).
func appendArrayPrefix(b *strings.Builder, shape []int) {
	for _, n := range shape {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(n))
		b.WriteByte(']')
	}
}

// appendGoStruct writes the Go struct type expression of a Struct dtype.
func appendGoStruct(b *strings.Builder, d *layout.DType) {
	parts := goStructParts(d)
	if len(parts) == 0 {
		b.WriteString("struct{}")
		return
	}
	b.WriteString("struct { ")
	for i, p := range parts {
		if i > 0 {
			b.WriteString("; ")
		}
		if p.pad > 0 {
			b.WriteString("_ [")
			b.WriteString(strconv.Itoa(p.pad))
			b.WriteString("]byte")
			continue
		}
		b.WriteString(p.name)
		b.WriteByte(' ')
		appendArrayPrefix(b, p.f.Shape)
		appendGoType(b, p.f.Type)
		if p.tag != "" {
			b.WriteByte(' ')
			if strings.Contains(p.tag, "`") {
				b.WriteString(strconv.Quote(p.tag))
			} else {
				b.WriteByte('`')
				b.WriteString(p.tag)
				b.WriteByte('`')
			}
		}
	}
	b.WriteString(" }")
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
	nf := d.NumField()
	parts := make([]goPart, 0, nf+1) // and more if there are gaps
	// The Go names taken, each with the next suffix to try when another
	// field's name maps to it: counting up from 2 again for each repeat
	// was quadratic in the fields that share a Go name.
	used := make(map[string]int, nf)
	end := 0
	for i := range nf {
		f := d.Field(i)
		if f.Offset > end {
			parts = append(parts, goPart{pad: f.Offset - end})
		}
		base := goFieldName(f.Name, i)
		name := base
		if next, dup := used[base]; dup {
			for ; ; next++ {
				name = base + "_" + strconv.Itoa(next)
				if _, taken := used[name]; !taken {
					break
				}
			}
			used[base] = next + 1
		}
		used[name] = 2
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
