// Package record stores fixed-size Go values — records, normally structs —
// in a file, appended and read back through a memory map without copies:
// the RecordFile[T] of memmap.
//
// A record file is a 1-d .npy array whose dtype is T's structured dtype
// (layout.Of[T]): NumPy reads it with np.load(path, mmap_mode="r") as a
// record array with T's field names, and a structured array NumPy wrote
// opens here as a File[T] when T's layout matches its dtype (see the
// layout package for the mapping, padding and `npy` field tags).
//
//	type Trade struct {
//		Time  int64
//		Price float64
//		Qty   int32
//		Side  [4]byte
//	}
//	f, err := record.Create[Trade]("trades.npy", nil)
//	...
//	f.Append(Trade{Time: 1, Price: 10.5, Qty: 3, Side: [4]byte{'b', 'u', 'y'}})
//	err = f.Flush() // durable and visible to readers
//
// Create and Open(path, memmap.ReadWrite, nil) open a writer; Open with
// memmap.ReadOnly a reader, and with memmap.CopyOnWrite a private copy.
// The verbs are array.Array's, with the same meanings (see "Vocabulary"
// in package memmap): Append(rows...) adds records at the end and returns
// the index of the first; Get and At copy a record out (Get returns an
// error, At panics like indexing a slice), Set(v, i) copies one in; Row,
// Rows and Data give a pointer to one record, a slice of records [i, j)
// and a slice of them all, into the map; All iterates over Row's
// pointers. Flush commits, FlushRows makes records changed in place
// durable, Commit commits the appended records only; Grow, Resize and
// Truncate change the capacity and the length.
//
// For files bigger than memory: Get, At, Set, Row and Take read only the
// pages they touch, as pread would, while Rows, Data and All are read
// ahead, as read(2) would (Options.Access; see "Files bigger than memory" in
// package memmap). Take gathers a batch of records in any order and keeps
// many reads in flight when their pages are not in memory.
//
// # Packed structs
//
// NumPy saves structured dtypes packed unless asked for align=True: a file
// of np.dtype([('id', '<i8'), ('score', '<f4'), ('flag', 'u1')]) has
// 13-byte records, which no Go struct can be. Open opens it with the Go
// struct whose fields match by name (or `npy` tag), as `memmap info`
// suggests; Get, At, Set, Append, Take and All copy each record field by
// field, and Row, Rows and Data refuse it with an error wrapping
// memmap.ErrPacked. Save
// with align=True in NumPy for zero-copy views.
//
// # Durability
//
// Appended records are in the map (and other processes' maps) at once,
// but they are committed — durable, and part of the length that readers
// and NumPy see — only by Flush, Commit or Close. Records appended before
// a Flush (or Commit or Close) that returned nil survive a crash of the
// process or of the machine; records appended after the last one may be
// lost, but never half: a file reopened after a crash at any moment holds
// every committed record and no record that was not completely written.
//
// The length is committed in this order: the data is flushed to the disk,
// then the shape in the header is rewritten in place, with one write that
// a killed process cannot leave half done (the header is written with
// room for any length, as NumPy >= 1.23 writes it), then the header page
// is flushed. So Flush costs two synchronous flushes (msync
// MS_SYNC; FlushViewOfFile and FlushFileBuffers on Windows): one over the
// data range, which writes back the pages dirtied since the last flush
// and waits for the device, and one over the header's page. Its cost is
// the device's write latency, twice, whatever the number of records
// appended, and it does not grow with the size of the file; an Append
// costs at most a share of one write(2) of 256 KiB (see below), so one
// Flush costs as much as a great many Appends (BenchmarkFlush in this package
// measures it; bench/RESULTS.md has the figures of appending to disk).
// Batch appends between Flushes. Commit flushes only the records appended
// since the last commit (not records changed in place by Set or through
// Row, Rows and Data, which Flush and FlushRows also write back).
//
// Append allocates nothing unless the file must grow; capacity grows
// geometrically (doubling, by at most 1 GiB a step, 16 MiB on 32-bit
// systems), with a real allocation, so a full disk is an error from
// Append rather than a crash. Options.Capacity preallocates. A clean
// Close shrinks the file to its records.
//
// Appending one record per call is as fast as writing them through a
// bufio.Writer (bench/RESULTS.md sections 3 and 7.5). On Linux a writer
// gathers small appends (less than 64 KiB per call) in a buffer of 256
// KiB and writes it to the file with one pwrite when it is full: copying
// records into new pages of a shared mapping would take a page fault per
// page, which write(2) does not. The buffered records are the File's
// records like any other: Len counts them, and every accessor (At, Get,
// Set, Row, Rows, Data, All, Take) and Flush, Commit, Truncate and Close
// write the buffer out first, so the writer always reads its own writes
// and views cover them. Like every record not yet committed, they are not
// seen by other readers and are lost by a crash. Elsewhere (and for
// anonymous memory) appends are copied into the map, with no system call
// unless the file grows.
//
// # Caveats
//
// View lifetime. A *T from Row or All and a []T from Rows or Data point
// into the map: they see later writes, and writing through them changes the file.
// They stay valid until Close, across any number of appends and growths
// (the map grows in reserved address space, or keeps its old mapping
// alive). Touching them after Close faults and kills the process, like
// any use of unmapped memory; after Truncate they must not be used past
// the new length. Copy (Get) what must outlive the File.
//
// SIGBUS. If another process truncates the file under the map, touching a
// record past the new end makes the OS raise SIGBUS, which kills a Go
// process. Readers of files that other programs may shrink should read
// inside File.Guard, which turns the fault into an error wrapping
// memmap.ErrFault. A writer using this package shrinks the file only
// after a Truncate (or Resize) below the committed length (its Close then cuts the
// file to the new length), so readers of files that are only appended to
// need no guard.
//
// Concurrency. One writer per file: Create and a ReadWrite Open take an
// exclusive OS lock (flock on unix, LockFileEx on Windows) that a second
// writer, in this process or another, finds taken: its open fails with an
// error wrapping memmap.ErrLocked. The lock belongs to the open File, not
// to the process, and closing another descriptor of the same file does not
// release it. Readers take no lock and may run in any number of other
// processes: a ReadOnly File sees the records committed when it opened,
// and Refresh brings it up to the writer's latest commit, never reading a
// half-written header or an uncommitted record. Within a process, a File
// is not safe for concurrent use while one goroutine changes it (Append,
// Set, Grow, Resize, Truncate, Flush, FlushRows, Commit, Refresh, Close);
// reads (Len, Get, At, Row, Rows, Data, All) may run concurrently with each
// other.
//
// Byte order. Create writes the host's byte order unless Options.ByteOrder
// says otherwise; Open accepts either order. On a file in the host's order
// Row, Rows, Data and All are zero-copy views; on one in the other order
// Row, Rows and Data return an error wrapping memmap.ErrByteOrder, All
// yields swapped copies (see File.All), and Get, At, Set and Append swap
// each record's bytes. The layout of T is the host's (int64 and float64
// are 4-aligned on 386 and 32-bit arm): for files shared across
// architectures, order fields from largest to smallest or pad with
// explicit `_ [N]byte` fields, and Open says where a layout differs.
//
// Old files. The length is committed by rewriting the shape in the
// header's padding. Files written by NumPy < 1.23 (headers padded to 16
// bytes) or with long structured descrs have room there for a few more
// digits only: they take appends up to the longest length that fits, and
// Append (or Resize) past it fails with an error wrapping header.ErrNoRoom, appending
// nothing. Rewrite (with no writer open) gives such a file room for any
// length. A header longer than a 4 KiB page whose length digits NumPy put
// across a page boundary (only long structured descrs make such headers)
// cannot change its length at all, with the same error naming Rewrite: no
// single write could rewrite its shape. Rewrite lays out the header so
// that the shape sits in one page.
//
// Errors. Errors match the sentinels of package memmap (ErrClosed,
// ErrReadOnly, ErrRange, ErrLocked, ErrByteOrder, ErrShape, ErrFault,
// ErrUnsupported), header.ErrFormat, layout.ErrType and layout.ErrDType,
// and this package's ErrAlign, with errors.Is; they come wrapped in an
// *os.PathError naming the operation and the file. Bad files never make
// this package panic.
package record
