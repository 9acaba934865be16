package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/table"
)

// errReported is returned by commands that have already written their
// errors to standard error, one line each: run exits with status 1 and
// prints nothing more.
var errReported = errors.New("errors reported")

// cmdInfo prints what the header of each .npy file says, one block of
// "key value" lines per file, blocks separated by blank lines; for a
// container (.npz, safetensors), a line per array it holds; for a lookup
// table (package table), what the table is, then its members. A file that
// fails is reported on stderr and the others still print. Only the
// headers are read (array.Stat): no file is mapped.
func cmdInfo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	if err := parseFlags(fs, args, "info FILE..."); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: info needs at least one file", errUsage)
	}
	failed := false
	printed := false
	for _, path := range fs.Args() {
		write, err := readInfo(path)
		if err != nil {
			fmt.Fprintf(stderr, "memmap: %v\n", err)
			failed = true
			continue
		}
		if printed {
			fmt.Fprintln(stdout)
		}
		write(stdout)
		printed = true
	}
	if failed {
		return errReported
	}
	return nil
}

// readInfo reads what info prints of the file at path (a .npy header, the
// list of a container's arrays, or a lookup table's description) and
// returns the function that prints it, which also closes a container.
func readInfo(path string) (func(io.Writer), error) {
	format, err := detect(path)
	if err != nil {
		return nil, err
	}
	if format != fmtNPY {
		c, err := openContainer(path, format)
		if err != nil {
			return nil, err
		}
		if isTable(c) {
			in, err := table.Stat(path)
			if err != nil {
				c.close()
				return nil, &fileError{path, err}
			}
			return func(w io.Writer) {
				writeTableInfo(w, path, in, c)
				c.close()
			}, nil
		}
		return func(w io.Writer) {
			writeContainerInfo(w, path, c)
			c.close()
		}, nil
	}
	in, err := statNPY(path)
	if err != nil {
		return nil, err
	}
	return func(w io.Writer) { writeInfo(w, in) }, nil
}

