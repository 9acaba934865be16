package sys

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// systemInfo mirrors SYSTEM_INFO.
type systemInfo struct {
	ProcessorArchitecture     uint16
	Reserved                  uint16
	PageSize                  uint32
	MinimumApplicationAddress uintptr
	MaximumApplicationAddress uintptr
	ActiveProcessorMask       uintptr
	NumberOfProcessors        uint32
	ProcessorType             uint32
	AllocationGranularity     uint32
	ProcessorLevel            uint16
	ProcessorRevision         uint16
}

var (
	procGetSystemInfo = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetSystemInfo")

	sysInfoOnce sync.Once
	pageSize    = 4096
	granularity = 64 << 10
)

func loadSystemInfo() {
	sysInfoOnce.Do(func() {
		if procGetSystemInfo.Find() != nil {
			return
		}
		var si systemInfo
		// SAFETY: GetSystemInfo writes one SYSTEM_INFO, which systemInfo
		// mirrors field by field, into memory that outlives the call.
		procGetSystemInfo.Call(uintptr(unsafe.Pointer(&si)))
		if si.PageSize > 0 {
			pageSize = int(si.PageSize)
		}
		if si.AllocationGranularity > 0 {
			granularity = int(si.AllocationGranularity)
		}
	})
}

// PageSize returns the size of a memory page.
func PageSize() int { loadSystemInfo(); return pageSize }

// Granularity returns the alignment MapFile needs for file offsets: the
// allocation granularity (64 KiB) on Windows.
func Granularity() int { loadSystemInfo(); return granularity }

func handle(f *os.File) windows.Handle { return windows.Handle(f.Fd()) }

// MapFile maps length bytes of f from offset off, which must be a multiple
// of Granularity; length must be > 0 and off+length must not pass the end
// of the file. The returned slice must be passed to Unmap as is.
func MapFile(f *os.File, off int64, length int, acc Access, populate bool) ([]byte, error) {
	if length <= 0 || off < 0 {
		return nil, windows.ERROR_INVALID_PARAMETER
	}
	var prot, access uint32
	switch acc {
	case Write:
		prot, access = windows.PAGE_READWRITE, windows.FILE_MAP_WRITE
	case Copy:
		prot, access = windows.PAGE_WRITECOPY, windows.FILE_MAP_COPY
	default:
		prot, access = windows.PAGE_READONLY, windows.FILE_MAP_READ
	}
	end := uint64(off) + uint64(length)
	h, err := windows.CreateFileMapping(handle(f), nil, prot, uint32(end>>32), uint32(end), nil)
	if err != nil {
		return nil, err
	}
	// The view keeps the section alive; the handle is not needed after.
	defer windows.CloseHandle(h)
	addr, err := windows.MapViewOfFile(h, access, uint32(uint64(off)>>32), uint32(off), uintptr(length))
	if err != nil {
		return nil, err
	}
	// SAFETY: MapViewOfFile mapped length bytes at addr; they stay mapped
	// until Unmap is called with this slice. The conversion goes through
	// memory so that vet sees no uintptr-to-Pointer arithmetic.
	p := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	// SAFETY: see above: p points at length mapped bytes.
	return unsafe.Slice((*byte)(p), length), nil
}

// Reserve is unsupported on Windows: callers map a new view when a map
// grows and keep the old views until they close.
func Reserve(length int, off int64) ([]byte, error) { return nil, ErrUnsupported }

// MapFixed is unsupported on Windows; see Reserve.
func MapFixed(region []byte, f *os.File, off int64, acc Access, populate bool) error {
	return ErrUnsupported
}

func addrOf(b []byte) uintptr {
	// SAFETY: only the address is taken, to pass to the OS; b stays
	// referenced by the caller for the duration of the call.
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}

// Unmap unmaps b, which must be a slice returned by MapFile, unchanged.
func Unmap(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return windows.UnmapViewOfFile(addrOf(b))
}

