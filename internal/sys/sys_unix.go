//go:build unix

package sys

import (
	"errors"
	"math"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

var pageSize = os.Getpagesize()

// PageSize returns the size of a memory page.
func PageSize() int { return pageSize }

// Granularity returns the alignment MapFile needs for file offsets: the
// page size on unix.
func Granularity() int { return pageSize }

func protFlags(acc Access) (prot, flags int) {
	switch acc {
	case Write:
		return unix.PROT_READ | unix.PROT_WRITE, unix.MAP_SHARED
	case Copy:
		return unix.PROT_READ | unix.PROT_WRITE, unix.MAP_PRIVATE
	}
	return unix.PROT_READ, unix.MAP_SHARED
}

// MapFile maps length bytes of f from offset off, which must be a multiple
// of Granularity; length must be > 0. With populate the OS is asked to
// read the range in now. The returned slice must be passed to Unmap as is.
func MapFile(f *os.File, off int64, length int, acc Access, populate bool) ([]byte, error) {
	if length <= 0 {
		return nil, unix.EINVAL
	}
	prot, flags := protFlags(acc)
	if populate {
		flags |= mapPopulate
	}
	p, err := unix.MmapPtr(int(f.Fd()), off, nil, uintptr(length), prot, flags)
	if err != nil {
		return nil, err
	}
	// SAFETY: the OS just mapped length bytes at p; they stay mapped until
	// Unmap is called with this slice.
	b := unsafe.Slice((*byte)(p), length)
	if populate && mapPopulate == 0 {
		_ = Advise(b, WillNeed)
	}
	return b, nil
}

// hugePage is the alignment Reserve gives a reservation at least that
// long: 2 MiB, the size of a huge (PMD) page on amd64 and on arm64 with
// 4 KiB pages.
const hugePage = 2 << 20

// Reserve reserves length bytes of address space (rounded up to pages)
// without memory or swap behind it (PROT_NONE, MAP_NORESERVE where the OS
// has it). Touching it faults; MapFixed maps a file into it.
//
// off is the file offset that will be mapped at the start of the
// reservation. A reservation of at least 2 MiB starts at an address
// congruent to off modulo 2 MiB, as the kernel places a plain map of
// the file: only then can Linux map the file's large page-cache folios
// with huge-page entries (FilePmdMapped in /proc/self/smaps), whose
// TLB reach a scan of a map in a reservation placed anywhere lacks
// (bench/RESULTS.md, section 2). The address space left over for the
// alignment is given back.
func Reserve(length int, off int64) ([]byte, error) {
	if length <= 0 {
		return nil, unix.EINVAL
	}
	slack := 0
	if length >= hugePage && pageSize < hugePage && length <= math.MaxInt-hugePage {
		slack = hugePage - pageSize
	}
	p, err := unix.MmapPtr(-1, 0, nil, uintptr(length+slack), unix.PROT_NONE,
		unix.MAP_PRIVATE|unix.MAP_ANON|mapNoReserve)
	if err != nil {
		return nil, err
	}
	head := 0
	if slack > 0 {
		// Both the start and off are multiples of the page size, so
		// head is too, and head <= slack.
		head = int((uintptr(off%hugePage) + hugePage - uintptr(p)%hugePage) % hugePage)
		// [p, p+length+slack) was just reserved and no one has seen it:
		// the parts before head and after head+length go back, and what
		// is returned is exactly what stays mapped.
		if head > 0 {
			_ = unix.MunmapPtr(p, uintptr(head))
		}
		if tail := slack - head; tail > 0 {
			// SAFETY: p+head+length is inside the reservation (tail > 0),
			// and the tail bytes after it are ours to give back.
			_ = unix.MunmapPtr(unsafe.Add(p, head+length), uintptr(tail))
		}
	}
	// SAFETY: the OS reserved length bytes at p+head (inaccessible until
	// MapFixed maps over them); they stay reserved until Unmap.
	return unsafe.Slice((*byte)(unsafe.Add(p, head)), length), nil
}

// MapFixed maps len(region) bytes of f from offset off over region, which
// must be a page-aligned part of a slice returned by Reserve (or MapFile),
// replacing what was mapped there. off must be a multiple of Granularity.
func MapFixed(region []byte, f *os.File, off int64, acc Access, populate bool) error {
	if len(region) == 0 {
		return unix.EINVAL
	}
	prot, flags := protFlags(acc)
	flags |= unix.MAP_FIXED
	if populate {
		flags |= mapPopulate
	}
	// SAFETY: region is live reserved address space owned by the caller;
	// MAP_FIXED replaces exactly [addr, addr+len(region)).
	addr := unsafe.Pointer(unsafe.SliceData(region))
	p, err := unix.MmapPtr(int(f.Fd()), off, addr, uintptr(len(region)), prot, flags)
	if err != nil {
		return err
	}
	if p != addr {
		// Cannot happen with MAP_FIXED; never leave a stray mapping.
		_ = unix.MunmapPtr(p, uintptr(len(region)))
		return unix.EINVAL
	}
	if populate && mapPopulate == 0 {
		_ = Advise(region, WillNeed)
	}
	return nil
}

// Unmap unmaps b, which must be a slice returned by MapFile or Reserve,
// unchanged.
func Unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	// SAFETY: b is exactly a range the OS mapped for us; after this call
	// no one may touch it (the caller drops every slice into it).
	return unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(b)), uintptr(len(b)))
}

