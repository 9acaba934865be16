package array

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// offset returns the byte offset of the element at idx from base, and
// false when idx has the wrong rank or an index out of range (or the array
// is closed: rank is then -1).
func (a *Array[T]) offset(idx []int) (int, bool) {
	if len(idx) != a.rank {
		return 0, false
	}
	shape, strides := a.shape[:len(idx)], a.strides[:len(idx)]
	off := 0
	for k, i := range idx {
		if uint(i) >= uint(shape[k]) {
			return 0, false
		}
		off += i * strides[k]
	}
	return off, true
}

// At returns the element at the given indexes, one per axis, like NumPy's
// a[i, j, k]. It allocates nothing and makes no system call. For a file in
// the other byte order it returns the element swapped into the host's.
//
// Like indexing a slice, At panics when an index is out of range or the
// number of indexes is not Rank(); the panic value is an error, wrapping
// memmap.ErrRange (or memmap.ErrShape for a wrong number of indexes,
// memmap.ErrClosed after Close), whose message says what was wrong, such
// as "array: index [3 70] out of range for shape (3000, 64)". Use Get for
// an error instead of a panic. At does not check whether the mapping of a
// View or a Slice is still there: after the Close of its owner (see the
// package documentation, "Borrowed mappings") At faults; Get returns an
// error wrapping memmap.ErrClosed.
//
// At is a function call per element: its variadic form is too big for
// the compiler to inline. It starts with the fast checks of At1, At2 and
// At3 for one to three indexes, but in hot loops use those forms, which
// inline and cost what indexing a slice with the same strides costs, or
// index the slices of Data and Row (bench/RESULTS.md has the figures).
// For a batch of rows, Take copies them in one call.
func (a *Array[T]) At(idx ...int) T {
	switch len(idx) {
	case 1:
		if i := idx[0]; uint(i) < uint(len(a.get1)) {
			return a.get1[i]
		}
	case 2:
		if i, j := idx[0], idx[1]; uint(i) < uint(a.rows2) && uint(j) < uint(a.cols2) {
			return a.get2[i*a.cols2+j]
		}
	case 3:
		if i, j, k := idx[0], idx[1], idx[2]; uint(i) < uint(a.rows3) && uint(j) < uint(a.mid3) && uint(k) < uint(a.cols3) {
			return a.get3[(i*a.mid3+j)*a.cols3+k]
		}
	}
	return a.at(idx)
}

