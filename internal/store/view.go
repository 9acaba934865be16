package store

import (
	"fmt"
	"io"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
)

// # Views of a borrowed map
//
// A container of many arrays (a safetensors file, an .npz archive of
// stored members) is one map holding many arrays' data. View makes a
// store over one of them: the bytes of a map the store does not own,
// from h.DataOffset, with h's dtype, order and shape. Its length is
// fixed (there is no header to commit and the bytes after the data are
// the next array's); it takes no lock and makes no second map (the access
// pattern is the map's, and Advise applies to the view's bytes only);
// Flush flushes its bytes for a writable map; Close marks it closed and
// leaves the map alone: the map's owner unmaps it, after which the store
// and its views must not be used.

// View returns the store over the array h describes in m: h.DType,
// h.FortranOrder, h.Shape (no negative dimension) and h.DataOffset, the
// offset of its first byte in m (h.Version is ignored). name names it in
// errors, as a path does. The data must lie inside m: otherwise the error
// wraps header.ErrFormat and io.ErrUnexpectedEOF, and a negative offset
// memmap.ErrRange.
func View(m *memmap.Map, name string, h *header.Header) (*Store, error) {
	const op = "open"
	if m == nil || m.Closed() {
		return nil, pathErr(op, name, memmap.ErrClosed)
	}
	if h == nil || h.DType == nil {
		return nil, pathErr(op, name, fmt.Errorf("%w: nil header", header.ErrFormat))
	}
	if h.DataOffset < 0 {
		return nil, pathErr(op, name, fmt.Errorf("%w: negative data offset %d", memmap.ErrRange, h.DataOffset))
	}
	for _, d := range h.Shape {
		if d < 0 {
			return nil, pathErr(op, name, fmt.Errorf("%w: negative dimension in shape %v", memmap.ErrShape, h.Shape))
		}
	}
	hh := *h
	hh.Shape = append([]int64(nil), h.Shape...)
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

// errViewLength is why a View cannot change its length; one value for
// all, so that making a view costs no formatting.
var errViewLength = fmt.Errorf("%w: an array in a container of many (a view of a shared map) has a fixed length", memmap.ErrShape)
