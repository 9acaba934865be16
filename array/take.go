package array

import (
	"fmt"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
)

// Take copies the rows a[idx[0]], a[idx[1]], ... along axis 0 into dst,
// one after the other: a batch gather, NumPy's a[idx] (a.take(idx,
// axis=0)), in C and Fortran order alike. A row is the Size()/Len()
// elements with first index i: an element of a 1-d array, and for rank 2
// or more a[i, ...] with its elements in C order (the last index varying
// fastest), so that dst holds what np.asarray(a[idx]).ravel() holds,
// whatever the array's order. dst must hold at least
// len(idx)*Size()/Len() elements (an error wrapping memmap.ErrShape
// otherwise); elements past those are left alone. Indexes may repeat and
// come in any order. Every index is checked before anything is copied:
// one outside [0, Len()) gives an error wrapping memmap.ErrRange that
// names it, and dst is left untouched. A 0-d array has no rows to take
// (memmap.ErrShape). Elements of a file in the other byte order are
// swapped into the host's; those of a file whose dtype T cannot lie over
// (a packed struct) are converted field by field, in dst itself when
// an element of the file is no bigger than a T, as in a packed struct
// (otherwise through a buffer reused across calls), without allocating.
//
// In C order (and for 1-d arrays) a row is contiguous in the file. When
// the rows' pages are in memory, Take copies them from the map without
// allocating or making more than a few system calls (it probes a sample
// of the pages with mincore). When they are not (a cold file, bigger than
// memory), it reads the rows with many reads in flight at once (pread
// from many goroutines), which a loop of At cannot do: a loop waits for
// each page in turn. Use Take for batches of random rows. In Fortran
// order, for rank 2 or more, the elements of a row are Len() elements
// apart: Take gathers them one by one from the map, as a loop of At
// would, without allocating (see "Fortran order" in the package
// documentation). Take may run concurrently with At, Get and the views,
// like At.
func (a *Array[T]) Take(idx []int, dst []T) error {
	switch {
	case a.closed:
		return a.err("take", memmap.ErrClosed)
	case a.axis < 0:
		return a.err("take", fmt.Errorf("%w: a 0-d array has no rows to take", memmap.ErrShape))
	case a.rank > 1 && a.s.FortranOrder():
		return a.takeStrided(idx, dst)
	case a.conv != nil:
		return a.takeConv(idx, dst)
	}
	// The store checks what is left: closed, overflow, dst's length, the
	// indexes (against a slice's rows, counted from its first); in C order
	// a row of Ts is a row of the store.
	// SAFETY: dst holds len(dst) Ts of esize bytes each, contiguous, with
	// no pointers (layout.Of refuses them), so any bytes written to b make
	// Ts; b does not outlive this call.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)*a.esize)
	if err := a.takeRows(idx, b); err != nil {
		return err
	}
	if a.swap {
		a.dt.SwapBytes(b[:len(idx)*a.rowBytes]) // TakeRows checked that it fits
	}
	return nil
}

// takeRows gathers the rows idx of the array (of a slice: its rows,
// which start at the store's row lo) into b with the store's TakeRows,
// which checks the indexes.
func (a *Array[T]) takeRows(idx []int, b []byte) error {
	if a.sub {
		return a.s.TakeRowsIn(int64(a.lo), int64(a.rows()), idx, b)
	}
	return a.s.TakeRows(idx, b)
}

// need returns the number of elements of dst that Take fills, k rows of
// m elements, or an error when they overflow an int or dst is shorter.
func (a *Array[T]) need(k, m, have int) (int, error) {
	if m != 0 && k > maxInt/m {
		return 0, a.err("take", fmt.Errorf("%w: %d rows of %d elements overflow an int", memmap.ErrRange, k, m))
	}
	if have < k*m {
		return 0, a.err("take", fmt.Errorf("%w: dst holds %d elements; %d rows of %d elements need %d", memmap.ErrShape, have, k, m, k*m))
	}
	return k * m, nil
}

