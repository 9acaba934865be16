package array

import (
	"fmt"
	"math"
	"slices"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// Info is what the header of a .npy file says, checked against the file's
// size: the facts Stat returns without mapping the data.
type Info struct {
	// Path is the path Stat was given.
	Path string

	// Version is the format version: header.V1, V2 or V3 (1.0, 2.0, 3.0).
	Version header.Version

	// DType is the file's dtype, in the file's byte order.
	DType *layout.DType

	// Shape is the array's shape as the header commits it; empty for a
	// 0-d array. Dims are int64 so that Stat describes files whose dims
	// do not fit an int on a 32-bit host.
	Shape []int64

	// FortranOrder reports column-major (Fortran) order.
	FortranOrder bool

	// ByteOrder is DType.Order(): layout.Little, layout.Big,
	// layout.NotApplicable (no multi-byte scalars) or layout.Mixed (a
	// struct with fields of both orders).
	ByteOrder layout.ByteOrder

	// GrowthAxis is the axis the array grows along: 0 in C order, the
	// last axis in Fortran order, -1 for a 0-d array.
	GrowthAxis int

	// HeaderLen is the length of the header text (the HEADER_LEN field
	// of the format), and DataOffset where the data starts: HeaderLen
	// plus the 10 (version 1.0) or 12 (2.0, 3.0) bytes before the text.
	HeaderLen  int64
	DataOffset int64

	// DataSize is the size in bytes of the committed data: the product of
	// Shape and DType.Size().
	DataSize int64

	// RowSize is the size in bytes of one row: one index along the growth
	// axis (the item size for 0-d and 1-d arrays).
	RowSize int64

	// Rows is the number of rows along the growth axis that the header
	// commits: Shape[GrowthAxis], 1 for a 0-d array. (It is not NumPy's
	// len, Shape[0], in Fortran order: see "Fortran order" in the package
	// documentation.)
	Rows int64

	// Cap is the number of whole rows the file holds past the header: Rows,
	// plus the capacity a writer preallocated (invisible to NumPy). It is
	// math.MaxInt64 for rows of no bytes (a zero dim other than the
	// growth axis), and 1 for a 0-d array.
	Cap int64

	// FileSize is the size of the file in bytes.
	FileSize int64
}

// Stat reads the header of the .npy file at path and checks it against
// the file's size, without mapping the file or reading any of its data.
// It accepts every file OpenAny opens. Errors are those of Open: a
// malformed header, or a file shorter than its header says, gives an
// *os.PathError wrapping header.ErrFormat (and io.ErrUnexpectedEOF for a
// file cut short); a dtype the library does not support wraps
// layout.ErrDType too; a path that is not a regular file (a directory,
// FIFO, device or socket) an error wrapping memmap.ErrNotRegular, at once:
// like Open, Stat never waits on a FIFO that has no writer (a directory
// matches header.ErrFormat too); the OS's other errors come as os.Open
// and os.File.Stat return them.
func Stat(path string) (*Info, error) {
	const op = "stat"
	// The open memmap.Open makes: non-blocking, so that a FIFO or a
	// device is refused by its type instead of waited on.
	f, err := store.OpenRegular(op, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	// As Open does: a header caught in the middle of a commit across a
	// page by a writer of an earlier version of this library is read
	// again until the commit is over (writers now commit with one write
	// inside one page, which no read sees half done).
	h, err := store.ReadHeader(f, size, 0)
	if err == nil {
		err = h.Validate(size)
	}
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	data, err := h.DataSize() // Validate checked it
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	pre := int64(12)
	if h.Version == header.V1 {
		pre = 10
	}
	in := &Info{
		Path:         path,
		Version:      h.Version,
		DType:        h.DType,
		Shape:        h.Shape,
		FortranOrder: h.FortranOrder,
		ByteOrder:    h.DType.Order(),
		GrowthAxis:   h.GrowthAxis(),
		HeaderLen:    h.DataOffset - pre,
		DataOffset:   h.DataOffset,
		DataSize:     data,
		FileSize:     size,
		Rows:         1,
		Cap:          1,
	}
	// A row is the product of the dims other than the growth axis; it
	// divides DataSize when Rows is not 0, and may overflow otherwise.
	in.RowSize = int64(in.DType.Size())
	for i, d := range in.Shape {
		if i == in.GrowthAxis {
			continue
		}
		if d != 0 && in.RowSize > math.MaxInt64/d {
			return nil, pathErr(op, path, fmt.Errorf("%w: a row of shape %s overflows", header.ErrTooLarge, shapeString(in.Shape)))
		}
		in.RowSize *= d
	}
	if in.GrowthAxis >= 0 {
		in.Rows = in.Shape[in.GrowthAxis]
		in.Cap = math.MaxInt64
		if in.RowSize > 0 {
			in.Cap = (size - in.DataOffset) / in.RowSize // Validate: size >= DataOffset
		}
	}
	return in, nil
}

// Any is an N-dimensional array over the data of a .npy file whose dtype
// is known only at run time: the untyped counterpart of Array, for tools,
// servers and notebooks that open whatever a pipeline produced. It opens
// every file Open opens for some T — packed structured dtypes (NumPy's
// default, whose offsets no Go struct has), either byte order, structs
// mixing both, Fortran order, 0-d arrays and zero-size dims — and gives
// its elements as Values (At), as bytes (ElemBytes, Bytes), and sets them
// from either (Set, SetBytes).
//
// An Any is used like an Array: At, ElemBytes, Set and SetBytes on
// distinct elements and Bytes may be used from many goroutines at once,
// but nothing may run concurrently with Refresh or Close. The slices of
// Bytes and ElemBytes alias the mapped pages and stay valid until Close
// (see "View lifetime" in the package documentation); Values from At are
// copies and outlive it. It cannot grow: use Open, or package record, with
// a Go type for that.
type Any struct {
	s       *store.Store
	dt      *layout.DType
	shape   []int
	strides []int
	esize   int
	closed  bool
}

// OpenAny opens the .npy file at path as an untyped array, in mode
// memmap.ReadOnly, memmap.ReadWrite (with the writer lock: a second
// writer gets an error wrapping memmap.ErrLocked) or memmap.CopyOnWrite;
// opt's Access and Reserve apply as for Open, a nil opt means the
// defaults. Opening reads only the header: it costs the same for any size
// of file. Errors are those of Open, without the dtype checks: any
// fixed-size dtype that package layout parses opens.
func OpenAny(path string, mode memmap.Mode, opt *Options) (*Any, error) {
	const op = "open"
	s, acc, reserve, err := openStore(path, mode, opt)
	if err != nil {
		return nil, err
	}
	a, err := newAny(s, op)
	if err != nil {
		return nil, err
	}
	if err := s.SetAccess(acc, reserve); err != nil {
		s.Close()
		return nil, err
	}
	return a, nil
}

// newAny makes the Any over an open store, or closes the store and
// returns why it cannot be one.
func newAny(s *store.Store, op string) (*Any, error) {
	a := &Any{s: s, dt: s.DType(), esize: s.DType().Size()}
	if err := a.init(); err != nil {
		s.Close()
		return nil, pathErr(op, s.Path(), err)
	}
	return a, nil
}

// dead reports whether the array, or for a ViewAny its map, is closed.
func (a *Any) dead() bool { return a.closed || a.s.Closed() }

// init sets the shape and NumPy's strides from the store, checking that
// they fit an int.

func (a *Any) init() (err error) {
	a.shape, a.strides, err = shapeStrides(a.s.Shape(), a.esize, a.s.FortranOrder())
	return err
}

func (a *Any) err(op string, err error) error { return pathErr(op, a.s.Path(), err) }

// Shape returns the shape; the caller may keep and change the slice.
func (a *Any) Shape() []int { return slices.Clone(a.shape) }

// Rank returns the number of dimensions.
func (a *Any) Rank() int { return len(a.shape) }

// Len returns the length of axis 0, as NumPy's len(a) and Shape()[0],
// in C and Fortran order alike; 1 for a 0-d array.
func (a *Any) Len() int {
	if len(a.shape) == 0 {
		return 1
	}
	return a.shape[0]
}

// Size returns the number of elements: the product of the shape.
func (a *Any) Size() int {
	n := 1
	for _, d := range a.shape {
		n *= d // the data region holds n elements of esize bytes, so n fits; or a dim is 0
	}
	return n
}

// Strides returns the strides in bytes, as NumPy's ndarray.strides. The
// caller may keep and change the slice.
func (a *Any) Strides() []int { return slices.Clone(a.strides) }

// DType returns the file's dtype, in the file's byte order.
func (a *Any) DType() *layout.DType { return a.dt }

// FortranOrder reports column-major (Fortran) order.
func (a *Any) FortranOrder() bool { return a.s.FortranOrder() }

// ByteOrder returns the byte order of the file's elements: layout.Little,
// layout.Big, layout.NotApplicable for a dtype without multi-byte scalars,
// or layout.Mixed for a struct with fields of both orders (which Any
// reads and writes, decoding each field in its own order).
func (a *Any) ByteOrder() layout.ByteOrder { return a.dt.Order() }

// Path returns the file's path.
func (a *Any) Path() string { return a.s.Path() }

// Mode returns the mode the array was opened in.
func (a *Any) Mode() memmap.Mode { return a.s.Mode() }

// Bytes returns the data region — every element, in the file's order (C
// or Fortran) and byte order — without copying. Writes to it change the
// array (for ReadWrite and CopyOnWrite arrays; writing to the bytes of a
// ReadOnly array faults and kills the process). It stays valid until
// Close and must not be touched after: copy what must outlive the array.
// Like Array.Data it is a whole-range view, read ahead under
// memmap.AccessAuto. After Close it returns an error wrapping
// memmap.ErrClosed.
func (a *Any) Bytes() ([]byte, error) {
	if a.dead() {
		return nil, a.err("bytes", memmap.ErrClosed)
	}
	b := a.s.ScanData()
	if b == nil {
		b = []byte{}
	}
	return b, nil
}

// offset returns the byte offset in the data region of the element at
// idx, or why idx is not an element.
func (a *Any) offset(method string, idx []int) (int, error) {
	if a.dead() || len(idx) != len(a.shape) {
		return 0, a.indexErr(method, idx)
	}
	off := 0
	for k, i := range idx {
		if uint(i) >= uint(a.shape[k]) {
			return 0, a.indexErr(method, idx)
		}
		off += i * a.strides[k]
	}
	return off, nil
}

// indexErr describes why offset refused idx, as Array.Get does.
func (a *Any) indexErr(method string, idx []int) error {
	return indexErrOf(method, a.s.Path(), a.dead(), a.shape, idx)
}

// ElemBytes returns the bytes of the element at the given indexes, one per
// axis, in the file's byte order, without copying: DType().Size() bytes
// of the map, valid until Close, with a capacity of their length. A wrong
// number of indexes gives an error wrapping memmap.ErrShape, an index out
// of range one wrapping memmap.ErrRange, and after Close memmap.ErrClosed.
// It allocates nothing and makes no system call (but for the error).
func (a *Any) ElemBytes(idx ...int) ([]byte, error) {
	off, err := a.offset("ElemBytes", idx)
	if err != nil {
		return nil, err
	}
	end := off + a.esize
	return a.s.Data()[off:end:end], nil
}

// At returns the element at the given indexes as a Value holding a copy of
// its bytes: it stays valid after Close, and does not see later changes.
// Errors are those of ElemBytes. It allocates the copy; decode in place,
// without it, with NewValue(a.DType(), b) over ElemBytes.
func (a *Any) At(idx ...int) (Value, error) {
	b, err := a.ElemBytes(idx...)
	if err != nil {
		return Value{}, err
	}
	return Value{dt: a.dt, b: slices.Clone(b)}, nil
}

// SetBytes sets the element at the given indexes to the DType().Size()
// bytes b, which must be in the file's byte order (an error wrapping
// memmap.ErrShape for another length). A ReadOnly array gives an error
// wrapping memmap.ErrReadOnly; bad indexes as for ElemBytes. Like
// Array.Set, the change reaches the file's pages at once (ReadWrite) and
// the disk at Flush or Close; a CopyOnWrite array changes memory only.
func (a *Any) SetBytes(b []byte, idx ...int) error {
	dst, err := a.settable(idx)
	if err != nil {
		return err
	}
	if len(b) != len(dst) {
		return a.err("set", fmt.Errorf("%w: %d bytes for an element of dtype %s, which has %d", memmap.ErrShape, len(b), a.dt.Descr(), len(dst)))
	}
	copy(dst, b)
	return nil
}

// Set sets the element at the given indexes to v, which must be a single
// element (not a subarray) of a dtype compatible with the file's
// (layout.Compatible: same kinds, sizes, fields and offsets): otherwise
// the error wraps layout.ErrDType. v's bytes are swapped when its byte
// order is the other one than the file's; a struct mixing orders must be
// in the file's exact dtype (an error wrapping memmap.ErrByteOrder
// otherwise). Other errors are those of SetBytes.
func (a *Any) Set(v Value, idx ...int) error {
	dst, err := a.settable(idx)
	if err != nil {
		return err
	}
	if v.dt == nil || len(v.shape) > 0 {
		return a.err("set", fmt.Errorf("%w: Set needs an element of dtype %s, not a subarray or the zero Value", layout.ErrDType, a.dt.Descr()))
	}
	if err := layout.Compatible(a.dt, v.dt); err != nil {
		return a.err("set", err)
	}
	fo, vo := a.dt.Order(), v.dt.Order()
	switch {
	case fo == vo || fo == layout.NotApplicable || vo == layout.NotApplicable:
		if fo == layout.Mixed && !v.dt.Equal(a.dt) {
			return a.err("set", fmt.Errorf("%w: the file's dtype %s mixes byte orders; the value's %s is not the same", memmap.ErrByteOrder, a.dt.Descr(), v.dt.Descr()))
		}
		copy(dst, v.b)
	case fo == layout.Mixed || vo == layout.Mixed:
		return a.err("set", fmt.Errorf("%w: cannot convert a value of dtype %s to the file's %s", memmap.ErrByteOrder, v.dt.Descr(), a.dt.Descr()))
	default:
		// Both whole-order dtypes, the other order: swap a copy, so that
		// no reader of dst sees it half converted.
		b := slices.Clone(v.b)
		v.dt.SwapBytes(b)
		copy(dst, b)
	}
	return nil
}

// settable returns the bytes of the element at idx for a write.
func (a *Any) settable(idx []int) ([]byte, error) {
	off, err := a.offset("Set", idx)
	if err != nil {
		return nil, err
	}
	if a.s.Mode() == memmap.ReadOnly {
		return nil, a.err("set", fmt.Errorf("%w: cannot Set an element of an array opened ReadOnly", memmap.ErrReadOnly))
	}
	end := off + a.esize
	return a.s.Data()[off:end:end], nil
}

// Flush makes the changes durable (msync: on disk when it returns). It does
// nothing for ReadOnly and CopyOnWrite arrays.
func (a *Any) Flush() error {
	if a.dead() {
		return a.err("flush", memmap.ErrClosed)
	}
	return a.s.Flush()
}

// Refresh re-reads the length committed in the file's header and extends
// the array to it, as Array.Refresh does: the way a ReadOnly reader
// follows a writer in another process. Slices from Bytes and ElemBytes
// taken before stay valid but do not grow; after a Refresh that finds the
// file shorter they must not be used past the new length.
func (a *Any) Refresh() error {
	if a.dead() {
		return a.err("refresh", memmap.ErrClosed)
	}
	if err := a.s.Refresh(); err != nil {
		return err
	}
	ax := a.s.Axis()
	if ax < 0 {
		return nil
	}
	n := a.s.Len()
	if n > maxInt {
		return a.err("refresh", fmt.Errorf("%w: length %d does not fit an int on this platform", memmap.ErrRange, n))
	}
	a.shape[ax] = int(n)
	return nil
}

// Guard runs fn and returns its error, or an error wrapping
// memmap.ErrFault if fn touched a page of the array that is gone because
// another process truncated the file (which would otherwise kill the
// process with SIGBUS). See memmap.Map.Guard.
func (a *Any) Guard(fn func() error) error {
	if a.dead() {
		return a.err("guard", memmap.ErrClosed)
	}
	return a.s.Map().Guard(fn)
}

// Close flushes a writer's changes, releases the writer lock and unmaps
// the array. Afterwards the methods return errors wrapping
// memmap.ErrClosed, and no slice from Bytes or ElemBytes may be touched.
// Close is idempotent; it returns the first error met but releases
// everything in any case.
func (a *Any) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	return a.s.Close()
}