// at is At off the fast views: any rank, other byte orders, packed and
// misaligned data, Fortran order, indexes out of range, and its panics.
func (a *Array[T]) at(idx []int) T {
	off, ok := a.offset(idx)
	if !ok {
		panic(a.indexErr("At", idx))
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: offset checked every index against the shape, so the
	// element lies inside the data region, which stays mapped until Close.
	p := unsafe.Add(a.base, off)
	if a.slowGet {
		return a.load(p)
	}
	// SAFETY: the data is in the host's order and aligned for T (init
	// checked both), and T has no pointers (layout.Of refuses them), so
	// the bytes are a T.
	return *(*T)(p)
}

// Get is At returning an error instead of panicking: one wrapping
// memmap.ErrRange, memmap.ErrShape or memmap.ErrClosed. Unlike At, it
// also returns memmap.ErrClosed when the array's mapping is gone though
// the array itself was not closed: a View whose map's owner closed the
// map, a Slice whose parent was closed. It allocates nothing and makes no
// system call.
func (a *Array[T]) Get(idx ...int) (T, error) {
	off, ok := a.offset(idx)
	if !ok || a.dead() {
		var zero T
		return zero, a.indexErr("Get", idx)
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At.
	p := unsafe.Add(a.base, off)
	if a.slowGet {
		return a.load(p), nil
	}
	// SAFETY: as in At.
	return *(*T)(p), nil
}

// Set sets the element at the given indexes to v, like NumPy's
// a[i, j, k] = v. It allocates nothing and makes no system call; for a
// file in the other byte order it swaps v's bytes on the way in. The
// change reaches the file's pages at once (for ReadWrite arrays) and the
// disk at Flush, FlushRows or Close; a CopyOnWrite array changes memory
// only.
//
// Set never panics: an index out of range gives an error wrapping
// memmap.ErrRange, a wrong number of indexes memmap.ErrShape, a ReadOnly
// array memmap.ErrReadOnly (writing to its pages would crash the
// process), and after Close memmap.ErrClosed; the error's message reads
// like At's panic. Like At, Set does not check whether the mapping of a
// View or a Slice is still there (see "Borrowed mappings" in the package
// documentation).
func (a *Array[T]) Set(v T, idx ...int) error {
	switch len(idx) {
	case 1:
		if i := idx[0]; uint(i) < a.n1 {
			a.set1[i] = v
			return nil
		}
	case 2:
		if i, j := idx[0], idx[1]; uint(i) < uint(a.srows2) && uint(j) < uint(a.cols2) {
			a.set2[i*a.cols2+j] = v
			return nil
		}
	case 3:
		if i, j, k := idx[0], idx[1], idx[2]; uint(i) < uint(a.srows3) && uint(j) < uint(a.mid3) && uint(k) < uint(a.cols3) {
			a.set3[(i*a.mid3+j)*a.cols3+k] = v
			return nil
		}
	}
	return a.set(v, idx)
}

// set is Set off the fast views (see at) and its errors.
func (a *Array[T]) set(v T, idx []int) error {
	off, ok := a.offset(idx)
	if !ok {
		return a.indexErr("Set", idx)
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At.
	p := unsafe.Add(a.base, off)
	if a.slowSet {
		return a.store(p, v)
	}
	// SAFETY: as in At; the mapping is writable (not ReadOnly).
	*(*T)(p) = v
	return nil
}

// At1 is At(i) for a 1-d array, faster (see BenchmarkAt, which measures
// it): it takes no variadic slice and is small enough to inline.
// It panics like At, also when the array is not 1-d.
func (a *Array[T]) At1(i int) T {
	if uint(i) < uint(len(a.get1)) {
		return a.get1[i]
	}
	return a.at1(i)
}

// at1 is At1 for arrays without a fast view (other byte order,
// misaligned) and for its panics.
func (a *Array[T]) at1(i int) T {
	if a.rank != 1 || uint(i) >= uint(a.shape[0]) {
		panic(a.indexErr("At1", []int{i}))
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At: i is in range.
	p := unsafe.Add(a.base, i*a.strides[0])
	if a.slowGet {
		return a.load(p)
	}
	// SAFETY: as in At.
	return *(*T)(p)
}

// At2 is At(i, j) for a 2-d array, faster (see BenchmarkAt, which
// measures it): it takes no variadic slice and inlines, so that it costs
// what indexing a slice with the same strides costs. It panics like At,
// also when the array is not 2-d.
func (a *Array[T]) At2(i, j int) T { return fastAt2(a, i, j, a.slowAt2) }

// fastAt2 is At2's body. Its slow path comes as a parameter: the
// compiler's inliner charges a call through a function-typed parameter
// 17 of its budget of 80, a direct call 57, so that the bounds checks and
// the fallback fit the budget this way only. At2 then inlines into its
// caller with fastAt2, and only arrays off the fast view (and bad
// indexes) make the call, an indirect one to at2. The same holds for
// fastAt3, fastSet2 and fastSet3.
func fastAt2[T any](a *Array[T], i, j int, slow func(*Array[T], int, int) T) T {
	if uint(i) < uint(a.rows2) && uint(j) < uint(a.cols2) {
		return a.get2[i*a.cols2+j]
	}
	return slow(a, i, j)
}

// at2 is At2 for arrays without a fast view and for its panics.
func (a *Array[T]) at2(i, j int) T {
	if a.rank != 2 || uint(i) >= uint(a.shape[0]) || uint(j) >= uint(a.shape[1]) {
		panic(a.indexErr("At2", []int{i, j}))
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At: i and j are in range.
	p := unsafe.Add(a.base, i*a.strides[0]+j*a.strides[1])
	if a.slowGet {
		return a.load(p)
	}
	// SAFETY: as in At.
	return *(*T)(p)
}

// At3 is At(i, j, k) for a 3-d array, faster like At2: it inlines. It
// panics like At, also when the array is not 3-d.
func (a *Array[T]) At3(i, j, k int) T { return fastAt3(a, i, j, k, a.slowAt3) }

// fastAt3 is At3's body; see fastAt2.
func fastAt3[T any](a *Array[T], i, j, k int, slow func(*Array[T], int, int, int) T) T {
	if uint(i) < uint(a.rows3) && uint(j) < uint(a.mid3) && uint(k) < uint(a.cols3) {
		return a.get3[(i*a.mid3+j)*a.cols3+k]
	}
	return slow(a, i, j, k)
}

// at3 is At3 for arrays without a fast view and for its panics.
func (a *Array[T]) at3(i, j, k int) T {
	if a.rank != 3 || uint(i) >= uint(a.shape[0]) || uint(j) >= uint(a.shape[1]) || uint(k) >= uint(a.shape[2]) {
		panic(a.indexErr("At3", []int{i, j, k}))
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At: i, j and k are in range.
	p := unsafe.Add(a.base, i*a.strides[0]+j*a.strides[1]+k*a.strides[2])
	if a.slowGet {
		return a.load(p)
	}
	// SAFETY: as in At.
	return *(*T)(p)
}

// Set1 is Set(v, i) for a 1-d array, faster like At1: it inlines. It
// returns the errors of Set, and one wrapping memmap.ErrShape when the
// array is not 1-d.
func (a *Array[T]) Set1(v T, i int) (err error) {
	if uint(i) < a.n1 { // n1 is len(set1)
		a.set1[i] = v
		return
	}
	return a.set1Slow(v, i)
}

// set1Slow is Set1 for arrays without a fast view and for its errors.
func (a *Array[T]) set1Slow(v T, i int) error {
	if a.rank != 1 || uint(i) >= uint(a.shape[0]) {
		return a.indexErr("Set1", []int{i})
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At1.
	p := unsafe.Add(a.base, i*a.strides[0])
	if a.slowSet {
		return a.store(p, v)
	}
	// SAFETY: as in Set.
	*(*T)(p) = v
	return nil
}

// Set2 is Set(v, i, j) for a 2-d array, faster like At2: it inlines. It
// returns the errors of Set, and one wrapping memmap.ErrShape when the
// array is not 2-d.
func (a *Array[T]) Set2(v T, i, j int) error { return fastSet2(a, v, i, j, a.slowSet2) }

// fastSet2 is Set2's body; see fastAt2.
func fastSet2[T any](a *Array[T], v T, i, j int, slow func(*Array[T], T, int, int) error) error {
	if uint(i) < uint(a.srows2) && uint(j) < uint(a.cols2) {
		a.set2[i*a.cols2+j] = v
		return nil
	}
	return slow(a, v, i, j)
}

// set2Slow is Set2 for arrays without a fast view and for its errors.
func (a *Array[T]) set2Slow(v T, i, j int) error {
	if a.rank != 2 || uint(i) >= uint(a.shape[0]) || uint(j) >= uint(a.shape[1]) {
		return a.indexErr("Set2", []int{i, j})
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At2.
	p := unsafe.Add(a.base, i*a.strides[0]+j*a.strides[1])
	if a.slowSet {
		return a.store(p, v)
	}
	// SAFETY: as in Set.
	*(*T)(p) = v
	return nil
}

// Set3 is Set(v, i, j, k) for a 3-d array, faster like At2: it inlines.
// It returns the errors of Set, and one wrapping memmap.ErrShape when the
// array is not 3-d.
func (a *Array[T]) Set3(v T, i, j, k int) error { return fastSet3(a, v, i, j, k, a.slowSet3) }

// fastSet3 is Set3's body; see fastAt2.
func fastSet3[T any](a *Array[T], v T, i, j, k int, slow func(*Array[T], T, int, int, int) error) error {
	if uint(i) < uint(a.srows3) && uint(j) < uint(a.mid3) && uint(k) < uint(a.cols3) {
		a.set3[(i*a.mid3+j)*a.cols3+k] = v
		return nil
	}
	return slow(a, v, i, j, k)
}

// set3Slow is Set3 for arrays without a fast view and for its errors.
func (a *Array[T]) set3Slow(v T, i, j, k int) error {
	if a.rank != 3 || uint(i) >= uint(a.shape[0]) || uint(j) >= uint(a.shape[1]) || uint(k) >= uint(a.shape[2]) {
		return a.indexErr("Set3", []int{i, j, k})
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: as in At3.
	p := unsafe.Add(a.base, i*a.strides[0]+j*a.strides[1]+k*a.strides[2])
	if a.slowSet {
		return a.store(p, v)
	}
	// SAFETY: as in Set.
	*(*T)(p) = v
	return nil
}

// load reads the element at p by copying its bytes, swapping them for a
// file in the other byte order: for unaligned or swapped data.
func (a *Array[T]) load(p unsafe.Pointer) (v T) {
	// SAFETY: v is a T of esize bytes (init checked the dtype's size
	// against unsafe.Sizeof) and has no pointers, so any bytes make a T;
	// p points to esize bytes inside the mapping.
	b := unsafe.Slice((*byte)(unsafe.Pointer(&v)), a.esize)
	if a.conv != nil {
		// SAFETY: p points to isize bytes of the element (the file's
		// item size) inside the data region, mapped until Close.
		a.conv.Decode(b, unsafe.Slice((*byte)(p), a.isize))
		return v
	}
	// SAFETY: p points to esize bytes of the element inside the data
	// region (the callers checked the index), mapped until Close.
	copy(b, unsafe.Slice((*byte)(p), a.esize))
	if a.swap {
		a.dt.SwapBytes(b)
	}
	return v
}

// store writes v to the element at p by copying its bytes (swapped for a
// file in the other byte order), or returns ErrReadOnly for a ReadOnly
// array.
func (a *Array[T]) store(p unsafe.Pointer, v T) error {
	if a.ro {
		return a.err("set", fmt.Errorf("%w: cannot Set an element of an array opened ReadOnly", memmap.ErrReadOnly))
	}
	// SAFETY: as in load; the mapping is writable.
	b := unsafe.Slice((*byte)(unsafe.Pointer(&v)), a.esize)
	if a.conv != nil {
		// SAFETY: p points to isize bytes of the element inside the
		// data region, mapped writable until Close.
		a.conv.Encode(unsafe.Slice((*byte)(p), a.isize), b)
		return nil
	}
	if a.swap {
		a.dt.SwapBytes(b)
	}
	// SAFETY: p points to esize bytes of the element inside the data
	// region (the callers checked the index), mapped writable until Close.
	copy(unsafe.Slice((*byte)(p), a.esize), b)
	return nil
}

// indexErr describes why offset refused idx.
func (a *Array[T]) indexErr(method string, idx []int) error {
	return indexErrOf(method, a.s.Path(), a.dead(), a.shape, idx)
}

// indexErrOf describes a bad index of an Array or an Any with this shape:
// the array is closed, idx has the wrong rank, or an index is out of
// range. It copies idx, so that idx does not escape and the callers'
// variadic slices stay on their stacks.
func indexErrOf(method, path string, dead bool, shape, idx []int) error {
	ix := slices.Clone(idx)
	switch {
	case dead:
		return &store.IndexError{Msg: fmt.Sprintf("array: %s on a closed array (%s)", method, path), Err: memmap.ErrClosed}
	case len(ix) != len(shape):
		return &store.IndexError{Msg: fmt.Sprintf("array: %d indexes %v for an array of rank %d, shape %s", len(ix), ix, len(shape), shapeString(shape)), Err: memmap.ErrShape}
	}
	return &store.IndexError{Msg: fmt.Sprintf("array: index %v out of range for shape %s", ix, shapeString(shape)), Err: memmap.ErrRange}
}

// view returns why the zero-copy views cannot be used, if they cannot.
func (a *Array[T]) view(op string) error {
	switch {
	case a.dead():
		return a.err(op, memmap.ErrClosed)
	case a.conv != nil && a.dt.Order() == layout.Mixed:
		return a.err(op, fmt.Errorf("%w: the dtype %s mixes little- and big-endian fields; use At, Set, CopyTo and CopyFrom, which convert each element", memmap.ErrByteOrder, a.dt.Descr()))
	case a.conv != nil:
		return a.err(op, fmt.Errorf("%w: the file's dtype %s (%d-byte items) puts fields where %T cannot have them (%d bytes; a packed struct, as NumPy writes with align=False); use At, Set, CopyTo and CopyFrom, which convert each element", memmap.ErrPacked, a.dt.Descr(), a.isize, *new(T), a.esize))
	case a.swap:
		return a.err(op, fmt.Errorf("%w: the file is %s, the host %s; use At and Set, which swap", memmap.ErrByteOrder, a.dt.Order().Name(), hostOrder.Name()))
	case !a.aligned:
		return a.err(op, fmt.Errorf("%w: data at offset %d, %T needs %d-byte alignment; use At and Set, which copy", ErrAlign, a.s.DataOffset(), *new(T), unsafe.Alignof(*new(T))))
	}
	return nil
}

// Data returns every element (Size() of them) as a slice, without copying,
// in the file's order (C or Fortran): writes to it change the array. It
// stays valid until Close, also across growth, but does not grow with the
// array: take it again to see new rows. Its capacity is its length.
//
// For a file in the other byte order than the host's, Data returns an
// error wrapping memmap.ErrByteOrder (use At and Set); for data not
// aligned for T, one wrapping ErrAlign. After Close it returns
// memmap.ErrClosed.
//
// A view of a ReadOnly array must not be written to: that faults and
// kills the process, as writing to any read-only mapping does.
//
// With memmap.AccessAuto (Options.Access), Data and Rows come from a
// second map of the file that the OS reads ahead, made on the first call
// (see Options.Access): it shares the file's pages with the map of At,
// Set and Row, so writes through either are seen at once through the
// other, and Flush and Close flush and unmap both.
func (a *Array[T]) Data() ([]T, error) {
	if err := a.view("data"); err != nil {
		return nil, err
	}
	return a.scan(0, a.Size()), nil
}

// scan returns the n elements from byte off of the data region in the
// store's scan map (the main map where there is none).
func (a *Array[T]) scan(off, n int) []T {
	if n == 0 {
		return []T{}
	}
	d := a.s.ScanData()[a.lo*a.rowBytes+off:]
	// SAFETY: callers pass a range inside the data region (rows along the
	// growth axis, from row lo of the store for a slice), which ScanData
	// covers and whose map stays mapped until Close; that map starts on a
	// page boundary, like the main one, at the same data offset, so the
	// data is aligned for T as view checked, and in host order; T has no
	// pointers.
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(d))), n)[:n:n]
}

// slice returns the n elements from byte off of the data region.
func (a *Array[T]) slice(off, n int) []T {
	if n == 0 {
		return []T{}
	}
	a.s.Settle() // rows still in the store's buffer go to the file first
	// SAFETY: callers pass a range inside the data region (whole rows),
	// which is mapped until Close at an address aligned for T (view checked
	// alignment and byte order), and T has no pointers.
	return unsafe.Slice((*T)(unsafe.Add(a.base, off)), n)[:n:n]
}

// Row returns row i along the growth axis, a[i] in NumPy, as a slice
// without copying: the elements with first index i, Size()/Len() of them.
// It allocates nothing. Row works where the growth axis is axis 0 (C
// order, and 1-d arrays): in a Fortran-order array of rank 2 or more a[i]
// is not contiguous, and Row returns an error wrapping memmap.ErrShape
// (Take copies such rows). An i outside [0, Len()) gives an error
// wrapping memmap.ErrRange; the other errors and the validity of the
// slice are as for Data.
func (a *Array[T]) Row(i int) ([]T, error) {
	if err := a.rowsOK("row", i, i+1, i >= 0 && i < a.rows()); err != nil {
		return nil, err
	}
	return a.slice(i*a.rowBytes, a.rowElems), nil
}

// Rows returns rows [i, j) along the growth axis, a[i:j] in NumPy, as one
// slice without copying; errors and validity as for Row. It is a
// whole-range view: with memmap.AccessAuto it comes from the map that is
// read ahead, as Data does.
func (a *Array[T]) Rows(i, j int) ([]T, error) {
	if err := a.rowsOK("rows", i, j, 0 <= i && i <= j && j <= a.rows()); err != nil {
		return nil, err
	}
	return a.scan(i*a.rowBytes, (j-i)*a.rowElems), nil
}

func (a *Array[T]) rowsOK(op string, i, j int, inRange bool) error {
	if err := a.view(op); err != nil {
		return err
	}
	if a.s.FortranOrder() && len(a.shape) > 1 {
		return a.err(op, fmt.Errorf("%w: the rows of a Fortran-order array of shape %s are not contiguous; use At, or Data in Fortran order", memmap.ErrShape, shapeString(a.shape)))
	}
	if !inRange {
		return a.err(op, fmt.Errorf("%w: rows [%d, %d) of %d", memmap.ErrRange, i, j, a.rows()))
	}
	return nil
}
