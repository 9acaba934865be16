package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// errReported is returned by commands that have already written their
// errors to standard error, one line each: run exits with status 1 and
// prints nothing more.
var errReported = errors.New("errors reported")

// cmdInfo prints what the header of each .npy file says, one block of
// "key value" lines per file, blocks separated by blank lines. A file that
// fails is reported on stderr and the others still print.
func cmdInfo(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: info needs at least one file", errUsage)
	}
	failed := false
	printed := false
	for _, path := range fs.Args() {
		f, err := openNPY(path)
		if err != nil {
			fmt.Fprintf(stderr, "memmap: %v\n", err)
			failed = true
			continue
		}
		if printed {
			fmt.Fprintln(stdout)
		}
		writeInfo(stdout, f)
		printed = true
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "memmap: %v\n", err)
			failed = true
		}
	}
	if failed {
		return errReported
	}
	return nil
}

// writeInfo writes the info block of f.
func writeInfo(w io.Writer, f *npyFile) {
	h, d := f.h, f.h.DType
	kv := func(key, format string, args ...any) {
		fmt.Fprintf(w, "  %-11s %s\n", key, fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, f.path)
	kv("format", "%v", h.Version)
	kv("dtype", "%s", d.Descr())
	kv("go type", "%s", goType(d))
	kv("shape", "%s", pyTuple(h.Shape))
	kv("order", "%s", orderText(h))
	kv("byte order", "%s", orderName(d.Order()))
	kv("header", "%d bytes", h.DataOffset)
	kv("data", "%d bytes (%s)", len(f.data), dataText(h))
	if past := f.size - h.DataOffset - int64(len(f.data)); past > 0 {
		kv("file", "%d bytes (%d bytes of capacity past the data)", f.size, past)
	} else {
		kv("file", "%d bytes (no capacity past the data)", f.size)
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
	}
}

// fieldRows appends the name, descr, offset and Go type of each field of
// the Struct d, at base offset base, nested fields after their struct
// with dotted names.
func fieldRows(rows *[][4]string, prefix string, base int, d *layout.DType) {
	for _, f := range d.Fields() {
		descr := f.Type.Descr()
		typ := goType(f.Type)
		if len(f.Shape) > 0 {
			descr += ", " + pyTupleInt(f.Shape)
			for k := len(f.Shape) - 1; k >= 0; k-- {
				typ = "[" + strconv.Itoa(f.Shape[k]) + "]" + typ
			}
		}
		name := prefix + f.Name
		*rows = append(*rows, [4]string{name, descr, strconv.Itoa(base + f.Offset), typ})
		if f.Type.Kind() == layout.Struct && len(f.Shape) == 0 {
			fieldRows(rows, name+".", base+f.Offset, f.Type)
		}
	}
}

// orderText describes the memory order and the growth axis.
func orderText(h *header.Header) string {
	s := "C (row-major)"
	if h.FortranOrder {
		s = "Fortran (column-major)"
	}
	if ax := h.GrowthAxis(); ax >= 0 {
		return s + ", growth axis " + strconv.Itoa(ax)
	}
	return s + ", no growth axis (0-d)"
}

// dataText describes the data as slices along the growth axis: rows in C
// order, columns (or slices along the last axis) in Fortran order.
func dataText(h *header.Header) string {
	size := int64(h.DType.Size())
	switch len(h.Shape) {
	case 0:
		return "one element of " + plural(size, "byte")
	case 1:
		return plural(h.Shape[0], "element") + " of " + plural(size, "byte")
	}
	ax := h.GrowthAxis()
	// Validate checked that the whole size fits an int64, so this
	// product, a factor of it, does too when the growth dim is non-zero;
	// with a zero growth dim it may not, so stop at the first overflow.
	each := size
	for i, n := range h.Shape {
		if i != ax {
			if n != 0 && each > (1<<63-1)/n {
				each = -1
				break
			}
			each *= n
		}
	}
	what := "row"
	switch {
	case !h.FortranOrder:
	case len(h.Shape) == 2:
		what = "column"
	default:
		what = "slice along axis " + strconv.Itoa(ax)
	}
	if each < 0 {
		return plural(h.Shape[ax], what)
	}
	return plural(h.Shape[ax], what) + " of " + plural(each, "byte")
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
