package array

import (
	"fmt"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/layout"
)

var hostOrder = layout.HostOrder()

// growable returns why the length cannot change, if the array knows it:
// a slice has a fixed length. The store checks the rest (closed, mode,
// header room) for every change of length.
func (a *Array[T]) growable(op string) error {
	switch {
	case !a.sub:
		return nil
	case a.dead():
		return a.err(op, memmap.ErrClosed)
	}
	return a.err(op, fmt.Errorf("%w: a slice of an array (Slice) cannot change its length; change the array's", memmap.ErrShape))
}

// Append appends whole rows after the last one along the growth axis and
// returns the index of the first one appended (the length before the
// call): rows holds the flat elements of k rows of Size()/n elements each
// (n the length of the growth axis), in the file's order (for a C-order
// array of shape (n, 64), k*64 elements, row after row), and the growth
// axis becomes k longer. A slice is appended as a.Append(s...), without a
// copy. A length that is not a multiple of the row's elements gives an
// error wrapping memmap.ErrShape. For a file in the other byte order the
// elements are swapped on the way in.
//
// The capacity grows geometrically when needed (a real allocation: a full
// disk is an error here); without growth Append allocates nothing. On
// Linux a writer gathers small appends (less than 64 KiB a call) in a
// buffer of 256 KiB that goes to the file with one pwrite when full, so
// that appending one row per call costs what a bufio.Writer costs (page
// faults on new pages of the map would cost several times more): the
// buffered rows are rows of the array like the others, and At, Get, Set,
// the views, Take, Flush, Commit, Truncate and Close write the buffer out
// first, so the writer reads its own writes. Elsewhere Append copies into
// the map without a system call. Views taken before stay valid. The new rows are committed
// to the file's header, for NumPy and other readers to see, by Commit,
// Flush or Close. Only a ReadWrite array (from Create, New or Open with
// memmap.ReadWrite) can grow: others give an error wrapping
// memmap.ErrReadOnly; after Close, memmap.ErrClosed. A 0-d array cannot
// grow (memmap.ErrShape).
//
// A file whose header has little room for a longer shape (written by
// NumPy < 1.23, or with a long structured descr) grows only to the
// lengths whose shape fits in it: an Append (or Resize) past them gives an
// error wrapping header.ErrNoRoom that names the shape, and appends
// nothing. Close the array and call Rewrite on the file to give it room
// for any length.
func (a *Array[T]) Append(rows ...T) (first int, err error) {
	first = a.rows()
	if len(rows) == a.rowElems && a.fastAppend {
		// One row of Ts as the file holds them, to an array that can
		// grow: the store checks the rest.
		// SAFETY: as below.
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(rows))), len(rows)*a.esize)
		if err = a.s.Append(b); err == nil && a.s.Epoch() == a.epoch {
			a.shape[0] = int(a.s.Len()) // into the store's buffer, as below
			return first, nil
		}
		a.recache()
		return first, err
	}
	if err := a.growable("append"); err != nil {
		return first, err
	}
	n := len(rows)
	if n != a.rowElems && (a.rowElems == 0 && n != 0 || a.rowElems != 0 && n%a.rowElems != 0) {
		return first, a.err("append", fmt.Errorf("%w: %d elements are not whole rows of %d elements (shape %s)", memmap.ErrShape, n, a.rowElems, shapeString(a.shape)))
	}
	// SAFETY: rows holds len(rows) Ts of esize bytes each, with no
	// pointers; the byte slice is only read, before Append returns.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(rows))), n*a.esize)
	switch {
	case a.conv != nil:
		err = a.s.AppendRows(a.count(n), func(dst []byte) { a.conv.Encode(dst, b) })
	case a.swap:
		err = a.s.AppendRows(a.count(n), func(dst []byte) {
			copy(dst, b)
			a.dt.SwapBytes(dst)
		})
	default:
		err = a.s.Append(b)
	}
	if err == nil && a.s.Epoch() == a.epoch {
		// The rows went into the store's buffer: the mapping and the
		// rows in the file are as they were, only the length grew.
		a.shape[a.axis] = int(a.s.Len())
		return first, nil
	}
	a.recache()
	return first, err
}

