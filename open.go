package memmap

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"github.com/gomemmap/memmap/internal/sys"
)

// region is one stretch of address space the OS gave the map: a plain
// mapping, or a reservation with the file mapped over its start.
type region struct {
	mem    []byte // exactly what the OS returned; unmapped as is at Close
	mapped int    // bytes of mem, from its start, that map the file
}

// mapState is the part of a Map that only this file touches.
type mapState struct {
	off    int64    // the file offset of data[0] (Options.Offset)
	base   int64    // off rounded down to the allocation granularity
	delta  int      // off - base: where data starts in cur.mem
	cur    region   // the region data lives in; mem is nil when nothing is mapped
	old    []region // earlier regions, kept so that old views stay valid
	own    bool     // Close closes f
	locked bool     // Close unlocks f
	resv   bool     // cur is a reservation, grown in place with MAP_FIXED
	opt    Options  // the options the map was opened with, defaults filled in

	// On Windows, where a mapped file cannot be truncated, a shrinking
	// Resize leaves the file long and Close truncates it to pending.
	pending    int64
	hasPending bool
}

// PageSize returns the size of a memory page of the OS.
func PageSize() int { return sys.PageSize() }

// AllocationGranularity returns the alignment the OS requires of the file
// offset of a mapping: the page size on unix, 64 KiB on Windows. Callers
// never need it for correctness, since Options.Offset may be any value.
func AllocationGranularity() int { return sys.Granularity() }

