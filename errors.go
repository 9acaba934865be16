package memmap

import "errors"

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
)