// count returns the number of rows in n elements, whole rows.
func (a *Array[T]) count(n int) int64 {
	if a.rowElems == 0 {
		return 0
	}
	return int64(n / a.rowElems)
}

// Grow makes room for n more rows along the growth axis without changing
// the length, like slices.Grow: afterwards, appending n rows does not grow
// the file. The
// capacity grows geometrically, with a real allocation (a full disk is an
// error here, not a crash later). Cap reports the result. A negative n
// gives an error wrapping memmap.ErrRange. Capacity is invisible to NumPy,
// and a writer's Close gives it back.
func (a *Array[T]) Grow(n int) error {
	if err := a.growable("grow"); err != nil {
		return err
	}
	if n < 0 || n > maxInt-a.rows() {
		return a.err("grow", fmt.Errorf("%w: grow by %d rows", memmap.ErrRange, n))
	}
	err := a.s.Reserve(int64(a.rows() + n))
	a.recache()
	return err
}

// Resize sets the length along the growth axis to n rows: rows added read
// as zero, rows cut off are gone (see Truncate). A negative n gives an
// error wrapping memmap.ErrRange; errors for arrays that cannot change
// their length are as for Append.
func (a *Array[T]) Resize(n int) error {
	if err := a.growable("resize"); err != nil {
		return err
	}
	if n < 0 {
		return a.err("resize", fmt.Errorf("%w: length %d", memmap.ErrRange, n))
	}
	err := a.s.SetLen(int64(n))
	a.recache()
	return err
}

// Truncate cuts the array to its first n rows along the growth axis, n at
// most their number (memmap.ErrRange otherwise). When n is below the
// length in the file's header, the header is rewritten and flushed at
// once, so that the file never claims rows that may later be reused.
// Views taken before stay valid but must not be used past the new length.
// The capacity is kept until Close.
func (a *Array[T]) Truncate(n int) error {
	if err := a.growable("truncate"); err != nil {
		return err
	}
	if n < 0 || n > a.rows() {
		return a.err("truncate", fmt.Errorf("%w: truncate to %d rows of %d", memmap.ErrRange, n, a.rows()))
	}
	err := a.s.SetLen(int64(n))
	a.recache()
	return err
}

// Flush makes every row durable (msync: on disk when it returns) and then
// commits the length to the file's header, so that NumPy and readers that
// Refresh see the appended rows. A crash at any point leaves a file that
// opens with the old or the new length. Flush does nothing for ReadOnly
// and CopyOnWrite arrays, and for anonymous ones but keep their header
// true. A length whose shape does not fit the header (see Append) is not
// committed: Flush returns an error wrapping header.ErrNoRoom, the header
// keeps the old length and the rows stay in the array; Rewrite makes
// room. For a slice (Slice) Flush makes its rows durable and commits
// nothing.
func (a *Array[T]) Flush() error {
	if a.dead() {
		return a.err("flush", memmap.ErrClosed)
	}
	if a.sub {
		return a.s.FlushRows(int64(a.lo), int64(a.lo+a.rows()))
	}
	err := a.s.Flush()
	a.recache() // the buffered rows are in the file now: the fast views cover them
	return err
}

// Commit is Flush for the rows appended since the last Flush or Commit:
// it makes only those rows durable (msync) and then commits the length
// to the file's header, in Flush's order, so that a crash leaves the old
// or the new length. Rows changed in place below the committed length are
// not flushed (FlushRows or Flush do that). For an appender that commits
// often, it costs the new rows, not the whole file. Errors are as for
// Flush; a slice (Slice) has no length to commit, and its Commit does
// nothing.
func (a *Array[T]) Commit() error {
	if a.dead() {
		return a.err("commit", memmap.ErrClosed)
	}
	if a.sub {
		return nil
	}
	err := a.s.Commit()
	a.recache() // as in Flush
	return err
}

// FlushRows makes rows [i, j) along the growth axis durable (msync)
// without committing the length: for changes made with Set or through
// views to rows already committed. An invalid range gives an error
// wrapping memmap.ErrRange.
func (a *Array[T]) FlushRows(i, j int) error {
	lo, hi, err := a.storeRows("flush", i, j)
	if err != nil {
		return err
	}
	return a.s.FlushRows(lo, hi)
}