// Open maps the file at path in the given mode. The file is opened
// read-only for ReadOnly and CopyOnWrite, read-write for ReadWrite; a nil
// opt means the defaults. A file of length zero (or a zero-length window
// of one) gives a Map of length zero, without calling mmap. Only regular
// files can be mapped: a directory, FIFO, device or socket is refused with
// an error wrapping ErrNotRegular, without waiting (the open never blocks
// on a FIFO that has no writer). A Mode that is none of the constants is
// an error wrapping ErrRange ("invalid mode 7").
func Open(path string, mode Mode, opt *Options) (*Map, error) {
	flag := os.O_RDONLY
	switch mode {
	case ReadOnly, CopyOnWrite:
	case ReadWrite:
		flag = os.O_RDWR
	default:
		return nil, &os.PathError{Op: "open", Path: path, Err: invalidMode(mode)}
	}
	// Never blocks: a FIFO or a device is refused, not waited on.
	f, err := sys.OpenFile(path, flag, 0)
	if err != nil {
		return nil, wrapErr("open", path, err)
	}
	m, err := newMap(f, path, mode, opt, true, false)
	if err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

// Anonymous makes a read-write map of size bytes of zeroed memory that
// belongs to no file in the filesystem. It is shared memory: [Map.File]
// returns a descriptor for it that a child process can map with
// [OpenFile] (pass it in exec.Cmd.ExtraFiles), and both then see each
// other's writes. On Linux the memory is a memfd (memfd_create); on other
// unix systems it is a temporary file that is unlinked at once, and on
// Windows a temporary file deleted when its last handle closes; either
// way only the page cache backs it until memory runs short. opt.Offset
// must be 0 and opt.Length is ignored. Anonymous maps grow and shrink with
// Resize.
//
// Cost: making (or growing) an anonymous map commits no memory. On unix
// its pages are allocated as they are first touched, and each page
// touched stays in memory (or swap) until the map shrinks over it or
// closes. Touching more pages than the system can hold ends the way any
// memory exhaustion does: SIGBUS when the memory filesystem is full, or
// the OS's out-of-memory killer. A size larger than the system could back
// even in principle (on Linux its physical memory plus swap; on Windows
// its commit limit; elsewhere a fixed 1 TiB, 4 GiB on 32-bit systems) is
// refused with an error wrapping ErrRange, here and by Resize. On Windows
// the temporary file's size is allocated on disk when it is set.
func Anonymous(size int64, opt *Options) (*Map, error) {
	o := withDefaults(opt)
	const path = "anonymous"
	if size < 0 || o.Offset != 0 {
		return nil, &os.PathError{Op: "mmap", Path: path, Err: fmt.Errorf("%w: size %d at offset %d", ErrRange, size, o.Offset)}
	}
	if err := checkBacking("mmap", path, size); err != nil {
		return nil, err
	}
	f, err := sys.AnonymousFile("memmap")
	if err != nil {
		return nil, wrapErr("memfd_create", path, err)
	}
	// Sparse: a real allocation (fallocate) of a memfd would commit every
	// page of it now.
	if err := sys.GrowSparse(f, size); err != nil {
		f.Close()
		return nil, wrapErr("ftruncate", path, err)
	}
	o.Length = size
	o.Lock = false
	m, err := newMap(f, f.Name(), ReadWrite, &o, true, true)
	if err != nil {
		f.Close()
		return nil, err
	}
	return m, nil
}

// invalidMode is the error for a Mode that is none of the constants.
func invalidMode(mode Mode) error { return errorf(ErrRange, "invalid mode %d", int(mode)) }

// checkBacking refuses anonymous memory of size bytes if the system could
// never back it (sys.BackingLimit).
func checkBacking(op, path string, size int64) error {
	limit, err := sys.BackingLimit()
	if err != nil || size <= limit {
		return nil // unknown: let the OS decide as pages are touched
	}
	return rangeErr(op, path, "%d bytes of anonymous memory is more than the system can back (at most %d bytes)", size, limit)
}

// OpenFile maps the open file f in the given mode, like Open. f must have
// been opened with the access the mode needs (read-write for ReadWrite).
// The Map does not take f over: the caller keeps it open until the Map is
// closed, and closes it afterwards. f must be a regular file (a memfd is
// one); others are refused with an error wrapping ErrNotRegular. This maps
// a descriptor inherited from a parent process, such as the one
// [Map.File] returns for an anonymous map:
//
//	f := os.NewFile(3, "shared") // the first of exec.Cmd.ExtraFiles
//	m, err := memmap.OpenFile(f, memmap.ReadWrite, nil)
func OpenFile(f *os.File, mode Mode, opt *Options) (*Map, error) {
	if f == nil {
		return nil, &os.PathError{Op: "mmap", Path: "", Err: os.ErrInvalid}
	}
	switch mode {
	case ReadOnly, ReadWrite, CopyOnWrite:
	default:
		return nil, &os.PathError{Op: "mmap", Path: f.Name(), Err: invalidMode(mode)}
	}
	return newMap(f, f.Name(), mode, opt, false, false)
}

const (
	maxInt   = int(^uint(0) >> 1)
	maxInt64 = int64(^uint64(0) >> 1)
)

func withDefaults(opt *Options) Options {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.Perm == 0 {
		o.Perm = 0o644
	}
	return o
}

// wrapErr wraps an error of the OS layer with the operation and the path,
// translating the layer's sentinels into this package's.
func wrapErr(op, path string, err error) error {
	var fe *sys.FaultError
	var nr *sys.NotRegularError
	switch {
	case errors.Is(err, sys.ErrUnsupported):
		err = fmt.Errorf("%w (%w)", ErrUnsupported, err)
	case errors.Is(err, sys.ErrWouldBlock):
		err = ErrLocked
	case errors.As(err, &fe):
		err = fmt.Errorf("%w: %w", ErrFault, err)
	case errors.As(err, &nr):
		err = fmt.Errorf("%w: %s", ErrNotRegular, sys.Describe(nr.Mode))
	}
	return &os.PathError{Op: op, Path: path, Err: err}
}

func rangeErr(op, path string, format string, args ...any) error {
	return &os.PathError{Op: op, Path: path, Err: fmt.Errorf("%w: "+format, append([]any{ErrRange}, args...)...)}
}

// newMap maps f. On error it releases what it took but leaves f open.
func newMap(f *os.File, path string, mode Mode, opt *Options, own, anon bool) (_ *Map, err error) {
	o := withDefaults(opt)
	m := &Map{mode: mode, anon: anon, f: f, path: path}
	m.st.own = own
	m.st.opt = o
	defer func() {
		if err != nil {
			m.st.own = false // the caller closes f
			m.release()
		}
	}()
	if o.Offset < 0 || o.Length < 0 {
		return nil, rangeErr("mmap", path, "offset %d, length %d", o.Offset, o.Length)
	}
	if o.Lock {
		if err := sys.Lock(f, mode == ReadWrite); err != nil {
			return nil, wrapErr("lock", path, err)
		}
		m.st.locked = true
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, notRegular("mmap", path, fi.Mode())
	}
	size := fi.Size()
	if o.Offset > size {
		return nil, rangeErr("mmap", path, "offset %d past the end of the file (%d bytes)", o.Offset, size)
	}
	length := o.Length
	if length == 0 {
		length = size - o.Offset
	} else if length > size-o.Offset {
		return nil, rangeErr("mmap", path, "offset %d + length %d past the end of the file (%d bytes)", o.Offset, length, size)
	}
	gran := int64(sys.Granularity())
	m.st.off = o.Offset
	m.st.base = o.Offset - o.Offset%gran
	m.st.delta = int(o.Offset - m.st.base)
	if length != int64(int(length)) || int(length) > maxInt-m.st.delta {
		return nil, rangeErr("mmap", path, "length %d does not fit in the address space", length)
	}
	n := int(length)
	if mode == ReadWrite || (mode == ReadOnly && o.Reserve > 0) {
		m.st.tryReserve(m.st.delta + n)
	}
	if err := m.mapTo(n); err != nil {
		return nil, err
	}
	return m, nil
}

// tryReserve reserves address space for a read-write map that needs total
// bytes now, per Options.Reserve; without a reservation, growth maps new
// regions instead.
func (s *mapState) tryReserve(total int) {
	want := s.opt.Reserve
	switch {
	case want < 0:
		return
	case want == 0:
		want = defaultReserve(total)
	case want > int64(maxInt):
		want = int64(maxInt)
	}
	r, ok := sys.RoundUp(max(int(want), total), sys.PageSize())
	if !ok || r == 0 {
		return
	}
	mem, err := sys.Reserve(r, s.base)
	if err != nil {
		return // ErrUnsupported (Windows) or no address space: map plainly.
	}
	s.cur = region{mem: mem}
	s.resv = true
}

// defaultReserve is the address space reserved for a read-write map of
// total bytes when Options.Reserve is 0: four times the size, at least
// 1 GiB, on 64-bit systems; on 32-bit systems, where address space is
// scarce, twice the size, at least 16 MiB.
func defaultReserve(total int) int64 {
	if strconv.IntSize == 64 {
		return max(4*int64(total), 1<<30)
	}
	return max(2*int64(total), 16<<20)
}

// mapTo makes data cover n bytes from the map's offset, mapping more of
// the file where needed; the file must already be at least off+n bytes
// long. On error the map is unchanged.
func (m *Map) mapTo(n int) error {
	s := &m.st
	total := s.delta + n
	acc := sys.Read
	switch m.mode {
	case ReadWrite:
		acc = sys.Write
	case CopyOnWrite:
		acc = sys.Copy
	}
	if n == 0 {
		// Never mmap zero bytes; keep whatever region there is.
		if s.cur.mem == nil {
			m.data = []byte{}
		} else {
			m.data = s.cur.mem[s.delta:s.delta:s.delta]
		}
		return nil
	}
	if total <= s.cur.mapped {
		m.data = s.cur.mem[s.delta:total:total]
		return nil
	}
	page := sys.PageSize()
	need, ok := sys.RoundUp(total, page)
	if !ok {
		return rangeErr("mmap", m.path, "length %d does not fit in the address space", n)
	}
	if s.resv && need <= len(s.cur.mem) {
		// Grow in place: map the next pages of the file over the
		// reservation, right after those already mapped.
		from := s.cur.mapped
		if err := sys.MapFixed(s.cur.mem[from:need], m.f, s.base+int64(from), acc, s.opt.Populate); err != nil {
			return wrapErr("mmap", m.path, err)
		}
		s.cur.mapped = need
		m.data = s.cur.mem[s.delta:total:total]
		return nil
	}
	// Out of room (or no reservation): map the whole window anew, in a
	// larger reservation if possible, and keep the old region alive so
	// that views into it stay valid until Close.
	var next region
	resv := false
	if (m.mode == ReadWrite && s.opt.Reserve >= 0) || (m.mode == ReadOnly && s.opt.Reserve > 0) {
		size := max(int64(need)*2, int64(len(s.cur.mem))*2)
		if r, ok := sys.RoundUp(int(min(size, int64(maxInt))), page); ok && r >= need {
			if mem, err := sys.Reserve(r, s.base); err == nil {
				if err := sys.MapFixed(mem[:need], m.f, s.base, acc, s.opt.Populate); err != nil {
					_ = sys.Unmap(mem)
				} else {
					next, resv = region{mem: mem, mapped: need}, true
				}
			}
		}
	}
	if next.mem == nil {
		mem, err := sys.MapFile(m.f, s.base, total, acc, s.opt.Populate)
		if err != nil {
			return wrapErr("mmap", m.path, err)
		}
		next = region{mem: mem, mapped: total}
	}
	if s.cur.mem != nil {
		s.old = append(s.old, s.cur)
	}
	s.cur, s.resv = next, resv
	m.data = s.cur.mem[s.delta:total:total]
	return nil
}

// release unmaps every region, unlocks and closes the file as the map
// owns them, and returns the first error.
func (m *Map) release() error {
	s := &m.st
	m.data = nil
	var first error
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	if s.cur.mem != nil {
		note(wrapUnmap(m.path, sys.Unmap(s.cur.mem)))
	}
	for i := len(s.old) - 1; i >= 0; i-- {
		note(wrapUnmap(m.path, sys.Unmap(s.old[i].mem)))
	}
	s.cur, s.old = region{}, nil
	if s.hasPending && m.f != nil {
		note(m.f.Truncate(s.pending))
		s.hasPending = false
	}
	if s.locked && m.f != nil {
		note(wrapErrIf("unlock", m.path, sys.Unlock(m.f)))
		s.locked = false
	}
	if s.own && m.f != nil {
		note(m.f.Close())
	}
	m.f = nil
	return first
}

func wrapUnmap(path string, err error) error { return wrapErrIf("munmap", path, err) }

func wrapErrIf(op, path string, err error) error {
	if err == nil {
		return nil
	}
	return wrapErr(op, path, err)
}

// Close unmaps the map and every earlier region Resize kept, releases the
// lock Options.Lock took, and closes the file (unless the map came from
// OpenFile). It does not flush: see Flush. After Close the methods with
// an error result return ErrClosed; those without one return their zero
// value (Bytes, Len, File, Tell), except the searches (Find, RFind, Count,
// CountOverlapping and their range forms), which panic with an error
// wrapping ErrClosed, and the iterators (All, AllOverlapping, AllRegexp,
// Lines), which panic with it at the first step that finds the map
// closed. Every slice the map handed out must no longer be touched. Close
// is idempotent: closing again does nothing and returns nil. It returns
// the first error it met, but releases everything in any case.
func (m *Map) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	m.pos = 0
	return m.release()
}

