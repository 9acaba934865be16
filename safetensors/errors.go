package safetensors

import (
	"errors"
	"fmt"
)

// The errors of this package. Match them with [errors.Is]; the returned
// errors carry the details (the tensor, the offset, what was expected) in
// their message. Errors of Open come as an *os.PathError with the file's
// path.
var (
	// ErrFormat is returned for a file that is not a valid safetensors
	// file: a header length over MaxHeaderLen or past the end of the
	// file, a header that is not a UTF-8 JSON object, duplicate keys,
	// unknown dtypes, shapes or offsets that are not non-negative
	// integers, tensors whose data_offsets leave holes, overlap, or do
	// not match their shape and dtype, data that does not end exactly at
	// the end of the file, metadata values that are not strings, a
	// tensor of more than MaxRank dimensions, metadata of more than
	// MaxMetadataEntries keys or MaxMetadataLen bytes. A file cut short
	// (or truncated while Open reads its header) also matches
	// io.ErrUnexpectedEOF.
	ErrFormat = errors.New("safetensors: malformed file")

	// ErrNotFound is returned for a tensor name the file (or the Writer)
	// does not have. It matches fs.ErrNotExist too.
	ErrNotFound error = notFound{}
)

type notFound struct{}

func (notFound) Error() string        { return "safetensors: no such tensor" }
func (notFound) Is(target error) bool { return target == errNotExist }

// fmtError is an error with its own message that matches one or more
// sentinels, so that messages read "safetensors: tensor "w": ..." without
// repeating the sentinel's text.
type fmtError struct {
	msg  string
	errs []error
}

func (e *fmtError) Error() string   { return e.msg }
func (e *fmtError) Unwrap() []error { return e.errs }

// formatErr returns an error matching ErrFormat (and extra) with the
// message "safetensors: " + the formatted text.
func formatErr(extra []error, format string, args ...any) error {
	return &fmtError{msg: "safetensors: " + fmt.Sprintf(format, args...), errs: append([]error{ErrFormat}, extra...)}
}

// wrapErr returns an error matching sentinel, and the error args wrap
// with %w, with the message "safetensors: " + the formatted text.
func wrapErr(sentinel error, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &fmtError{msg: "safetensors: " + err.Error(), errs: []error{sentinel, err}}
}
