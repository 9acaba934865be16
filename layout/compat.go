package layout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Compatible reports whether a Go value whose dtype is goType (from Of or
// TypeOf) can be laid over the bytes of elements of the file dtype file: it
// returns nil when both have the same kinds and sizes of scalars, the same
// item size, and for structs the same named fields in the same order, with
// the same names, offsets and subarray shapes, recursively.
//
// Byte order is not compared: check file.InHostOrder (or Order)
// separately, and swap with SwapBytes when it differs. Titles are not
// compared either (they are aliases). Field names are: they are data in
// NumPy, so a renamed field is a mismatch (rename the Go field with an
// `npy:"name"` tag). A Go Datetime64 or Timedelta64 with the generic unit
// matches any unit; with a unit, units must be equal. A Go [N]byte ('S<N>')
// matches a file's raw 'V<N>' as well as 'S<N>', and a struct of N bytes
// without named fields (NumPy's np.dtype({"names": [], "formats": [],
// "itemsize": N}), a descr of one padding entry).
//
// Otherwise the error matches ErrDType and names the first difference and
// both types, for example
//
//	layout: field 2 "score": file has '<f8', Go type has float32 ('<f4')
func Compatible(file, goType *DType) error {
	if file == nil || goType == nil {
		return dtypeErrorf("Compatible: nil dtype")
	}
	return compatible(file, goType, "", "")
}

// compatible compares f and g found at the field index path ipath and
// name path npath ("" at the top).
func compatible(f, g *DType, ipath, npath string) error {
	err := matchFields(f, g, ipath, npath, func(ff, gf *Field, ip, np string) error {
		if err := compatible(ff.Type, gf.Type, ip, np); err != nil {
			return err
		}
		if ff.Offset != gf.Offset {
			return dtypeErrorf("field %s %q: file has it at offset %d, Go type at offset %d", ip, np, ff.Offset, gf.Offset)
		}
		return nil
	})
	if err != nil || f.kind != Struct || g.kind != Struct {
		return err
	}
	if f.size != g.size {
		return dtypeErrorf("%sfile has an item size of %d bytes, Go type %s has %d", where(ipath, npath), f.size, goName(g), g.size)
	}
	return nil
}

// where names the field at the index path ipath and name path npath for
// messages: "" at the top.
func where(ipath, npath string) string {
	if ipath == "" {
		return ""
	}
	return "field " + ipath + " " + strconv.Quote(npath) + ": "
}

// matchFields checks what Compatible and NewConverter both require of f
// and g, found at the field index path ipath and name path npath: unless
// both are structs, that they are scalars of one kind and size
// (scalarMatch); if both are, that their fields match in number, order,
// names and subarray shapes, calling visit on each pair of fields with
// its paths. It returns the first error, which matches ErrDType.
func matchFields(f, g *DType, ipath, npath string, visit func(ff, gf *Field, ip, np string) error) error {
	if f.kind != Struct || g.kind != Struct {
		if !scalarMatch(f, g) {
			return dtypeErrorf("%sfile has %s, Go type has %s", where(ipath, npath), f.Descr(), goName(g))
		}
		return nil
	}
	for i := 0; i < max(len(f.fields), len(g.fields)); i++ {
		ip := joinPath(ipath, strconv.Itoa(i))
		if i >= len(f.fields) {
			gf := &g.fields[i]
			return dtypeErrorf("field %s %q: the Go type has it (%s), the file has no such field", ip, joinPath(npath, gf.Name), goName(gf.Type))
		}
		ff := &f.fields[i]
		np := joinPath(npath, ff.Name)
		if i >= len(g.fields) {
			return dtypeErrorf("field %s %q: the file has it (%s), the Go type has no such field", ip, np, ff.Type.Descr())
		}
		gf := &g.fields[i]
		if ff.Name != gf.Name {
			return dtypeErrorf("field %s: file has name %q, Go type has %q (rename the Go field with an `npy:%q` tag)", ip, np, joinPath(npath, gf.Name), ff.Name)
		}
		if !slices.Equal(ff.Shape, gf.Shape) {
			return dtypeErrorf("field %s %q: file has subarray shape %s, Go type has %s", ip, np, shapeString(ff.Shape), shapeString(gf.Shape))
		}
		if err := visit(ff, gf, ip, np); err != nil {
			return err
		}
	}
	return nil
}

// scalarMatch reports whether a Go scalar g can be laid over a file scalar
// f, ignoring byte order.
func scalarMatch(f, g *DType) bool {
	if f.size != g.size {
		return false
	}
	switch {
	case f.kind == g.kind:
	case f.kind == Void && g.kind == Bytes:
	case f.kind == Struct && len(f.fields) == 0 && g.kind == Bytes: // all padding: raw bytes
	default:
		return false
	}
	if f.kind == Datetime || f.kind == Timedelta {
		return g.unit == "" || g.unit == f.unit
	}
	return true
}

// goName names a dtype made from a Go type: "float32 ('<f4')", or just its
// descr when it was not made from a Go type.
func goName(d *DType) string {
	if d.gotype == nil {
		return d.Descr()
	}
	if d.kind == Struct {
		return d.gotype.String()
	}
	return fmt.Sprintf("%s (%s)", d.gotype, d.Descr())
}

func joinPath(p, s string) string {
	if p == "" {
		return s
	}
	return p + "." + s
}

// shapeString writes a shape as Python does: "(3,)", "(2, 3)", "()" for a
// plain field.
func shapeString(shape []int) string {
	var b strings.Builder
	appendShape(&b, shape) // linear in the dims, where += was quadratic
	return b.String()
}