// Closed reports whether Close has been called. The searches (Find,
// Count and their kin) panic on a closed map; code that may hold one
// checks Closed first.
func (m *Map) Closed() bool { return m.closed }

// Mode returns the mode the map was made with: ReadWrite for Create and
// Anonymous maps.
func (m *Map) Mode() Mode { return m.mode }

// Bytes returns the mapped bytes, without copying: writes to the slice
// change the map (and, for ReadWrite maps, the file; writing to a ReadOnly
// map's bytes faults). Its capacity equals its length. It stays valid, and
// aliases the same bytes of the file, until Close, also across Resize
// (only its length is fixed: take Bytes again to see a grown map). After
// Close, Bytes returns nil.
func (m *Map) Bytes() []byte {
	if m.closed {
		return nil
	}
	return m.data
}

// Len returns the length of the map in bytes (0 after Close).
func (m *Map) Len() int {
	if m.closed {
		return 0
	}
	return len(m.data)
}

// File returns the file the map was made from (for an anonymous map, the
// descriptor of its shared memory), to hand to a child process or to
// stat; it is nil after Close. Do not close it: Close does that.
func (m *Map) File() *os.File {
	if m.closed {
		return nil
	}
	return m.f
}

// Size returns the size of the underlying file in bytes, like Python's
// mmap.size(): for a partial map, more than Len. For an anonymous map it
// is the size of its shared memory.
func (m *Map) Size() (int64, error) {
	if err := m.checkOpen(); err != nil {
		return 0, err
	}
	size, _, err := m.fileSize()
	return size, err
}

