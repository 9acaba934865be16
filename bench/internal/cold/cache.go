//go:build linux

package cold

import (
	"fmt"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Drop writes the file at path to the disk (fsync) and asks the kernel to
// drop its pages from the page cache (posix_fadvise POSIX_FADV_DONTNEED).
// Pages that a live mapping holds, or that are dirty, stay: the caller
// must hold no mapping of the file, and should check with Resident.
func Drop(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", path, err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		return fmt.Errorf("posix_fadvise(DONTNEED) %s: %w", path, err)
	}
	return nil
}

// Resident returns the fraction of the pages of the file at path that are
// in the page cache, from mincore(2) on a fresh read-only mapping of the
// whole file (made and unmapped here; mincore reads nothing in). An empty
// file is 0.
func Resident(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	size := fi.Size()
	if size == 0 {
		return 0, nil
	}
	if int64(int(size)) != size {
		return 0, fmt.Errorf("%s: %d bytes do not fit the address space", path, size)
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return 0, fmt.Errorf("mmap %s: %w", path, err)
	}
	defer unix.Munmap(m)
	page := int64(os.Getpagesize())
	vec := make([]byte, (size+page-1)/page)
	// SAFETY: m is a live mapping of len(m) bytes, unmapped only when
	// Resident returns; vec holds one byte per page of it, as mincore
	// writes; both stay alive across the call (KeepAlive below).
	_, _, e := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(unsafe.SliceData(m))), uintptr(len(m)), uintptr(unsafe.Pointer(unsafe.SliceData(vec))))
	runtime.KeepAlive(vec)
	if e != 0 {
		return 0, fmt.Errorf("mincore %s: %w", path, e)
	}
	in := 0
	for _, v := range vec {
		in += int(v & 1)
	}
	return float64(in) / float64(len(vec)), nil
}

// FSType returns the type of the filesystem holding path ("ext4",
// "tmpfs", ...; the magic number in hex if unknown): on tmpfs and other
// memory filesystems the page cache is the file, and cannot be dropped.
func FSType(path string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return "unknown"
	}
	// Statfs_t.Type is an int32 on 32-bit Linux, where magics above
	// MaxInt32 (btrfs's) overflow it: compare the 32 bits as unsigned.
	switch uint32(st.Type) {
	case unix.EXT4_SUPER_MAGIC:
		return "ext4"
	case unix.TMPFS_MAGIC:
		return "tmpfs"
	case unix.XFS_SUPER_MAGIC:
		return "xfs"
	case unix.BTRFS_SUPER_MAGIC:
		return "btrfs"
	case unix.OVERLAYFS_SUPER_MAGIC:
		return "overlayfs"
	case unix.RAMFS_MAGIC:
		return "ramfs"
	}
	return fmt.Sprintf("0x%x", uint32(st.Type))
}

// Droppable reports whether the page cache of files on the filesystem of
// path can be dropped: not on tmpfs or ramfs, where it is the file.
func Droppable(path string) bool {
	t := FSType(path)
	return t != "tmpfs" && t != "ramfs"
}