// storeRows returns rows [i, j) of the array as rows of the store, which
// for a slice start at its row lo, after checking them against the
// slice; the store checks the array's own.
func (a *Array[T]) storeRows(op string, i, j int) (int64, int64, error) {
	if a.dead() {
		return 0, 0, a.err(op, memmap.ErrClosed)
	}
	if a.sub {
		if i < 0 || i > j || j > a.rows() {
			return 0, 0, a.err(op, fmt.Errorf("%w: rows [%d, %d) of %d", memmap.ErrRange, i, j, a.rows()))
		}
		i, j = i+a.lo, j+a.lo
	}
	return int64(i), int64(j), nil
}

// Advise tells the OS how the whole array will be accessed (madvise); see
// memmap.Advice. Normal, Sequential and Random replace the advice that
// Options.Access chose, for every accessor and view, also for the pages
// of later growth; WillNeed and DontNeed act once, on the pages mapped
// now.
func (a *Array[T]) Advise(adv memmap.Advice) error {
	if a.dead() {
		return a.err("advise", memmap.ErrClosed)
	}
	if a.sub {
		return a.AdviseRows(0, a.rows(), adv)
	}
	return a.s.Advise(adv)
}

// AdviseRows tells the OS how rows [i, j) along the growth axis will be
// accessed (madvise), once: growth and Refresh apply the advice of
// Options.Access (or of Advise) again. An invalid range gives an error
// wrapping memmap.ErrRange.
func (a *Array[T]) AdviseRows(i, j int, adv memmap.Advice) error {
	lo, hi, err := a.storeRows("advise", i, j)
	if err != nil {
		return err
	}
	return a.s.AdviseRows(lo, hi, adv)
}

// Refresh re-reads the length committed in the file's header and extends
// the array to it: the way a ReadOnly reader follows a writer in another
// process (or NumPy changing the file). Changes to existing elements need
// no Refresh: the mapping shows them at once. The header is read until two
// reads agree, so a rewrite in progress is never taken for a length. If
// the writer truncated the file, the length shrinks too, and earlier views
// must not be used past it. For a writer and an anonymous array Refresh
// does nothing; a CopyOnWrite array cannot follow its file (an error
// wrapping memmap.ErrUnsupported).
func (a *Array[T]) Refresh() error {
	if a.dead() {
		return a.err("refresh", memmap.ErrClosed)
	}
	if a.sub {
		return a.err("refresh", fmt.Errorf("%w: a slice of an array (Slice) has a fixed length; refresh the array and slice it again", memmap.ErrShape))
	}
	if err := a.s.Refresh(); err != nil {
		return err
	}
	if n := a.s.Len(); n > maxInt {
		return a.err("refresh", fmt.Errorf("%w: length %d does not fit an int on this platform", memmap.ErrRange, n))
	}
	a.recache()
	return nil
}

// Guard runs fn and returns its error, or an error wrapping
// memmap.ErrFault if fn touched a page of the array that is gone because
// another process truncated the file (which would otherwise kill the
// process with SIGBUS). See memmap.Map.Guard.
func (a *Array[T]) Guard(fn func() error) error {
	if a.dead() {
		return a.err("guard", memmap.ErrClosed)
	}
	return a.s.Map().Guard(fn)
}

// Close commits a writer's rows (as Flush does), shrinks its file to the
// committed length (so that the file is exactly what np.save would
// write), releases the writer lock and unmaps the array. Afterwards At,
// At1, At2 and At3 panic with an error wrapping memmap.ErrClosed, and so
// does a loop over All (as record.File.All does); Set, Set1, Set2, Set3
// and the other methods with an error result return one; and no view may
// be touched (that faults and kills the process). Close is idempotent; it
// returns the first error met but releases everything in any case.
func (a *Array[T]) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	a.rank = -1
	a.base = nil
	a.fastAppend = false
	a.setFast()
	if a.sub {
		return nil // the parent's Close releases the store
	}
	return a.s.Close()
}
