package record

import (
	"fmt"
	"iter"
	"os"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
)

// The unsafe code of this package rests on one invariant, established by
// layout.Of[T] in Create and Open and by the size check in newFile: T is a
// fixed-size type without pointers (layout refuses pointers, strings,
// slices, maps, interfaces, channels and funcs, at any depth) whose size
// is the file's record size. So T's bytes may be read and written as
// []byte, and the bytes of a record in the map may be read and written as
// a T, and the garbage collector never needs to see pointers in either.

// bytesOf returns the bytes of the records in s, without copying.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	// SAFETY: T is pointer-free (see above) and s holds len(s) values of
	// unsafe.Sizeof(T) bytes each, contiguous; the result aliases exactly
	// that memory and lives no longer than s's users keep it.
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(s[0])))
}

// valueBytes returns the bytes of *v, without copying.
func valueBytes[T any](v *T) []byte {
	// SAFETY: T is pointer-free (see above); *v is unsafe.Sizeof(T) bytes.
	return unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))
}

// view returns the records [0, Len()) as a []T over the main map (that
// of the element accessors), or nil when there are none or the file is
// closed. The caller has checked f.noView.
func (f *File[T]) view() []T { return f.viewOf(f.s.Data()) }

// scanView is view over the scan map (see memmap.Access), for Rows,
// Data and All.
func (f *File[T]) scanView() []T { return f.viewOf(f.s.ScanData()) }

// viewOf returns the records of d, the data region of one of the store's
// maps, as a []T (capacity equal to length).
func (f *File[T]) viewOf(d []byte) []T {
	if len(d) == 0 || f.closed {
		return nil
	}
	// SAFETY: T is pointer-free and f.size bytes (see above); d covers
	// len(d)/f.size whole records of the map; f.noView == nil means the
	// data is in host byte order and aligned for T (each of the store's
	// maps is page aligned and the data offset a multiple of T's
	// alignment). The map keeps the memory mapped until Close, across
	// growth.
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(d))), len(d)/f.size)
}

func (f *File[T]) err(op string, err error) error {
	return &os.PathError{Op: op, Path: f.s.Path(), Err: err}
}

// check returns ErrClosed after Close, and ErrRange unless 0 ≤ i < Len().
func (f *File[T]) check(op string, i int) error {
	if f.closed {
		return f.err(op, memmap.ErrClosed)
	}
	if n := f.s.Len(); i < 0 || int64(i) >= n {
		return f.err(op, fmt.Errorf("%w: record %d of %d", memmap.ErrRange, i, n))
	}
	return nil
}

// Append appends rows, whole records, at the end of the file and returns
// the index of the first (the Len before the call, also on error). It
// copies them to the file (converting or swapping them for a file whose
// records are not Ts in the host's order), through the writer's buffer
// for a few records (see "Durability" in the package
// documentation): a system call per 256 KiB of records at most, no
// allocation, and none at all when they go into the map (the other
// systems) without growth of the capacity. The capacity grows
// geometrically (it doubles, by at most 1 GiB a step), so n appends cost
// O(n) with O(log n) growths, and growth never invalidates a *T or []T
// taken before.
//
// The records are visible to this File at once, and become durable and
// visible to other readers (committed) with the next Flush, Commit or
// Close. A ReadOnly or CopyOnWrite file returns an error wrapping
// memmap.ErrReadOnly; after Close, memmap.ErrClosed. On error nothing is
// appended.
//
// A file whose header has little room for a longer shape (written by
// NumPy < 1.23, or with a long structured descr) grows only to the
// lengths whose shape fits in it: an Append (or Grow, Resize) past them
// gives an error wrapping header.ErrNoRoom that names the shape, and
// appends nothing. Close the file and call Rewrite on it to give it room
// for any number of records.
func (f *File[T]) Append(rows ...T) (first int, err error) {
	first = f.Len()
	if f.closed {
		return first, f.err("append", memmap.ErrClosed)
	}
	b := bytesOf(rows)
	if f.conv == nil && !f.swap {
		return first, f.s.Append(b)
	}
	// The new records are past the committed length: no reader sees
	// them until they are encoded and committed.
	return first, f.s.AppendRows(int64(len(rows)), func(dst []byte) { f.encode(dst, b) })
}

