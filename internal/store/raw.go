package store

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// # Headerless raw files
//
// A raw file (np.memmap(path, dtype, mode, offset, shape, order): .dat and
// .bin files, fvecs-style embeddings) has no header: the caller says what
// a header would, and the store keeps it in s.hdr so that the rest of the
// store works unchanged, with s.off the caller's offset and s.raw empty.
// There is nothing to commit, so the file's size is the length; its
// backing, rawFile (backing.go), does:
//
//   - commit (Flush, Close, Truncate): commitRaw, which only shrinks the
//     file when the length went below what was committed;
//   - refresh: refreshRaw, which reads the file's size;
//   - checkFile: checkSize, which compares no header.
//
// A raw array owns the file's tail — it can change its length, and a
// reader's Refresh follows the file's size — unless the file holds bytes
// after the array's data at open (a shape shorter than the file): those
// bytes are not the array's, so the length is fixed (rawFile.fixed, and
// noRoom for writers), and a writer's map covers only up to the end of
// the data, so that nothing (Close's shrink) ever cuts them off.

// OpenRaw opens the headerless file at path as the array d describes:
// d.DType, d.FortranOrder, d.Shape, and d.Offset, the bytes before the
// first element. A -1 on the growth axis of d.Shape means as many rows as the file holds after the offset, which
// must be whole rows (an error wrapping memmap.ErrShape otherwise, and
// one wrapping memmap.ErrRange and io.ErrUnexpectedEOF for an offset past
// the end of the file); a -1 anywhere else, more than one, or another
// negative dimension gives an error wrapping memmap.ErrShape, and a
// negative offset one wrapping memmap.ErrRange.
//
// A file too short for the shape gives an error wrapping memmap.ErrShape
// and io.ErrUnexpectedEOF for ReadOnly and CopyOnWrite; ReadWrite
// extends it with zeros (a real allocation), as np.memmap's mode "r+"
// does. A raw file has no header: none of these errors is
// header.ErrFormat. Opening reads nothing of the file.
func OpenRaw(path string, mode memmap.Mode, d Desc, opt *Options) (_ *Store, err error) {
	const op = "open"
	hh, infer, err := rawHeader(d, true)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	o := options(opt)
	m, size, err := openLocked(path, mode, o)
	if err != nil {
		return nil, err
	}
	defer closeOnErr(m, &err)
	s := &Store{m: m, path: path, mode: mode, b: rawFile{}, hdr: hh}
	if err := s.geometry(); err != nil { // the inferred dim is 0 for now
		return nil, pathErr(op, path, err)
	}
	if infer {
		if err := s.inferRows(size); err != nil {
			return nil, pathErr(op, path, err)
		}
	}
	end, ok := s.fileSizeFor(s.n)
	if !ok {
		return nil, pathErr(op, path, fmt.Errorf("%w: %d rows of %d bytes at offset %d overflow a file", memmap.ErrRange, s.n, s.rowSize, s.off))
	}
	switch {
	case size < end && mode == memmap.ReadWrite:
		// np.memmap "r+" writes a zero byte at the end; a real
		// allocation makes a full disk an error here, not SIGBUS later.
		if err := m.Resize(end); err != nil {
			return nil, err
		}
	case size < end:
		return nil, pathErr(op, path, s.shortErr(end, size, memmap.ErrShape, "has"))
	case size > end:
		s.b = rawFile{fixed: true}
		if mode == memmap.ReadWrite {
			// Map only up to the end of the data, so that no shrink
			// (Close gives capacity back) reaches the bytes after it.
			if err := m.Remap(end); err != nil {
				return nil, err
			}
		}
	}
	s.committed = s.n
	s.capRows = s.rowsIn(int64(m.Len()))
	s.dirty = s.capRows
	s.rawRoom(size - end)
	return s, nil
}