// fileSize returns the size of the file as the map sees it, and as the OS
// does: they differ when a shrink is pending until Close (Windows).
func (m *Map) fileSize() (logical, actual int64, err error) {
	actual, err = sys.Size(m.f)
	if err != nil {
		return 0, 0, err
	}
	if m.st.hasPending && m.st.pending < actual {
		return m.st.pending, actual, nil
	}
	return actual, actual, nil
}

// Flush writes the map's changes to the file and waits until they are
// durable: FlushRange over the whole map.
func (m *Map) Flush() error {
	return m.FlushRange(0, int64(m.Len()))
}

// FlushRange writes the changes to the n bytes at off to the file and
// waits until they are durable (msync MS_SYNC; FlushViewOfFile and
// FlushFileBuffers on Windows). The range is checked first (ErrRange),
// then rounded out to whole pages. For ReadOnly and CopyOnWrite maps, which
// never change the file, it does nothing, like Python's flush.
func (m *Map) FlushRange(off, n int64) error {
	if err := m.checkOpen(); err != nil {
		return err
	}
	if off < 0 || n < 0 || off > int64(len(m.data)) || n > int64(len(m.data))-off {
		return rangeErr("msync", m.path, "range [%d, %d+%d) of a %d-byte map", off, off, n, len(m.data))
	}
	if m.mode != ReadWrite || n == 0 {
		return nil
	}
	s := &m.st
	start := s.delta + int(off)
	end := start + int(n)
	start -= start % sys.PageSize()
	// Views of the file's pages may have been written through older
	// regions too; they share the pages, but on some systems the dirty
	// bits live in each mapping, so sync the range in every region.
	for _, r := range append(s.old[:len(s.old):len(s.old)], s.cur) {
		e := min(end, r.mapped)
		if start >= e {
			continue
		}
		if err := sys.Sync(r.mem[start:e]); err != nil {
			return wrapErr("msync", m.path, err)
		}
	}
	if err := sys.SyncFile(m.f); err != nil {
		return wrapErr("fsync", m.path, err)
	}
	return nil
}

