// Package safetensors reads and writes safetensors files, the format of
// Hugging Face model weights: many named tensors in one file, each opening
// as a zero-copy *array.Array[T] view of one read-only map of the file.
//
// The format (huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of UTF-8 JSON mapping tensor names to
// {"dtype", "shape", "data_offsets": [begin, end]} (offsets into the data
// area that follows the header) plus an optional "__metadata__" object of
// strings, then the data area: every tensor's elements, little-endian, in
// C order, back to back.
//
//	f, err := safetensors.Open("model.safetensors")
//	...
//	defer f.Close()
//	wte, err := safetensors.Tensor[float32](f, "wte.weight") // *array.Array[float32], no copy
//	row, err := wte.Row(42)                                  // []float32 view of the mapped pages
//
// Open checks the header as strictly as the reference implementation does,
// within bounds that keep a hostile header from costing more memory than a
// small multiple of its size (MaxHeaderLen, MaxRank, MaxMetadataEntries,
// MaxMetadataLen), and reads no tensor data; Names, Info, Tensors and Metadata describe the
// file; Tensor gives a typed view checked against the tensor's dtype (F32
// needs float32, BF16 layout.BFloat16, F8_E4M3 layout.Float8E4M3, ...),
// Any an untyped one, and Bytes the raw bytes of any tensor, including the
// dtypes that have no Go element type here (F4, F6_E2M3, F6_E3M2,
// F8_E8M0, F8_E4M3FNUZ, F8_E5M2FNUZ). DTypeOf names the dtype of a Go type.
//
// Create makes a Writer: Add gives it tensors held in memory, Declare and
// Write (or WriteTensor, TensorWriter) stream the data of tensors bigger
// than memory, and Close writes the header and makes the complete file
// appear at its path (temporary file, fsync, rename). A Writer aligns every
// tensor to its element size, so that they all map as zero-copy views.
//
// # Caveats
//
// View lifetime. The arrays from Tensor and Any, and the slices from Bytes
// and from the arrays' Data, Row and Rows, alias the file's map. They stay
// valid until File.Close, which unmaps it: after that, touching them faults
// and kills the process, like any use of unmapped memory. Closing an array
// does not unmap anything. Copy (CopyTo, slices.Clone) what must outlive
// the File.
//
// Read-only. The map is read-only: Set on a tensor panics with an error
// matching memmap.ErrReadOnly, and writing through a view faults. Change a
// file by writing a new one with a Writer (which may replace it: maps of
// the old file keep the old data).
//
// Misaligned tensors. Other writers (the reference among them, which aligns
// the data area to 8 bytes only) may leave a tensor at an offset that is
// not a multiple of its element size. Such a tensor opens: At, Get, Take,
// CopyTo and All copy its elements, while Data, Row and Rows return an
// error matching memmap.ErrAlign, since a Go slice must be aligned.
//
// SIGBUS. Open reads the header with pread, never from the map, so a file
// truncated while Open runs gives an error (matching ErrFormat and
// io.ErrUnexpectedEOF). If another process truncates the file after Open,
// touching a page of the views past the new end kills the process; see
// package memmap (Array.Guard turns the fault into an error).
//
// Byte order. The format is little-endian. On a big-endian host the views
// return memmap.ErrByteOrder, the element accessors swap, and the Writer
// swaps what Add and WriteTensor write.
package safetensors
