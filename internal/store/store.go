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
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

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
	anon   bool
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

	// Headerless raw files (raw.go): no header bytes, the length is the
	// file's size; fixedLen when the file holds bytes after the data
	// that are not the array's, so the length cannot change.
	headerless, fixedLen bool

	// borrowed: a View of a map the store does not own (view.go): Close
	// leaves the map mapped, Advise covers the view's bytes only, and no
	// scan map is made.
	borrowed bool
}

// Create creates the .npy file at path for an array with h's dtype, order
// and shape, all rows zero, and opens it read-write with the writer lock.
// h.Version may pick a format version; DataOffset is ignored. The header
// is written with room for the growth axis to reach any length, as NumPy
// >= 1.23 writes it.
//
// An existing file at path is replaced, not truncated (memmap.Create): the
// new file is built under a temporary name and renamed over it once its
// header is durable, so a failure (a full disk, a capacity too large to
// map) leaves the old file as it was and no partial file behind. A file
// another writer holds gives an error wrapping memmap.ErrLocked.
func Create(path string, h *header.Header, opt *Options) (*Store, error) {
	return create(path, h, opt, false)
}

// New makes an array like Create does, in anonymous memory instead of a
// file.
func New(h *header.Header, opt *Options) (*Store, error) {
	return create("anonymous", h, opt, true)
}

func create(path string, h *header.Header, opt *Options, anon bool) (*Store, error) {
	o := options(opt)
	op := "create"
	if h == nil {
		return nil, pathErr(op, path, fmt.Errorf("%w: nil header", header.ErrFormat))
	}
	hh := *h
	hh.Shape = append([]int64(nil), h.Shape...)
	raw, err := hh.Encode()
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	hh.DataOffset = int64(len(raw))
	s := &Store{path: path, mode: memmap.ReadWrite, anon: anon, hdr: hh}
	if err := s.geometry(); err != nil {
		return nil, pathErr(op, path, err)
	}
	rows := s.n
	if s.axis >= 0 {
		rows = max(rows, o.Capacity)
	}
	size, ok := s.fileSizeFor(rows)
	if !ok {
		return nil, pathErr(op, path, fmt.Errorf("%w: capacity of %d rows of %d bytes overflows", memmap.ErrRange, rows, s.rowSize))
	}
	// The header goes in through Init: memmap.Create builds the file
	// under a temporary name and renames it over path only once the
	// header is durable, so path holds the old file or a whole new one,
	// never a file of zeros or a partial one, whatever fails or crashes.
	mo := &memmap.Options{Perm: o.Perm, Reserve: o.Reserve, Lock: true, Init: func(b []byte) error {
		copy(b, raw)
		return nil
	}}
	if anon {
		s.m, err = memmap.Anonymous(size, mo)
	} else {
		s.m, err = memmap.Create(path, size, mo)
	}
	if err != nil {
		return nil, err
	}
	copy(s.m.Bytes(), raw) // Anonymous does not run Init
	s.raw = raw
	s.committed = s.n
	s.capRows = s.rowsIn(int64(s.m.Len()))
	s.dirty = 0
	s.checkRoom()
	return s, nil
}

// Open opens the .npy file at path: ReadOnly ("r"), ReadWrite ("r+", with
// the writer lock) or CopyOnWrite ("c": writes stay in memory). When want
// is not nil, the file's dtype must be compatible with it
// (layout.Compatible, byte order aside), or Open fails with an error
// wrapping layout.ErrDType that names the first difference.
//
// The header is checked against the file: a malformed header, or a file
// too short for its shape, gives an error wrapping header.ErrFormat (and
// io.ErrUnexpectedEOF when the file is cut short). Opening reads only the
// header: it costs the same for any size of file.
func Open(path string, mode memmap.Mode, want *layout.DType, opt *Options) (_ *Store, err error) {
	o := options(opt)
	m, err := openLocked(path, mode, o)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	size, err := m.Size()
	if err != nil {
		return nil, err
	}
	// Read the header with pread, not from the map: a file another
	// process truncates meanwhile gives a short read here, where a read
	// of the map would raise SIGBUS.
	h, err := readOpenHeader(m.File(), size, o.MaxHeaderLen)
	if err != nil {
		return nil, pathErr("open", path, err)
	}
	if err := h.Validate(size); err != nil {
		return nil, pathErr("open", path, err)
	}
	if want != nil {
		if err := layout.Compatible(h.DType, want); err != nil {
			return nil, pathErr("open", path, err)
		}
	}
	s := &Store{m: m, path: path, mode: mode, hdr: *h}
	if err := s.geometry(); err != nil {
		return nil, pathErr("open", path, err)
	}
	s.committed = s.n
	s.capRows = s.rowsIn(int64(m.Len()))
	s.dirty = s.capRows
	if mode == memmap.ReadWrite {
		if s.raw, err = ReadAtFull(m.File(), 0, int(s.off)); err != nil {
			return nil, pathErr("open", path, fmt.Errorf("%w: %w", header.ErrFormat, err))
		}
		s.checkRoom()
	}
	return s, nil
}

