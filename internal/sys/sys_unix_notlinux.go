//go:build unix && !linux

package sys

import "os"

const (
	mapNoReserve = 0 // PROT_NONE anonymous memory is not charged to swap here.
	mapPopulate  = 0 // MapFile falls back to a WillNeed hint.
)

// Grow extends f to size bytes (ftruncate; new space reads as zero). A file
// already at least size bytes long is left alone. Outside Linux the
// allocation is not reserved up front, so a full disk can still surface as
// SIGBUS on first touch of a new page.
func Grow(f *os.File, size int64) error { return truncateUp(f, size) }

// AnonymousFile returns a new empty file with no name in the filesystem,
// for anonymous shared memory that can be handed to a child process
// (exec.Cmd.ExtraFiles): a temporary file in os.TempDir, unlinked at once.
func AnonymousFile(name string) (*os.File, error) { return tempFile(name) }

// Resident reports ErrUnsupported: x/sys/unix has no portable mincore.
func Resident(b []byte) (bool, error) { return false, ErrUnsupported }
