package array

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// Options tunes Create, New and Open. A nil *Options means the defaults of
// every field. Open uses only Reserve and Access.
type Options struct {
	// FortranOrder makes Create and New lay the array out in column-major
	// (Fortran) order: the first index varies fastest and the array grows
	// along its last axis. Default false: C (row-major) order, growing
	// along axis 0. OpenRaw uses it to describe the file: true for a
	// raw file in Fortran order (np.memmap's order="F").
	FortranOrder bool

	// Capacity is the number of rows (indexes along the growth axis) that
	// Create and New preallocate, counting the shape's own rows, so that
	// appends up to it do not grow the file. Fewer than the shape's rows
	// means no extra ones. Capacity rows are zero and invisible to NumPy
	// until appended; a writer's Close gives them back. Default 0.
	Capacity int

	// ByteOrder is the byte order of a new file's elements: layout.Little
	// or layout.Big. The zero value, layout.NotApplicable, means the
	// host's order (layout.HostOrder()), which gives zero-copy views;
	// layout.Mixed is refused. Element accessors swap bytes for a file in
	// the other order. OpenRaw uses it to describe the file, whose
	// elements are in this order (the zero value: the host's).
	ByteOrder layout.ByteOrder

	// Perm is the permission of a file that Create, CreateRaw or Save
	// makes where none existed (a file they replace keeps its own).
	// Default 0o644 for Create and CreateRaw, 0o666 for Save (as
	// np.save and os.Create), less the umask.
	Perm os.FileMode

	// Reserve is the address space, in bytes, to reserve for a writable
	// array to grow into in place (see memmap.Options.Reserve); 0 picks
	// memmap's default. Views stay valid across growth whatever it is.
	Reserve int64

	// Access is how the array's elements will be read, from which the
	// array picks the OS's read-ahead advice (madvise) for its pages; see
	// "Files bigger than memory" in package memmap. The default,
	// memmap.AccessAuto, reads only the pages an access touches for the
	// element accessors (At, Get, Set, Row, Take), as pread would, and
	// reads ahead for the whole-range views (Data, Rows), as read(2)
	// would: where the OS takes advice, on 64-bit systems, the views
	// then come from a second map of the same file, made on the first
	// view (not for CopyOnWrite and anonymous arrays, whose views come
	// from the one map, left with the OS's default advice).
	// memmap.AccessRandom, AccessSequential and AccessNormal give every
	// accessor and view that advice, from one map. Advise overrides it.
	// An unknown value gives an error wrapping memmap.ErrRange.
	Access memmap.Access

	// Offset is the number of bytes before the first element of a
	// headerless raw file, as np.memmap's offset. Used by OpenRaw and
	// CreateRaw only. A negative value gives an error wrapping
	// memmap.ErrRange. Default 0.
	Offset int64
}