// openLocked maps the file at path, with the writer lock for ReadWrite.
// A writer checks that the file it locked is still the one at path: a
// Create that replaced it (rename) between the open and the lock leaves
// the old file unlinked, and writing that would lose every row. It opens
// the new one then, a few times at most.
func openLocked(path string, mode memmap.Mode, o Options) (*memmap.Map, error) {
	mo := &memmap.Options{Lock: mode == memmap.ReadWrite}
	if mode != memmap.ReadWrite {
		return memmap.Open(path, mode, mo)
	}
	mo.Reserve = o.Reserve
	if !sys.ReplaceOpen {
		// Windows: no Create can rename over a file that is open.
		return memmap.Open(path, mode, mo)
	}
	for try := 0; ; try++ {
		m, err := memmap.Open(path, mode, mo)
		if err != nil {
			return nil, err
		}
		if openHook != nil {
			openHook(try)
		}
		locked, err1 := m.File().Stat()
		named, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(locked, named) {
			return m, nil
		}
		m.Close()
		if try == 3 {
			return nil, pathErr("open", path, fmt.Errorf("%w: the file was replaced while it was being opened", memmap.ErrLocked))
		}
	}
}

// readOpenHeader reads the header of the size-byte file f with pread. A
// header caught in the middle of a commit across a page by a writer of an
// earlier version of this package (the poison byte in its shape: see
// poison; writers now never write across a page) is read again, as
// Refresh does, until the commit is over; any other malformed header
// fails at once.
//
// It waits up to openCommitWait, by the clock rather than a count of
// tries, so that a writer slowed down by a loaded machine (or Wine) is
// still waited for; a header that stays poisoned that long is malformed.
func readOpenHeader(f *os.File, size int64, maxLen int) (*header.Header, error) {
	var err error
	var deadline time.Time
	for try := 0; ; try++ {
		var h *header.Header
		h, err = header.Read(io.NewSectionReader(f, 0, size), &header.Options{MaxHeaderLen: maxLen})
		if err == nil {
			return h, nil
		}
		if !inCommit(f, size, maxLen) {
			// The commit may have ended between the read and the
			// look for its poison byte: read once more, and give up
			// only if the header is still malformed and not in a
			// commit.
			if h, err = header.Read(io.NewSectionReader(f, 0, size), &header.Options{MaxHeaderLen: maxLen}); err == nil || !inCommit(f, size, maxLen) {
				return h, err
			}
		}
		switch {
		case try == 0:
			deadline = time.Now().Add(openCommitWait)
		case time.Now().After(deadline):
			return nil, err
		}
		if try < refreshSpin {
			runtime.Gosched()
		} else {
			time.Sleep(refreshNap)
		}
	}
}

// openCommitWait bounds how long Open waits for a commit in progress.
const openCommitWait = time.Second

// ReadHeader reads the header of the size-byte file f with pread, as Open
// does: a header caught in the middle of a writer's commit is read again
// until the commit is over. maxLen is header.Options.MaxHeaderLen.
func ReadHeader(f *os.File, size int64, maxLen int) (*header.Header, error) {
	return readOpenHeader(f, size, maxLen)
}

