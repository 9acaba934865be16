package memmap

import (
	"os"
	"strconv"
)

// Mode says how a file is mapped. The modes follow NumPy's memmap modes.
type Mode int

const (
	// ReadOnly maps the file for reading ("r"). Writes through the Map's
	// methods return ErrReadOnly; writes through Bytes() fault.
	ReadOnly Mode = iota
	// ReadWrite maps the file shared for reading and writing ("r+"): writes
	// reach the file, and other processes mapping it see them.
	ReadWrite
	// CopyOnWrite maps the file privately ("c"): writes change this map's
	// memory only; the file is never changed.
	CopyOnWrite
)

// String returns the NumPy name of the mode: "r", "r+" or "c".
func (m Mode) String() string {
	switch m {
	case ReadOnly:
		return "r"
	case ReadWrite:
		return "r+"
	case CopyOnWrite:
		return "c"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// Name returns the mode in words, for messages: "read-only", "read-write",
// "copy-on-write", or what String returns for a value that is none of the
// constants.
func (m Mode) Name() string {
	switch m {
	case ReadOnly:
		return "read-only"
	case ReadWrite:
		return "read-write"
	case CopyOnWrite:
		return "copy-on-write"
	}
	return m.String()
}

// Advice is an access-pattern hint for the OS (madvise). Where the OS has
// no equivalent, advising is a no-op.
type Advice int

const (
	// Normal: no special treatment.
	Normal Advice = iota
	// Sequential: expect sequential access; read ahead aggressively and
	// free pages soon after they were read.
	Sequential
	// Random: expect random access; read ahead little.
	Random
	// WillNeed: the range will be needed soon; start reading it in.
	WillNeed
	// DontNeed: the range will not be needed soon; its pages may be freed.
	// For shared maps the data stays in the file; for private
	// (copy-on-write and anonymous) maps the OS may discard changes: see
	// the caveats in the package documentation.
	DontNeed
)

// String returns the name of the advice.
func (a Advice) String() string {
	switch a {
	case Normal:
		return "Normal"
	case Sequential:
		return "Sequential"
	case Random:
		return "Random"
	case WillNeed:
		return "WillNeed"
	case DontNeed:
		return "DontNeed"
	}
	return "Advice(" + strconv.Itoa(int(a)) + ")"
}

// Access is how the typed packages built on Map (array, record) expect
// their elements to be read, from which they pick the OS advice of their
// maps: see "Files bigger than memory" in the package documentation.
type Access int

const (
	// AccessAuto (the default) advises by accessor: element accessors
	// (At, Get, Row, Take) read only the pages they touch, as pread would,
	// while the whole-range views and iterators (Data, Rows, All, Slice)
	// are read ahead, as read(2) would be. It uses two maps of the file,
	// and a page touched through both counts twice in the process's RSS
	// (not in the page cache): see "Files bigger than memory" in the
	// package documentation.
	AccessAuto Access = iota
	// AccessRandom advises Random for every accessor: no read-ahead.
	AccessRandom
	// AccessSequential advises Sequential for every accessor: aggressive
	// read-ahead.
	AccessSequential
	// AccessNormal leaves the OS's default read-around for every accessor.
	AccessNormal
)

// String returns the name of the access pattern.
func (a Access) String() string {
	switch a {
	case AccessAuto:
		return "AccessAuto"
	case AccessRandom:
		return "AccessRandom"
	case AccessSequential:
		return "AccessSequential"
	case AccessNormal:
		return "AccessNormal"
	}
	return "Access(" + strconv.Itoa(int(a)) + ")"
}

// Options configures Open, Create and Anonymous. A nil *Options means the
// defaults of every field.
type Options struct {
	// Offset is where the map starts in the file, in bytes. Any value is
	// allowed: the library aligns the OS mapping to the page size (the
	// allocation granularity on Windows) and hides the difference.
	// Default 0.
	Offset int64

	// Length is the number of bytes to map from Offset. 0 maps to the end
	// of the file. Offset+Length past the end of the file is ErrRange.
	Length int64

	// Perm is the permission of a file that Create makes where none
	// existed (a file Create replaces keeps its own). Default 0o644,
	// less the umask.
	Perm os.FileMode

	// Reserve is how much address space, in bytes, to reserve up front
	// for a ReadWrite map (made by Open, Create or Anonymous) to grow into
	// with Resize in place (views taken earlier stay valid in any case:
	// when the reservation runs out, the map moves to a larger one and
	// the old mapping stays alive until Close). 0 picks the default: four
	// times the map's size and at least 1 GiB on 64-bit systems; twice the
	// size and at least 16 MiB on 32-bit systems, where address space is
	// scarce. A negative value reserves nothing: every growth maps anew.
	// Reserving costs address space only (PROT_NONE, MAP_NORESERVE), no
	// memory or swap. Windows has no reservations; there every growth
	// maps a new view and keeps the old ones until Close. ReadOnly maps
	// reserve only when Reserve is positive, for Remap to grow into.
	Reserve int64

	// Populate asks the OS to read the whole mapped range in at open
	// (MAP_POPULATE on Linux; a WillNeed hint elsewhere).
	Populate bool

	// Lock takes an OS lock on the file for the life of the map, without
	// waiting: exclusive for ReadWrite maps, shared for ReadOnly and
	// CopyOnWrite maps. If another open of the file, in this process or
	// another, holds a conflicting lock, opening fails with ErrLocked.
	// The locks are flock(2) locks on unix and LockFileEx locks on
	// Windows; they bind only other users of Lock. Default false, like
	// Python's mmap, which takes no lock. Ignored by Anonymous.
	Lock bool

	// Init, when not nil, is called by Create with the new map's bytes
	// before the new file replaces anything at the path: it writes the
	// file's initial contents (a header, say). Create then flushes them
	// (durably) and only then renames the file into place, so that the
	// path never holds a file without them. An error from Init aborts
	// Create, which returns it wrapped and leaves the path as it was.
	// Init must not keep the slice past its return. Ignored by Open and
	// Anonymous.
	Init func(b []byte) error
}

// Map is a memory map of a file, or of anonymous memory: the byte-level
// layer under the typed packages, with the whole of Python's mmap module.
//
// A Map is not safe for concurrent use by several goroutines when one of
// them changes the map (Write, Seek, Resize, Close); ReadAt, WriteAt to
// disjoint ranges, Bytes, Find and the other searches may run concurrently
// with each other.
type Map struct {
	data   []byte // the user-visible bytes: len == Len(), cap capped to len
	pos    int    // the file-like position for Read, Write, Seek
	mode   Mode
	closed bool
	anon   bool
	f      *os.File // the mapped file; nil for a pure anonymous map
	path   string
	st     mapState // the mapping's regions and options (open.go)
}

// checkOpen returns ErrClosed after Close.
func (m *Map) checkOpen() error {
	if m.closed {
		return ErrClosed
	}
	return nil
}

// checkWritable returns ErrClosed after Close and ErrReadOnly for
// read-only maps.
func (m *Map) checkWritable() error {
	if m.closed {
		return ErrClosed
	}
	if m.mode == ReadOnly {
		return ErrReadOnly
	}
	return nil
}

// Offset returns the offset in the file of the map's first byte:
// Options.Offset of Open, OpenFile or Create, and 0 for an anonymous map.
// Reading the file at Offset()+off (pread) gives the bytes the map shows
// at off, for a map of a file that shares the page cache (not
// CopyOnWrite).
func (m *Map) Offset() int64 { return m.st.off }