// Advise tells the OS how the whole map will be used: AdviseRange over the
// whole map.
func (m *Map) Advise(a Advice) error {
	return m.AdviseRange(0, int64(m.Len()), a)
}

// AdviseRange tells the OS how the n bytes at off will be used (madvise).
// The range is checked (ErrRange) and rounded out to whole pages. Where the
// OS has no equivalent (Windows), it does nothing. An Advice that is none
// of the constants is an error wrapping ErrRange ("invalid advice 42").
func (m *Map) AdviseRange(off, n int64, a Advice) error {
	if err := m.checkOpen(); err != nil {
		return err
	}
	if a < Normal || a > DontNeed {
		return &os.PathError{Op: "madvise", Path: m.path, Err: errorf(ErrRange, "invalid advice %d", int(a))}
	}
	if off < 0 || n < 0 || off > int64(len(m.data)) || n > int64(len(m.data))-off {
		return rangeErr("madvise", m.path, "range [%d, %d+%d) of a %d-byte map", off, off, n, len(m.data))
	}
	if n == 0 {
		return nil
	}
	s := &m.st
	start := s.delta + int(off)
	end := start + int(n)
	start -= start % sys.PageSize()
	if err := sys.Advise(s.cur.mem[start:end], sys.Advice(a)); err != nil {
		return wrapErr("madvise", m.path, err)
	}
	return nil
}

// Resize changes the length of the map to n bytes. For a ReadWrite map of
// a file, the file grows with it, with a real allocation where the OS has
// one (a full disk is an error here, not a crash later), new bytes reading
// as zero; when the map shrinks and reached the end of the file, the file
// is truncated to the new end (a partial map that ends before the end of
// the file only changes the window, and leaves the file's tail alone).
// Anonymous maps grow and shrink likewise, without allocating (see
// [Anonymous]). If growing fails (a full disk: ENOSPC; no address space),
// the file is truncated back to its old size and the map is unchanged.
// ReadOnly and CopyOnWrite maps
// cannot be resized (ErrReadOnly), like Python's.
//
// Views taken before a Resize stay valid and keep aliasing the same bytes
// of the file, up to their own length; bytes past a shrunk end must not be
// touched (they fault) until the map grows over them again. The position
// moves back to the new end if it was past it. On Windows, a file with
// live views cannot be truncated: there the map shrinks at once, Size
// reports the new size, and the file itself is truncated by Close.
func (m *Map) Resize(n int64) error {
	if err := m.checkOpen(); err != nil {
		return err
	}
	if m.mode != ReadWrite {
		return &os.PathError{Op: "resize", Path: m.path, Err: fmt.Errorf("%w: a %s map cannot be resized", ErrReadOnly, m.mode.Name())}
	}
	s := &m.st
	if n < 0 || n != int64(int(n)) || int(n) > maxInt-s.delta || n > maxInt64-s.off {
		return rangeErr("resize", m.path, "new size %d", n)
	}
	size, actual, err := m.fileSize()
	if err != nil {
		return err
	}
	end := s.off + n
	cur := int64(len(m.data))
	switch {
	case n > cur && end > actual && m.anon:
		if err := checkBacking("resize", m.path, end); err != nil {
			return err
		}
		if err := sys.GrowSparse(m.f, end); err != nil {
			return wrapErr("ftruncate", m.path, err)
		}
	case n > cur && end > actual:
		if err := sys.Grow(m.f, actual, end); err != nil {
			return wrapErr("allocate", m.path, err)
		}
	case n < cur && s.off+cur >= size:
		if err := m.f.Truncate(end); err != nil {
			if sys.TruncateMapped {
				return err
			}
			// Windows: views of the file are mapped, so the file keeps
			// its length until Close; the map's view of it shrinks now.
			s.pending, s.hasPending = end, true
		}
	}
	if err := m.mapTo(int(n)); err != nil {
		if end > actual {
			_ = m.f.Truncate(actual) // roll the growth back
		}
		return err
	}
	if s.hasPending && n > cur && end > size {
		// The map grew back over bytes a pending shrink cut off: they
		// must read as zero, as after a real truncation.
		clear(m.data[size-s.off : min(end, actual)-s.off])
		if end >= actual {
			s.hasPending = false
		} else {
			s.pending = end
		}
	}
	if m.pos > int(n) {
		m.pos = int(n)
	}
	return nil
}