// inCommit reports whether the header of f has the commit protocol's
// poison byte inside its shape tuple, where no valid header has it.
func inCommit(f *os.File, size int64, maxLen int) bool {
	if maxLen <= 0 {
		maxLen = header.DefaultMaxHeaderLen
	}
	b := make([]byte, min(size, int64(maxLen)+16))
	n, _ := f.ReadAt(b, 0)
	b = b[:n]
	i := bytes.Index(b, []byte("'shape'"))
	if i < 0 {
		return false
	}
	j := bytes.IndexByte(b[i:], ')')
	return j >= 0 && bytes.IndexByte(b[i:i+j], poison) >= 0
}

// openHook, when set by a test, runs in openLocked after the lock is
// taken: it can replace the file there.
var openHook func(try int)

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

// Closed reports whether Close has been called (for a View, on it or on
// its map).
func (s *Store) Closed() bool { return s.closed || s.borrowed && s.m.Closed() }

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
	lo, hi := s.off+i*s.rowSize, s.off+j*s.rowSize
	return s.m.Bytes()[lo:hi:hi], nil
}

func (s *Store) checkRows(op string, i, j int64) error {
	if i < 0 || j < i || j > s.n {
		return s.err(op, fmt.Errorf("%w: rows [%d, %d) of %d", memmap.ErrRange, i, j, s.n))
	}
	return nil
}

// checkFile returns an error wrapping memmap.ErrTruncated when the file of
// a writer is no longer the one it wrote: shorter than the map (another
// process truncated it) or with a header other than the one committed
// (another process re-created it). Growing or committing over such a
// file would report success over lost rows. It costs an fstat and a
// pread of the header.
func (s *Store) checkFile(op string) error {
	if s.anon || s.mode != memmap.ReadWrite {
		return nil
	}
	size, err := s.m.Size()
	if err != nil {
		return err
	}
	if want := int64(s.m.Len()); size < want {
		return s.err(op, fmt.Errorf("%w: the file has %d bytes, the writer wrote %d", memmap.ErrTruncated, size, want))
	}
	if s.headerless {
		return nil // raw.go: no header to compare; the bytes before the data are the caller's
	}
	var small [256]byte
	got := small[:0]
	if s.off <= int64(len(small)) {
		got = small[:s.off]
	} else {
		got = make([]byte, s.off)
	}
	if _, err := s.m.File().ReadAt(got, 0); err != nil {
		return s.err(op, fmt.Errorf("%w: reading the header back: %w", memmap.ErrTruncated, err))
	}
	if !bytes.Equal(got, s.raw) {
		return s.err(op, fmt.Errorf("%w: the header is no longer the one this writer committed (the file was re-created?)", memmap.ErrTruncated))
	}
	return nil
}

// Reserve makes the capacity at least rows rows, growing the file
// geometrically (doubling, by at most MaxStep bytes a step, or more if
// rows needs it) with a real allocation: a full disk is an error here.
func (s *Store) Reserve(rows int64) error {
	if err := s.checkGrowable("reserve"); err != nil {
		return err
	}
	return s.reserve("reserve", rows)
}

func (s *Store) reserve(op string, rows int64) error {
	if rows <= s.capRows {
		return nil
	}
	if _, ok := s.fileSizeFor(rows); !ok {
		return s.err(op, fmt.Errorf("%w: %d rows of %d bytes overflow a file", memmap.ErrRange, rows, s.rowSize))
	}
	step := max(s.capRows*s.rowSize, minStep)
	step = min(step, MaxStep)
	if s.stepCap > 0 {
		step = min(step, s.stepCap)
	}
	target := s.capRows + max(step/max(s.rowSize, 1), 1)
	if target < rows || target < s.capRows { // too little, or overflowed
		target = rows
	}
	size, ok := s.fileSizeFor(target)
	if !ok {
		target = rows
		size, _ = s.fileSizeFor(rows)
	}
	// Growing a file another process truncated would fill the lost rows
	// with zeros and go on as if nothing happened.
	if err := s.checkFile(op); err != nil {
		return err
	}
	err := s.grow("grow", size)
	if err != nil && target > rows {
		// The geometric step may not fit on the disk where the rows do
		// (a full disk): try the size the rows need before failing, and
		// make the later steps smaller, so that a nearly full disk does
		// not cost a failed allocation of the whole step every time.
		s.stepCap = max(step/2, minStep)
		size, _ = s.fileSizeFor(rows)
		err = s.grow("grow to the size needed", size)
	}
	if err != nil {
		return err
	}
	s.capRows = s.rowsIn(size)
	s.grows++
	return s.viewsChanged()
}

