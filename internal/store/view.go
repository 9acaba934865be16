package store

import (
	"fmt"
	"io"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// # Views of a borrowed map
//
// A container of many arrays (a safetensors file, an .npz archive of
// stored members) is one map holding many arrays' data. View makes a
// store over one of them: the bytes of a map the store does not own,
// described by a Desc, which every format fills from what it says of
// the array (a safetensors entry, a member's .npy header). Its length is
// fixed (there is no header to commit and the bytes after the data are
// the next array's); it takes no lock and makes no second map (the access
// pattern is the map's, and Advise applies to the view's bytes only);
// Flush flushes its bytes for a writable map; Close marks it closed and
// leaves the map alone: the map's owner unmaps it, after which the store
// and its views must not be used.

// Desc describes an array inside a map in no format's terms: the
// neutral descriptor that every format fills for View. DType is in the
// byte order of the data; Shape has no negative dimension (empty for a
// 0-d array); Offset is the offset in the map of the first byte. Package
// array's Desc has the same fields, documented there, and converts to it.
type Desc struct {
	DType        *layout.DType
	Shape        []int
	FortranOrder bool
	Offset       int64
}

// View returns the store over the array d describes in m. name names it
// in errors, as a path does. The data must lie inside m: otherwise the
// error wraps header.ErrFormat and io.ErrUnexpectedEOF, and a negative
// offset memmap.ErrRange.
func View(m *memmap.Map, name string, d Desc) (*Store, error) {
	const op = "open"
	if m == nil || m.Closed() {
		return nil, pathErr(op, name, memmap.ErrClosed)
	}
	if d.DType == nil {
		return nil, pathErr(op, name, fmt.Errorf("%w: no dtype", header.ErrFormat))
	}
	if d.Offset < 0 {
		return nil, pathErr(op, name, fmt.Errorf("%w: negative data offset %d", memmap.ErrRange, d.Offset))
	}
	hh := header.Header{DType: d.DType, FortranOrder: d.FortranOrder, Shape: make([]int64, len(d.Shape)), DataOffset: d.Offset}
	for i, n := range d.Shape {
		if n < 0 {
			return nil, pathErr(op, name, fmt.Errorf("%w: negative dimension in shape %v", memmap.ErrShape, d.Shape))
		}
		hh.Shape[i] = int64(n)
	}
	s := &Store{m: m, path: name, mode: m.Mode(), b: view{}, hdr: hh}
	if err := s.geometry(); err != nil {
		return nil, pathErr(op, name, err)
	}
	end, ok := s.fileSizeFor(s.n)
	if !ok {
		return nil, pathErr(op, name, fmt.Errorf("%w: %d rows of %d bytes at offset %d overflow", memmap.ErrRange, s.n, s.rowSize, s.off))
	}
	if size := int64(m.Len()); size < end {
		return nil, pathErr(op, name, fmt.Errorf("%w: shape %s of %s needs %d bytes from offset %d, the map has %d: %w",
			header.ErrFormat, pyShape(s.hdr.Shape, -1), s.hdr.DType.Descr(), end-s.off, s.off, size, io.ErrUnexpectedEOF))
	}
	s.committed = s.n
	s.capRows = s.n
	s.dirty = s.n
	s.maxRows = s.n
	s.noRoom = errViewLength
	return s, nil
}

// IntShape returns shape as ints, for a Desc: an error wrapping
// memmap.ErrRange when a dimension does not fit an int (a 32-bit system),
// or memmap.ErrShape when one is negative.
func IntShape(shape []int64) ([]int, error) {
	out := make([]int, len(shape))
	for i, d := range shape {
		switch {
		case d < 0:
			return nil, fmt.Errorf("%w: negative dimension in shape %v", memmap.ErrShape, shape)
		case int64(int(d)) != d:
			return nil, fmt.Errorf("%w: dimension %d of shape %v does not fit an int on this system", memmap.ErrRange, d, shape)
		}
		out[i] = int(d)
	}
	return out, nil
}

// errViewLength is why a View cannot change its length; one value for
// all, so that making a view costs no formatting.
var errViewLength = fmt.Errorf("%w: an array in a container of many (a view of a shared map) has a fixed length", memmap.ErrShape)
