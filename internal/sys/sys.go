// Package sys is the operating-system layer under package memmap: the only
// package with platform code. Every platform implements the same small set
// of functions (sys_unix.go, sys_linux.go, sys_windows.go, and sys_other.go
// for the rest, which reports ErrUnsupported); all logic lives in the
// portable callers.
//
// The functions return the OS's errors unwrapped (syscall.Errno and the
// like, or the sentinels below); the caller wraps them with the operation
// and the path. Slices returned by MapFile and Reserve must be passed to
// Unmap exactly as returned, never resliced.
package sys

import (
	"errors"
	"os"
	"runtime/debug"
	"strconv"
	"unsafe"
)

// ErrUnsupported is returned for operations the platform cannot do. It
// wraps errors.ErrUnsupported.
var ErrUnsupported = unsupported{}

type unsupported struct{}

func (unsupported) Error() string        { return "not supported on this platform" }
func (unsupported) Is(target error) bool { return target == errors.ErrUnsupported }

// ErrWouldBlock is returned by Lock when another descriptor holds a
// conflicting lock on the file.
var ErrWouldBlock = errors.New("file is locked by another descriptor")

// Access says how MapFile maps a file.
type Access int

const (
	// Read maps the file shared and read-only.
	Read Access = iota
	// Write maps the file shared and writable: writes reach the file.
	Write
	// Copy maps the file private and writable (copy-on-write): writes stay
	// in this mapping.
	Copy
)

// Advice is an access-pattern hint for Advise.
type Advice int

// The advice values, in the order of memmap.Advice.
const (
	Normal Advice = iota
	Sequential
	Random
	WillNeed
	DontNeed
)

// FaultError is the error Guard returns when the guarded function faulted
// on a memory access (SIGBUS or SIGSEGV on a mapped file that shrank).
type FaultError struct {
	Addr uintptr // the faulting address, if the OS reported it
	Msg  string  // the runtime's description of the fault
}

func (e *FaultError) Error() string {
	return "fault at address 0x" + strconv.FormatUint(uint64(e.Addr), 16) +
		": the mapped file was truncated, or the memory unmapped"
}

// Offset returns where addr falls in b, and whether it does.
func Offset(b []byte, addr uintptr) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	// SAFETY: only the address of b's first byte is taken, to compare it
	// with addr; nothing is dereferenced.
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if addr < start || addr-start >= uintptr(len(b)) {
		return 0, false
	}
	return int(addr - start), true
}

// Guard runs fn with faults on the calling goroutine turned into a
// *FaultError instead of a crash (runtime/debug.SetPanicOnFault), and
// restores the previous setting afterwards. Only accesses made by fn on
// the calling goroutine are guarded; goroutines fn starts are not. Panics
// other than faults propagate unchanged.
func Guard(fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		fe, ok := r.(interface {
			error
			Addr() uintptr
		})
		if !ok {
			panic(r)
		}
		err = &FaultError{Addr: fe.Addr(), Msg: fe.Error()}
	}()
	return fn()
}

// RoundUp rounds n up to a multiple of unit (a power of two). It reports
// false if the result overflows int.
func RoundUp(n, unit int) (int, bool) {
	r := (n + unit - 1) &^ (unit - 1)
	if r < n {
		return 0, false
	}
	return r, true
}

// GrowSparse extends f to size bytes with ftruncate (SetEndOfFile on
// Windows), without allocating: on unix the new range is a hole whose
// pages are allocated as they are first touched. New space reads as zero.
// A file already at least size bytes long is left alone. Anonymous maps
// grow this way, so that their memory is committed only as it is used;
// files on disk grow with Grow.
func GrowSparse(f *os.File, size int64) error {
	cur, err := fileSize(f)
	if err != nil || cur >= size {
		return err
	}
	return f.Truncate(size)
}

// fileSize returns the size of f.
func fileSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

const maxInt64 = int64(^uint64(0) >> 1)

// fixedBackingLimit is BackingLimit where the OS cannot say: 1 TiB on
// 64-bit systems, 4 GiB on 32-bit ones (whose address space is smaller).
const fixedBackingLimit = int64(1) << (32 + 8*(strconv.IntSize/64))

// NotRegularError is the error OpenFile returns for a path that is not a
// regular file (a directory, a FIFO, a device, a socket), which cannot be
// mapped by its size.
type NotRegularError struct {
	Mode os.FileMode // the type bits of the file, as far as the OS tells
}

func (e *NotRegularError) Error() string { return "not a regular file: " + Describe(e.Mode) }

// Describe names the type of a file that is not regular, for errors: "is
// a directory", "named pipe (FIFO)" ...
func Describe(mode os.FileMode) string {
	switch {
	case mode&os.ModeDir != 0:
		return "is a directory"
	case mode&os.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case mode&os.ModeCharDevice != 0:
		return "character device"
	case mode&os.ModeDevice != 0:
		return "block device"
	case mode&os.ModeSocket != 0:
		return "socket"
	case mode&os.ModeSymlink != 0:
		return "symbolic link"
	}
	return "irregular file (mode " + mode.String() + ")"
}

// regular returns f if it is a regular file; otherwise it closes f and
// returns a *NotRegularError (or the error of the stat).
func regular(f *os.File) (*os.File, error) {
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Mode: fi.Mode().Type()}
	}
	return f, nil
}

// statSize returns the size of f from os.File.Stat, for the platforms
// without a cheaper fstat (sys_unix.go has one that does not allocate).
func statSize(f *os.File) (int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
