package table

import (
	"errors"
	"fmt"
	"os"
)

var (
	// ErrFormat is matched by every error about a file that is not a
	// well-formed table: a member missing or of the wrong dtype or shape,
	// a meta record this package does not know, index parameters that do
	// not add up, offsets out of order, a checksum that does not match
	// (Verify). An archive that is not a well-formed .npz also matches
	// npz.ErrFormat.
	ErrFormat = errors.New("table: malformed table file")

	// ErrDuplicate is returned by the builders for a key given twice; the
	// error names the key. Nothing is written.
	ErrDuplicate = errors.New("table: duplicate key")

	// ErrKeyType is returned by Open when the table's keys are not of the
	// kind of K (uint64, int64 or string): the error names both.
	ErrKeyType = errors.New("table: key type does not match the file")
)

// formatErr returns an error matching ErrFormat with the message.
func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// pathErr wraps err as the *os.PathError of op on path (nil stays nil).
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