// CreateRaw creates the headerless file at path for the array d describes
// (as in OpenRaw; no dimension may be -1), all zeros, the d.Offset bytes
// before the data too, and opens it read-write with the writer
// lock, as np.memmap's mode "w+" does. An existing file is replaced as
// Create replaces it. opt.Capacity rows are preallocated: until Close
// gives them back they are part of the file, zero rows for any reader.
func CreateRaw(path string, d Desc, opt *Options) (*Store, error) {
	const op = "create"
	hh, _, err := rawHeader(d, false)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	o := options(opt)
	s := &Store{path: path, mode: memmap.ReadWrite, b: rawFile{}, hdr: hh}
	size, err := s.newSize(o.Capacity)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	s.m, err = memmap.Create(path, size, &memmap.Options{Perm: o.Perm, Reserve: o.Reserve, Lock: true})
	if err != nil {
		return nil, err
	}
	s.committed = s.n
	s.capRows = s.rowsIn(int64(s.m.Len()))
	s.dirty = 0
	s.rawRoom(0)
	return s, nil
}

// rawHeader checks the caller's description of a raw file and returns
// it as the store keeps it. It reports whether the growth axis is -1
// (allowed when infer is true), and sets that dim to 0 in the result, for
// geometry to take.
func rawHeader(d Desc, infer bool) (header.Header, bool, error) {
	hh := header.Header{DType: d.DType, FortranOrder: d.FortranOrder, Shape: make([]int64, len(d.Shape)), DataOffset: d.Offset}
	for i, n := range d.Shape {
		hh.Shape[i] = int64(n)
	}
	if hh.DType == nil || hh.DType.Size() == 0 {
		return hh, false, fmt.Errorf("%w: a raw file needs a dtype of at least one byte", layout.ErrType)
	}
	if hh.DataOffset < 0 {
		return hh, false, fmt.Errorf("%w: negative offset %d", memmap.ErrRange, hh.DataOffset)
	}
	if len(hh.Shape) > header.MaxDims {
		return hh, false, fmt.Errorf("%w: shape of %d dims, at most %d", memmap.ErrShape, len(hh.Shape), header.MaxDims)
	}
	ax := hh.GrowthAxis()
	inferred := false
	for i, n := range hh.Shape {
		switch {
		case n >= 0:
		case n == -1 && i == ax && infer:
			inferred = true
			hh.Shape[i] = 0
		case n == -1 && i == ax:
			return hh, false, fmt.Errorf("%w: shape %v: a new file's length cannot be inferred (-1)", memmap.ErrShape, d.Shape)
		case n == -1:
			return hh, false, fmt.Errorf("%w: shape %v: only the growth axis (%d) may be -1", memmap.ErrShape, d.Shape, ax)
		default:
			return hh, false, fmt.Errorf("%w: negative dimension in shape %v", memmap.ErrShape, d.Shape)
		}
	}
	return hh, inferred, nil
}

// inferRows sets the length to the whole rows the size-byte file holds
// after the data offset, which must be all it holds.
func (s *Store) inferRows(size int64) error {
	if s.rowSize == 0 {
		return fmt.Errorf("%w: shape %v: rows of 0 bytes cannot be counted (-1)", memmap.ErrShape, s.hdr.Shape)
	}
	if size < s.off {
		return rawErr([]error{memmap.ErrRange, io.ErrUnexpectedEOF}, "raw file: offset %d is past the end of the file, which has %d bytes", s.off, size)
	}
	n, rem := (size-s.off)/s.rowSize, (size-s.off)%s.rowSize
	if rem != 0 {
		return rawErr([]error{memmap.ErrShape}, "raw file: the %d bytes after offset %d are not whole rows of %d bytes (%d left over) for shape %s of %s",
			size-s.off, s.off, s.rowSize, rem, pyShape(s.hdr.Shape, s.axis), s.hdr.DType.Descr())
	}
	s.hdr.Shape[s.axis] = n
	return s.geometry()
}