// Sync writes the dirty pages of b, which must start on a page boundary,
// to the file and waits for the writes (msync MS_SYNC).
func Sync(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return unix.Msync(b, unix.MS_SYNC)
}

// SyncFile makes earlier Syncs of f's mappings durable where the OS needs
// a separate call (FlushFileBuffers on Windows); a no-op on unix, where
// msync MS_SYNC is synchronous.
func SyncFile(f *os.File) error { return nil }

// Advise gives the OS an access-pattern hint for b, which must start on a
// page boundary (madvise).
func Advise(b []byte, a Advice) error {
	if len(b) == 0 {
		return nil
	}
	var adv int
	switch a {
	case Normal:
		adv = unix.MADV_NORMAL
	case Sequential:
		adv = unix.MADV_SEQUENTIAL
	case Random:
		adv = unix.MADV_RANDOM
	case WillNeed:
		adv = unix.MADV_WILLNEED
	case DontNeed:
		adv = unix.MADV_DONTNEED
	default:
		return unix.EINVAL
	}
	return unix.Madvise(b, adv)
}

// TruncateMapped reports whether the OS can truncate a file that has
// mapped views.
const TruncateMapped = true

// MappedElsewhere reports whether err says a file could not be truncated
// because a view of it is mapped; never, where the OS allows that.
func MappedElsewhere(err error) bool { return false }

// AdviceWorks reports whether Advise changes what the OS does (madvise);
// where it does not, a second map of a file for a different advice is
// pointless.
const AdviceWorks = true

// zeros is what writeZeros writes: a fixed buffer, so that allocating a
// large range allocates no memory.
var zeros [64 << 10]byte

// writeZeros writes zeros over the bytes [from, to) of f (pwrite), which
// makes the filesystem allocate them where fallocate is missing. It
// returns the first error, ENOSPC on a full disk.
func writeZeros(f *os.File, from, to int64) error {
	fd := int(f.Fd())
	for off := from; off < to; {
		n, err := unix.Pwrite(fd, zeros[:min(int64(len(zeros)), to-off)], off)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return err
		case n == 0:
			return unix.EIO // no progress and no error: do not spin
		}
		off += int64(n)
	}
	return nil
}

// Size returns the size of f (fstat), without the allocation of
// os.File.Stat, for paths that check the size on every bulk write.
func Size(f *os.File) (int64, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstat(int(f.Fd()), &st)
		if err == nil {
			return st.Size, nil
		}
		if err != unix.EINTR {
			return 0, &os.PathError{Op: "fstat", Path: f.Name(), Err: err}
		}
	}
}
