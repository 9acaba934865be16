package array

import (
	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// View returns the array of T that d describes inside m, a map the array
// does not own: d.DType (which must match T, as for Open: laid over the
// bytes, swapped or converted), d.Shape, d.FortranOrder and d.Offset, the
// offset in m of the first element. It is how the members of a container
// of many arrays (a safetensors file, an .npz archive) become arrays
// sharing one map, without copies; name names the array in errors, as a
// path does (such as "model.safetensors:wte").
//
// A view has a fixed length (Append, Grow, Resize, Truncate give an error
// wrapping memmap.ErrShape) and the map's mode: Set returns an error
// wrapping memmap.ErrReadOnly on a ReadOnly map, as on a ReadOnly array. It takes no lock and makes no second map:
// it reads with the advice of m, and its Advise applies to its own bytes.
// Its Close marks it closed and leaves m mapped. Once m's owner closes m,
// every method of the view that returns an error (Get, CopyTo, CopyFrom,
// Take, Data, Row, Rows, Slice, Flush, ...) returns one wrapping
// memmap.ErrClosed, and a loop over All panics as At does; At, Set and
// their kin, and the []T views taken before, must not be used: they
// fault, as any use of an unmapped map does.
//
// Data that does not lie inside m gives an error wrapping header.ErrFormat
// and io.ErrUnexpectedEOF; a negative offset one wrapping memmap.ErrRange,
// a negative dimension one wrapping memmap.ErrShape; data at an offset not
// aligned for T opens, with the zero-copy views returning ErrAlign (At,
// Set and CopyTo copy).
func View[T any](m *memmap.Map, name string, d Desc) (*Array[T], error) {
	if _, err := elemDType[T](); err != nil {
		return nil, pathErr("open", name, err)
	}
	s, err := store.View(m, name, store.Desc(d))
	if err != nil {
		return nil, err
	}
	return wrap[T](s, "open", memmap.AccessAuto, 0)
}

// ViewAny is View without T: the untyped array of any dtype d describes
// inside m, as OpenAny opens a file.
func ViewAny(m *memmap.Map, name string, d Desc) (*Any, error) {
	s, err := store.View(m, name, store.Desc(d))
	if err != nil {
		return nil, err
	}
	return newAny(s, "open")
}

// Desc describes an array inside a map that View lays over it, in no
// file format's terms: every container of many arrays fills one from
// what it says of an array (package safetensors from a tensor's entry in
// its JSON header, package npz from a member's .npy header).
type Desc struct {
	// DType is the element type, in the byte order of the data (a .npy
	// descr through layout.ParseDescr, or layout.Of a Go type for data
	// in the host's order).
	DType *layout.DType

	// Shape is the array's shape: empty for a 0-d array; no dimension
	// may be negative.
	Shape []int

	// FortranOrder reports column-major data (the last axis is the
	// growth axis); false is C order.
	FortranOrder bool

	// Offset is the offset in the map of the array's first byte.
	Offset int64
}