// rawRoom sets noRoom for a raw store whose length cannot change: a 0-d
// array, or one with extra bytes after its data.
func (s *Store) rawRoom(extra int64) {
	// No header bounds the length of a raw file: only what a file can
	// address (room.go's maxRows is for headers with little spare room).
	s.maxRows = math.MaxInt64
	if s.rowSize > 0 {
		s.maxRows = (math.MaxInt64 - s.off) / s.rowSize
	}
	switch {
	case s.axis < 0:
		s.noRoom = fmt.Errorf("%w: a 0-d array cannot grow", memmap.ErrShape)
	case extra > 0: // rawFile.fixed
		s.noRoom = fmt.Errorf("%w: the file holds %d bytes after the array's data, which are not the array's (open with -1 on the growth axis, or the whole file's shape, to change the length)", memmap.ErrShape, extra)
	}
}

// commitRaw is commitHeader for a raw file: the file's size is the
// length, so there is nothing to write, except that a length below the
// committed one shrinks the file at once (a writer's capacity is given
// back only by Close), so that readers never see rows that were cut off.
func (s *Store) commitRaw() error {
	if err := s.checkFile("commit"); err != nil {
		return err
	}
	if s.n < s.committed {
		size, _ := s.fileSizeFor(s.n) // below the committed length: fits
		if size < int64(s.m.Len()) {
			if err := s.m.Resize(size); err != nil {
				return err
			}
			s.capRows = s.rowsIn(size)
			if err := s.viewsChanged(); err != nil {
				return err
			}
		}
	}
	s.committed = s.n
	return nil
}

// refreshRaw is Refresh for a raw file: the length becomes the whole rows
// the file holds after the data offset (a partial last row, which a
// writer is still writing, is left out), unless the length is fixed
// (rawFile.fixed, 0-d): then it only checks that the file still holds
// the rows.
func (s *Store) refreshRaw(fixed bool) error {
	if err := s.followable(); err != nil {
		return err
	}
	size, err := s.m.Size()
	if err != nil {
		return err
	}
	if fixed || s.axis < 0 {
		if end, _ := s.fileSizeFor(s.n); size < end {
			return s.err("refresh", s.shortErr(end, size, memmap.ErrTruncated, "now has"))
		}
		return nil
	}
	if size < s.off {
		return s.err("refresh", rawErr([]error{memmap.ErrTruncated, io.ErrUnexpectedEOF}, "raw file: offset %d is past the end of the file, which now has %d bytes", s.off, size))
	}
	n := s.rowsIn(size)
	if s.rowSize == 0 {
		n = s.n // rows of 0 bytes: the size says nothing
	}
	return s.follow(n, size) // refresh.go
}

// shortErr reports a size-byte raw file too short for the array, which
// ends at byte end: it matches sentinel (memmap.ErrShape at open,
// memmap.ErrTruncated when the file shrank) and io.ErrUnexpectedEOF.
// has is the verb of the file's size ("has", "now has").
func (s *Store) shortErr(end, size int64, sentinel error, has string) error {
	return rawErr([]error{sentinel, io.ErrUnexpectedEOF}, "raw file: shape %s of %s needs %d bytes from offset %d, the file %s %d",
		pyShape(s.hdr.Shape, -1), s.hdr.DType.Descr(), end-s.off, s.off, has, size)
}

// rawError is an error about a raw file's size or offset. A raw file has
// no header, so its errors do not say "malformed .npy header"
// (header.ErrFormat) as a .npy file's do: the message is its own, and the
// sentinels it matches (errors.Is) are not repeated in it.
type rawError struct {
	msg  string
	errs []error
}

func (e *rawError) Error() string   { return e.msg }
func (e *rawError) Unwrap() []error { return e.errs }

func rawErr(sentinels []error, format string, args ...any) error {
	return &rawError{msg: fmt.Sprintf(format, args...), errs: sentinels}
}

// pyShape writes shape as Python does, "(6, 3)", "(5,)", "()", with -1
// for the dimension at axis (one to infer; -1 for none).
func pyShape(shape []int64, axis int) string {
	b := []byte{'('}
	for i, d := range shape {
		if i > 0 {
			b = append(b, ", "...)
		}
		if i == axis {
			d = -1
		}
		b = strconv.AppendInt(b, d, 10)
	}
	if len(shape) == 1 {
		b = append(b, ',')
	}
	return string(append(b, ')'))
}