// Sync starts writing the dirty pages of b to the file (FlushViewOfFile);
// SyncFile then waits for them to be durable.
func Sync(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	// FlushViewOfFile can fail transiently with ERROR_LOCK_VIOLATION while
	// the pages are being written; retry a few times, as Go's runtime and
	// memmap2 do.
	var err error
	for i := 0; i < 10; i++ {
		err = windows.FlushViewOfFile(addrOf(b), uintptr(len(b)))
		if !errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
	return err
}

// SyncFile waits until the writes started by Sync are durable
// (FlushFileBuffers).
func SyncFile(f *os.File) error { return windows.FlushFileBuffers(handle(f)) }

// Advise is a no-op on Windows, which has no madvise equivalent for mapped
// files that this package needs.
func Advise(b []byte, a Advice) error {
	if a < Normal || a > DontNeed {
		return windows.ERROR_INVALID_PARAMETER
	}
	return nil
}

// Grow extends f, whose size the caller knows to be cur (from its own
// fstat: Grow makes none), to size bytes (SetEndOfFile, which allocates the space
// on NTFS, so that a full disk is an error here); new space reads as zero.
// On failure the file keeps its old size. A file already at least size
// bytes long is left alone.
func Grow(f *os.File, cur, size int64) error {
	if cur >= size {
		return nil
	}
	return f.Truncate(size)
}

// memoryStatusEx mirrors MEMORYSTATUSEX.
type memoryStatusEx struct {
	Length               uint32
	MemoryLoad           uint32
	TotalPhys            uint64
	AvailPhys            uint64
	TotalPageFile        uint64
	AvailPageFile        uint64
	TotalVirtual         uint64
	AvailVirtual         uint64
	AvailExtendedVirtual uint64
}

var procGlobalMemoryStatusEx = windows.NewLazySystemDLL("kernel32.dll").NewProc("GlobalMemoryStatusEx")

// BackingLimit returns how many bytes of anonymous memory the system can
// back at most: its commit limit, physical memory plus page files
// (GlobalMemoryStatusEx), or a fixed cap where the call is missing.
func BackingLimit() (int64, error) {
	if procGlobalMemoryStatusEx.Find() != nil {
		return fixedBackingLimit, nil
	}
	// SAFETY: Sizeof only measures the struct.
	ms := memoryStatusEx{Length: uint32(unsafe.Sizeof(memoryStatusEx{}))}
	// SAFETY: GlobalMemoryStatusEx writes one MEMORYSTATUSEX, which
	// memoryStatusEx mirrors field by field (Length set as it requires),
	// into ms, which outlives the call; the pointer is converted in the
	// call expression, as syscall requires.
	r, _, err := procGlobalMemoryStatusEx.Call(uintptr(unsafe.Pointer(&ms)))
	if r == 0 {
		return 0, err
	}
	total := max(ms.TotalPageFile, ms.TotalPhys)
	if total == 0 {
		return fixedBackingLimit, nil
	}
	return int64(min(total, uint64(maxInt64))), nil
}

// The lock covers one byte far past any real end of file, so that it
// excludes other lockers without blocking plain reads and writes of the
// data (LockFileEx locks are mandatory for ReadFile/WriteFile).
const lockOffsetHigh = 0x7fffffff

// Lock takes a non-blocking lock on f (LockFileEx): exclusive, or shared.
// A conflicting lock held through another handle, in this process or
// another, gives ErrWouldBlock.
func Lock(f *os.File, exclusive bool) error {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err := windows.LockFileEx(handle(f), flags, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return ErrWouldBlock
	}
	return err
}

// Unlock releases the lock Lock took on f.
func Unlock(f *os.File) error {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(handle(f), 0, 1, 0, &ol)
}

var tempSeq struct {
	sync.Mutex
	n int
}

// AnonymousFile returns a new empty temporary file that Windows deletes
// when its last handle closes (FILE_FLAG_DELETE_ON_CLOSE), for anonymous
// shared memory backed by the page cache.
func AnonymousFile(name string) (*os.File, error) {
	for try := 0; ; try++ {
		tempSeq.Lock()
		tempSeq.n++
		n := tempSeq.n
		tempSeq.Unlock()
		path := filepath.Join(os.TempDir(), name+"-"+strconv.Itoa(os.Getpid())+"-"+
			strconv.FormatInt(time.Now().UnixNano(), 36)+"-"+strconv.Itoa(n))
		p, err := windows.UTF16PtrFromString(path)
		if err != nil {
			return nil, err
		}
		h, err := windows.CreateFile(p,
			windows.GENERIC_READ|windows.GENERIC_WRITE,
			windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
			nil, windows.CREATE_NEW,
			windows.FILE_ATTRIBUTE_TEMPORARY|windows.FILE_FLAG_DELETE_ON_CLOSE, 0)
		if errors.Is(err, windows.ERROR_FILE_EXISTS) && try < 100 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return os.NewFile(uintptr(h), path), nil
	}
}

// TruncateMapped reports whether the OS can truncate a file that has
// mapped views. Windows cannot (ERROR_USER_MAPPED_FILE).
const TruncateMapped = false

// MappedElsewhere reports whether err says a file could not be truncated
// because a view of it is mapped (by this process or another).
func MappedElsewhere(err error) bool { return errors.Is(err, windows.ERROR_USER_MAPPED_FILE) }

// AdviceWorks reports whether Advise changes what the OS does; Windows has
// no madvise.
const AdviceWorks = false

// Resident reports ErrUnsupported: Windows has no mincore.
func Resident(b []byte) (bool, error) { return false, ErrUnsupported }

// OpenFile opens the regular file at path (flag and perm as in
// os.OpenFile: O_RDONLY or O_RDWR, with O_CREATE and O_EXCL; perm only
// decides the read-only attribute of a new file). Unlike os.OpenFile it
// shares the file for deletion (FILE_SHARE_DELETE), so that Create can
// rename a new file over one that is open. A path that is not a regular
// file is refused with a *NotRegularError.
func OpenFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	access := uint32(windows.GENERIC_READ)
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		access |= windows.GENERIC_WRITE
	}
	disp := uint32(windows.OPEN_EXISTING)
	switch {
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		disp = windows.CREATE_NEW
	case flag&os.O_CREATE != 0:
		disp = windows.OPEN_ALWAYS
	}
	attrs := uint32(windows.FILE_ATTRIBUTE_NORMAL)
	if flag&os.O_CREATE != 0 && perm&0o200 == 0 {
		attrs = windows.FILE_ATTRIBUTE_READONLY
	}
	h, err := windows.CreateFile(p, access,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, disp, attrs, 0)
	if err != nil {
		if fi, serr := os.Stat(path); serr == nil && !fi.Mode().IsRegular() {
			return nil, &NotRegularError{Mode: fi.Mode().Type()}
		}
		return nil, err
	}
	return regular(os.NewFile(uintptr(h), path))
}

// CopyOwner does nothing on Windows: a new file gets the ACL of its
// directory.
func CopyOwner(f *os.File, from os.FileInfo) error { return nil }

// SyncDir does nothing on Windows, whose file system journals renames.
func SyncDir(dir string) error { return nil }

// ReplaceOpen reports whether a file can be renamed over another file
// that is open (with a lock held on it). Windows (as Wine
// shows) refuses to replace a file that has open handles, even with
// FILE_SHARE_DELETE.
const ReplaceOpen = false

// Size returns the size of f.
func Size(f *os.File) (int64, error) { return statSize(f) }