// Remap changes the length of the map to n bytes from its offset without
// changing the file, which must already hold them (ErrRange otherwise): a
// reader uses it to follow a file that a writer in another process grows,
// a partial map to widen or narrow its window. It works on ReadOnly and
// ReadWrite maps; a CopyOnWrite map cannot follow the file (its private
// changes would not move with it), so Remap returns an error wrapping
// ErrUnsupported there.
//
// As with Resize, views taken before stay valid until Close and keep
// aliasing the same bytes of the file. A ReadOnly map grows in place only
// into address space reserved with Options.Reserve > 0; without one, each
// growth maps the window anew and keeps the old mapping until Close. The
// position moves back to the new end if it was past it.
func (m *Map) Remap(n int64) error {
	if err := m.checkOpen(); err != nil {
		return err
	}
	if m.mode == CopyOnWrite {
		return &os.PathError{Op: "remap", Path: m.path, Err: fmt.Errorf("%w: a copy-on-write map cannot follow its file", ErrUnsupported)}
	}
	s := &m.st
	if n < 0 || n != int64(int(n)) || int(n) > maxInt-s.delta || n > maxInt64-s.off {
		return rangeErr("remap", m.path, "new length %d", n)
	}
	size, _, err := m.fileSize()
	if err != nil {
		return err
	}
	if s.off+n > size {
		return rangeErr("remap", m.path, "offset %d + length %d past the end of the file (%d bytes)", s.off, n, size)
	}
	if err := m.mapTo(int(n)); err != nil {
		return err
	}
	if m.pos > int(n) {
		m.pos = int(n)
	}
	return nil
}

// Guard runs fn and turns a memory fault during it into an error wrapping
// ErrFault, instead of the crash a fault causes in Go: use it around
// accesses to a map whose file other processes may truncate (the OS
// raises SIGBUS when a page past the file's new end is touched). Only
// accesses made by fn on the calling goroutine are guarded (the guard is
// runtime/debug.SetPanicOnFault, restored afterwards). The error names
// the path, the faulting byte of the map and its address, and says that
// the file was truncated under the map (or the memory unmapped). fn's own
// error is returned as is; panics other than faults propagate.
func (m *Map) Guard(fn func() error) error {
	if err := m.checkOpen(); err != nil {
		return err
	}
	if fn == nil {
		return nil
	}
	if err := sys.Guard(fn); err != nil {
		var fe *sys.FaultError
		if errors.As(err, &fe) {
			off, in := sys.Offset(m.data, fe.Addr)
			return &os.PathError{Op: "access", Path: m.path, Err: &faultError{fe: fe, off: off, inMap: in}}
		}
		return err
	}
	return nil
}

// faultError is the error of a fault inside Guard: it wraps ErrFault and
// the OS layer's *sys.FaultError, and says where the fault was.
type faultError struct {
	fe    *sys.FaultError
	off   int  // the byte of the map that faulted, when inMap
	inMap bool // the address is inside the map's current bytes
}

func (e *faultError) Error() string {
	where := fmt.Sprintf("address %#x", e.fe.Addr)
	if e.inMap {
		where = fmt.Sprintf("byte %d of the map (address %#x)", e.off, e.fe.Addr)
	}
	return "memmap: fault reading or writing " + where +
		": the file was truncated under the map, or the memory unmapped"
}

func (e *faultError) Unwrap() []error { return []error{ErrFault, e.fe} }
