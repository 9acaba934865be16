package publish

import "errors"

// The errors of this package. Match them with errors.Is. Besides
// ErrPointer:
//   - a name that names no file in a directory (empty, or ending in a
//     separator, "." or "..") gives an *os.PathError matching
//     fs.ErrInvalid;
//   - Open of a name never published (no pointer file) gives an
//     *os.PathError matching fs.ErrNotExist;
//   - Publish and Clean while another publisher of the name holds its
//     lock give an *os.PathError matching memmap.ErrLocked;
//   - Acquire, Do and Reload after Close give errors matching
//     memmap.ErrClosed;
//   - the errors of the write and open functions come back wrapped, with
//     the version and the name.
var (
	// ErrPointer is matched by the error for a pointer file (NAME.current)
	// that does not hold one line naming a version of NAME: NAME's base
	// name, ".v" and decimal digits, which cannot point outside NAME's
	// directory.
	ErrPointer = errors.New("publish: bad pointer file")
)
