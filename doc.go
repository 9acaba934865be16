// Package memmap maps files into memory: the byte-level layer of the memmap
// library, with everything Python's mmap module offers, and the ground the
// typed packages stand on (array for N-dimensional .npy arrays, record for
// files of fixed-size Go structs).
//
// A [Map] is opened on a file with [Open] (read-only, read-write or
// copy-on-write, NumPy's "r", "r+" and "c"), made with [Create] ("w+"), or
// made from anonymous memory with [Anonymous]. Its bytes are available
// without copies through [Map.Bytes], and through file-like methods that
// implement the io interfaces (ReadAt, WriteAt, Read, Write, Seek,
// ReadByte, WriteTo ...). Searches (Find, RFind, Count, Lines and regular
// expressions) run over the mapped pages without copying them. Flush,
// FlushRange, Advise, Resize and Move complete Python's API; [Map.Remap]
// lets a reader follow a file that another process grows.
//
// # Reading binary files
//
// A [Reader] is a cursor over a Map's bytes (or any []byte) that decodes
// integers, floats, varints, NUL-terminated strings and fixed-layout Go
// values without copying or allocating, like encoding/binary, with
// io.EOF and io.ErrUnexpectedEOF at the end. [Decode] copies a value of Go's
// memory layout out, swapping bytes for the other byte order; [View]
// returns a pointer into the mapped bytes when the order is the host's and
// the bytes are aligned; [DecodeSlice] decodes many values with one call,
// one copy where the bytes are already the values' memory, the fastest
// way through a stream of fixed-size records. Slices and pointers it
// returns are views, valid until Close.
//
// # Files bigger than memory
//
// A page of a mapped file that is not in memory is read from the disk
// when it is first touched (a page fault). With the OS's default advice
// the fault reads a large window around the page (read-around): right for
// a scan, ruinous for random reads of a file bigger than memory, where
// reading 8 bytes may read a hundred kilobytes and push out pages that
// are still wanted. Advice ([Map.Advise], madvise) sets this per mapping:
// Random reads only the pages touched, Sequential reads far ahead. A Map
// has the OS's default until it is advised.
//
// The typed packages advise by intent ([Access], in array.Options and
// record.Options). By default ([AccessAuto]) the element accessors (At,
// Get, Set, Row and Take of package array; Get, Set, At and Take of
// package record) read through a map advised Random, so that a random
// read costs about what a pread does, and the whole-range views and
// iterators (array's Data and Rows, record's Slice and All) come from a
// second map of the same file, advised Sequential, made on their first
// use, so that a scan is read ahead as read(2) is. Both maps share the
// file's pages: a write through either is seen at once through the
// other, and Flush and Close cover both. The second map is made only
// where it helps: where the OS takes advice (not Windows), on 64-bit
// systems, for files that are not copy-on-write; elsewhere there is one
// map, with the OS's default advice. [AccessRandom], [AccessSequential]
// and [AccessNormal] give every accessor and view one map with that
// advice.
//
// The cost of the second map: a page read through both maps is one page
// of the page cache (a memory cgroup is charged for it once), but the
// process's resident set size counts it once per map that has touched it.
// Reading a 400 MB file whole through Data and then through At1 showed
// 784 MB of RSS with AccessAuto against 394 MB with AccessNormal: twice
// the file's pages against once. A
// program watched by its RSS (an RSS limit, a container whose monitor
// reads RSS rather than the cgroup's charge) that both scans and reads
// elements of the same file should pick one map: AccessNormal, or
// AccessRandom with Advise before a scan.
//
// Advise when the intent differs from what the accessor suggests: a loop
// of At over rows in order is a scan (AdviseRows(i, j, Sequential), or
// use Rows); WillNeed starts reading a range that will be needed soon,
// DontNeed lets the OS drop the pages of a range already processed. In
// the typed packages Advise with Normal, Sequential or Random replaces
// the advice Access chose, on every map and for later growth.
//
// Gather batches of random rows with Take (array.Array.Take,
// record.File.Take) rather than a loop of At or Get. A loop waits for
// each cold page in turn, one read in flight, and a goroutine blocked on
// a page fault holds its thread, so even many goroutines keep only a few
// reads in flight. On Linux, Take checks whether the rows' pages are in
// memory (a sample of them, with mincore): if they are, it copies them
// from the map like a loop; if not, it reads the rows with many preads in
// flight at once, which disks and SSDs serve far faster than one at a
// time. Elsewhere it copies from the map.
//
// # Caveats
//
// View lifetime. A slice returned by Bytes, ReadLine or Lines aliases the
// mapped pages. It stays valid, and keeps reading and writing the same
// bytes of the file, until the Map is closed — also across Resize: the map
// grows in address space reserved up front, and when that runs out the old
// mapping is kept alive (coherent with the new one, since both share the
// file's pages) until Close. Touching a view after Close faults and kills
// the process, like any use of unmapped memory. Do not keep views past
// Close; copy what must outlive the map.
//
// SIGBUS. If another process truncates a mapped file, touching a page past
// the new end of the file makes the OS raise SIGBUS (an access violation
// on Windows), which a Go program cannot recover from on its own: the
// process dies. Reads through the plain views and methods are unguarded,
// to stay fast. Code that maps files other processes may shrink should do
// its accesses inside [Map.Guard], which turns the fault into an error
// wrapping [ErrFault] (runtime/debug.SetPanicOnFault on the calling
// goroutine). A full disk is not a SIGBUS: Create and Resize allocate the
// file's new space for real (fallocate, or writing zeros where the file
// system has none) and return the error (ENOSPC). Anonymous maps, which
// commit memory only as pages are touched, are the exception: touching
// more than the system's memory ends in SIGBUS or the OOM killer (see
// [Anonymous]).
//
// Concurrency. A Map may be read from many goroutines at once (ReadAt,
// Bytes, Find and the other searches), and written at disjoint ranges
// (WriteAt, writes through Bytes). Methods that move the position (Read,
// Write, Seek, ReadByte, ReadLine), and Resize, Flush and Close, must not
// run concurrently with other uses of the same Map. The OS keeps shared
// maps of the same file coherent across processes, but orders nothing:
// coordinate readers and writers yourself (the array and record packages
// do, with a committed length in the file header and a writer lock).
//
// Readers of a growing array or record file. A writer in these packages
// commits a new length by rewriting the digits of the shape in the
// header in place, and a reader in another process (Refresh, or NumPy's
// np.load) never takes a half-written length for a committed one: a
// commit is one write inside one 4 KiB page of the header, which the OS
// copies in one go. The headers this library writes keep those digits
// inside one page. A header that NumPy wrote may put them across a page
// boundary (over 4 KiB: long structured dtypes); a writer of such a file
// refuses every change of its length with an error wrapping
// header.ErrNoRoom that names Rewrite (array.Rewrite, record.Rewrite),
// which copies the file into one whose shape sits in one page.
//
// A writer whose file another process truncates or re-creates (without
// the lock) finds out at its next growth or commit: Append, Flush and
// Close then return an error wrapping [ErrTruncated] instead of success
// over rows that are gone.
//
// Durability. Writes to a read-write map reach the OS page cache at once
// and other processes see them, but they reach the disk only when the OS
// decides to write them back, or when [Map.Flush] or [Map.FlushRange]
// returns: both are synchronous (msync MS_SYNC; FlushViewOfFile and
// FlushFileBuffers on Windows). Close does not flush: unflushed writes
// are not lost, but reach the disk only when the OS writes them back.
// Copy-on-write maps never change the file, and flushing them does
// nothing. Anonymous maps live in shared memory (a memfd on Linux, an
// unlinked temporary file elsewhere) that disappears with its last user.
//
// Create replaces, it does not truncate. [Create] over an existing file
// builds the new file beside it and renames it into place, so a failure
// (a full disk, an Init error) leaves the old file as it was. Other hard
// links to the old file, and maps and descriptors open on it, keep the
// old data; on Windows a file that is open cannot be replaced at all.
//
// Advice. [Map.Advise] passes an access-pattern hint to the OS (madvise).
// DontNeed on a private (copy-on-write or anonymous) map may drop changes
// on some systems; on shared maps data stays in the file.
//
// Errors. Every error can be matched with [errors.Is] against the
// sentinels in this package (ErrClosed, ErrReadOnly, ErrRange, ErrFault,
// ErrLocked, ErrUnsupported, ErrNotRegular, ErrTruncated); failures of the OS come
// wrapped in an *os.PathError naming the operation and the file. Invalid
// Mode and Advice values are errors wrapping ErrRange. The searches (Find,
// Count and their kin) and the iterators over a map (All, AllOverlapping,
// AllRegexp, Lines) have no error result: on a closed map they panic with
// an error wrapping ErrClosed, as the typed accessors do, rather than
// answer "not found"; check [Map.Closed] where a map may be closed.
//
// # Vocabulary
//
// The verbs and nouns that more than one package of this module uses
// mean one thing, with one signature, in all of them; a new package
// follows them.
//
//   - Close() error releases what the value holds, in any case, and
//     returns the first error met. It is idempotent: a second Close, or a
//     Close after Abort, does nothing and returns nil ([Map],
//     array.Array, array.Any, record.File, npz.File, npz.Writer,
//     safetensors.File, safetensors.Writer, table.Table, table.Any,
//     table.Writer, publish.Handle).
//   - Abort() error gives up a writer that builds its output under a
//     temporary name (npz.Writer, safetensors.Writer, table.Writer): it removes the
//     temporary file, leaves the path as it was, and returns the first
//     error met doing so; after Close or Abort it does nothing and
//     returns nil.
//   - Not found: a name that is not there (a path given to Open, a
//     tensor or member name given to Info, Tensor, Array, Any, Bytes,
//     Verify or a Writer's Write) gives an error that matches
//     [io/fs.ErrNotExist] with [errors.Is]. safetensors.ErrNotFound
//     matches it too.
//   - Info(name string) (Info, error) describes one named item of a
//     container (npz.File.Info, safetensors.File.Info): a value of the
//     package's type Info, not a pointer, and for a name that is not
//     there an error matching fs.ErrNotExist, not a bool.
//   - A key looked up in a keyed table is not a name: table.Table's
//     Get(k) (V, bool) is a Go map's comma-ok, and a key that is not
//     there is false, not an error.
//   - [ErrByteOrder] is the error for a byte order that cannot be used:
//     an Options.ByteOrder that array.Create, record.Create or npz.Add
//     cannot write (anything but layout.Little, layout.Big or the zero
//     value, the host's order), and a zero-copy view ([]T, *T) of data
//     whose order is not the host's.
//   - Perm, in every Options or WriterOptions that creates files, is the
//     permission bits of a new file less the umask, as for os.OpenFile.
//   - Create follows a symbolic link at the path and replaces the file
//     it names, leaving the link a link, and the new file keeps the
//     permission bits (and, where the caller may set them, the owner and
//     group) of a file it replaces: Perm applies only where no file was
//     ([Create], and array's and record's Creates, which build on it;
//     npz.Create and safetensors.Create, whose Writer's Close replaces
//     the file).
//
// The typed arrays, array.Array[T] and record.File[T] (and array.Any
// where it has the verb), share these; R is what Row returns, []T for an
// array row and *T for a record:
//
//   - Append(rows ...T) (first int, err error) appends and returns the
//     index of the first new row; a slice goes in as Append(s...), without
//     a copy. An array takes the flat elements of whole rows (other
//     lengths: an error wrapping [ErrShape]).
//   - At returns the value T and panics like a slice index (out of range,
//     closed); Row(i) (R, error) is the zero-copy view of one row.
//   - Get(idx...) (T, error) is the checked read (record: Get(i)).
//   - Set(v T, idx...) error (record: Set(v, i); array's Set1 and Set2
//     too), value first, never panics: out of range is [ErrRange],
//     read-only [ErrReadOnly], closed [ErrClosed].
//   - Data() ([]T, error) is every element or record as one view;
//     Rows(i, j int) ([]T, error) is rows [i, j) as a view. Slice(lo, hi)
//     (*Array[T], error), a sub-array sharing the map, is array's only.
//   - All() iter.Seq2[int, R] iterates over the rows, and panics once
//     the value is closed, as At does.
//   - Flush() error makes every row durable, then commits the length;
//     Commit() error does so for the rows appended since the last Flush or
//     Commit only; FlushRows(i, j int) error makes rows [i, j) durable
//     without a commit. In a name, Rows counts rows and Range counts bytes
//     ([Map.FlushRange](off, n)).
//   - Cap() int, Grow(n int) error, Resize(n int) error and
//     Truncate(n int) error size the rows along the growth axis, as
//     slices.Grow and a slice's cap do.
//   - Len() int is NumPy's len(a), Shape()[0], in C and Fortran order
//     alike, and Take(idx, dst) is NumPy's a[idx], rows along axis 0. The
//     verbs that count rows (Cap, Append, Grow, Resize, Truncate, Row,
//     Rows, All, Slice, AdviseRows, FlushRows, CopyTo, CopyFrom) count
//     them along the growth axis: axis 0, or the last axis of a
//     Fortran-order array, where its data grows and is contiguous.
package memmap