// Array is an N-dimensional array of elements of type T laid over the data
// of a .npy file mapped into memory (or over anonymous memory, for New):
// the Go counterpart of numpy.memmap and numpy.lib.format.open_memmap.
//
// T is a fixed-size Go type that package layout maps to a NumPy dtype:
// bool, sized integers and floats, complex64, complex128, layout.Float16,
// [N]byte, and structs of those (with array fields and nested structs).
// The file's dtype must match T (layout.Compatible), byte order aside.
//
// Elements are read and written with At and Set (any rank, no allocation,
// no system call), and seen without copies through the views Data, Row
// and Rows. An Array grows along its growth axis — axis 0 in C order, the
// last axis in Fortran order — with Append, Grow and Resize.
//
// An Array is used like a slice: At, Get, Set on distinct elements and
// the views may be used from many goroutines at once, but nothing may run
// concurrently with a method that changes the length or the mapping
// (Append, Grow, Resize, Truncate, Refresh, Close). Views stay valid until
// Close, across growth. See the package documentation for the caveats.
type Array[T any] struct {
	// The hot fields of At and Set, refreshed by recache after every
	// change of length or mapping.
	base    unsafe.Pointer // element (0, ..., 0) in the mapping; nil if the data region is empty
	shape   []int          // current shape; shape[axis] is the length
	strides []int          // bytes, NumPy's strides
	rank    int            // len(shape); -1 after Close, so every index fails
	slowGet bool           // At must copy (swap or misaligned)
	slowSet bool           // Set must copy or fail (swap, misaligned, read-only)

	// Views for the fast paths of At1, At2, At3, Set1, Set2, Set3 and of
	// At and Set with one to three indexes: the elements of the rows the
	// views cover, as a []T, when the data is in host order and aligned
	// (get) and also writable (set), for 1-d arrays (get1, set1), C-order
	// 2-d arrays (get2, set2: rows2 rows of cols2 elements) and C-order
	// 3-d arrays (get3, set3: rows3 rows of mid3 × cols3 elements); nil,
	// with zero extents, otherwise and after Close. Their bounds checks
	// are the only checks the fast paths make; an index they miss goes
	// to the slow path, which checks it against the shape. setFast sets
	// them all, from one row count.
	get1, set1, get2, set2, get3, set3 []T
	rows2, cols2                       int  // extent of get2; 0, 0 without it
	srows2                             int  // rows2 where set2 is there, else 0: Set2's one test for a writable view
	rows3, mid3, cols3                 int  // extent of get3; 0, 0, 0 without it
	srows3                             int  // rows3 where set3 is there, else 0
	n1                                 uint // len(set1): a cheaper test for Set1, which then stays small enough to inline

	// The slow paths of At2, At3, Set2 and Set3 as function values, set
	// by init: see fastAt2 for why they are called through a parameter.
	slowAt2  func(*Array[T], int, int) T
	slowAt3  func(*Array[T], int, int, int) T
	slowSet2 func(*Array[T], T, int, int) error
	slowSet3 func(*Array[T], T, int, int, int) error

	s        *store.Store
	dt       *layout.DType     // the file's dtype
	conv     *layout.Converter // file elements ↔ Ts, for layouts a T cannot lie over (packed, mixed order); nil otherwise
	esize    int               // bytes per element of T
	isize    int               // bytes per element in the file: esize, but for conv
	swap     bool              // the file's order is not the host's (and conv is nil)
	aligned  bool              // base is aligned for T
	ro       bool              // ReadOnly: Set returns ErrReadOnly
	closed   bool
	axis     int // growth axis, -1 for 0-d
	rowElems int // elements per row
	rowBytes int // bytes per row (the growth axis' stride)

	// A slice (Slice) shares its parent's store and shows its rows
	// [lo, lo+rows()) along the growth axis; its length is fixed. sub is
	// false, lo 0, for the array a Create, New or Open returned.
	sub bool
	lo  int

	// fastAppend: Append of one row may go straight to the store: not a
	// slice, the file's elements are Ts in the host's order, C order
	// (the growth axis is 0) and rows are not empty.
	fastAppend bool

	// epoch is the store's Epoch when recache last ran: an append that
	// leaves it unchanged went into the store's buffer (rows past the
	// fast views) and needs no recache.
	epoch uint64
}

// maxInt is the largest int, 2^31-1 on 32-bit systems.
const maxInt = math.MaxInt

// Create creates the .npy file at path for an array of the given shape,
// all zeros, and opens it read-write, taking the writer lock (NumPy's mode
// "w+"). The header leaves room for the growth axis to reach any length,
// as NumPy >= 1.23 writes it. A file already at path is replaced, not
// truncated: the new file is built under a temporary name beside it and
// renamed over it once its header is durable (see memmap.Create), so a
// failure leaves the old file as it was. A second writer of the same file,
// in this process or another, gets an error wrapping memmap.ErrLocked; so
// does Create over a file another writer holds, which it leaves unchanged.
//
// A type T that has no dtype gives an error wrapping layout.ErrType that
// names the field; a negative dimension an error wrapping memmap.ErrShape.
// A 0-d array (one element, NumPy's shape ()) has the empty shape []int{};
// a nil shape, more likely a forgotten one, is refused with an error
// wrapping memmap.ErrShape.
func Create[T any](path string, shape []int, opt *Options) (*Array[T], error) {
	return create[T](path, shape, opt, false)
}

// New makes an array like Create does, in anonymous memory instead of a
// file: it can grow, and disappears at Close. Its Path is "anonymous".
func New[T any](shape []int, opt *Options) (*Array[T], error) {
	return create[T]("anonymous", shape, opt, true)
}