// encode writes the Ts in src (as bytes) into dst as the file holds its
// records: converted field by field (conv), or swapped into the file's
// byte order (swap), or copied. dst holds as many records as src.
func (f *File[T]) encode(dst, src []byte) {
	if f.conv != nil {
		f.conv.Encode(dst, src)
		return
	}
	copy(dst, src)
	if f.swap {
		f.dt.SwapBytes(dst)
	}
}

// decode is encode's inverse: it turns the records in src, as the file
// holds them, into Ts in dst (as bytes). src may be dst itself when conv
// is nil: the records are then swapped in place.
func (f *File[T]) decode(dst, src []byte) {
	if f.conv != nil {
		f.conv.Decode(dst, src)
		return
	}
	if len(dst) > 0 && &dst[0] != &src[0] {
		copy(dst, src)
	}
	if f.swap {
		f.dt.SwapBytes(dst)
	}
}

// record returns the bytes of record i in the main map; 0 ≤ i < Len().
func (f *File[T]) record(i int) []byte {
	return f.s.Data()[i*f.isize : (i+1)*f.isize]
}

// Get returns a copy of record i (converted or swapped into host order for
// a file whose records are not Ts in the host's order). It allocates
// nothing. An index outside [0, Len()) returns an error wrapping
// memmap.ErrRange; after Close, memmap.ErrClosed.
func (f *File[T]) Get(i int) (T, error) {
	var v T
	if err := f.check("get", i); err != nil {
		return v, err
	}
	if f.noView == nil {
		return f.view()[i], nil
	}
	f.decode(valueBytes(&v), f.record(i))
	return v, nil
}

// At returns a copy of record i, like indexing a slice: it is Get
// panicking instead of returning an error. When i is outside [0, Len()) it
// panics with an error wrapping memmap.ErrRange whose message reads like
// Go's ("record: index 5 out of range for 3 records"), and after Close
// with one wrapping memmap.ErrClosed. It works on every file (converting
// or swapping as Get does) and allocates nothing. Row gives a pointer
// into the map instead of a copy.
func (f *File[T]) At(i int) T {
	if f.noView == nil {
		if v := f.view(); uint(i) < uint(len(v)) {
			return v[i]
		}
	}
	return f.at(i)
}

// at is At for files without views and for its panics.
func (f *File[T]) at(i int) T {
	if f.closed {
		panic(f.err("at", memmap.ErrClosed))
	}
	if uint(i) >= uint(f.Len()) {
		panic(f.indexErr(i))
	}
	var v T
	f.decode(valueBytes(&v), f.record(i))
	return v
}

// Set writes v to record i (converted or swapped into the file's layout
// if it is not T's in the host's order). It allocates nothing and makes
// no system call; the change reaches the disk with the next Flush,
// FlushRows or Close (Commit does not flush records below the committed
// length). Set never panics: an index outside [0, Len()) returns an error
// wrapping memmap.ErrRange; a ReadOnly file memmap.ErrReadOnly; after
// Close, memmap.ErrClosed. On a CopyOnWrite file the change stays in
// memory.
func (f *File[T]) Set(v T, i int) error {
	if err := f.check("set", i); err != nil {
		return err
	}
	if f.s.Mode() == memmap.ReadOnly {
		return f.err("set", fmt.Errorf("%w: record %d", memmap.ErrReadOnly, i))
	}
	if f.noView == nil {
		f.view()[i] = v
		return nil
	}
	b := valueBytes(&v)
	if f.conv == nil && f.swap {
		// v is a copy: swap it before it reaches the map, so that a
		// reader of the file never sees the record in the host's order.
		f.dt.SwapBytes(b)
		copy(f.record(i), b)
		return nil
	}
	f.encode(f.record(i), b)
	return nil
}

func (f *File[T]) indexErr(i int) error {
	return &store.IndexError{Msg: fmt.Sprintf("record: index %d out of range for %d records (%s)", i, f.Len(), f.s.Path()), Err: memmap.ErrRange}
}

// viewErr returns why Row, Rows, Data and All cannot lay Ts over the map,
// if they cannot: the file is closed, or f.noView.
func (f *File[T]) viewErr(op string) error {
	if f.closed {
		return f.err(op, memmap.ErrClosed)
	}
	if f.noView != nil {
		return f.err(op, f.noView)
	}
	return nil
}