// takeConv is Take in C order for a file whose rows are not Ts (conv):
// it gathers the file's rows, then converts them, without allocating.
// When a file element is no bigger than a T (packed structs), the rows
// are gathered into dst's own bytes and converted there (see
// layout.Converter.DecodeInPlace), so that a cold gather still reads all
// of them with many reads in flight; otherwise they go through a buffer
// from store.Scratch, chunk by chunk.
func (a *Array[T]) takeConv(idx []int, dst []T) error {
	n, err := a.need(len(idx), a.rowElems, len(dst))
	if err != nil {
		return err
	}
	// SAFETY: dst holds at least n Ts (need checked it) without
	// pointers, so any bytes make Ts; b does not outlive this call.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), n*a.esize)
	if a.isize <= a.esize {
		off := a.conv.InPlaceOffset(n)
		if err := a.takeRows(idx, b[off:off+n*a.isize]); err != nil {
			return err
		}
		a.conv.DecodeInPlace(b, n)
		return nil
	}
	if a.dead() {
		return a.err("take", memmap.ErrClosed)
	}
	// Every index is checked before anything is copied, as takeRows
	// would: the chunks below check only their own.
	rows := a.rows()
	for k, i := range idx {
		if i < 0 || i >= rows {
			return a.err("take", fmt.Errorf("%w: index %d (idx[%d]) out of range [0, %d)", memmap.ErrRange, i, k, rows))
		}
	}
	if n == 0 {
		return nil
	}
	p := store.Scratch(a.rowElems * a.isize)
	defer store.PutScratch(p)
	row := a.rowElems * a.isize // bytes of a file row, ≤ len(*p)
	step := len(*p) / row       // rows a chunk
	out := a.rowElems * a.esize // bytes of a row of Ts
	for len(idx) > 0 {
		k := min(step, len(idx))
		fb := (*p)[:k*row]
		if err := a.takeRows(idx[:k], fb); err != nil {
			return err
		}
		a.conv.Decode(b[:k*out], fb)
		idx, b = idx[k:], b[k*out:]
	}
	return nil
}

// maxStackRank is the rank up to which takeStrided keeps its counters on
// the stack (NumPy allows 64 dimensions).
const maxStackRank = 64

// takeStrided is Take for a Fortran-order array of rank 2 or more: the
// elements of a row along axis 0 are strided, so it gathers them one by
// one, in C order, converting each as At does.
func (a *Array[T]) takeStrided(idx []int, dst []T) error {
	if a.dead() {
		return a.err("take", memmap.ErrClosed)
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	rows := a.shape[0]
	m := 1 // elements per row along axis 0
	for _, d := range a.shape[1:] {
		if d != 0 && m > maxInt/d {
			return a.err("take", fmt.Errorf("%w: rows of shape %s overflow an int", memmap.ErrRange, shapeString(a.shape[1:])))
		}
		m *= d
	}
	n, err := a.need(len(idx), m, len(dst))
	if err != nil {
		return err
	}
	for k, i := range idx {
		if i < 0 || i >= rows {
			return a.err("take", fmt.Errorf("%w: index %d (idx[%d]) out of range [0, %d)", memmap.ErrRange, i, k, rows))
		}
	}
	if n == 0 {
		return nil
	}
	var stack [maxStackRank]int
	ctr := stack[:]
	if a.rank > len(stack) {
		ctr = make([]int, a.rank)
	}
	ctr = ctr[:a.rank]
	shape, strides := a.shape, a.strides
	pos := 0
	for _, i := range idx {
		off := i * strides[0]
		for e := 0; e < m; e++ {
			// SAFETY: every index of the element (i, ctr[1:]...) is in
			// range (i checked above, the counters below the shape), so
			// it lies inside the data region, mapped from base until
			// Close.
			p := unsafe.Add(a.base, off)
			if a.slowGet {
				dst[pos] = a.load(p)
			} else {
				// SAFETY: as in At.
				dst[pos] = *(*T)(p)
			}
			pos++
			// The next element in C order: the last index fastest.
			for ax := a.rank - 1; ax >= 1; ax-- {
				ctr[ax]++
				off += strides[ax]
				if ctr[ax] < shape[ax] {
					break
				}
				off -= ctr[ax] * strides[ax]
				ctr[ax] = 0
			}
		}
	}
	return nil
}
