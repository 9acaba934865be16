package header

import (
	"errors"
	"fmt"
	"io"
)

// The errors returned by this package. Match them with [errors.Is]; the
// returned errors say what was expected, what was found and the byte offset
// in the file where the header broke ("header: offset 8: ...").
var (
	// ErrFormat is matched by every error about a malformed header: wrong
	// magic, bad lengths, text that is not the expected dict, bad shape or
	// order values, and (together with layout.ErrDType) a descr that does
	// not describe a supported dtype. ErrVersion and ErrTooLarge match it
	// too. A header cut short also matches io.ErrUnexpectedEOF.
	ErrFormat = errors.New("header: malformed .npy header")

	// ErrVersion is returned for a format version other than 1.0, 2.0 and
	// 3.0. It matches ErrFormat.
	ErrVersion = errors.New("header: unsupported .npy format version")

	// ErrTooLarge is returned for a header longer than Options.MaxHeaderLen,
	// for a shape whose data size overflows an int64, and by Encode for a
	// header that the requested version cannot hold. It matches ErrFormat.
	ErrTooLarge = errors.New("header: too large")

	// ErrNoRoom is returned by RewriteShape when the new shape does not fit
	// in the existing header's padding (typically a file written without
	// growth room by NumPy < 1.23). It does not match ErrFormat: the header
	// is fine, it is only too small to be rewritten in place.
	ErrNoRoom = errors.New("header: no room for the new shape in the existing header")
)

// headerError is an error with its own message that matches one or more
// sentinels with errors.Is.
type headerError struct {
	msg  string
	errs []error // sentinels and causes, for errors.Is and errors.As
}

func (e *headerError) Error() string   { return e.msg }
func (e *headerError) Unwrap() []error { return e.errs }

// formatErr returns an error matching ErrFormat (and the extra sentinels or
// causes) with the message "header: offset OFF: " + the formatted text.
func formatErr(off int64, extra []error, format string, args ...any) error {
	return &headerError{
		msg:  fmt.Sprintf("header: offset %d: ", off) + fmt.Sprintf(format, args...),
		errs: append([]error{ErrFormat}, extra...),
	}
}

// truncatedErr reports a header cut short at off: it matches ErrFormat and
// io.ErrUnexpectedEOF.
func truncatedErr(off int64, what string, need, got int) error {
	return formatErr(off, []error{io.ErrUnexpectedEOF},
		"expected %d bytes of %s, got %d (file truncated?)", need, what, got)
}
