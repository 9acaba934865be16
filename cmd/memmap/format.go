package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// npyFile is a .npy file mapped read-only, its header parsed and checked
// against the file's size. Only the header's bytes have been read; the data
// is read as it is formatted.
type npyFile struct {
	path string
	m    *memmap.Map
	h    *header.Header
	size int64  // the file's size in bytes
	data []byte // the committed data: DataOffset up to DataOffset+DataSize
}

// openNPY maps the file at path and checks its header. Errors are
// *fileError values, which print as "PATH: problem".
func openNPY(path string) (*npyFile, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		// mmap would say "no such device" (ENODEV) here.
		return nil, &fileError{path, errors.New("is a directory, not a .npy file")}
	}
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		return nil, &fileError{path, err}
	}
	b := m.Bytes()
	var h *header.Header
	err = m.Guard(func() error { // the file may shrink under the map
		var err error
		if h, err = header.Parse(b, nil); err == nil {
			err = h.Validate(int64(len(b)))
		}
		return err
	})
	if err != nil {
		m.Close()
		return nil, &fileError{path, err}
	}
	// Validate checked DataOffset + DataSize <= len(b), so both fit an int.
	size, _ := h.DataSize()
	return &npyFile{
		path: path,
		m:    m,
		h:    h,
		size: int64(len(b)),
		data: b[h.DataOffset : h.DataOffset+size : h.DataOffset+size],
	}, nil
}

// Close unmaps the file.
func (f *npyFile) Close() error {
	if err := f.m.Close(); err != nil {
		return &fileError{f.path, err}
	}
	return nil
}

// fileError is an error about one file. It prints as "PATH: problem",
// without repeating the path that an *os.PathError carries, and without
// the "open" operation, which says nothing a reader of the message needs.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string {
	var pe *os.PathError
	if errors.As(e.err, &pe) && (pe.Path == e.path || pe.Path == "") {
		if pe.Op == "open" {
			return e.path + ": " + pe.Err.Error()
		}
		return e.path + ": " + pe.Op + ": " + pe.Err.Error()
	}
	return e.path + ": " + e.err.Error()
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
	case layout.Datetime:
		return "layout.Datetime64"
	case layout.Timedelta:
		return "layout.Timedelta64"
	case layout.Struct:
		return goStruct(d)
	}
	return "[" + strconv.Itoa(d.Size()) + "]byte"
}