// grow resizes the map and the file to size bytes; step names it for
// faultHook.
func (s *Store) grow(step string, size int64) error {
	if err := fault(step); err != nil {
		return s.err("append", err)
	}
	return s.m.Resize(size)
}

// Append copies b, whole rows, after the last row and makes the length
// cover them; b's length must be a multiple of RowSize (ErrShape
// otherwise). Without growth of the capacity it makes no syscall. The
// rows are committed by Flush, Commit or Close.
func (s *Store) Append(b []byte) error {
	if err := s.checkGrowable("append"); err != nil {
		return err
	}
	if s.rowSize == 0 {
		if len(b) != 0 {
			return s.err("append", fmt.Errorf("%w: %d bytes to rows of 0 bytes", memmap.ErrShape, len(b)))
		}
		return nil
	}
	k := int64(len(b)) / s.rowSize
	if k*s.rowSize != int64(len(b)) {
		return s.err("append", fmt.Errorf("%w: %d bytes is not a whole number of %d-byte rows", memmap.ErrShape, len(b), s.rowSize))
	}
	if len(b) >= bulkMin && sys.WriteCoherent && !s.anon {
		return s.appendWrite(b, k)
	}
	return s.AppendRows(k, func(dst []byte) { copy(dst, b) })
}

// bulkMin is the least append (in bytes) that Append writes to the file
// with pwrite rather than copying into the map. A first write to a page
// of a shared file mapping takes a page fault, which costs several times
// what write(2) costs to copy the same page into the page cache; below
// this size the system call costs more than the faults it saves.
const bulkMin = 64 << 10

// appendWrite appends the k rows in b with pwrite, where the map and the
// file share the page cache (sys.WriteCoherent): views see the rows at
// once, and Flush's msync makes them durable with the rest.
func (s *Store) appendWrite(b []byte, k int64) error {
	if k > math.MaxInt64-s.n {
		return s.err("append", fmt.Errorf("%w: %d rows", memmap.ErrRange, k))
	}
	if s.n+k > s.maxRows {
		return s.noRoomErr("append", s.n+k)
	}
	if err := s.reserve("append", s.n+k); err != nil {
		return err
	}
	if err := fault("pwrite data"); err != nil {
		return s.err("append", err)
	}
	// Map.WriteAt checks the file's size before and after its pwrite and
	// never lets the pwrite extend a file another process truncated
	// meanwhile: that would fill the lost rows with zeros and succeed.
	if _, err := s.m.WriteAt(b, s.off+s.n*s.rowSize); err != nil {
		return err // a *os.PathError with the path already
	}
	s.n += k
	return nil
}

// AppendRows makes the length cover k more rows and calls fill (if not
// nil) with their bytes, zeroed, to write them in place. Like Append it
// makes no syscall unless the capacity grows. fill must not keep the slice
// past Close.
func (s *Store) AppendRows(k int64, fill func(dst []byte)) error {
	if err := s.checkGrowable("append"); err != nil {
		return err
	}
	if k < 0 || k > math.MaxInt64-s.n {
		return s.err("append", fmt.Errorf("%w: %d rows", memmap.ErrRange, k))
	}
	if s.n+k > s.maxRows {
		return s.noRoomErr("append", s.n+k)
	}
	if err := s.reserve("append", s.n+k); err != nil {
		return err
	}
	lo, hi := s.off+s.n*s.rowSize, s.off+(s.n+k)*s.rowSize
	dst := s.m.Bytes()[lo:hi:hi]
	stale := int64(0)
	if s.n < s.dirty {
		stale = min(s.dirty-s.n, k) * s.rowSize
	}
	if err := fillGuarded(dst, stale, fill); err != nil {
		return s.err("append", fmt.Errorf("%w: %w", memmap.ErrTruncated, err))
	}
	s.n += k
	return nil
}