// writeInfo writes the info block of a file.
func writeInfo(w io.Writer, in *array.Info) {
	d := in.DType
	kv := func(key, format string, args ...any) {
		fmt.Fprintf(w, "  %-11s %s\n", key, fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, in.Path)
	kv("format", "%v", in.Version)
	kv("dtype", "%s", d.Descr())
	kv("go type", "%s", goType(d))
	kv("shape", "%s", pyTuple(in.Shape))
	kv("order", "%s", orderText(in))
	kv("byte order", "%s", orderName(in.ByteOrder))
	kv("header", "%d bytes", in.DataOffset)
	kv("data", "%d bytes (%s)", in.DataSize, dataText(in))
	if past := in.FileSize - in.DataOffset - in.DataSize; past > 0 {
		kv("file", "%d bytes (%d bytes of capacity past the data)", in.FileSize, past)
	} else {
		kv("file", "%d bytes (no capacity past the data)", in.FileSize)
	}
	if d.Kind() == layout.Struct {
		var rows [][4]string
		fieldRows(&rows, "", 0, d)
		kv("fields", "%d", d.NumField())
		var wName, wDescr, wOff int
		for _, r := range rows {
			wName, wDescr, wOff = max(wName, len(r[0])), max(wDescr, len(r[1])), max(wOff, len(r[2]))
		}
		for _, r := range rows {
			kv("field", "%-*s  %-*s  offset %-*s  %s", wName, r[0], wDescr, r[1], wOff, r[2], r[3])
		}
		if f := unnamed(d, ""); f != "" {
			kv("layout", "field %s has an empty name, which no Go struct field can have: no Go type opens this file; use array.OpenAny", f)
		} else if why := packed(d); why != "" {
			kv("layout", "packed, no Go struct matches: %s", why)
			kv("access", "%s", packedAccess)
		}
	}
}

// packedAccess says how a packed structured dtype opens in Go.
const packedAccess = "record.Open or array.Open with the go type above: Get, Set, At, Append and Take copy field by field; the zero-copy views (Data, Row, Rows, Slice) return errors"

// packed returns why no Go struct can be laid over the elements of the
// Struct dtype d (the offsets of NumPy's default, packed, layout: a field
// that is not where Go would put it, or an item size that is not Go's), or
// "" when the suggested Go type (goType) matches d's layout, or when no Go
// type can be built to compare.
func packed(d *layout.DType) string {
	t, ok := goReflectType(d)
	if !ok {
		return ""
	}
	g, err := layout.TypeOf(t)
	if err != nil {
		return ""
	}
	if err := layout.Compatible(d, g); err != nil {
		return strings.TrimPrefix(err.Error(), "layout: ")
	}
	return ""
}

// unnamed returns the dotted index path of the first field of the Struct
// d, depth first, whose name is empty (NumPy allows it; the npy tag of a
// Go field cannot say it), or "" when there is none.
func unnamed(d *layout.DType, prefix string) string {
	for i, f := range d.Fields() {
		p := prefix + strconv.Itoa(i)
		if f.Name == "" {
			return p
		}
		if f.Type.Kind() == layout.Struct {
			if q := unnamed(f.Type, p+"."); q != "" {
				return q
			}
		}
	}
	return ""
}

// goReflectType builds the Go type that goType writes for d, with the same
// fields, blank padding fields and tags, so that layout can lay it out as
// Go would. ok is false when reflect cannot build it.
func goReflectType(d *layout.DType) (t reflect.Type, ok bool) {
	if d.Kind() == layout.Struct && unnamed(d, "") != "" {
		return nil, false
	}
	defer func() {
		if recover() != nil { // reflect.StructOf panics on what it cannot build
			t, ok = nil, false
		}
	}()
	return goReflect(d), true
}

var (
	float16Type   = reflect.TypeFor[layout.Float16]()
	datetimeType  = reflect.TypeFor[layout.Datetime64]()
	timedeltaType = reflect.TypeFor[layout.Timedelta64]()
	byteType      = reflect.TypeFor[byte]()
)

// goReflect is goReflectType without the recover.
func goReflect(d *layout.DType) reflect.Type {
	switch d.Kind() {
	case layout.Bool:
		return reflect.TypeFor[bool]()
	case layout.Int:
		return [...]reflect.Type{1: reflect.TypeFor[int8](), 2: reflect.TypeFor[int16](), 4: reflect.TypeFor[int32](), 8: reflect.TypeFor[int64]()}[d.Size()]
	case layout.Uint:
		return [...]reflect.Type{1: reflect.TypeFor[uint8](), 2: reflect.TypeFor[uint16](), 4: reflect.TypeFor[uint32](), 8: reflect.TypeFor[uint64]()}[d.Size()]
	case layout.Float:
		return [...]reflect.Type{2: float16Type, 4: reflect.TypeFor[float32](), 8: reflect.TypeFor[float64]()}[d.Size()]
	case layout.Complex:
		return [...]reflect.Type{8: reflect.TypeFor[complex64](), 16: reflect.TypeFor[complex128]()}[d.Size()]
	case layout.Datetime:
		return datetimeType
	case layout.Timedelta:
		return timedeltaType
	case layout.Struct:
		if d.NumField() == 0 {
			return reflect.ArrayOf(d.Size(), byteType) // all padding: raw bytes
		}
		var fields []reflect.StructField
		pad := func(n int) {
			fields = append(fields, reflect.StructField{Name: "_", PkgPath: "main", Type: reflect.ArrayOf(n, byteType)})
		}
		for _, p := range goStructParts(d) {
			if p.pad > 0 {
				pad(p.pad)
				continue
			}
			typ := goReflect(p.f.Type)
			for k := len(p.f.Shape) - 1; k >= 0; k-- {
				typ = reflect.ArrayOf(p.f.Shape[k], typ)
			}
			fields = append(fields, reflect.StructField{Name: p.name, Type: typ, Tag: reflect.StructTag(p.tag)})
		}
		return reflect.StructOf(fields)
	}
	return reflect.ArrayOf(d.Size(), byteType) // Bytes, Void
}

// fieldRows appends the name, descr, offset and Go type of each field of
// the Struct d, at base offset base, nested fields after their struct
// with dotted names.
func fieldRows(rows *[][4]string, prefix string, base int, d *layout.DType) {
	for _, f := range d.Fields() {
		descr := f.Type.Descr()
		if len(f.Shape) > 0 {
			descr += ", " + pyTupleInt(f.Shape)
		}
		var b strings.Builder
		appendArrayPrefix(&b, f.Shape)
		appendGoType(&b, f.Type)
		typ := b.String()
		name := prefix + f.Name
		*rows = append(*rows, [4]string{name, descr, strconv.Itoa(base + f.Offset), typ})
		if f.Type.Kind() == layout.Struct && len(f.Shape) == 0 {
			fieldRows(rows, name+".", base+f.Offset, f.Type)
		}
	}
}

// orderText describes the memory order and the growth axis.
func orderText(in *array.Info) string {
	s := "C (row-major)"
	if in.FortranOrder {
		s = "Fortran (column-major)"
	}
	if ax := in.GrowthAxis; ax >= 0 {
		return s + ", growth axis " + strconv.Itoa(ax)
	}
	return s + ", no growth axis (0-d)"
}

// dataText describes the data as slices along the growth axis: rows in C
// order, columns (or slices along the last axis) in Fortran order.
func dataText(in *array.Info) string {
	size := int64(in.DType.Size())
	switch len(in.Shape) {
	case 0:
		return "one element of " + plural(size, "byte")
	case 1:
		return plural(in.Shape[0], "element") + " of " + plural(size, "byte")
	}
	ax := in.GrowthAxis
	what := "row"
	switch {
	case !in.FortranOrder:
	case len(in.Shape) == 2:
		what = "column"
	default:
		what = "slice along axis " + strconv.Itoa(ax)
	}
	return plural(in.Shape[ax], what) + " of " + plural(in.RowSize, "byte")
}

// plural returns n and the noun, with an s unless n is 1. A noun with
// words after the first ("slice along axis 2") takes the s on its first.
func plural(n int64, noun string) string {
	if n != 1 {
		first, rest, _ := strings.Cut(noun, " ")
		noun = first + "s"
		if rest != "" {
			noun += " " + rest
		}
	}
	return strconv.FormatInt(n, 10) + " " + noun
}
