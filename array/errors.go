package array

import "github.com/gomemmap/memmap"

// ErrAlign, the same sentinel as memmap.ErrAlign, is returned by the zero-copy views (Data, Row, Rows) of a file
// whose data does not start at a multiple of the alignment of T: a []T
// laid over it would hold misaligned elements. NumPy aligns data to 64
// bytes (16 in files written before NumPy 1.23), which suits every T;
// only hand-made headers of odd lengths give such files. At, Set and Get
// still work on them, by copying each element.
//
// The other errors of this package are the shared sentinels of packages
// memmap (ErrClosed, ErrReadOnly, ErrRange, ErrLocked, ErrByteOrder,
// ErrShape, ErrUnsupported), header (ErrFormat) and layout (ErrType,
// ErrDType); match them all with errors.Is.
var ErrAlign = memmap.ErrAlign