func create[T any](path string, shape []int, opt *Options, anon bool) (*Array[T], error) {
	const op = "create"
	h, o, err := newHeader[T](shape, opt, false)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	so := &store.Options{Perm: o.Perm, Reserve: o.Reserve, Capacity: int64(o.Capacity)}
	var s *store.Store
	if anon {
		s, err = store.New(h, so)
	} else {
		s, err = store.Create(path, h, so)
	}
	if err != nil {
		return nil, err
	}
	return wrap[T](s, op, o.Access, o.Reserve)
}

// newHeader checks the shape and options of an array of T and returns
// its header, and the options with nil made the defaults: for a new
// array (Create, New, Save), or, with raw, for a raw file (OpenRaw,
// CreateRaw), whose data starts at Options.Offset and whose shape may
// hold a -1 for the store to check and infer. The checks come before
// anything touches the disk.
func newHeader[T any](shape []int, opt *Options, raw bool) (*header.Header, Options, error) {
	var o Options
	if opt != nil {
		o = *opt
	}
	dt, err := elemDType[T]()
	if err != nil {
		return nil, o, err
	}
	switch o.ByteOrder {
	case layout.NotApplicable:
	case layout.Little, layout.Big:
		dt = dt.WithByteOrder(o.ByteOrder)
	default:
		return nil, o, fmt.Errorf("%w: Options.ByteOrder %v: want layout.Little, layout.Big or the zero value (host order)", memmap.ErrByteOrder, o.ByteOrder)
	}
	if err := store.CheckAccess(o.Access); err != nil {
		return nil, o, err
	}
	h := &header.Header{DType: dt, FortranOrder: o.FortranOrder, Shape: make([]int64, len(shape))}
	switch {
	case raw && o.Offset < 0:
		return nil, o, fmt.Errorf("%w: negative Options.Offset %d", memmap.ErrRange, o.Offset)
	case raw:
		h.DataOffset = o.Offset
	case o.Capacity < 0:
		return nil, o, fmt.Errorf("%w: negative Options.Capacity %d", memmap.ErrRange, o.Capacity)
	case shape == nil:
		return nil, o, fmt.Errorf("%w: nil shape; use []int{} for a 0-d array", memmap.ErrShape)
	}
	for i, d := range shape {
		if d < 0 && !raw {
			return nil, o, fmt.Errorf("%w: negative dimension in shape %v", memmap.ErrShape, shape)
		}
		h.Shape[i] = int64(d)
	}
	return h, o, nil
}

// Open opens the .npy file at path as an array of T, in mode
// memmap.ReadOnly ("r"), memmap.ReadWrite ("r+": takes the writer lock,
// so a second writer gets an error wrapping memmap.ErrLocked) or
// memmap.CopyOnWrite ("c": Set changes memory only, the file never
// changes). Opening reads only the header: it costs the same for any
// size of file.
//
// The file's dtype must match T's (layout.Compatible, byte order aside):
// otherwise the error wraps layout.ErrDType and names the first field that
// differs. A malformed header, or a file shorter than its header says,
// gives an error wrapping header.ErrFormat (and io.ErrUnexpectedEOF for a
// file cut short). A file in the other byte order than the host's opens:
// At and Set swap, the views return errors wrapping memmap.ErrByteOrder.
//
// A structured dtype whose fields T has at other offsets opens too: NumPy
// saves structs packed by default (np.dtype([('x', '<i2'), ('y', '<f8')])
// has y at offset 2 and 10-byte items; a Go struct has Y at 8 and is 16
// bytes). T's fields must match the file's by name (or `npy` tag), kind
// and shape, as `memmap info` suggests them. At, Get, Set, Append, Take,
// CopyTo, CopyFrom and All convert each element field by field
// (layout.Converter); the views Data, Row and Rows return an error
// wrapping memmap.ErrPacked. A dtype that mixes byte orders is converted
// the same way, and its views return memmap.ErrByteOrder.
func Open[T any](path string, mode memmap.Mode, opt *Options) (*Array[T], error) {
	const op = "open"
	want, err := elemDType[T]()
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	// The file's dtype is checked against T's in init (wrapAs), which
	// also accepts the layouts a T cannot lie over but can be converted
	// to (packed structs), and opt.Access in the store's SetAccess.
	s, acc, reserve, err := openStore(path, mode, opt)
	if err != nil {
		return nil, err
	}
	return wrapAs[T](s, op, acc, reserve, want)
}

