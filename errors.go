package memmap

import (
	"errors"
	"fmt"
)

// The errors returned by this package and by the packages built on it
// (array, record). Match them with [errors.Is]; the returned errors wrap them
// with the operation, the path and the offending values.
var (
	// ErrClosed is returned by every method of a Map (and of the types built
	// on it) after Close.
	ErrClosed = errors.New("memmap: map is closed")

	// ErrReadOnly is returned by writes to a map opened ReadOnly.
	ErrReadOnly = errors.New("memmap: map is read-only")

	// ErrRange is returned for offsets, lengths and indexes outside the map
	// or the file.
	ErrRange = errors.New("memmap: out of range")

	// ErrFault is wrapped by the error a guarded access returns when the
	// mapped file was truncated under the map (the OS would raise SIGBUS).
	ErrFault = errors.New("memmap: fault accessing mapped memory (file truncated?)")

	// ErrLocked is returned when a writable open finds the file locked by
	// another writer, in this process or another.
	ErrLocked = errors.New("memmap: file is locked by another writer")

	// ErrUnsupported is returned for operations the platform cannot do.
	ErrUnsupported = errors.New("memmap: not supported on this platform")

	// ErrTruncated is returned when a file shrank under a map that was
	// writing it: another process (not holding the writer lock) truncated
	// or re-created it. Rows written since the last commit may be lost;
	// the library never reports success over them.
	ErrTruncated = errors.New("memmap: file shrank under the map (truncated by another process?)")

	// ErrNotRegular is returned by the opens for paths and descriptors that
	// are not regular files (directories, FIFOs, devices, sockets), which
	// cannot be mapped by size.
	ErrNotRegular = errors.New("memmap: not a regular file")
)

// The errors of the typed packages built on Map (array, record), defined here
// so that one errors.Is target serves them all.
var (
	// ErrByteOrder is returned by the zero-copy views ([]T, *T) of a file
	// whose byte order is not the host's: its elements must be read and
	// written through accessors that swap bytes.
	ErrByteOrder = errors.New("memmap: file byte order differs from the host's; zero-copy views need host order")

	// ErrAlign is returned by the zero-copy views ([View], and the
	// []T views of the typed packages) when the bytes are not aligned for
	// the Go type: a *T there would be misaligned. The accessors that copy
	// ([Decode], At, Get) read the same values.
	ErrAlign = errors.New("memmap: bytes are not aligned for the Go type; zero-copy views need alignment")

	// ErrPacked is returned by the zero-copy views ([]T, *T) of the typed
	// packages for a file whose structured dtype puts fields where the Go
	// struct cannot: a packed struct (NumPy's default, align=False), a
	// struct with explicit offsets, or one that mixes byte orders. The
	// accessors that copy (Get, Set, At on arrays, Append, Take, CopyTo)
	// convert each element field by field.
	ErrPacked = errors.New("memmap: the file's fields are not laid out as the Go type's; zero-copy views need the same layout")

	// ErrShape is returned for shapes that do not fit the operation: a
	// wrong number of indexes, an append whose length is not a multiple of
	// the row size, a negative dimension, a rank the operation does not
	// support.
	ErrShape = errors.New("memmap: shape mismatch")
)

// detailError is an error with a message of its own that wraps a sentinel
// without repeating the sentinel's text ("memmap: Seek: ...", not
// "memmap: Seek: ...: memmap: out of range").
type detailError struct {
	msg string
	err error
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.err }

// errorf returns an error with the formatted message (no %w) that wraps
// sentinel for errors.Is.
func errorf(sentinel error, format string, args ...any) error {
	return &detailError{msg: fmt.Sprintf(format, args...), err: sentinel}
}
