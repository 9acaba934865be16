package array

import (
	"fmt"
	"iter"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// Slice returns rows [lo, hi) along the growth axis as an array that shares
// this one's mapping, NumPy's a[lo:hi] (a[..., lo:hi] in Fortran order): no
// element is copied, and a Set through either is seen at once through the
// other. The slice has the same rank, dtype and order, and hi-lo rows along
// the growth axis; its own indexes start at 0. Every accessor and view
// works on it as on the array (At, Get, Set, Data, Row, Take, CopyTo, All,
// Slice), with the same conversions for files in the other byte order or
// packed layouts.
//
// A slice is a view with a fixed length: Append, Grow, Resize, Truncate
// and Refresh return an error wrapping memmap.ErrShape; Flush and
// FlushRows flush its rows (without committing a length), Advise advises
// its rows once. It lives as long as the array's mapping: after the
// array's Close its methods return errors wrapping memmap.ErrClosed, and
// At, Set and views taken from it must not be touched, as for any view.
// Its own Close only marks it closed. After a Truncate of the array below
// hi, its rows past the new length must not be used.
//
// lo and hi outside 0 ≤ lo ≤ hi ≤ n, for n rows, give an error wrapping
// memmap.ErrRange; a 0-d array has no rows (memmap.ErrShape).
func (a *Array[T]) Slice(lo, hi int) (*Array[T], error) {
	switch {
	case a.dead():
		return nil, a.err("slice", memmap.ErrClosed)
	case a.axis < 0:
		return nil, a.err("slice", fmt.Errorf("%w: a 0-d array has no rows to slice", memmap.ErrShape))
	case lo < 0 || lo > hi || hi > a.rows():
		return nil, a.err("slice", fmt.Errorf("%w: rows [%d, %d) of %d", memmap.ErrRange, lo, hi, a.rows()))
	}
	b := *a
	b.sub = true
	b.fastAppend = false // a slice cannot grow: Append's full path says so
	b.lo = a.lo + lo
	b.shape = append([]int(nil), a.shape...)
	b.shape[a.axis] = hi - lo
	b.strides = append([]int(nil), a.strides...)
	if a.base != nil && hi > lo {
		// SAFETY: rows [lo, hi) lie inside the data region (checked
		// above), which stays mapped until the array's Close.
		b.base = unsafe.Add(a.base, lo*a.rowBytes)
	} else {
		b.base = nil
	}
	b.setFast()
	return &b, nil
}

// All returns an iterator over the rows along the growth axis, from 0 to
// their number at the start of the loop: each row's index and its
// elements, Size()/n of them for n rows (a[i] in C order, a[..., i] in
// Fortran order, with the first index varying fastest). The loop stops
// early if the array is truncated below the next index or closed during
// the loop.
//
// For a file whose elements can be seen in place (host byte order,
// aligned, T's layout), each row is a view into the mapping, as Row
// returns (but also in Fortran order), read ahead like Data; writes to it
// change the array. For the others (the other byte order, a packed
// struct, misaligned data) each row is a copy, converted into a buffer
// that All reuses for the next row: copy what must outlive the step.
// A loop over All of a closed array, or of one whose owner closed (see
// "Borrowed mappings" in the package documentation), panics like At,
// with an error wrapping memmap.ErrClosed, as record.File.All does; a 0-d
// array yields its one element as row 0.
func (a *Array[T]) All() iter.Seq2[int, []T] {
	return func(yield func(int, []T) bool) {
		if a.dead() {
			panic(a.indexErr("All", nil))
		}
		n, k := a.rows(), a.rowElems
		if a.view("all") == nil {
			for i := 0; i < n; i++ {
				if a.dead() || i >= a.rows() || !yield(i, a.scan(i*a.rowBytes, k)) {
					return
				}
			}
			return
		}
		buf := make([]T, k)
		for i := 0; i < n; i++ {
			if a.dead() || i >= a.rows() {
				return
			}
			if _, err := a.CopyTo(buf, i*k); err != nil {
				return
			}
			if !yield(i, buf) {
				return
			}
		}
	}
}

// CopyTo copies elements of the array, from the element at position from
// of Data's order (the file's order, C or Fortran, in which the rows
// along the growth axis follow one another), into dst, as
// copy(dst, Data()[from:]) would, and returns the number copied:
// min(len(dst), Size()-from). It works for every file, converting as At
// does: bytes are swapped for a file in the other byte order, and the
// fields of a packed struct are copied one by one; a file whose layout is
// T's is copied with one copy. It allocates nothing.
//
// from outside [0, Size()] gives an error wrapping memmap.ErrRange; after
// Close, memmap.ErrClosed.
func (a *Array[T]) CopyTo(dst []T, from int) (int, error) {
	src, n, err := a.span("copy", from, len(dst))
	if err != nil || n == 0 {
		return 0, err
	}
	// SAFETY: dst holds at least n Ts (n ≤ len(dst)), without pointers
	// (layout.Of refuses them), so any bytes make Ts; d does not outlive
	// this call.
	d := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), n*a.esize)
	switch {
	case a.conv != nil:
		a.conv.Decode(d, src)
	case a.swap:
		copy(d, src)
		a.dt.SwapBytes(d)
	default:
		copy(d, src)
	}
	return n, nil
}