// Row returns a pointer to record i in the map, without copying: reads and
// writes through it are reads and writes of the file (writes to a ReadOnly
// file fault, like writes to its memory; writes reach the disk with the
// next Flush, FlushRows or Close). The pointer stays valid until Close,
// across any growth; after Truncate or a Refresh that shrank the file it
// must not be used if i is no longer below Len. Row allocates nothing.
//
// An index outside [0, Len()) gives an error wrapping memmap.ErrRange;
// after Close, memmap.ErrClosed. A file whose records cannot be laid over
// the map gives an error wrapping memmap.ErrByteOrder (the other byte
// order than the host's, see ByteOrder), memmap.ErrPacked (a packed
// struct, see Open) or ErrAlign (a hand-made file whose data is misaligned
// for T); Get, At and Set work on every file.
func (f *File[T]) Row(i int) (*T, error) {
	if err := f.viewErr("row"); err != nil {
		return nil, err
	}
	v := f.view()
	if uint(i) >= uint(len(v)) {
		return nil, f.err("row", fmt.Errorf("%w: record %d of %d", memmap.ErrRange, i, len(v)))
	}
	return &v[i], nil
}

// Rows returns records [i, j) as a slice over the map, without copying
// (nil when i == j), with the validity of Data. A range outside [0, Len()]
// or with j < i gives an error wrapping memmap.ErrRange; the other errors
// are Row's. It is a whole-range view: with memmap.AccessAuto it comes
// from the map that is read ahead, as Data does.
func (f *File[T]) Rows(i, j int) ([]T, error) {
	if err := f.viewErr("rows"); err != nil {
		return nil, err
	}
	v := f.scanView()
	if i < 0 || j < i || j > len(v) {
		return nil, f.err("rows", fmt.Errorf("%w: records [%d, %d) of %d", memmap.ErrRange, i, j, len(v)))
	}
	if i == j {
		return nil, nil
	}
	return v[i:j:j], nil
}

// All returns an iterator over the records as their indexes and pointers
// into the map (as Row returns them), from 0 to the Len at the start of
// the loop: records appended during the loop are not visited, and the
// loop stops early if the file is truncated below the next index or
// closed. If the file is closed when the loop starts, it panics with an
// error wrapping memmap.ErrClosed, as At does.
//
// For a file whose records cannot be laid over the map (the other byte
// order, a packed struct, misaligned data: see Row), each pointer is to a
// copy of the record, converted as Get does, in a variable that All reuses
// for the next record: writes to it do not change the file (use Set), and
// it must be copied to outlive the step.
func (f *File[T]) All() iter.Seq2[int, *T] {
	return func(yield func(int, *T) bool) {
		if f.closed {
			panic(f.err("all", memmap.ErrClosed))
		}
		if f.noView != nil {
			n := f.Len()
			var v T
			for i := 0; i < n; i++ {
				if f.closed || i >= f.Len() {
					return
				}
				f.decode(valueBytes(&v), f.record(i))
				if !yield(i, &v) {
					return
				}
			}
			return
		}
		v := f.scanView() // stays valid across growth; see Row
		for i := range v {
			if f.closed || i >= f.Len() || !yield(i, &v[i]) {
				return
			}
		}
	}
}

// Data returns the records [0, Len()) as a slice over the map, without
// copying (nil when there are none): reads and writes of its elements are
// reads and writes of the file, as with Row. Its capacity is its length:
// appending to it copies instead of writing past the records. It stays
// valid until Close, across any growth; take it again to see records
// appended since. A file in the other byte order than the host's returns
// an error wrapping memmap.ErrByteOrder, a packed one memmap.ErrPacked, a
// misaligned one ErrAlign; after Close, memmap.ErrClosed.
func (f *File[T]) Data() ([]T, error) {
	if err := f.viewErr("data"); err != nil {
		return nil, err
	}
	return f.scanView(), nil
}

// Advise tells the OS how the records will be accessed (madvise); see
// memmap.Advice. Normal, Sequential and Random replace the advice that
// Options.Access chose, for every accessor and view, also for the pages
// of later growth; WillNeed and DontNeed act once, on the pages mapped
// now. After Close it returns an error wrapping memmap.ErrClosed.
func (f *File[T]) Advise(adv memmap.Advice) error {
	if f.closed {
		return f.err("advise", memmap.ErrClosed)
	}
	return f.s.Advise(adv)
}

