package record

import (
	"fmt"
	"os"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// ErrAlign, the same sentinel as memmap.ErrAlign, is returned by Row, Rows
// and Data for a file whose data does not start at a multiple of the
// alignment of T, so that a *T into the map would be misaligned. NumPy
// aligns the data of every file it writes to 64 bytes (16 before NumPy
// 1.23), which suits every T; only hand-made headers of odd lengths give
// such files. Get, At, Set, Append, Take and All still work on them, by
// copying each record.
//
// The other errors of this package are the shared sentinels of packages
// memmap (ErrClosed, ErrReadOnly, ErrRange, ErrLocked, ErrByteOrder,
// ErrShape, ErrUnsupported), header (ErrFormat) and layout (ErrType,
// ErrDType); match them all with errors.Is.
var ErrAlign = memmap.ErrAlign

// Options tunes Create and Open. A nil *Options means the defaults of
// every field.
type Options struct {
	// Capacity is the number of records Create preallocates in the file
	// (zeroed, with a real allocation, invisible to readers until
	// appended), so that the first Capacity appends never grow the file.
	// Open ignores it. Default 0: the file grows as records are appended.
	Capacity int

	// Perm is the permission of the file Create makes. Default 0o644
	// (before the umask).
	Perm os.FileMode

	// Reserve is the address space, in bytes, to reserve up front for the
	// file to grow into in place, as in memmap.Options.Reserve. 0 picks
	// memmap's default; a negative value reserves none. Views stay valid
	// in any case (see the package documentation); a larger reservation
	// only saves remaps.
	Reserve int64

	// ByteOrder is the byte order of the file Create writes: layout.Little
	// or layout.Big. The default (layout.NotApplicable) is the host's,
	// which gives zero-copy views (Row, Rows, Data, All); a file in the
	// other order is read and written through Get, At, Set and Append,
	// which swap.
	// Open ignores it: the file says its order.
	ByteOrder layout.ByteOrder

	// Access is how the records will be read, from which the file picks
	// the OS's read-ahead advice (madvise) for its pages; see "Files
	// bigger than memory" in package memmap. The default,
	// memmap.AccessAuto, reads only the pages an access touches for Get,
	// At, Set, Row and Take, as pread would, and reads ahead for Rows,
	// Data and All, as read(2) would: where the OS takes advice, on 64-bit systems,
	// those then come from a second map of the same file, made on their
	// first call (not for CopyOnWrite files, whose views come from the
	// one map, left with the OS's default advice). memmap.AccessRandom,
	// AccessSequential and AccessNormal give every accessor that advice,
	// from one map. Advise overrides it. An unknown value gives an error
	// wrapping memmap.ErrRange.
	Access memmap.Access
}

// File is an open record file: a 1-d .npy array whose elements are
// records of the fixed-size Go type T (normally a struct), stored with T's
// structured dtype (layout.Of[T]) so that NumPy reads it as a record array
// with T's field names.
//
// A File is not safe for concurrent use by several goroutines while one of
// them changes it (Append, Set, Grow, Resize, Truncate, Flush, FlushRows,
// Commit, Refresh, Close); Len, Get, At, Row, Rows, Data and All may run
// concurrently with each other. See
// the package documentation for durability, view lifetime and readers in
// other processes.
type File[T any] struct {
	s    *store.Store
	dt   *layout.DType // the file's dtype
	size int           // bytes per record: unsafe.Sizeof(T)
	swap bool          // the file's byte order is not the host's (and conv is nil)
	// conv converts between the file's records and Ts when T cannot lie
	// over them (a packed struct, fields at other offsets, mixed byte
	// orders); nil otherwise. isize is the file's record size: size,
	// but for conv.
	conv  *layout.Converter
	isize int
	// noView is why Row, Rows and Data cannot lay a T over the map
	// (ErrByteOrder, ErrPacked or ErrAlign), nil when they can.
	noView error
	closed bool
}

// Create creates the record file at path with no records, and opens it
// read-write with the writer lock: a second writer, in this process or
// another, gets an error wrapping memmap.ErrLocked, and so does Create
// over a file another writer holds, which it leaves unchanged. A file
// already at path is replaced, not truncated: the new file is built under
// a temporary name beside it and renamed over it once its header is
// durable (see memmap.Create), so a failure leaves the old file as it was.
// T must be a fixed-size type that layout.Of accepts (else an error
// wrapping layout.ErrType that names the field and the type to use
// instead).
func Create[T any](path string, opt *Options) (*File[T], error) {
	o := options(opt)
	dt, err := layout.Of[T]()
	if err != nil {
		return nil, &os.PathError{Op: "create", Path: path, Err: err}
	}
	switch o.ByteOrder {
	case layout.NotApplicable:
	case layout.Little, layout.Big:
		dt = dt.WithByteOrder(o.ByteOrder)
	default:
		return nil, &os.PathError{Op: "create", Path: path, Err: fmt.Errorf("%w: Options.ByteOrder %v: want layout.Little or layout.Big", memmap.ErrByteOrder, o.ByteOrder)}
	}
	if o.Capacity < 0 {
		return nil, &os.PathError{Op: "create", Path: path, Err: fmt.Errorf("%w: Options.Capacity %d", memmap.ErrRange, o.Capacity)}
	}
	if err := store.CheckAccess(o.Access); err != nil {
		return nil, &os.PathError{Op: "create", Path: path, Err: err}
	}
	s, err := store.Create(path, &header.Header{DType: dt, Shape: []int64{0}}, &store.Options{
		Perm:     o.Perm,
		Reserve:  o.Reserve,
		Capacity: int64(o.Capacity),
	})
	if err != nil {
		return nil, err
	}
	return newFile[T](s, o.Access, o.Reserve)
}

// Open opens the record file at path: memmap.ReadOnly (NumPy's "r"),
// memmap.ReadWrite ("r+", with the writer lock: a second writer gets an
// error wrapping memmap.ErrLocked) or memmap.CopyOnWrite ("c": Set changes
// records in memory only, and the length is fixed).
//
// The file must be a 1-d .npy array (else an error wrapping
// memmap.ErrShape) whose dtype matches T's field for field (else an error
// wrapping layout.ErrDType that names the first differing field and both
// types); its byte order may be either.
//
// The fields may sit at other offsets than T's: NumPy saves structured
// dtypes packed by default (np.dtype([('x', '<i2'), ('y', '<f8')]) has y at
// offset 2 and 10-byte records; a Go struct has Y at 8 and 16 bytes). Such a
// file, and one whose fields mix byte orders, opens with the Go struct
// whose fields match by name (or `npy` tag), kind and shape — the type
// `memmap info` suggests — and Get, Set, Append, Take and All convert each
// record field by field (layout.Converter), while Row, Rows and Data,
// which would need T's layout in the map, refuse it with an error wrapping
// memmap.ErrPacked. NumPy writes Go's layout with align=True. A malformed header or a file too
// short for its shape gives an error wrapping header.ErrFormat. Opening
// reads the header only: it costs the same for any number of records.
func Open[T any](path string, mode memmap.Mode, opt *Options) (*File[T], error) {
	o := options(opt)
	_, err := layout.Of[T]()
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if err := store.CheckAccess(o.Access); err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	// newFile checks the dtype against dt; it also accepts the layouts
	// a T cannot lie over but can be converted to (packed structs).
	s, err := store.Open(path, mode, nil, &store.Options{Reserve: o.Reserve})
	if err != nil {
		return nil, err
	}
	return newFile[T](s, o.Access, o.Reserve)
}

func options(opt *Options) Options {
	if opt == nil {
		return Options{}
	}
	return *opt
}

// newFile checks that s is a record file for T, advises it for acc and
// wraps it; it closes s if not.
func newFile[T any](s *store.Store, acc memmap.Access, reserve int64) (*File[T], error) {
	f, err := wrap[T](s, acc, reserve)
	if err != nil {
		s.Close()
		return nil, err
	}
	return f, nil
}

// wrap is newFile without the cleanup.
func wrap[T any](s *store.Store, acc memmap.Access, reserve int64) (*File[T], error) {
	var zero T
	dt := s.DType()
	f := &File[T]{s: s, dt: dt, size: int(unsafe.Sizeof(zero))}
	fail := func(err error) (*File[T], error) {
		return nil, &os.PathError{Op: "open", Path: s.Path(), Err: err}
	}
	if shape := s.Shape(); len(shape) != 1 {
		return fail(fmt.Errorf("%w: a record file is 1-d; this file's shape is %v", memmap.ErrShape, shape))
	}
	if f.size == 0 {
		return fail(fmt.Errorf("%w: %T has no bytes to store", layout.ErrType, zero))
	}
	want, err := layout.Of[T]()
	if err != nil {
		return fail(err)
	}
	// A file T can lie over (byte order aside) is read in place; one
	// whose fields T has at other offsets (a packed struct) or that mixes
	// byte orders, through a Converter, field by field.
	if err := layout.Compatible(dt, want); err != nil || dt.Order() == layout.Mixed {
		conv, cerr := layout.NewConverter(dt, want)
		if cerr != nil {
			if err == nil {
				err = cerr
			}
			return fail(err)
		}
		f.conv = conv
	}
	f.isize = dt.Size()
	if f.conv == nil && f.isize != f.size || f.conv != nil && (f.conv.FileSize() != f.isize || f.conv.GoSize() != f.size) || f.isize == 0 {
		// layout.Compatible and NewConverter checked this; keep the
		// unsafe code below independent of them.
		return fail(fmt.Errorf("%w: file records are %d bytes, Go records %d", layout.ErrDType, dt.Size(), f.size))
	}
	if int64(int(s.Len())) != s.Len() || int64(int(s.Cap())) != s.Cap() {
		return fail(fmt.Errorf("%w: %d records do not fit an int on this host", memmap.ErrRange, s.Len()))
	}
	switch {
	case f.conv != nil && dt.Order() == layout.Mixed:
		f.noView = fmt.Errorf("%w: the dtype %s mixes little- and big-endian fields; use Get, At, Set and All, which convert each record", memmap.ErrByteOrder, dt.Descr())
	case f.conv != nil:
		f.noView = fmt.Errorf("%w: the file's records (%s, %d bytes) have fields where %T cannot have them (%d bytes; a packed struct, as NumPy writes with align=False); use Get, At, Set and All, which convert each record", memmap.ErrPacked, dt.Descr(), f.isize, zero, f.size)
	case dt.Order() == layout.Little || dt.Order() == layout.Big:
		if dt.Order() != layout.HostOrder() {
			f.swap = true
			f.noView = fmt.Errorf("%w: the file is %s (%s), the host %s; use Get, At and Set, which swap", memmap.ErrByteOrder, dt.Order().Name(), dt.Descr(), layout.HostOrder().Name())
		}
	}
	// The map starts on a page boundary, so the data's alignment is the
	// data offset's.
	if align := int64(unsafe.Alignof(zero)); f.noView == nil && s.DataOffset()%align != 0 {
		f.noView = fmt.Errorf("%w: data at offset %d, records need %d-byte alignment", ErrAlign, s.DataOffset(), align)
	}
	if err := s.SetAccess(acc, reserve); err != nil {
		return nil, err
	}
	return f, nil
}

// Path returns the file's path.
func (f *File[T]) Path() string { return f.s.Path() }

// Mode returns the mode the file was opened in (Create opens ReadWrite).
func (f *File[T]) Mode() memmap.Mode { return f.s.Mode() }

// DType returns the file's dtype: T's structured dtype, in the file's byte
// order.
func (f *File[T]) DType() *layout.DType { return f.dt }

// ByteOrder returns the byte order of the file's records: layout.Little,
// layout.Big, or layout.NotApplicable when T has no multi-byte fields.
// When it is neither NotApplicable nor layout.HostOrder(), Row, Rows and
// Data refuse the file (memmap.ErrByteOrder) and Get, At, Set, Append and
// All swap bytes.
func (f *File[T]) ByteOrder() layout.ByteOrder { return f.dt.Order() }

// Len returns the number of records: for a writer, all those appended
// (committed or not); for a reader, those committed when it opened or last
// called Refresh.
func (f *File[T]) Len() int { return int(f.s.Len()) }

// Cap returns the number of records the file holds without growing; 0
// after Close.
func (f *File[T]) Cap() int {
	if f.closed {
		return 0
	}
	return int(min(f.s.Cap(), int64(maxInt)))
}

const maxInt = int(^uint(0) >> 1)

// Guard runs fn and turns a memory fault during it (the SIGBUS the OS
// raises when another process truncated the file under the map) into an
// error wrapping memmap.ErrFault: see memmap.Map.Guard. Use it around
// reads of files that other processes may shrink.
func (f *File[T]) Guard(fn func() error) error {
	return f.s.Map().Guard(fn)
}
