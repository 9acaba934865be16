// Package array provides Array[T], an N-dimensional array of fixed-size Go
// values laid over a memory-mapped NumPy .npy file: the Go counterpart of
// numpy.memmap and numpy.lib.format.open_memmap.
//
// Create makes a new file (NumPy's mode "w+"), Open opens an existing one
// read-only ("r"), read-write ("r+") or copy-on-write ("c"), and New makes
// an array in anonymous memory. The element type T maps to a NumPy dtype
// through package layout: float32 is '<f4', a struct is a structured dtype
// (as np.dtype([...], align=True) lays it out), and so on. What Go writes,
// np.load(path, mmap_mode="r") reads, and what NumPy writes with a
// fixed-size dtype, Open reads with zero copies.
//
//	a, err := array.Create[float32]("emb.npy", []int{0, 64}, nil)
//	...
//	_, err = a.Append(batch...) // len(batch) a multiple of 64
//	x := a.At(10, 3)            // a[10, 3]
//	row, err := a.Row(10)       // a[10] as a []float32, no copy
//	err = a.Close()             // commits the length; NumPy sees (n, 64)
//
// Elements are read and written with At, Get and Set, for any rank, with
// no allocation and no system call (At1, At2, At3 and Set1, Set2, Set3,
// for arrays of rank 1 to 3, inline and cost what indexing a slice
// costs); Data, Row and Rows give []T views of
// the mapped pages. An array grows along its growth axis — axis 0 in C
// order, the last axis in Fortran order, as NumPy (>= 1.23) appends — with
// Append, Grow and Resize; the capacity grows geometrically, preallocated
// with a real allocation and invisible to NumPy.
//
// For files bigger than memory: At, Get, Set, Row and Take read only the
// pages they touch, as pread would, while Data and Rows are read ahead, as
// read(2) would (Options.Access; see "Files bigger than memory" in
// package memmap). Take gathers a batch of rows in any order and keeps
// many reads in flight when their pages are not in memory.
//
// Slice(lo, hi) is a[lo:hi] along the growth axis, an *Array sharing the
// mapping; All iterates over rows; CopyTo and CopyFrom copy elements in
// bulk, converting as At and Set do; Save writes a slice to a new file in
// one call, as np.save does.
//
// Code that does not know the dtype at compile time — tools, servers,
// notebooks loading whatever a pipeline wrote — uses the untyped API: Stat
// reads a file's header facts without mapping it, and OpenAny opens any
// file Open opens (packed structured dtypes, either byte order, Fortran
// order, 0-d) as an Any, whose At returns each element as a Value that
// decodes every dtype kind in the file's byte order (Int, Float, Field,
// Index, Interface) and prints itself as memmap head does; Bytes and
// ElemBytes give the mapped bytes without copying.
//
// # Packed structs and other layouts
//
// NumPy saves structured dtypes packed unless asked for align=True:
// np.dtype([('x', '<i2'), ('y', '<f8')]) is 10 bytes with y at offset 2,
// which no Go struct can be. Such files open with the Go struct that `memmap
// info` suggests (fields matched by name or `npy` tag): At, Get, Set,
// Append, Take, CopyTo, CopyFrom and All copy each element field by field,
// and the zero-copy views (Data, Row, Rows) return an error wrapping
// memmap.ErrPacked that says so. Files in the other byte order than the
// host's work the same way, swapping (the views return
// memmap.ErrByteOrder). Save with align=True in NumPy for zero-copy views.
//
// # Raw files
//
// OpenRaw and CreateRaw map headerless files (.dat, .bin, fvecs-style
// embeddings) as np.memmap(path, dtype, mode, offset, shape, order) does:
// the caller gives the shape, and Options.Offset, FortranOrder and
// ByteOrder say where the data starts and how it is laid out; a -1 on
// the growth axis counts the rows from the file's size. Such an array
// works as one over a .npy file, except that its length is its file's
// size: there is no header to commit, so readers (and NumPy) see a
// writer's capacity as zero rows until its Close gives it back, and an
// array whose data ends before the end of its file keeps its length and
// leaves the bytes after it alone.
//
// # Errors and panics
//
// Errors match, with errors.Is, the sentinels of package memmap (ErrClosed,
// ErrReadOnly, ErrRange, ErrLocked, ErrByteOrder, ErrPacked, ErrShape,
// ErrFault, ErrUnsupported), header.ErrFormat for malformed files (and
// io.ErrUnexpectedEOF for files cut short), layout.ErrType for Go types
// without a dtype and layout.ErrDType for a file whose dtype does not match
// T, naming the field; and ErrAlign here. Bad files never panic.
//
// At panics on a bad index, as indexing a slice does; the panic value is
// an error (wrapping memmap.ErrRange, or memmap.ErrShape for a wrong
// number of indexes, memmap.ErrClosed after Close) whose message reads
// like Go's, such as "array: index [3 70] out of range for shape
// (3000, 64)". Get returns that error instead. Set never panics: it
// returns that error, and one wrapping memmap.ErrReadOnly for a ReadOnly
// array. A loop over All panics like At once the array is closed.
//
// # Fortran order
//
// Len and Take follow NumPy in both orders: Len is len(a), Shape()[0],
// and Take(idx, dst) is a[idx], rows along axis 0. The verbs that count
// rows count them along the growth axis, where the data grows and is
// contiguous: axis 0 in C order, the last axis in Fortran order (as
// NumPy appends). These are Cap, Append, Grow, Resize, Truncate, Row,
// Rows, All, Slice, AdviseRows, FlushRows, CopyTo and CopyFrom. In C order
// (and for 1-d arrays) both kinds of verb count the same rows. In Fortran
// order, for rank 2 or more, an array of shape (1000, 3) has Len 1000 and
// grows by 1000-element rows along its last axis, whose length is 3; Take
// copies rows of 3 elements, gathered one by one since they are 1000
// elements apart, and Row and Rows, which would need such rows to be
// contiguous, return an error wrapping memmap.ErrShape.
//
// # Caveats
//
// View lifetime. A view (Data, Row, Rows) aliases the mapped pages. It
// stays valid, and keeps reading and writing the same bytes of the file,
// until Close — also across any number of appends and grows, which move
// neither the file's bytes nor earlier mappings (see memmap.Map.Resize). A
// view does not grow with the array: take it again to see new rows. After
// Truncate, or a Refresh that finds the file shorter, do not use a view
// past the new length. Touching a view after Close faults and kills the
// process, like any use of unmapped memory; so does writing to a view of a
// ReadOnly array. Copy what must outlive the array.
//
// Borrowed mappings. An array from View (the members of a safetensors
// file or an .npz archive) lives on its owner's map, and a Slice on its
// parent's: once the owner (the safetensors.File, the npz.File, the
// memmap.Map, the parent array) is closed, the array's methods that
// return errors (Get, CopyTo, CopyFrom, Take, Data, Row, Rows, Flush and
// the others) return errors wrapping memmap.ErrClosed, each checking a
// flag, without a system call, and All panics. At, Set, At1, At2, At3,
// Set1, Set2, Set3 stay unchecked, to stay as fast as indexing a slice: like the
// views, they must not be used after the owner's Close, which makes them
// fault.
//
// SIGBUS. If another process truncates the file under a live array,
// touching a page past the new end makes the OS raise SIGBUS, which kills
// a Go process. At, Set and the views are unguarded, to stay fast; code
// that maps files other processes may shrink should access them inside
// Array.Guard, which turns the fault into an error wrapping memmap.ErrFault.
//
// Concurrency. An Array is used like a slice: At, Get, Set (on distinct
// elements) and the views may be used from many goroutines at once. No
// other method may run concurrently with one that changes the length or
// the mapping: Append, Grow, Resize, Truncate, Refresh, Close. One writer
// per file: a writable open takes an exclusive OS lock, and a second
// writer, in this process or another, gets an error wrapping
// memmap.ErrLocked. Readers in other processes need no lock; they see
// changed elements at once and appended rows after the writer's Flush (or
// Commit) and their own Refresh.
//
// Durability. Set and writes through views reach the file's pages at once
// (other processes that map the file see them), and the disk when the OS
// writes them back, or when Flush or FlushRows returns (msync). Appended
// rows become part of the file — visible to NumPy — only when Flush,
// Commit or Close commits the length: the data is flushed first (Commit
// flushes only the rows appended since the last commit), then the shape in
// the header is rewritten in place and flushed, so a crash leaves a file
// that opens with the old or the new length, never rows that were not
// written. Close commits and then shrinks the file to the committed length,
// so a closed file is exactly what np.save writes. CopyOnWrite arrays never
// change the file; anonymous arrays vanish at Close. On Linux the rows of
// small appends may sit in the writer's buffer until 256 KiB of them have
// gathered (see Array.Append): the writer sees them as its own, other
// processes only after the commit, like any appended row, and a crash
// loses them as it loses every row not yet committed.
//
// Old files. Files written by NumPy < 1.23 (headers padded to 16 bytes)
// or with long structured descrs have room in their header for a few more
// digits of the length only: they grow up to the longest length whose
// shape fits, and Append or Resize past it fails with an error wrapping
// header.ErrNoRoom, changing nothing. Rewrite (with no writer open) gives
// such a file room for any length. A header longer than a 4 KiB page
// whose length digits NumPy put across a page boundary (only long
// structured descrs make such headers, and only at some lengths) cannot
// change its length at all, with the same error naming Rewrite: no single
// write could rewrite its shape, and two writes can be seen, or left by a
// crash, half done. Rewrite lays out the header so that the shape sits in
// one page.
//
// What NumPy sees. A NumPy reader (np.load with or without mmap_mode)
// reads the header once: it sees a committed length, the one before or
// after a concurrent commit, never one that was not committed, because
// a commit is one write within one page of the header. Rows appended and
// not yet committed are invisible to it, and a NumPy reader keeps the
// length it read: it sees later commits only when it loads the file
// again. Elements changed in place are seen at once by NumPy's memmaps,
// as by any map of the file, and without any ordering between them.
//
// Byte order. Files in the host's byte order (little-endian on amd64 and
// arm64) give zero-copy views. Files in the other order open too: At and
// Set swap each element's bytes (still without allocating), Append swaps
// the rows it copies, and the views return an error wrapping
// memmap.ErrByteOrder. Options.ByteOrder picks the order of a new file
// (the host's by default). A structured dtype mixing little- and
// big-endian fields is refused at Open with an error wrapping
// memmap.ErrByteOrder: convert such rare files with NumPy first.
//
// Values. T holds no pointers (package layout refuses such types), so any
// bytes of the file make a T. A NumPy bool is one byte, 0 or 1; a file
// holding other values in a bool gives Go bools that are neither true nor
// false to compare with.
package array
