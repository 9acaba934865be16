//go:build !unix && !windows

package sys

import "os"

// PageSize returns the size of a memory page.
func PageSize() int { return os.Getpagesize() }

// Granularity returns the alignment MapFile needs for file offsets.
func Granularity() int { return os.Getpagesize() }

// MapFile reports ErrUnsupported: this platform cannot map files.
func MapFile(f *os.File, off int64, length int, acc Access, populate bool) ([]byte, error) {
	return nil, ErrUnsupported
}

// Reserve reports ErrUnsupported.
func Reserve(length int, off int64) ([]byte, error) { return nil, ErrUnsupported }

// MapFixed reports ErrUnsupported.
func MapFixed(region []byte, f *os.File, off int64, acc Access, populate bool) error {
	return ErrUnsupported
}

// Unmap reports ErrUnsupported (nothing can have been mapped).
func Unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return ErrUnsupported
}

// Sync reports ErrUnsupported.
func Sync(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return ErrUnsupported
}

// SyncFile syncs f.
func SyncFile(f *os.File) error { return f.Sync() }

// Advise is a no-op.
func Advise(b []byte, a Advice) error { return nil }

// Grow extends f, whose size the caller knows to be cur (from its own
// fstat: Grow makes none), to size bytes (ftruncate; nothing can map it here
// anyway). On failure the file keeps its old size. A longer file is left
// alone.
func Grow(f *os.File, cur, size int64) error {
	if cur >= size {
		return nil
	}
	return f.Truncate(size)
}

// BackingLimit returns a fixed cap on anonymous memory; AnonymousFile is
// unsupported here in any case.
func BackingLimit() (int64, error) { return fixedBackingLimit, nil }

// Lock reports ErrUnsupported.
func Lock(f *os.File, exclusive bool) error { return ErrUnsupported }

// Unlock reports ErrUnsupported.
func Unlock(f *os.File) error { return ErrUnsupported }

// AnonymousFile reports ErrUnsupported.
func AnonymousFile(name string) (*os.File, error) { return nil, ErrUnsupported }

// TruncateMapped reports whether the OS can truncate a file that has
// mapped views.
const TruncateMapped = true

// MappedElsewhere reports whether err says a file could not be truncated
// because a view of it is mapped; never, where the OS allows that.
func MappedElsewhere(err error) bool { return false }

// AdviceWorks reports whether Advise changes what the OS does: never here.
const AdviceWorks = false

// Resident reports ErrUnsupported.
func Resident(b []byte) (bool, error) { return false, ErrUnsupported }

// OpenFile opens the regular file at path (os.OpenFile); a path that is
// not a regular file is refused with a *NotRegularError.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag, perm)
	if err != nil {
		return nil, err
	}
	return regular(f)
}

// CopyOwner does nothing here.
func CopyOwner(f *os.File, from os.FileInfo) error { return nil }

// SyncDir does nothing here.
func SyncDir(dir string) error { return nil }

// ReplaceOpen reports whether a file can be renamed over another file
// that is open (with a lock held on it).
const ReplaceOpen = true

// Size returns the size of f.
func Size(f *os.File) (int64, error) { return statSize(f) }