// AdviseRows tells the OS how records [i, j) will be accessed (madvise),
// once: growth and Refresh apply the advice of Options.Access (or of
// Advise) again. An invalid range gives an error wrapping memmap.ErrRange.
func (f *File[T]) AdviseRows(i, j int, adv memmap.Advice) error {
	if f.closed {
		return f.err("advise", memmap.ErrClosed)
	}
	return f.s.AdviseRows(int64(i), int64(j), adv)
}

// Take copies the records idx[0], idx[1], ... into dst[0], dst[1], ...: a
// batch gather. dst must hold at least len(idx) records (an error
// wrapping memmap.ErrShape otherwise); the rest is left alone. Indexes may
// repeat and come in any order. Every index is checked before anything is
// copied: one outside [0, Len()) gives an error wrapping memmap.ErrRange
// that names it, and dst is left untouched. Records of a file in the other
// byte order are swapped into the host's, and those of a packed file
// converted field by field, in dst itself (a file whose records are
// bigger than Ts goes through a buffer reused across calls): Take
// allocates nothing for them either. Take works on misaligned files too.
//
// When the records' pages are in memory, Take copies them from the map
// without allocating or making more than a few system calls (it probes a
// sample of the pages with mincore). When they are not (a cold file,
// bigger than memory), it reads the records with many reads in flight at
// once (pread from many goroutines), which a loop of Get cannot do: a
// loop waits for each page in turn. Take may run concurrently with Get,
// At and the views.
func (f *File[T]) Take(idx []int, dst []T) error {
	if f.closed {
		return f.err("take", memmap.ErrClosed)
	}
	if len(dst) < len(idx) {
		return f.err("take", fmt.Errorf("%w: dst holds %d records; %d indexes", memmap.ErrShape, len(dst), len(idx)))
	}
	b := bytesOf(dst[:len(idx)])
	if f.conv == nil || f.isize <= f.size {
		// The records are gathered into dst's own bytes, and converted
		// (swapped, or field by field in place) there: no buffer.
		off := 0
		if f.conv != nil {
			off = f.conv.InPlaceOffset(len(idx))
		}
		if err := f.s.TakeRows(idx, b[off:off+len(idx)*f.isize]); err != nil {
			return err
		}
		if f.conv != nil {
			f.conv.DecodeInPlace(b, len(idx))
		} else if f.swap {
			f.dt.SwapBytes(b)
		}
		return nil
	}
	// The file's records are bigger than Ts: every index is checked
	// first, then they go through a pooled buffer, a chunk at a time.
	n := f.Len()
	for k, i := range idx {
		if i < 0 || i >= n {
			return f.err("take", fmt.Errorf("%w: index %d (idx[%d]) out of range [0, %d)", memmap.ErrRange, i, k, n))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	p := store.Scratch(f.isize)
	defer store.PutScratch(p)
	step := len(*p) / f.isize
	for len(idx) > 0 {
		k := min(step, len(idx))
		fb := (*p)[:k*f.isize]
		if err := f.s.TakeRows(idx[:k], fb); err != nil {
			return err
		}
		f.conv.Decode(b[:k*f.size], fb)
		idx, b = idx[k:], b[k*f.size:]
	}
	return nil
}

// Grow makes room for n more records without changing the length, like
// slices.Grow: afterwards, appending n records does not grow the file.
// The capacity grows geometrically, with a real allocation (a full disk is
// an error here, not a crash later). Cap reports the result. A negative n
// gives an error wrapping memmap.ErrRange; a ReadOnly or CopyOnWrite file
// memmap.ErrReadOnly; after Close, memmap.ErrClosed. Capacity is invisible
// to NumPy and to readers, and a writer's Close gives it back.
func (f *File[T]) Grow(n int) error {
	if f.closed {
		return f.err("grow", memmap.ErrClosed)
	}
	if n < 0 || n > maxInt-f.Len() {
		return f.err("grow", fmt.Errorf("%w: grow by %d records", memmap.ErrRange, n))
	}
	return f.s.Reserve(int64(f.Len() + n)) // checks the mode
}

// Resize sets the number of records to n: records added read as zero and
// are committed with the next Flush, like appended ones; records cut off
// are gone (see Truncate). A negative n gives an error wrapping
// memmap.ErrRange; a ReadOnly or CopyOnWrite file memmap.ErrReadOnly;
// after Close, memmap.ErrClosed.
func (f *File[T]) Resize(n int) error {
	if f.closed {
		return f.err("resize", memmap.ErrClosed)
	}
	return f.s.SetLen(int64(n)) // checks the mode and n ≥ 0
}

// Truncate cuts the file to its first n records, n ≤ Len() (an error
// wrapping memmap.ErrRange otherwise; Resize also grows). Dropping records
// that were committed commits the new length at once (the header is
// rewritten and flushed), so the file never claims records that later
// appends may overwrite. Pointers and slices taken before stay mapped but
// must not be used past the new length. The capacity is kept until Close.
// A ReadOnly or CopyOnWrite file returns an error wrapping
// memmap.ErrReadOnly; after Close, memmap.ErrClosed.
func (f *File[T]) Truncate(n int) error {
	if f.closed {
		return f.err("truncate", memmap.ErrClosed)
	}
	if n < 0 || n > f.Len() {
		return f.err("truncate", fmt.Errorf("%w: truncate to %d records of %d", memmap.ErrRange, n, f.Len()))
	}
	return f.s.SetLen(int64(n)) // checks the mode
}

// Flush makes every record durable and commits the length: it flushes the
// whole data range to the disk (one msync; FlushViewOfFile and
// FlushFileBuffers on Windows), then rewrites the length in the header in
// place, then flushes the header page (a second msync). When Flush
// returns nil, all the records appended and set before it survive a crash
// of the process or of the machine, and readers that Refresh see them. It
// does nothing for ReadOnly and CopyOnWrite files (CopyOnWrite changes
// never reach the file). See the package documentation for what it costs.
// A length whose shape does not fit the header (see Append) is not
// committed: Flush returns an error wrapping header.ErrNoRoom, the header
// keeps the old length and the records stay in the File; Rewrite makes
// room.
func (f *File[T]) Flush() error {
	if f.closed {
		return f.err("flush", memmap.ErrClosed)
	}
	return f.s.Flush()
}

// Commit is Flush for an append-only file: it flushes only the records
// appended since the last Flush or Commit, then commits the length as
// Flush does. Records changed in place below the committed length (Set,
// Row, Rows, Data) are not flushed by it; FlushRows flushes them. Its cost depends on the records appended,
// not on the size of the file.
func (f *File[T]) Commit() error {
	if f.closed {
		return f.err("commit", memmap.ErrClosed)
	}
	return f.s.Commit()
}

// Refresh re-reads the committed length from the file's header and
// extends the map to cover it: the way a ReadOnly reader follows a writer
// in another process. It reads the header until two reads agree, so a
// header the writer is rewriting is not taken for a length, and it does
// not see records the writer has not committed: a writer commits the
// length with one write inside one 4 KiB page of the header, which the OS
// copies in one go (a header whose length digits cross a page takes no
// length change at all; see "Old files" in the package documentation).
// Pointers and slices taken before stay valid. If the writer truncated
// the file, Len shrinks, and views must not be used past it.
// Refresh does nothing for a writer; a CopyOnWrite file cannot follow its
// file (memmap.ErrUnsupported). A header that no longer describes this
// record file gives an error wrapping header.ErrFormat.
func (f *File[T]) Refresh() error {
	if f.closed {
		return f.err("refresh", memmap.ErrClosed)
	}
	if err := f.s.Refresh(); err != nil {
		return err
	}
	if int64(int(f.s.Len())) != f.s.Len() {
		return f.err("refresh", fmt.Errorf("%w: %d records do not fit an int on this host", memmap.ErrRange, f.s.Len()))
	}
	return nil
}

// Close commits a writer's records (Flush), shrinks the file to them
// (dropping the preallocated capacity, so that the closed file is exactly
// what np.save would write), releases the writer lock and unmaps the file.
// Afterwards At panics with an error wrapping memmap.ErrClosed, and so
// does All when a loop over it starts; the other methods with an error
// result return one wrapping memmap.ErrClosed. Every pointer and slice into the file must no longer
// be used. Close is idempotent (closing again returns nil); it returns the
// first error met but releases everything in any case. On Windows a file
// cannot be shrunk while another map of it is open (a reader, in any
// process): Close then returns that error, after the records were
// committed; the file keeps its zeroed capacity past them, which NumPy and
// Open ignore.
func (f *File[T]) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	return f.s.Close()
}
