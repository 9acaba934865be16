//go:build unix

package memmap

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// allocatedBytes returns the bytes the filesystem allocated for a file
// (st_blocks in 512-byte units), and whether the OS tells.
func allocatedBytes(fi os.FileInfo) (int64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int64(st.Blocks) * 512, true
}

// mkfifo makes a named pipe at path.
func mkfifo(path string) error { return unix.Mkfifo(path, 0o644) }
