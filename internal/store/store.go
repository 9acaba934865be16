// Package store is the engine under the array and record packages: a .npy
// file (or anonymous memory) opened as a header plus a data region on a
// memmap.Map, with rows along the growth axis that can be appended,
// committed, refreshed and truncated.
//
// # Rows
//
// A row is one index along the growth axis: axis 0 for C order, the last
// axis for Fortran order. In both orders a row is a contiguous run of
// RowSize bytes, and row i starts at byte i*RowSize of the data region, so
// growing the array appends bytes to the file. A 0-d array has one row of
// one item and cannot grow.
//
// # Length, commit and capacity
//
// The header's shape is the committed length: what NumPy and other readers
// see. A writer's length (Len) may run ahead of it after appends; Flush (or
// Commit, or Close) makes the rows durable and then commits the length, in
// this order: the data range is flushed (msync), the header's shape is
// rewritten in place, the header page is flushed. A crash at any point
// leaves a file that opens with the old or the new length, and never shows
// a row that was not completely written.
//
// The file may hold more rows than the length: capacity, preallocated with
// a real allocation as the store grows (geometrically: capacity doubles,
// by at most MaxStep bytes a step). Capacity rows are invisible to NumPy;
// rows past the length always read as zero when the length grows over
// them. A writer's clean Close shrinks the file to the committed length,
// so a closed file is exactly what np.save would have written (NumPy
// ignores trailing bytes, but other tools and disk usage do not). On
// Windows, which cannot shrink a file that a reader still maps, the file
// keeps its capacity then.
//
// # Small appends
//
// A writer of a file on Linux gathers small appends in a buffer and writes
// it to the file with one pwrite when it is full (combine.go): the length
// counts the buffered rows at once, and every read of rows and every
// commit writes them out first.
//
// # Headers without room to grow
//
// The length is committed by rewriting the shape in place, in the spaces
// that pad the header. Create (like NumPy >= 1.23) leaves room for any
// length; files from NumPy < 1.23 (headers padded to 16 bytes) or with long
// structured descrs may hold only a few more digits. A writer of such a
// file grows up to the longest length whose shape fits; an Append,
// AppendRows or SetLen past it fails at once with an error wrapping
// header.ErrNoRoom that names the shape it would need, and changes
// nothing. The commit checks again: a shape that does not fit fails with
// the same error, the rows stay in the writer and the header keeps the
// old length. Rewrite (with the writer closed) copies the file into one
// whose header has room for any length (see room.go and rewrite.go).
//
// # Views
//
// Data and the views built on it stay valid until Close, across any number
// of grows: the map keeps earlier mappings alive (see memmap.Map.Resize).
//
// # Locking and readers
//
// A writable Open and every Create take an exclusive OS lock on the file
// (memmap.Options.Lock); a second writer, in this process or another, gets
// an error wrapping memmap.ErrLocked. Readers (ReadOnly and CopyOnWrite)
// take no lock. A ReadOnly reader in another process calls Refresh to see
// the length a writer committed.
//
// A Store is not safe for concurrent use by several goroutines while one
// of them changes it.
package store

import (
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/sys"
	"github.com/gomemmap/memmap/layout"
)

// MaxStep bounds one step of geometric growth, in bytes: capacity doubles
// until a doubling would add more than MaxStep, then grows by MaxStep (or
// by what the growth needs, if more).
// It is 1 GiB on 64-bit systems and 16 MiB on 32-bit ones, where address
// space is scarce.
const MaxStep = 16<<20 + (1<<30-16<<20)*(strconv.IntSize/64)

// minStep is the least growth of capacity, in bytes, so that appending
// single small rows does not grow the file a row at a time.
const minStep = 64 << 10

// Options tunes Create, New and Open. A nil *Options means the defaults.
type Options struct {
	// Perm is the permission of a file Create makes. Default 0o644.
	Perm os.FileMode

	// Reserve is the address space to reserve for growth, as in
	// memmap.Options.Reserve. 0 picks memmap's default.
	Reserve int64

	// Capacity is the number of rows Create and New preallocate, counting
	// the shape's own rows. Fewer than the shape's rows means none extra.
	Capacity int64

	// MaxHeaderLen bounds the header length Open accepts (see
	// header.Options). 0 means header.DefaultMaxHeaderLen.
	MaxHeaderLen int
}