// fillGuarded zeroes the first stale bytes of dst and calls fill on it,
// turning a memory fault (SIGBUS: another process truncated the file under
// the map) into an error instead of a crash. It is sys.Guard without the
// closures, for Append's hot path.
func fillGuarded(dst []byte, stale int64, fill func([]byte)) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			fe, ok := r.(interface {
				error
				Addr() uintptr
			})
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("fault at address %#x writing the new rows (the file was truncated under the map): %w", fe.Addr(), memmap.ErrFault)
		}
	}()
	clear(dst[:stale])
	if fill != nil {
		fill(dst)
	}
	return nil
}

// SetLen changes the length to n rows: rows added read as zero; rows cut
// off are gone (when n is below the committed length the header is
// rewritten and flushed at once, so the file never claims rows that may be
// reused). Earlier views stay valid but must not be used past the new
// length.
func (s *Store) SetLen(n int64) error {
	if err := s.checkGrowable("resize"); err != nil {
		return err
	}
	switch {
	case n < 0:
		return s.err("resize", fmt.Errorf("%w: length %d", memmap.ErrRange, n))
	case n > s.n:
		return s.AppendRows(n-s.n, nil)
	case n < s.n:
		s.dirty = max(s.dirty, s.n)
		s.n = n
		if n < s.committed {
			return s.commitHeader()
		}
	}
	return nil
}

// Flush flushes all the data rows (msync: durable when it returns) and
// then commits the length, in the order of the package documentation. It
// does nothing for ReadOnly, CopyOnWrite and anonymous stores.
func (s *Store) Flush() error {
	if err := s.checkOpen("flush"); err != nil {
		return err
	}
	return s.flush(0)
}

// Commit is Flush for the rows appended since the last commit only: it
// flushes them, then commits the length. Rows changed in place below the
// committed length are not flushed (FlushRows or Flush do that).
func (s *Store) Commit() error {
	if err := s.checkOpen("commit"); err != nil {
		return err
	}
	return s.flush(min(s.committed, s.n))
}

func (s *Store) flush(from int64) error {
	if s.anon {
		return s.rewriteHeader() // no file to flush; keep the header true
	}
	if s.mode != memmap.ReadWrite {
		return nil
	}
	if s.n > from {
		if err := s.flushRange(s.off+from*s.rowSize, (s.n-from)*s.rowSize); err != nil {
			return err
		}
	}
	if s.n == s.committed {
		// Nothing to commit, but a file another process truncated or
		// re-created under the writer has lost rows: say so, rather
		// than report them durable.
		return s.checkFile("flush")
	}
	return s.commitHeader()
}

// commitHeader rewrites the header's shape to the length and flushes the
// header page.
func (s *Store) commitHeader() error {
	if s.headerless {
		return s.commitRaw() // raw.go: the length is the file's size
	}
	if err := s.checkFile("commit"); err != nil {
		return err
	}
	if err := s.rewriteHeader(); err != nil {
		return err
	}
	if !s.anon {
		if err := fault("msync header"); err != nil {
			return s.err("commit", err)
		}
		if err := s.m.FlushRange(0, s.off); err != nil {
			return err
		}
	}
	s.committed = s.n
	return nil
}

// rewriteHeader writes the shape with the current length into the header
// bytes, changing only the bytes that differ.
func (s *Store) rewriteHeader() error {
	if s.axis < 0 {
		return nil
	}
	raw := append([]byte(nil), s.raw...)
	if err := header.RewriteShape(raw, s.Shape()); err != nil {
		return s.err("commit", roomHint(err))
	}
	dst := s.m.Bytes()[:s.off]
	lo := 0
	for lo < len(raw) && raw[lo] == dst[lo] {
		lo++
	}
	hi := len(raw)
	for hi > lo && raw[hi-1] == dst[hi-1] {
		hi--
	}
	if !s.anon && lo < hi {
		if err := s.writeHeader(raw, lo, hi); err != nil {
			return err
		}
	}
	// The map shares the page cache with the file, so this copy writes
	// the same bytes again; it remains for systems where the two are
	// not coherent.
	copy(dst[lo:hi], raw[lo:hi])
	s.raw = raw
	if s.anon {
		s.committed = s.n
	}
	return nil
}

