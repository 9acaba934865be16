package sys

import "os"

// Lock reports ErrUnsupported: golang.org/x/sys/unix has no flock(2) for
// AIX, and classic fcntl locks, which closing any descriptor of the file
// releases, cannot keep the one-writer rule.
func Lock(f *os.File, exclusive bool) error { return ErrUnsupported }

// Unlock reports ErrUnsupported.
func Unlock(f *os.File) error { return ErrUnsupported }
