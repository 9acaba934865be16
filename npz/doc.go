// Package npz reads and writes NumPy's .npz archives: zip files of .npy
// members, as np.savez and np.savez_compressed write them and np.load
// reads them, with every member opening as the same *array.Array[T] (or
// untyped *array.Any) that package array gives for a .npy file.
//
//	f, err := npz.Open("weights.npz")
//	...
//	defer f.Close()
//	for _, name := range f.Names() { ... } // "emb", "bias" (no ".npy")
//	emb, err := npz.Array[float32](f, "emb")
//	row, err := emb.Row(7) // a []float32 into the archive's map
//
// Open maps the archive read-only and parses its zip central directory
// (Zip64 included) and local headers itself, from the mapped bytes, so it
// knows where each member's bytes lie in the archive. A stored member
// (np.savez) then opens as a view into that one map: no copy, no read of
// its data until its elements are touched, with the same zero-copy
// conditions as a .npy file (data aligned for T, in the host's byte
// order, not a packed struct; otherwise the accessors convert as they
// read). np.savez does not align member data (it starts wherever the zip
// headers end), so the []T views (Data, Row, Rows) of its members usually
// return an error wrapping memmap.ErrAlign for types wider than a byte,
// while At, Get, CopyTo and Take read the same bytes in place; archives
// this package's Writer makes are aligned. A deflated member
// (np.savez_compressed) is decompressed on its first open into anonymous
// memory owned by the File, and opens as a view of that copy (aligned).
//
// Names are the members' names without ".npy", as np.load's NpzFile gives
// them (the keys of np.savez, or "arr_0", "arr_1" ...). Members whose
// names do not end in ".npy" are not listed (np.load would return their
// raw bytes).
//
// Create and Add write an archive of stored members, as np.savez does,
// except that each member's array data starts at a multiple of 64 bytes
// in the archive (the local header is padded with an extra field, as
// Android's zipalign does), so that every member maps zero-copy here
// and in any other reader that maps archives. Writer.Create streams a
// member bigger than memory. np.load reads what the Writer writes.
//
// # Caveats
//
// View lifetime. Arrays from Array and Any, and the []T views they give,
// alias the archive's map (or, for a compressed member, the File's copy).
// They stay valid until the File's Close; touching a view after it faults
// and kills the process, like any use of unmapped memory. Closing an
// array alone does not unmap anything.
//
// Read-only. Every member opens read-only: Set returns an error wrapping
// memmap.ErrReadOnly and the views must not be written, as for an array
// opened memmap.ReadOnly. The archive's
// bytes never change. To change a member, write a new archive.
//
// Compressed members are copies. Decompressing costs memory and time in
// proportion to the member's size, once per File and member: the first
// Array or Any of it decompresses the whole member (checking its size and
// CRC-32) into anonymous memory, which later calls share and Close frees.
// A directory that claims more than a deflate stream of the member's
// compressed size can expand to (about 1032 times), or more than the
// system can hold in anonymous memory, is refused before anything is
// allocated, and a stream that holds more or less than the directory says
// is an error: a hostile archive cannot make Open or Array allocate more
// than the sizes it claims, at most about 1032 times its own size per
// member (and members may not overlap).
//
// Checksums. The CRC-32 of a compressed member is checked when it is
// decompressed. That of a stored member is not checked when it opens,
// which would read all of its data: call File.Verify for that.
//
// SIGBUS. As for any map (see package memmap), a process that truncates
// the archive under a live File makes touching its missing pages fatal.
// The members' .npy headers are read with pread, not from the map, so
// Info and the first Array or Any of a member in a truncated archive give
// an error matching ErrFormat and io.ErrUnexpectedEOF; Open (which reads
// the zip directory and local headers), Verify and decompression guard
// their reads of the map (the error wraps memmap.ErrFault); the arrays'
// accessors and views do not.
//
// Errors. Malformed archives give errors wrapping ErrFormat, never a
// panic; see ErrFormat for the list and the other sentinels.
package npz