// page is the unit in which the kernel copies a write(2) into the page
// cache: a reader can see one page of a write and not the next. 4 KiB is
// the smallest page of any system, so a span inside one 4 KiB page is
// inside one page everywhere.
const page = 4096

// poison is the byte that versions of this package before issue 18 put
// first in a commit that crossed a page boundary: no header parses with
// it there. Open still waits for such a commit to end (readOpenHeader).
const poison = 'X'

// writeHeader writes the changed bytes raw[lo:hi] of the header to the
// file with one pwrite, so that no reader, of ours or NumPy's, ever parses
// a shape that was not committed.
//
// Copying into the map instead would be several stores, and a process
// killed between two of them would leave a header that does not parse
// (999 -> 1000 shifts the end of the dict) or that claims rows never
// written (1299 -> 1300 stopped at "1309"). One write(2) inside one page
// is copied into the page cache whole: a reader sees all of it or none,
// and a kill cannot stop it half way. The bytes always lie in one page:
// Encode keeps the growth span in one page, and a writer of a header
// whose span crosses a page boundary changes no length (checkSpan).
func (s *Store) writeHeader(raw []byte, lo, hi int) error {
	if lo/page != (hi-1)/page {
		// Unreachable: checkSpan refused the length change.
		return s.err("commit", fmt.Errorf("%w: header bytes %d to %d cross a page boundary", header.ErrNoRoom, lo, hi))
	}
	if err := fault("pwrite header"); err != nil {
		return s.err("commit", err)
	}
	if _, err := s.m.File().WriteAt(raw[lo:hi], int64(lo)); err != nil {
		return s.err("commit", err)
	}
	return nil
}

// faultHook, when a test sets it, runs before each step of a write path
// that changes the file (a data pwrite, a growth, an msync, the header
// pwrite, the shrink at Close) with the step's name; an error it returns
// is that step's error, as if the system call had failed. Tests use it to
// inject an I/O error, or to kill the process, at every step of a commit.
var faultHook func(step string) error

// fault calls faultHook, if set.
func fault(step string) error {
	if faultHook == nil {
		return nil
	}
	return faultHook(step)
}

// FlushRows flushes the data of rows [i, j) (msync: durable when it
// returns). It does not commit the length.
func (s *Store) FlushRows(i, j int64) error {
	if err := s.checkOpen("flush"); err != nil {
		return err
	}
	if err := s.checkRows("flush", i, j); err != nil {
		return err
	}
	if s.mode != memmap.ReadWrite || s.anon || i == j {
		return nil
	}
	return s.flushRange(s.off+i*s.rowSize, (j-i)*s.rowSize)
}

// flushRange makes the n bytes at off of the file durable, through every
// view of them.
func (s *Store) flushRange(off, n int64) error {
	if err := fault("msync data"); err != nil {
		return s.err("flush", err)
	}
	if err := s.flushViews(off, n); err != nil {
		return err
	}
	return s.m.FlushRange(off, n)
}

// Advise gives the OS an access-pattern hint for the whole map.
func (s *Store) Advise(a memmap.Advice) error {
	if err := s.checkOpen("advise"); err != nil {
		return err
	}
	if s.borrowed {
		return s.AdviseRows(0, s.n, a) // the view's bytes, not the whole map
	}
	return s.advise(a) // every map of the store (access.go)
}

// AdviseRows gives the OS an access-pattern hint for rows [i, j).
func (s *Store) AdviseRows(i, j int64, a memmap.Advice) error {
	if err := s.checkOpen("advise"); err != nil {
		return err
	}
	if err := s.checkRows("advise", i, j); err != nil {
		return err
	}
	if i == j {
		return nil
	}
	return s.adviseRange(s.off+i*s.rowSize, (j-i)*s.rowSize, a) // every map (access.go)
}

// maxRefreshTries bounds how often Refresh re-reads a header that changes
// (or does not parse) while it reads it; after refreshSpin tries it sleeps
// refreshNap between them, so that a writer preempted in the middle of a
// commit has time to finish it.
const (
	maxRefreshTries = 1000
	refreshSpin     = 100
	refreshNap      = 50 * time.Microsecond
)