// goStruct returns the Go struct type expression of a Struct dtype.
func goStruct(d *layout.DType) string {
	var parts []string
	used := map[string]bool{}
	end := 0
	for i, f := range d.Fields() {
		if f.Offset > end {
			parts = append(parts, fmt.Sprintf("_ [%d]byte", f.Offset-end))
		}
		name := goFieldName(f.Name, i)
		for n := 2; used[name]; n++ {
			name = goFieldName(f.Name, i) + "_" + strconv.Itoa(n)
		}
		used[name] = true
		typ := goType(f.Type)
		for k := len(f.Shape) - 1; k >= 0; k-- {
			typ = "[" + strconv.Itoa(f.Shape[k]) + "]" + typ
		}
		tag := ""
		if name != f.Name {
			tag = f.Name
		}
		if k := f.Type.Kind(); (k == layout.Datetime || k == layout.Timedelta) && f.Type.Unit() != "" {
			tag += ",unit=" + f.Type.Unit()
		}
		part := name + " " + typ
		if tag != "" {
			t := `npy:` + strconv.Quote(tag)
			if strings.Contains(t, "`") {
				t = strconv.Quote(t)
			} else {
				t = "`" + t + "`"
			}
			part += " " + t
		}
		parts = append(parts, part)
		end = f.Offset + f.Size()
	}
	if d.Size() > end {
		parts = append(parts, fmt.Sprintf("_ [%d]byte", d.Size()-end))
	}
	if len(parts) == 0 {
		return "struct{}"
	}
	return "struct { " + strings.Join(parts, "; ") + " }"
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
func elide(n int64) []int64 {
	const maxShown, edgeItems = 8, 3
	var idx []int64
	if n <= maxShown {
		for i := int64(0); i < n; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	for i := int64(0); i < edgeItems; i++ {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - edgeItems; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

// appendValue appends the element of dtype d at the start of b (which
// holds at least d.Size() bytes), formatted for head: bool true/false,
// integers in decimal, floats in the shortest form that reads back as the
// same value ('g'), complex numbers as (re+imj), 'S' bytes as a quoted Go
// string without the trailing NULs, 'V' bytes quoted whole, datetime64 and
// timedelta64 as the integer count followed by the unit (or NaT), and
// structs as {v1 v2 ...} with subarrays as [...].
//
// Each multi-byte scalar is decoded in its own byte order, so the result
// does not depend on the host's.
func appendValue(dst []byte, b []byte, d *layout.DType) []byte {
	b = b[:d.Size()]
	var bo binary.ByteOrder = binary.LittleEndian
	if d.Order() == layout.Big {
		bo = binary.BigEndian
	}
	switch d.Kind() {
	case layout.Bool:
		return strconv.AppendBool(dst, b[0] != 0)
	case layout.Int:
		return strconv.AppendInt(dst, intAt(b, bo), 10)
	case layout.Uint:
		return strconv.AppendUint(dst, uintAt(b, bo), 10)
	case layout.Float:
		return appendFloat(dst, b, bo)
	case layout.Complex:
		half := len(b) / 2
		dst = append(dst, '(')
		dst = appendFloat(dst, b[:half], bo)
		// The imaginary part always has a sign, as in Python: -0 keeps
		// its '-', and NaN, which 'g' writes without one, takes '+'.
		n := len(dst)
		dst = appendFloat(dst, b[half:], bo)
		if c := dst[n]; c != '-' && c != '+' {
			dst = append(dst[:n+1], dst[n:]...)
			dst[n] = '+'
		}
		return append(dst, 'j', ')')
	case layout.Bytes:
		return strconv.AppendQuote(dst, string(bytes.TrimRight(b, "\x00")))
	case layout.Datetime, layout.Timedelta:
		v := intAt(b, bo)
		if v == layout.NaT {
			return append(dst, "NaT"...)
		}
		dst = strconv.AppendInt(dst, v, 10)
		if u := d.Unit(); u != "" {
			dst = append(append(dst, ' '), u...)
		}
		return dst
	case layout.Struct:
		dst = append(dst, '{')
		for i, f := range d.Fields() {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = appendField(dst, b, f)
		}
		return append(dst, '}')
	}
	return strconv.AppendQuote(dst, string(b)) // Void
}

// appendField appends the value of struct field f of the record b.
func appendField(dst []byte, rec []byte, f layout.Field) []byte {
	return appendSubarray(dst, rec[f.Offset:], f.Type, f.Shape)
}

// appendSubarray appends the subarray of the given shape of d elements at
// the start of b as [..] (nested for several dims, long dims elided), or
// the single element when shape is empty.
func appendSubarray(dst []byte, b []byte, d *layout.DType, shape []int) []byte {
	if len(shape) == 0 {
		return appendValue(dst, b, d)
	}
	stride := d.Size()
	for _, n := range shape[1:] {
		stride *= n
	}
	dst = append(dst, '[')
	for k, i := range elide(int64(shape[0])) {
		if k > 0 {
			dst = append(dst, ' ')
		}
		if i < 0 {
			dst = append(dst, "..."...)
			continue
		}
		dst = appendSubarray(dst, b[int(i)*stride:], d, shape[1:])
	}
	return append(dst, ']')
}

// intAt decodes a signed integer of len(b) bytes (1, 2, 4 or 8).
func intAt(b []byte, bo binary.ByteOrder) int64 {
	switch len(b) {
	case 1:
		return int64(int8(b[0]))
	case 2:
		return int64(int16(bo.Uint16(b)))
	case 4:
		return int64(int32(bo.Uint32(b)))
	}
	return int64(bo.Uint64(b))
}

// uintAt decodes an unsigned integer of len(b) bytes (1, 2, 4 or 8).
func uintAt(b []byte, bo binary.ByteOrder) uint64 {
	switch len(b) {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(bo.Uint16(b))
	case 4:
		return uint64(bo.Uint32(b))
	}
	return bo.Uint64(b)
}

// appendFloat appends the float of len(b) bytes (2, 4 or 8) in the
// shortest decimal form that reads back as the same value at its own
// precision.
func appendFloat(dst []byte, b []byte, bo binary.ByteOrder) []byte {
	switch len(b) {
	case 2:
		return appendFloat16(dst, layout.Float16(bo.Uint16(b)))
	case 4:
		return strconv.AppendFloat(dst, float64(math.Float32frombits(bo.Uint32(b))), 'g', -1, 32)
	}
	return strconv.AppendFloat(dst, math.Float64frombits(bo.Uint64(b)), 'g', -1, 64)
}

// appendFloat16 appends h in the shortest decimal form that rounds back to
// h (strconv has no 16-bit precision; 0.1 would otherwise print as
// 0.099975586, its float32 form).
func appendFloat16(dst []byte, h layout.Float16) []byte {
	f := h.Float64()
	if h.IsNaN() || h.IsInf(0) || f == 0 {
		return strconv.AppendFloat(dst, f, 'g', -1, 32)
	}
	for prec := 1; prec < 17; prec++ {
		s := strconv.FormatFloat(f, 'g', prec, 64)
		if v, err := strconv.ParseFloat(s, 64); err == nil && layout.Float16FromFloat64(v) == h {
			// v's shortest float64 form has these digits (a shorter one
			// would have matched at a lower prec), in the layout 'g'
			// gives float32 and float64 values.
			return strconv.AppendFloat(dst, v, 'g', -1, 64)
		}
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}