// openStore opens the .npy file at path for Open and OpenAny, with any
// dtype, and returns the access pattern and reservation opt asks for.
func openStore(path string, mode memmap.Mode, opt *Options) (*store.Store, memmap.Access, int64, error) {
	var so store.Options
	var acc memmap.Access
	if opt != nil {
		so.Reserve = opt.Reserve
		acc = opt.Access
	}
	s, err := store.Open(path, mode, nil, &so)
	return s, acc, so.Reserve, err
}

// elemDType returns T's dtype, or an error wrapping layout.ErrType for a
// type that has none or that has no bytes ([0]byte, struct{}): an array
// of those would be all shape and no data, and its rows could not be
// counted. Create and New check it before they touch the disk.
func elemDType[T any]() (*layout.DType, error) {
	dt, err := layout.Of[T]()
	if err != nil {
		return nil, err
	}
	var zero T
	if unsafe.Sizeof(zero) == 0 || dt.Size() == 0 {
		return nil, fmt.Errorf("%w: %T has no bytes to store; an array element needs at least one", layout.ErrType, zero)
	}
	return dt, nil
}

// wrap makes the Array over an open store, or closes the store and returns
// why it cannot be one.
func wrap[T any](s *store.Store, op string, acc memmap.Access, reserve int64) (*Array[T], error) {
	return wrapAs[T](s, op, acc, reserve, nil)
}

// wrapAs is wrap given T's dtype (elemDType), where the caller has it;
// nil means wrap.
func wrapAs[T any](s *store.Store, op string, acc memmap.Access, reserve int64, want *layout.DType) (*Array[T], error) {
	a := &Array[T]{s: s, dt: s.DType(), axis: s.Axis(), ro: s.Mode() == memmap.ReadOnly}
	if err := a.init(want); err != nil {
		s.Close()
		return nil, pathErr(op, s.Path(), err)
	}
	if err := s.SetAccess(acc, reserve); err != nil {
		s.Close()
		return nil, err
	}
	return a, nil
}

// init checks the store's dtype against T's, want (elemDType; nil to
// compute it), and sets the fields from the store.
func (a *Array[T]) init(want *layout.DType) (err error) {
	dt := a.dt
	if want == nil {
		if want, err = elemDType[T](); err != nil {
			return err
		}
	}
	// A file whose dtype T can lie over (byte order aside) is read in
	// place; one whose fields T has at other offsets (a packed struct,
	// explicit offsets) or that mixes byte orders, through a Converter.
	if err := layout.Compatible(dt, want); err != nil || dt.Order() == layout.Mixed {
		conv, cerr := layout.NewConverter(dt, want)
		if cerr != nil {
			if err == nil {
				err = cerr
			}
			return err
		}
		a.conv = conv
	}
	var zero T
	a.esize = int(unsafe.Sizeof(zero))
	a.isize = dt.Size()
	if a.conv == nil && a.isize != a.esize { // layout.Compatible checked it; never trust a size for unsafe
		return fmt.Errorf("%w: dtype %s has %d-byte items, the Go type %d", layout.ErrDType, dt.Descr(), dt.Size(), unsafe.Sizeof(zero))
	}
	if a.conv != nil && (a.conv.FileSize() != a.isize || a.conv.GoSize() != a.esize) {
		return fmt.Errorf("%w: converter of %d-byte items to %d-byte Ts for dtype %s", layout.ErrDType, a.conv.FileSize(), a.conv.GoSize(), dt.Descr())
	}
	if a.isize == 0 { // elemDType refused T; rows are counted by dividing by it
		return fmt.Errorf("%w: dtype %s has no bytes to store", layout.ErrType, dt.Descr())
	}
	a.swap = a.conv == nil && !dt.InHostOrder()
	sh := a.s.Shape()
	a.rank = len(sh)
	if a.shape, a.strides, err = shapeStrides(sh, a.isize, a.s.FortranOrder()); err != nil {
		return err
	}
	rb := a.s.RowSize()
	if rb > maxInt {
		return fmt.Errorf("%w: rows of %d bytes do not fit an int on this platform", memmap.ErrRange, rb)
	}
	a.rowBytes = int(rb)
	a.rowElems = a.rowBytes / a.isize
	// The map starts on a page (or allocation granule) boundary, so the
	// data's alignment is the data offset's, whether or not any data is
	// mapped yet: base is nil while the data region is empty, and growth
	// and Refresh do not move the data offset.
	a.aligned = a.s.DataOffset()%int64(unsafe.Alignof(zero)) == 0
	a.recache()
	a.slowGet = a.swap || !a.aligned || a.conv != nil
	a.slowSet = a.slowGet || a.ro
	a.slowAt2, a.slowAt3 = (*Array[T]).at2, (*Array[T]).at3
	a.slowSet2, a.slowSet3 = (*Array[T]).set2Slow, (*Array[T]).set3Slow
	a.setFast()
	return nil
}

