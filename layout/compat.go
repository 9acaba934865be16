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
	where := ""
	if ipath != "" {
		where = "field " + ipath + " " + strconv.Quote(npath) + ": "
	}
	if f.kind != Struct || g.kind != Struct {
		if !scalarMatch(f, g) {
			return dtypeErrorf("%sfile has %s, Go type has %s", where, f.Descr(), goName(g))
		}
		return nil
	}
	for i := 0; i < max(len(f.fields), len(g.fields)); i++ {
		ip, np := joinPath(ipath, strconv.Itoa(i)), ""
		if i >= len(f.fields) {
			gf := &g.fields[i]
			np = joinPath(npath, gf.Name)
			return dtypeErrorf("field %s %q: the Go type has it (%s), the file has no such field", ip, np, goName(gf.Type))
		}
		ff := &f.fields[i]
		np = joinPath(npath, ff.Name)
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
		if err := compatible(ff.Type, gf.Type, ip, np); err != nil {
			return err
		}
		if ff.Offset != gf.Offset {
			return dtypeErrorf("field %s %q: file has it at offset %d, Go type at offset %d", ip, np, ff.Offset, gf.Offset)
		}
	}
	if f.size != g.size {
		return dtypeErrorf("%sfile has an item size of %d bytes, Go type %s has %d", where, f.size, goName(g), g.size)
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