// CopyFrom copies src into the array's elements, from the element at
// position at of Data's order, as copy(Data()[at:], src) would, and
// returns the number copied: min(len(src), Size()-at). It converts like
// CopyTo (the file's bytes are never left half converted: other byte
// orders are swapped through a small buffer), allocates nothing, and is
// Set in bulk: the change reaches the file's pages at once and the disk
// at Flush.
//
// at outside [0, Size()] gives an error wrapping memmap.ErrRange; a
// ReadOnly array memmap.ErrReadOnly; after Close, memmap.ErrClosed.
func (a *Array[T]) CopyFrom(src []T, at int) (int, error) {
	if a.ro && !a.dead() {
		return 0, a.err("copy", fmt.Errorf("%w: cannot copy into an array opened ReadOnly", memmap.ErrReadOnly))
	}
	dst, n, err := a.span("copy", at, len(src))
	if err != nil || n == 0 {
		return 0, err
	}
	// SAFETY: src holds at least n Ts without pointers; s is only read,
	// before CopyFrom returns.
	s := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(src))), n*a.esize)
	switch {
	case a.conv != nil:
		a.conv.Encode(dst, s)
	case a.swap:
		var buf [4096]byte
		sb := buf[:]
		if a.esize > len(buf) { // one element bigger than buf
			p := store.Scratch(a.esize)
			defer store.PutScratch(p)
			sb = *p
		}
		step := len(sb) / a.esize * a.esize
		for len(s) > 0 {
			c := min(step, len(s))
			b := sb[:c]
			copy(b, s[:c])
			a.dt.SwapBytes(b)
			copy(dst, b)
			s, dst = s[c:], dst[c:]
		}
	default:
		copy(dst, s)
	}
	return n, nil
}

// span returns the file's bytes of up to limit elements from element at,
// and how many elements that is.
func (a *Array[T]) span(op string, at, limit int) ([]byte, int, error) {
	if a.dead() {
		return nil, 0, a.err(op, memmap.ErrClosed)
	}
	size := a.Size()
	if at < 0 || at > size {
		return nil, 0, a.err(op, fmt.Errorf("%w: element %d of %d", memmap.ErrRange, at, size))
	}
	n := min(limit, size-at)
	if n == 0 || a.base == nil {
		return nil, 0, nil
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: elements [at, at+n) lie inside the data region (at+n ≤
	// Size()), which is mapped from base until Close; the slice does not
	// outlive the caller.
	return unsafe.Slice((*byte)(unsafe.Add(a.base, at*a.isize)), n*a.isize), n, nil
}

// Save writes data to a new .npy file at path with the given shape, as
// NumPy's np.save does. A nil shape saves a 1-d array of len(data)
// elements; otherwise the product of shape must be len(data) (an error
// wrapping memmap.ErrShape). data is in the order opt asks for (C order
// by default; Options.FortranOrder), and the file in the byte order it
// asks for (the host's by default); of the other options Save uses Perm.
//
// The file is written whole under a temporary name in path's directory,
// flushed to the disk, and only then renamed over path (memmap.Create),
// so path holds the old file or the whole new one, whatever fails or
// crashes. Like Create, Save takes the writer lock: a file another writer
// holds (Create, or Open with memmap.ReadWrite, in this process or
// another) gives an error wrapping memmap.ErrLocked and is left
// unchanged. A file Save replaces keeps its permission bits (and, as far
// as the caller may, its owner), and must be writable by the caller, as
// for np.save; a symbolic link at path stays, and the file it names is
// replaced. On Windows a file that is open anywhere cannot be replaced.
// A new file gets Options.Perm, by default 0o666, less the umask, as
// os.Create and np.save give it.
func Save[T any](path string, data []T, shape []int, opt *Options) error {
	const op = "save"
	if shape == nil {
		shape = []int{len(data)}
	}
	h, o, err := newHeader[T](shape, opt, false)
	if err != nil {
		return pathErr(op, path, err)
	}
	n := 1
	for _, d := range shape {
		if d != 0 && n > maxInt/d {
			return pathErr(op, path, fmt.Errorf("%w: shape %s overflows", memmap.ErrShape, shapeString(shape)))
		}
		n *= d
	}
	if n != len(data) {
		return pathErr(op, path, fmt.Errorf("%w: shape %s holds %d elements, data has %d", memmap.ErrShape, shapeString(shape), n, len(data)))
	}
	raw, err := h.Encode()
	if err != nil {
		return pathErr(op, path, err)
	}
	var zero T
	esize := int(unsafe.Sizeof(zero))
	if h.DType.Size() != esize { // elemDType's dtype is T's; never trust a size for unsafe
		return pathErr(op, path, fmt.Errorf("%w: dtype %s has %d-byte items, the Go type %d", layout.ErrDType, h.DType.Descr(), h.DType.Size(), esize))
	}
	swap := !h.DType.InHostOrder()
	perm := o.Perm
	if perm == 0 {
		perm = 0o666
	}
	// The whole file goes in through Init, before memmap.Create renames
	// it over path: it holds the lock of the file it replaces meanwhile.
	m, err := memmap.Create(path, int64(len(raw))+int64(len(data))*int64(esize), &memmap.Options{
		Perm: perm, Lock: true, Reserve: -1,
		Init: func(b []byte) error {
			copy(b, raw)
			d := b[len(raw):]
			// SAFETY: data holds len(data) Ts of esize bytes each,
			// contiguous, without pointers (layout.Of refuses them);
			// the bytes are only read, before Init returns.
			copy(d, unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), len(data)*esize))
			if swap {
				h.DType.SwapBytes(d)
			}
			return nil
		},
	})
	if err != nil {
		return err
	}
	return m.Close()
}