// shapeStrides returns shape as ints and NumPy's strides for items of
// isize bytes in C or Fortran order, or an error wrapping memmap.ErrRange
// when they do not fit an int.
func shapeStrides(sh []int64, isize int, fortran bool) (shape, strides []int, err error) {
	shape = make([]int, len(sh))
	strides = make([]int, len(sh))
	for i, d := range sh {
		if d > maxInt {
			return nil, nil, fmt.Errorf("%w: dimension %d of shape %s does not fit an int on this platform", memmap.ErrRange, d, shapeString(sh))
		}
		shape[i] = int(d)
	}
	// NumPy's strides: each the product of the item size and the dims
	// that vary faster, counting a zero dim as one.
	st := int64(isize)
	for k := range sh {
		i := k
		if !fortran {
			i = len(sh) - 1 - k
		}
		if st > maxInt {
			return nil, nil, fmt.Errorf("%w: the strides of shape %s do not fit an int on this platform", memmap.ErrRange, shapeString(sh))
		}
		strides[i] = int(st)
		if d := sh[i]; d > 1 {
			if st > math.MaxInt64/d {
				return nil, nil, fmt.Errorf("%w: the strides of shape %s overflow", memmap.ErrRange, shapeString(sh))
			}
			st *= d
		}
	}
	return shape, strides, nil
}

// setFast refreshes the fast-path views from base and shape. Every
// view's extent comes from rows, the number of rows along axis 0 that
// the views cover.
func (a *Array[T]) setFast() {
	a.get1, a.set1, a.get2, a.set2, a.get3, a.set3 = nil, nil, nil, nil, nil, nil
	a.rows2, a.cols2, a.srows2, a.rows3, a.mid3, a.cols3, a.srows3, a.n1 = 0, 0, 0, 0, 0, 0, 0, 0
	if a.closed || a.slowGet || a.base == nil || a.rank < 1 || a.rank > 3 || (a.rank > 1 && a.FortranOrder()) {
		return
	}
	// The views cover the rows in the file only: the last rows appended
	// may still be in the store's buffer, and an index past the views
	// takes the slow path, which writes them out first (Settle).
	rows := int(min(max(a.s.Settled()-int64(a.lo), 0), int64(a.shape[0])))
	n := rows
	for _, d := range a.shape[1:] {
		n *= d
	}
	// SAFETY: base is element (0, ..., 0) of a contiguous C-order (or
	// 1-d) array whose first rows rows (n elements) lie inside the
	// mapping and in the file, which stays mapped until Close (Close
	// clears these views); the data is in host order and aligned for T,
	// and T has no pointers (layout.Of refuses them), so the bytes are n
	// Ts.
	all := unsafe.Slice((*T)(a.base), n)[:n:n]
	switch a.rank {
	case 1:
		a.get1 = all
	case 2:
		a.get2, a.rows2, a.cols2 = all, rows, a.shape[1]
	case 3:
		a.get3, a.rows3, a.mid3, a.cols3 = all, rows, a.shape[1], a.shape[2]
	}
	if !a.slowSet {
		a.set1, a.set2, a.set3 = a.get1, a.get2, a.get3
		a.n1 = uint(len(a.set1))
		a.srows2, a.srows3 = a.rows2, a.rows3
	}
}

