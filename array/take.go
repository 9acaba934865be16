package array

import (
	"fmt"
	"unsafe"

	"github.com/gomemmap/memmap"
)

// Take copies the rows idx[0], idx[1], ... of the array into dst, one
// after the other: a batch gather, NumPy's a.take(idx, axis=growth axis).
// A row is one index along the growth axis: an element of a 1-d array,
// a[i] (Size()/Len() elements, in C order) of a C-order array, and
// a[..., i] (in Fortran order: the first index varying fastest) of a
// Fortran-order one. dst must hold at least len(idx)*Size()/Len()
// elements (an error wrapping memmap.ErrShape otherwise); elements past
// those are left alone. Indexes may repeat and come in any order. Every
// index is checked before anything is copied: one outside [0, Len())
// gives an error wrapping memmap.ErrRange that names it, and dst is left
// untouched. A 0-d array has no rows to take (memmap.ErrShape). Elements
// of a file in the other byte order are swapped into the host's; those
// of a file whose dtype T cannot lie over (a packed struct) are gathered
// into a buffer Take allocates and converted.
//
// When the rows' pages are in memory, Take copies them from the map
// without allocating or making more than a few system calls (it probes a
// sample of the pages with mincore). When they are not (a cold file,
// bigger than memory), it reads the rows with many reads in flight at
// once (pread from many goroutines), which a loop of At cannot do: a loop
// waits for each page in turn. Use Take for batches of random rows. Take
// may run concurrently with At, Get and the views, like At.
func (a *Array[T]) Take(idx []int, dst []T) error {
	switch {
	case a.dead():
		return a.err("take", memmap.ErrClosed)
	case a.axis < 0:
		return a.err("take", fmt.Errorf("%w: a 0-d array has no rows to take", memmap.ErrShape))
	case a.rowElems != 0 && len(idx) > maxInt/a.rowElems:
		return a.err("take", fmt.Errorf("%w: %d rows of %d elements overflow an int", memmap.ErrRange, len(idx), a.rowElems))
	}
	n := len(idx) * a.rowElems
	if len(dst) < n {
		return a.err("take", fmt.Errorf("%w: dst holds %d elements; %d rows of %d elements need %d", memmap.ErrShape, len(dst), len(idx), a.rowElems, n))
	}
	// SAFETY: dst holds at least n Ts of esize bytes each, contiguous,
	// with no pointers (layout.Of refuses them), so any bytes written to
	// the first n*esize bytes make Ts; b does not outlive this call.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), n*a.esize)
	if a.sub {
		// A slice's rows start at row lo of the store: check the
		// indexes against the slice, then shift them.
		shifted := make([]int, len(idx))
		for k, i := range idx {
			if i < 0 || i >= a.Len() {
				return a.err("take", fmt.Errorf("%w: index %d (position %d) out of range for %d rows", memmap.ErrRange, i, k, a.Len()))
			}
			shifted[k] = i + a.lo
		}
		idx = shifted
	}
	if a.conv != nil {
		// The file's rows are not Ts: gather them, then convert.
		fb := make([]byte, n*a.isize)
		if err := a.s.TakeRows(idx, fb); err != nil {
			return err
		}
		a.conv.Decode(b, fb)
		return nil
	}
	if err := a.s.TakeRows(idx, b); err != nil {
		return err
	}
	if a.swap {
		a.dt.SwapBytes(b)
	}
	return nil
}
