// Package layout is the dtype model of memmap: it maps Go types to NumPy
// dtypes and NumPy descr strings to dtypes and back, byte for byte as
// NumPy writes them in .npy headers.
//
// A [DType] describes a fixed-size element: a scalar (bool, signed and
// unsigned integers, [Float16], float32, float64, complex64, complex128,
// fixed bytes 'S<n>', raw bytes 'V<n>', [Datetime64], [Timedelta64]) or a
// struct of named fields at fixed offsets, with subarray fields and
// nested structs. The floats of machine-learning files that NumPy lacks,
// [BFloat16], [Float8E4M3] and [Float8E5M2], are dtypes too (kinds
// BFloat, FloatE4M3, FloatE5M2), for safetensors files and raw files: no
// .npy file can hold them (see [DType.CheckNumPy]). Three ways in and out:
//
//   - [Of] and [TypeOf] lay out a Go type exactly as Go does in memory, in
//     the host byte order, with padding written as NumPy's
//     np.dtype(..., align=True).descr writes it, so that a []T can be
//     laid over the bytes of a .npy file;
//   - [ParseDescr] reads the descr value of a .npy header, and
//     [DType.Descr] writes it, exactly as numpy.lib.format does;
//   - [Compatible] checks that a file's dtype and a Go type's match, and
//     says where they differ.
//
// Files in the other byte order are described by [DType.WithByteOrder] or
// [DType.Swapped]; [DType.SwapBytes] converts elements between the two
// orders in place without allocating.
//
// The package is pure: it does no I/O and keeps no state but a cache of
// the dtypes of Go types.
//
// # Caveats
//
//   - Go's layout is the host's: int64, float64 and complex128 are 4-byte
//     aligned on 386 and 32-bit arm, so a struct mixing them with 4-byte
//     fields has other offsets there than on 64-bit hosts (and than
//     NumPy's align=True on 64-bit hosts). Compatible catches the
//     difference; order fields from largest to smallest alignment, or pad
//     explicitly, for files shared across architectures.
//   - Unexported fields are padding: their bytes are stored, but NumPy
//     does not see them.
//   - [N]byte maps to 'S<N>', which NumPy shows as a bytes string (with
//     trailing NUL bytes stripped); use a named uint8 type ([N]MyByte) for
//     a subarray of 'u1' instead.
//   - Unicode ('U'), object ('O'), long double and other non-fixed or
//     platform-dependent dtypes are refused with [ErrDType].
package layout