// recache refreshes the hot fields from the store after a change of length
// or mapping. The store's length fits an int: it was checked at open, and
// the length grows only by appends and resizes of int counts, or Refresh,
// which checks it.
func (a *Array[T]) recache() {
	if a.dead() {
		return // Close cleared the views; a failed call changed nothing
	}
	if a.axis >= 0 {
		a.shape[a.axis] = int(a.s.Len())
	}
	a.epoch = a.s.Epoch()
	a.fastAppend = !a.sub && a.conv == nil && !a.swap && a.axis == 0 && a.rowElems > 0
	m := a.s.Map().Bytes()
	if off := a.s.DataOffset(); int64(len(m)) > off {
		// SAFETY: off < len(m), so &m[off] is inside the mapping, which
		// stays mapped (this mapping or the one that replaced it, at the
		// same alignment) until Close; the mapping is not Go memory, so
		// the GC does not track the pointer.
		a.base = unsafe.Pointer(&m[off])
	} else {
		a.base = nil
	}
	a.setFast()
}

// dead reports whether the array, or for a slice its parent, is closed.
func (a *Array[T]) dead() bool { return a.closed || a.s.Closed() }

func pathErr(op, path string, err error) error {
	return &os.PathError{Op: op, Path: path, Err: err}
}

func (a *Array[T]) err(op string, err error) error { return pathErr(op, a.s.Path(), err) }

// Shape returns the shape; the caller may keep and change the slice.
// Shape()[0] is Len; the length along the growth axis is Shape()[0] in C
// order and Shape()[Rank()-1] in Fortran order.
func (a *Array[T]) Shape() []int { return slices.Clone(a.shape) }

// Len returns the length of axis 0, as NumPy's len(a) and Shape()[0],
// in C and Fortran order alike; 1 for a 0-d array. A writer's length
// includes rows appended but not yet committed by Flush, Commit or Close.
// In C order (and for 1-d arrays) axis 0 is the growth axis, and Len is
// the number of rows that Append, Row, Rows, All and the other verbs
// counting rows along the growth axis count; in Fortran order those
// count Shape()[Rank()-1] rows (see "Fortran order" in the package
// documentation).
func (a *Array[T]) Len() int {
	if len(a.shape) == 0 {
		return 1
	}
	return a.shape[0]
}

// rows returns the length of the growth axis (axis 0 in C order, the
// last axis in Fortran order), 1 for a 0-d array.
func (a *Array[T]) rows() int {
	if a.axis < 0 {
		return 1
	}
	return a.shape[a.axis]
}

// Cap returns the number of rows along the growth axis the array holds
// without growing its file; 0 after Close.
func (a *Array[T]) Cap() int {
	if a.dead() {
		return 0
	}
	if a.sub {
		return a.rows()
	}
	return int(min(a.s.Cap(), maxInt))
}

// Size returns the number of elements: the product of the shape.
func (a *Array[T]) Size() int { return a.rows() * a.rowElems }

// Rank returns the number of dimensions.
func (a *Array[T]) Rank() int { return len(a.shape) }

// Strides returns the strides in bytes, as NumPy's ndarray.strides: the
// distance between consecutive indexes along each axis. The caller may
// keep and change the slice.
func (a *Array[T]) Strides() []int { return slices.Clone(a.strides) }

// DType returns the file's dtype, in the file's byte order.
func (a *Array[T]) DType() *layout.DType { return a.dt }

// FortranOrder reports column-major (Fortran) order.
func (a *Array[T]) FortranOrder() bool { return a.s.FortranOrder() }

// ByteOrder returns the byte order of the file's elements: layout.Little
// or layout.Big, or layout.NotApplicable for a dtype without multi-byte
// scalars (bool, int8, uint8, [N]byte).
func (a *Array[T]) ByteOrder() layout.ByteOrder { return a.dt.Order() }

// Path returns the file's path, or "anonymous" for an array made by New.
func (a *Array[T]) Path() string { return a.s.Path() }

// Mode returns the mode the array was opened in: ReadWrite for Create and
// New.
func (a *Array[T]) Mode() memmap.Mode { return a.s.Mode() }

// shapeString writes a shape as Python does: "(3000, 64)", "(5,)", "()".
func shapeString[I int | int64](shape []I) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(int64(d), 10))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}
