//go:build unix

package sys

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// OpenFile opens the regular file at path (flag and perm as in
// os.OpenFile) without ever blocking: the open is O_NONBLOCK, so that a
// FIFO without a writer or a device does not hang it, and a path that is
// not a regular file is closed again and refused with a
// *NotRegularError, decided by fstat on the opened descriptor (no race
// with a rename). The returned file is in blocking mode.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	var fd int
	var err error
	for {
		fd, err = unix.Open(path, flag|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(perm.Perm()))
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EISDIR) {
		return nil, &NotRegularError{Mode: os.ModeDir}
	}
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if typ := uint32(st.Mode) & unix.S_IFMT; typ != unix.S_IFREG {
		unix.Close(fd)
		return nil, &NotRegularError{Mode: typeMode(typ)}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// typeMode converts the S_IFMT bits of a stat to os.FileMode type bits.
func typeMode(typ uint32) os.FileMode {
	switch typ {
	case unix.S_IFDIR:
		return os.ModeDir
	case unix.S_IFIFO:
		return os.ModeNamedPipe
	case unix.S_IFCHR:
		return os.ModeDevice | os.ModeCharDevice
	case unix.S_IFBLK:
		return os.ModeDevice
	case unix.S_IFSOCK:
		return os.ModeSocket
	case unix.S_IFLNK:
		return os.ModeSymlink
	}
	return os.ModeIrregular
}

// CopyOwner gives f the owner and group of the file described by from,
// as far as the caller may (chown; EPERM is the caller's to ignore).
func CopyOwner(f *os.File, from os.FileInfo) error {
	st, ok := from.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	return f.Chown(int(st.Uid), int(st.Gid))
}

// SyncDir makes the entries of the directory dir durable (fsync of the
// directory), after a rename into it.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ReplaceOpen reports whether a file can be renamed over another file
// that is open (with a lock held on it).
const ReplaceOpen = true
