// Package header reads and writes the header of NumPy's .npy files
// (format versions 1.0, 2.0 and 3.0), byte for byte as NumPy does.
//
// A .npy file is the magic "\x93NUMPY", a major and minor version byte, the
// header length (a little-endian uint16 in 1.0, uint32 in 2.0 and 3.0), the
// header text (latin-1 in 1.0 and 2.0, UTF-8 in 3.0) and then the array
// data. The text is a Python dict literal with exactly the keys "descr" (the
// dtype, see package layout), "fortran_order" and "shape", padded with
// spaces and ended by "\n" so that the data starts at a multiple of 64.
//
// Parse and Read decode a header (accepting any key order, spacing and data
// alignment, and Python 2's "3L" ints); Header.Encode writes exactly the
// bytes NumPy (>= 1.23) writes for the same array, including the spare
// spaces that let the growth axis be rewritten in place by RewriteShape,
// except that it keeps the bytes such a rewrite changes (GrowthSpan) inside
// one 4096-byte page of the file; Header.Validate checks a header against
// the size of its file. Shapes have at most MaxDims (64) dims; NumPy 1.x
// loads at most 32.
//
// The package does no I/O beyond io.Reader and byte slices. The header text
// is parsed with a small literal parser, never evaluated.
package header
