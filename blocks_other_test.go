//go:build !unix

package memmap

import (
	"errors"
	"os"
)

// allocatedBytes reports that the OS does not tell.
func allocatedBytes(fi os.FileInfo) (int64, bool) { return 0, false }

// mkfifo reports that there are no named pipes in the filesystem here.
func mkfifo(path string) error { return errors.ErrUnsupported }