// Store is an open .npy file or anonymous array: a header and rows of data
// on a memmap.Map.
type Store struct {
	m      *memmap.Map
	path   string
	mode   memmap.Mode
	b      backing // what the kind of store does differently (backing.go)
	closed bool

	hdr     header.Header // Shape is the in-memory shape (axis length n)
	raw     []byte        // writers: the header bytes as committed in the file
	axis    int           // growth axis, -1 for 0-d
	rowSize int64         // bytes per row
	off     int64         // data offset

	n         int64 // rows now (a writer's may run ahead of committed)
	committed int64 // rows in the header in the file
	capRows   int64 // rows the map covers
	dirty     int64 // rows in [n, dirty) may hold stale bytes; rows ≥ dirty are zero
	noRoom    error // non-nil when the length cannot change at all (0-d)
	maxRows   int64 // writers: the longest length whose shape fits the header (room.go)
	grows     int   // capacity growths so far
	stepCap   int64 // when > 0, the most bytes a growth step adds (after a step failed)

	acc accessState // advice and the scan view (access.go)
	wc  combine     // the buffer of small appends (combine.go)
}

func options(opt *Options) Options {
	if opt == nil {
		return Options{}
	}
	return *opt
}

// geometry sets axis, rowSize, off and n from hdr, checking that the data
// offset and one row are addressable.
func (s *Store) geometry() error {
	h := &s.hdr
	s.off = h.DataOffset
	s.axis = h.GrowthAxis()
	if _, err := h.DataSize(); err != nil {
		return err
	}
	row := int64(h.DType.Size())
	for i, d := range h.Shape {
		if i == s.axis {
			continue
		}
		if d != 0 && row > math.MaxInt64/d {
			return fmt.Errorf("%w: row of shape %v overflows", header.ErrTooLarge, h.Shape)
		}
		row *= d
	}
	s.rowSize = row
	s.n = 1
	if s.axis >= 0 {
		s.n = h.Shape[s.axis]
	}
	return nil
}

// rowsIn returns the rows that a map of size bytes holds past the header.
func (s *Store) rowsIn(size int64) int64 {
	if s.axis < 0 {
		return 1
	}
	if s.rowSize == 0 {
		return math.MaxInt64
	}
	return max(size-s.off, 0) / s.rowSize
}

// fileSizeFor returns the bytes the file needs for rows rows.
func (s *Store) fileSizeFor(rows int64) (int64, bool) {
	if rows < 0 || (s.rowSize != 0 && rows > (math.MaxInt64-s.off)/s.rowSize) {
		return 0, false
	}
	return s.off + rows*s.rowSize, true
}

func pathErr(op, path string, err error) error {
	return &os.PathError{Op: op, Path: path, Err: err}
}

func (s *Store) err(op string, err error) error { return pathErr(op, s.path, err) }

// checkOpen returns ErrClosed after Close.
func (s *Store) checkOpen(op string) error {
	if s.Closed() {
		return s.err(op, memmap.ErrClosed)
	}
	return nil
}

// checkGrowable returns the error of a length change in s's mode.
func (s *Store) checkGrowable(op string) error {
	if err := s.checkOpen(op); err != nil {
		return err
	}
	if s.mode != memmap.ReadWrite {
		return s.err(op, fmt.Errorf("%w: a %s array cannot change its length", memmap.ErrReadOnly, s.mode.Name()))
	}
	if s.noRoom != nil {
		return s.err(op, fmt.Errorf("cannot change the length: %w", s.noRoom))
	}
	return nil
}

// Path returns the file's path ("anonymous" for New).
func (s *Store) Path() string { return s.path }

// Closed reports whether Close has been called, on the store or on its
// map (for a View, the map's owner closes the map). It is two loads, no
// call: Get checks it on every element.
func (s *Store) Closed() bool { return s.closed || s.m.Closed() }

// Mode returns the mode the store was opened in.
func (s *Store) Mode() memmap.Mode { return s.mode }

// DType returns the file's dtype, in the file's byte order.
func (s *Store) DType() *layout.DType { return s.hdr.DType }

// FortranOrder reports column-major data.
func (s *Store) FortranOrder() bool { return s.hdr.FortranOrder }

// Version returns the file's format version.
func (s *Store) Version() header.Version { return s.hdr.Version }

// Axis returns the growth axis: 0 for C order, the last axis for Fortran
// order, -1 for a 0-d array.
func (s *Store) Axis() int { return s.axis }

