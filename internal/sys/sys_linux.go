package sys

import (
	"errors"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	mapNoReserve = unix.MAP_NORESERVE
	mapPopulate  = unix.MAP_POPULATE
)

// Grow extends f to size bytes with a real allocation (fallocate), so that
// a full disk is an error now rather than a SIGBUS when a page is first
// touched. Where the filesystem cannot allocate (EOPNOTSUPP), it falls back
// to ftruncate. A file already at least size bytes long is left alone.
func Grow(f *os.File, size int64) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	cur := fi.Size()
	if cur >= size {
		return nil
	}
	for {
		err = unix.Fallocate(int(f.Fd()), 0, cur, size-cur)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOSYS):
		return f.Truncate(size)
	}
	return err
}

// AnonymousFile returns a new empty file with no name in the filesystem,
// for anonymous shared memory that can be handed to a child process
// (exec.Cmd.ExtraFiles). On Linux it is a memfd (memfd_create, close on
// exec); where memfd_create is unavailable, an unlinked temporary file.
func AnonymousFile(name string) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err == nil {
		return os.NewFile(uintptr(fd), "memfd:"+name), nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EPERM) {
		return nil, err
	}
	return tempFile(name)
}

// Resident reports whether every page of b, which must start on a page
// boundary, is in memory (mincore): touching it then costs no I/O. It
// makes one system call and allocates nothing for up to 64 pages.
func Resident(b []byte) (bool, error) {
	if len(b) == 0 {
		return true, nil
	}
	var small [64]byte
	pages := (len(b) + pageSize - 1) / pageSize
	vec := small[:]
	if pages > len(small) {
		vec = make([]byte, pages)
	}
	vec = vec[:pages]
	// SAFETY: b is a live mapping the caller owns; mincore only reads the
	// page tables of [b, b+len(b)) and writes pages bytes into vec.
	_, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	if e != 0 {
		return false, e
	}
	for _, v := range vec {
		if v&1 == 0 {
			return false, nil
		}
	}
	return true, nil
}