// Refresh re-reads the committed length from the file's header and
// extends the view to cover it: a ReadOnly reader's way to follow a writer
// in another process.
//
// The header is read with pread (never from the map, so a file truncated
// or re-created meanwhile gives an error, not SIGBUS) until two
// consecutive reads are byte-identical and parse. Together with the
// writer's commit protocol (see writeHeader) this never takes a
// half-written shape for a committed one: a commit is one write inside
// one 4 KiB page, which the kernel copies in one go.
//
// The new header must describe the same dtype, order, data offset and
// other dims (ErrFormat otherwise), and the file must hold the rows
// (ErrFormat and io.ErrUnexpectedEOF otherwise). The length may also
// shrink, if the writer truncated: views taken before must then not be
// used past the new length. For a writer or an anonymous store, Refresh
// does nothing; a CopyOnWrite store cannot follow its file
// (memmap.ErrUnsupported).
func (s *Store) Refresh() error {
	if err := s.checkOpen("refresh"); err != nil {
		return err
	}
	switch {
	case s.mode == memmap.ReadWrite || s.anon || s.borrowed:
		return nil
	case s.mode == memmap.CopyOnWrite:
		return s.err("refresh", fmt.Errorf("%w: a copy-on-write array cannot follow its file", memmap.ErrUnsupported))
	case s.headerless:
		return s.refreshRaw() // raw.go: the length is the file's size
	}
	h, err := s.readHeader()
	if err != nil {
		return err
	}
	if !h.DType.Equal(s.hdr.DType) || h.FortranOrder != s.hdr.FortranOrder || h.DataOffset != s.off || !sameDims(h.Shape, s.hdr.Shape, s.axis) {
		return s.err("refresh", fmt.Errorf("%w: the header changed from %s to %s: not the file this array opened", header.ErrFormat, describe(&s.hdr, s.Shape()), describe(h, h.Shape)))
	}
	// Stat after reading the header: the writer grew the file before it
	// committed the length, so the file now holds at least the rows.
	size, err := s.m.Size()
	if err != nil {
		return err
	}
	if err := h.Validate(size); err != nil {
		return s.err("refresh", err)
	}
	if s.axis < 0 {
		return nil
	}
	n := h.Shape[s.axis]
	if need := s.off + n*s.rowSize; need > int64(s.m.Len()) {
		if err := s.m.Remap(size); err != nil {
			return err
		}
		s.capRows = s.rowsIn(size)
		if err := s.viewsChanged(); err != nil {
			return err
		}
	}
	s.n, s.committed = n, n
	return nil
}

// readHeader reads the header bytes from the file (pread) until two
// consecutive reads agree and parse, and returns the parsed header.
func (s *Store) readHeader() (*header.Header, error) {
	f := s.m.File()
	a := make([]byte, s.off)
	b := make([]byte, s.off)
	read := func(p []byte) error {
		n, err := f.ReadAt(p, 0)
		if n == len(p) {
			return nil
		}
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return s.err("refresh", fmt.Errorf("%w: file truncated inside its %d-byte header: %w", header.ErrFormat, s.off, err))
	}
	if err := read(a); err != nil {
		return nil, err
	}
	var last error
	for try := range maxRefreshTries {
		if err := read(b); err != nil {
			return nil, err
		}
		if bytes.Equal(a, b) {
			h, err := header.Parse(a, nil)
			if err == nil {
				return h, nil
			}
			// A commit across a page by a writer of an earlier
			// version leaves the header unparseable until it ends:
			// read again.
			last = err
		}
		a, b = b, a
		if try < refreshSpin {
			runtime.Gosched()
		} else {
			time.Sleep(refreshNap)
		}
	}
	if last != nil {
		return nil, s.err("refresh", last)
	}
	return nil, s.err("refresh", errors.New("the header kept changing while it was read"))
}

func sameDims(a, b []int64, axis int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if i != axis && a[i] != b[i] {
			return false
		}
	}
	return true
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
	if s.borrowed {
		s.closed = true // the map's owner unmaps it
		return nil
	}
	var first error
	if s.mode == memmap.ReadWrite && !s.anon {
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
