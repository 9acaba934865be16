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

// Grow extends f, whose size the caller knows to be cur (from its own
// fstat: Grow makes none), to size bytes with a real allocation (fallocate), so that
// a full disk is an error now rather than a SIGBUS when a page is first
// touched. Where the filesystem cannot allocate (EOPNOTSUPP: ext2, some
// network filesystems), it writes zeros over the new range instead, which
// allocates as well. On any failure (ENOSPC, or an allocation that stopped
// part way) the file is truncated back to its old size. A file already at
// least size bytes long is left alone. New space reads as zero.
func Grow(f *os.File, cur, size int64) (err error) {
	if cur >= size {
		return nil
	}
	defer func() {
		if err != nil {
			_ = f.Truncate(cur) // leave no half-grown file behind
		}
	}()
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
		return writeZeros(f, cur, size)
	}
	return err
}

// BackingLimit returns how many bytes of anonymous memory the system can
// back at most: its physical memory plus swap (sysinfo). Anonymous maps
// larger than that could never be touched in full.
func BackingLimit() (int64, error) {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0, err
	}
	unit := max(uint64(si.Unit), 1)
	total := uint64(si.Totalram) + uint64(si.Totalswap)
	if total > uint64(maxInt64)/unit {
		return maxInt64, nil
	}
	return int64(total * unit), nil
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