// Shape returns the current shape (a writer's may be ahead of the
// committed one); the caller may keep and change it.
func (s *Store) Shape() []int64 {
	sh := append([]int64(nil), s.hdr.Shape...)
	if s.axis >= 0 {
		sh[s.axis] = s.n
	}
	return sh
}

// Len returns the number of rows now (1 for a 0-d array).
func (s *Store) Len() int64 { return s.n }

// Committed returns the number of rows in the file's header.
func (s *Store) Committed() int64 { return s.committed }

// Cap returns the number of rows the store holds without growing.
func (s *Store) Cap() int64 { return s.capRows }

// RowSize returns the bytes of one row.
func (s *Store) RowSize() int64 { return s.rowSize }

// DataOffset returns where the data starts in the file.
func (s *Store) DataOffset() int64 { return s.off }

// Grows returns how many times the capacity grew since the store opened.
func (s *Store) Grows() int { return s.grows }

// Map returns the underlying map (for Guard and byte-level access); its
// length covers the capacity, not only the committed rows.
func (s *Store) Map() *memmap.Map { return s.m }

// Data returns the bytes of the rows [0, Len()), without copying. The
// slice's capacity is its length. It stays valid until Close, across
// growth; take it again to see new rows. It is nil after Close.
func (s *Store) Data() []byte {
	if s.wc.held.Load() {
		s.Settle() // rows are buffered: write them first (combine.go)
	}
	if s.Closed() {
		return nil
	}
	end := s.off + s.n*s.rowSize
	return s.m.Bytes()[s.off:end:end]
}

// Rows returns the bytes of rows [i, j) without copying, or an error
// wrapping memmap.ErrRange unless 0 ≤ i ≤ j ≤ Len().
func (s *Store) Rows(i, j int64) ([]byte, error) {
	if err := s.checkOpen("rows"); err != nil {
		return nil, err
	}
	if err := s.checkRows("rows", i, j); err != nil {
		return nil, err
	}
	s.Settle()
	lo, hi := s.off+i*s.rowSize, s.off+j*s.rowSize
	return s.m.Bytes()[lo:hi:hi], nil
}

func (s *Store) checkRows(op string, i, j int64) error {
	if i < 0 || j < i || j > s.n {
		return s.err(op, fmt.Errorf("%w: rows [%d, %d) of %d", memmap.ErrRange, i, j, s.n))
	}
	return nil
}

func describe(h *header.Header, shape []int64) string {
	order := "C"
	if h.FortranOrder {
		order = "Fortran"
	}
	return fmt.Sprintf("%s %v %s order at offset %d", h.DType.Descr(), shape, order, h.DataOffset)
}

// Close commits a writer's rows (Flush), shrinks its file to the committed
// length, releases the lock and unmaps. Every view must no longer be used.
// Close is idempotent. It returns the first error met but releases
// everything in any case.
func (s *Store) Close() error {
	if s.closed {
		return nil
	}
	if !s.b.owned() {
		s.closed = true // the map's owner unmaps it
		return nil
	}
	var first error
	if s.mode == memmap.ReadWrite && s.b.file() {
		first = s.flush(0)
		if first == nil {
			if size, ok := s.fileSizeFor(s.committed); ok && size < int64(s.m.Len()) {
				if first = fault("shrink"); first == nil {
					first = s.m.Resize(size)
				} else {
					first = s.err("close", first)
				}
			}
		}
	}
	s.closed = true
	s.wc.buf = nil // what a failed flush left buffered is lost, as uncommitted rows are
	s.wc.left = 0
	s.wc.held.Store(false)
	if err := s.closeViews(); first == nil {
		first = err
	}
	err := s.m.Close()
	if sys.MappedElsewhere(err) {
		// Windows shrinks the file at Close and cannot while a reader
		// (in any process) maps it: the file keeps its capacity then,
		// which NumPy ignores. Everything was committed.
		err = nil
	}
	if first == nil {
		first = err
	}
	return first
}

// IndexError is the error of a bad index given to an accessor of array or
// record (the panic value of At, the error of Get and Set): its message
// reads like Go's own index panics, and it wraps the sentinel that says
// why (memmap.ErrRange, ErrShape, ErrClosed).
type IndexError struct {
	Msg string
	Err error // the sentinel
}

func (e *IndexError) Error() string { return e.Msg }
func (e *IndexError) Unwrap() error { return e.Err }
