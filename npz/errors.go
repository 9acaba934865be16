package npz

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// The errors of this package. Match them with errors.Is; the returned errors
// say what was expected and where (the byte offset in the archive).
//
// Besides ErrFormat:
//   - a name the archive does not hold gives an *os.PathError wrapping
//     fs.ErrNotExist (os.ErrNotExist);
//   - a malformed .npy header inside a member matches header.ErrFormat (and
//     ErrFormat), a dtype the library does not support layout.ErrDType, and
//     a dtype that does not match T layout.ErrDType, as for .npy files;
//   - an archive cut short matches io.ErrUnexpectedEOF too;
//   - methods of a closed File return errors wrapping memmap.ErrClosed;
//   - a decompressed member larger than the system can hold in anonymous
//     memory gives an error wrapping memmap.ErrRange;
//   - Writer methods return memmap.ErrShape for data that does not fit its
//     shape, ErrName for a bad member name, and memmap.ErrByteOrder for a
//     byte order Add cannot write (one other than layout.Little,
//     layout.Big or the host's default).
var (
	// ErrFormat is matched by every error about a malformed archive: not a
	// zip file, a central directory or local header that is cut short,
	// lies about sizes or offsets or disagrees with itself, a member whose
	// data runs past the end or into another member, duplicate names,
	// encrypted members, compression methods other than stored and
	// deflated, a deflate stream that is corrupt or does not hold the size
	// the directory says, a CRC-32 mismatch, and a member that is not a
	// valid .npy file (which matches header.ErrFormat too).
	ErrFormat = errors.New("npz: malformed archive")

	// ErrName is returned by the Writer for a member name that is empty,
	// not valid UTF-8, holds a NUL byte, is too long for a zip archive, or
	// is already in the archive.
	ErrName = errors.New("npz: bad member name")
)

// npzError is an error with its own message that matches ErrFormat and any
// causes it wraps, without repeating their text.
type npzError struct {
	msg  string
	errs []error
}

func (e *npzError) Error() string   { return e.msg }
func (e *npzError) Unwrap() []error { return e.errs }

// formatErr returns an error matching ErrFormat (and the extra sentinels or
// causes) with the message "npz: offset OFF: " + the formatted text.
func formatErr(off int64, extra []error, format string, args ...any) error {
	return &npzError{
		msg:  fmt.Sprintf("npz: offset %d: ", off) + fmt.Sprintf(format, args...),
		errs: append([]error{ErrFormat}, extra...),
	}
}

// truncErr is formatErr for an archive cut short: it matches
// io.ErrUnexpectedEOF too.
func truncErr(off int64, format string, args ...any) error {
	return formatErr(off, []error{io.ErrUnexpectedEOF}, format+" (archive truncated?)", args...)
}

// pathErr wraps err with the operation and the path (an archive's path, or
// "archive:member" for a member), as the os package does; a nil err
// stays nil.
func pathErr(op, path string, err error) error {
	if err == nil {
		return nil
	}
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return err
	}
	return &os.PathError{Op: op, Path: path, Err: err}
}

// notFound is the error for a member name the archive does not hold.
func notFound(path, name string) error {
	return &os.PathError{Op: "open", Path: path + ":" + name, Err: fmt.Errorf("no member %q.npy in the archive: %w", name, fs.ErrNotExist)}
}
