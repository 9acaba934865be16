package array

import (
	"fmt"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/store"
)

// OpenRaw opens the headerless raw file at path (a .dat or .bin file,
// fvecs-style embeddings) as an array of T with the given shape, as
// np.memmap(path, dtype, mode, offset, shape, order) does: the caller
// says what a .npy header would. The data starts opt.Offset bytes into
// the file; opt.FortranOrder and opt.ByteOrder give its order and its
// elements' byte order (the zero value: the host's). Of the other
// options OpenRaw uses Reserve and Access. mode is memmap.ReadOnly
// ("r"), memmap.ReadWrite ("r+": takes the writer lock, a second writer
// gets an error wrapping memmap.ErrLocked) or memmap.CopyOnWrite ("c").
// Opening reads nothing of the file.
//
// A -1 on the growth axis (axis 0 in C order, the last axis in Fortran
// order) stands for as many rows as the file holds after the offset, as
// np.memmap's shape=None does for 1-d arrays: the bytes after the offset
// must then be whole rows, or the error wraps memmap.ErrShape (an offset
// past the end of the file: memmap.ErrRange and io.ErrUnexpectedEOF). A
// -1 on another axis, more than one -1, or another negative dimension
// gives an error wrapping memmap.ErrShape; a negative offset one wrapping
// memmap.ErrRange; a T without a dtype one wrapping layout.ErrType.
//
// A file shorter than the shape gives an error wrapping memmap.ErrShape
// and io.ErrUnexpectedEOF for ReadOnly and CopyOnWrite, which says how
// many bytes the shape needs from the offset and how many the file has.
// ReadWrite extends it with zeros (a real allocation: a full disk is an
// error here), as np.memmap's mode "r+" does. A raw file has no header,
// so none of these errors wraps header.ErrFormat. A Refresh that finds
// the file too short for a fixed length gives an error wrapping
// memmap.ErrTruncated.
//
// A raw file has no header to commit: its size is its length. Everything
// else works as for a .npy file — At, Set, the views (Data refuses a file
// in the other byte order with memmap.ErrByteOrder, and data whose offset
// is not a multiple of T's alignment with ErrAlign; At and Set work on
// both), Take, advice, Append, Grow, Resize, Truncate, Flush — with these
// differences:
//
//   - The length can change only when the array's data ends at the end of
//     the file (a -1, or a shape that covers the whole file after the
//     offset). Bytes after the data belong to someone else: then Append,
//     Grow and Resize give an error wrapping memmap.ErrShape, Refresh
//     keeps the length, and Close leaves the file's size alone.
//   - Flush makes the data durable (msync); there is no length to commit.
//     While a writer is open its file may hold capacity past the length
//     (from appends and Grow): a reader, or NumPy, sees those rows as
//     zeros, since nothing in the file says where the rows end. Close
//     gives the capacity back: the file is then exactly Offset plus the
//     data. Truncate shrinks the file at once.
//   - Refresh reads the file's size: the length becomes the number of
//     whole rows after the offset (a partial last row, still being
//     written, is left out), when the length can change.
func OpenRaw[T any](path string, mode memmap.Mode, shape []int, opt *Options) (*Array[T], error) {
	const op = "open"
	h, o, err := newHeader[T](shape, opt, true)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	so := &store.Options{Reserve: o.Reserve}
	s, err := store.OpenRaw(path, mode, rawDesc(h, shape), so)
	if err != nil {
		return nil, err
	}
	return wrap[T](s, op, o.Access, o.Reserve)
}

// CreateRaw creates (or replaces) the headerless raw file at path for an
// array of T of the given shape, all zeros, and opens it read-write with
// the writer lock, as np.memmap(path, dtype, "w+", offset, shape, order)
// does: the file holds opt.Offset zero bytes, then the data, in the
// order opt.FortranOrder and the byte order opt.ByteOrder say (the
// zero value: the host's). Perm, Capacity, Reserve and Access work as
// for Create. No dimension may be negative (memmap.ErrShape): a new file
// has no length to infer. See OpenRaw for how a raw array grows and
// what Close leaves.
func CreateRaw[T any](path string, shape []int, opt *Options) (*Array[T], error) {
	const op = "create"
	h, o, err := newHeader[T](shape, opt, true)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	if o.Capacity < 0 {
		return nil, pathErr(op, path, fmt.Errorf("%w: negative Options.Capacity %d", memmap.ErrRange, o.Capacity))
	}
	so := &store.Options{Perm: o.Perm, Reserve: o.Reserve, Capacity: int64(o.Capacity)}
	s, err := store.CreateRaw(path, rawDesc(h, shape), so)
	if err != nil {
		return nil, err
	}
	return wrap[T](s, op, o.Access, o.Reserve)
}

// rawDesc is the store's description of the raw file newHeader checked
// for shape (in which -1 still stands for a length to infer).
func rawDesc(h *header.Header, shape []int) store.Desc {
	return store.Desc{DType: h.DType, Shape: shape, FortranOrder: h.FortranOrder, Offset: h.DataOffset}
}
