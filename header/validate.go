package header

import "io"

// Validate checks h against the size of its file: the shape's dims are
// non-negative, the data size (product of the shape times the item size)
// does not overflow, and the data fits in the file: DataOffset + data size
// ≤ fileSize. Bytes past the data are allowed (capacity: rows preallocated
// beyond the committed shape). A file too short for its data gives an error
// matching ErrFormat and io.ErrUnexpectedEOF.
func (h *Header) Validate(fileSize int64) error {
	size, err := h.DataSize()
	if err != nil {
		return err
	}
	if h.DataOffset < 0 || fileSize < h.DataOffset || fileSize-h.DataOffset < size {
		return formatErr(h.DataOffset, []error{io.ErrUnexpectedEOF},
			"expected %d bytes of data for shape %s of %d-byte items (file of at least %d bytes), got a file of %d bytes",
			size, shapeRepr(h.Shape), h.itemSize(), addSat(h.DataOffset, size), fileSize)
	}
	return nil
}

func (h *Header) itemSize() int {
	if h.DType == nil {
		return 0
	}
	return h.DType.Size()
}

// addSat adds two non-negative int64s, saturating at the maximum.
func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}
