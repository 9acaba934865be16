//go:build unix && !linux

package sys

import "os"

const (
	mapNoReserve = 0 // PROT_NONE anonymous memory is not charged to swap here.
	mapPopulate  = 0 // MapFile falls back to a WillNeed hint.
)

// Grow extends f, whose size the caller knows to be cur (from its own
// fstat: Grow makes none), to size bytes with a real allocation: it writes zeros
// over the new range (there is no portable fallocate here), so that a full
// disk is an error now rather than a SIGBUS when a page is first touched.
// On any failure the file is truncated back to its old size. A file
// already at least size bytes long is left alone.
func Grow(f *os.File, cur, size int64) (err error) {
	if cur >= size {
		return nil
	}
	if err = writeZeros(f, cur, size); err != nil {
		_ = f.Truncate(cur) // leave no half-grown file behind
	}
	return err
}

// BackingLimit returns how many bytes of anonymous memory the system can
// back at most. Anonymous memory here is an unlinked temporary file, whose
// real limit is the free space of its filesystem; this returns a fixed cap
// (1 TiB on 64-bit systems) that catches absurd requests.
func BackingLimit() (int64, error) { return fixedBackingLimit, nil }

// AnonymousFile returns a new empty file with no name in the filesystem,
// for anonymous shared memory that can be handed to a child process
// (exec.Cmd.ExtraFiles): a temporary file in os.TempDir, unlinked at once.
func AnonymousFile(name string) (*os.File, error) { return tempFile(name) }

// Resident reports ErrUnsupported: x/sys/unix has no portable mincore.
func Resident(b []byte) (bool, error) { return false, ErrUnsupported }
