package layout

import (
	"errors"
	"fmt"
)

// The errors returned by this package. Match them with [errors.Is]; the
// returned errors carry the details (the field path, the offending type or
// descr and what was expected) in their message.
var (
	// ErrType is returned by Of and TypeOf for a Go type that cannot be
	// laid out as a NumPy dtype: int, uint, uintptr, pointers, strings,
	// slices, maps, interfaces, channels, funcs, empty structs, top-level
	// arrays other than [N]byte. The message names the field path (for
	// example "Rec.Inner.Name") and the fixed-size type to use instead.
	ErrType = errors.New("layout: unsupported Go type")

	// ErrDType is returned for a NumPy descr that is malformed or describes
	// a dtype this package does not support (object, unicode, long double,
	// ...), and by Compatible when a file's dtype does not match a Go type.
	// The message says what was expected and where.
	ErrDType = errors.New("layout: invalid, unsupported or mismatched dtype")
)

// sentinelError is an error whose message is err's but which also matches
// a sentinel with errors.Is, so that messages read "layout: field 2 ..."
// rather than repeating the sentinel's text.
type sentinelError struct {
	sentinel error
	err      error
}

func (e *sentinelError) Error() string   { return e.err.Error() }
func (e *sentinelError) Unwrap() []error { return []error{e.sentinel, e.err} }

// typeErrorf returns an error matching ErrType with the message
// "layout: " + the formatted text.
func typeErrorf(format string, args ...any) error {
	return &sentinelError{ErrType, fmt.Errorf("layout: "+format, args...)}
}

// dtypeErrorf returns an error matching ErrDType with the message
// "layout: " + the formatted text (which may wrap a cause with %w).
func dtypeErrorf(format string, args ...any) error {
	return &sentinelError{ErrDType, fmt.Errorf("layout: "+format, args...)}
}
