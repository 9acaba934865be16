package store

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/sys"
)

// # File I/O
//
// This file holds every system call the store makes on its map's file
// itself: the preads of headers and of cold rows, the pwrite of a commit,
// the fstat of a writer's open and of Rewrite, the second map of a scan,
// and the non-blocking open of Stat. The rest of the store reaches the
// file only through these functions; what memmap.Map does with its file
// (map, grow, msync, lock, size, bulk write) stays the Map's. Package
// safetensors and npz read their headers through FileReader and
// ReadAtFull too.
//
// Headers are read with pread, never from a map. Every format this
// module reads (.npy, safetensors, .npz) starts with a header whose bytes
// are parsed before anything is handed out. Parsing them from the map
// would be quicker to write and as fast, but a file that another process
// truncates between the size check and the parse makes the OS raise
// SIGBUS at the first page past the new end, and a fault kills a Go
// process (memmap.Map.Guard can turn it into an error, but only on the
// calling goroutine, and every parser would need it). pread instead
// returns fewer bytes, which is an error the caller reports as a
// truncated file. The header's bytes then live in a heap buffer the
// parser owns: no other process can change them under it, as they could
// change the map's pages.

// FileReader returns a reader of the file m maps, from its first byte
// (not from m.Offset()), with pread: the map's pages are never touched,
// so a file truncated since it was mapped gives a short read (io.EOF),
// not SIGBUS. Once m is closed, reads fail with an error wrapping
// memmap.ErrClosed. It is safe for concurrent use.
func FileReader(m *memmap.Map) io.ReaderAt { return mapFile{m} }

// mapFile reads the file of a map with pread.
type mapFile struct{ m *memmap.Map }

func (f mapFile) ReadAt(b []byte, off int64) (int, error) {
	file := f.m.File()
	if file == nil {
		return 0, memmap.ErrClosed
	}
	return file.ReadAt(b, off)
}

// ReadAtFull reads the n bytes at offset off of r (a file, or FileReader
// of a map: pread) into a new heap buffer of exactly n bytes, and returns
// it.
//
// A file that ends before off+n (cut short, or truncated by another
// process after its size was taken) gives an error matching
// io.ErrUnexpectedEOF that says how many of the bytes were there, for the
// caller to wrap with its format's error. The OS's errors come as
// (*os.File).ReadAt returns them, an *os.PathError. The caller bounds n:
// the buffer is allocated before the read.
func ReadAtFull(r io.ReaderAt, off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 {
		return nil, fmt.Errorf("read %d bytes at offset %d: negative offset or length", n, off)
	}
	b := make([]byte, n)
	if err := readFull(r, b, off); err != nil {
		return nil, err
	}
	return b, nil
}

// readFull fills b from offset off of r (pread), with ReadAtFull's
// errors.
func readFull(r io.ReaderAt, b []byte, off int64) error {
	k, err := r.ReadAt(b, off)
	if k == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("read %d bytes at offset %d: the file ends after %d of them: %w", len(b), off, k, io.ErrUnexpectedEOF)
	}
	return err
}

// readAt fills b from offset off of m's file (pread), with ReadAtFull's
// errors.
func readAt(m *memmap.Map, b []byte, off int64) error { return readFull(mapFile{m}, b, off) }

// writeAt writes b at offset off of m's file with one pwrite.
func writeAt(m *memmap.Map, b []byte, off int64) error {
	f := m.File()
	if f == nil {
		return memmap.ErrClosed
	}
	_, err := f.WriteAt(b, off)
	return err
}

// stat returns the FileInfo of m's file (fstat).
func stat(m *memmap.Map) (os.FileInfo, error) {
	f := m.File()
	if f == nil {
		return nil, memmap.ErrClosed
	}
	return f.Stat()
}

// isAt reports whether m's file is the file at path now (fstat, stat): a
// rename over path since m was opened makes it false.
func isAt(m *memmap.Map, path string) bool {
	mine, err1 := stat(m)
	named, err2 := os.Stat(path)
	return err1 == nil && err2 == nil && os.SameFile(mine, named)
}

// hasFile reports whether m has a file for the reads above.
func hasFile(m *memmap.Map) bool { return m.File() != nil }

// mapAgain makes a second map of m's file, with m's descriptor: MAP_SHARED
// in mode, so that the two maps share the page cache and each other's
// writes. It takes no lock (m holds the writer's).
func mapAgain(m *memmap.Map, mode memmap.Mode, o *memmap.Options) (*memmap.Map, error) {
	f := m.File()
	if f == nil {
		return nil, memmap.ErrClosed
	}
	return memmap.OpenFile(f, mode, o)
}

// headerProbe is how many bytes a header read takes first: a header
// Create writes for an array of a few dims fits, so one pread reads it;
// a longer one takes a second pread for the rest.
const headerProbe = 256

// readHeaderBytes reads the .npy header at the start of r (pread): the
// first min(first, ...) bytes, and the rest of the header if its length
// field says it is longer and at most maxLen bytes of text. The bytes may
// end before the header does (a file cut short), or hold bytes of the
// data after it: header.Parse says which. Only the OS's errors are
// returned.
func readHeaderBytes(r io.ReaderAt, first int, maxLen int) ([]byte, error) {
	b := make([]byte, first)
	k, err := r.ReadAt(b, 0)
	if k < len(b) {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return b[:k], nil // the file ends here: Parse reports where
	}
	n, ok := headerLen(b, maxLen)
	if !ok || n <= len(b) {
		return b, nil
	}
	b = append(b, make([]byte, n-len(b))...)
	k, err = r.ReadAt(b[first:], int64(first))
	if k < len(b)-first && err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:first+k], nil
}

// headerLen returns the length of the .npy header whose first bytes are
// b (magic, version, length field and text), when b holds its length
// field and the text is at most maxLen bytes; header.Parse checks the rest.
func headerLen(b []byte, maxLen int) (int, bool) {
	if len(b) < 12 || string(b[:6]) != header.Magic {
		return 0, false
	}
	var pre, n int
	switch b[6] {
	case 1:
		pre, n = 10, int(b[8])|int(b[9])<<8
	case 2, 3:
		pre, n = 12, int(b[8])|int(b[9])<<8|int(b[10])<<16|int(b[11])<<24
	default:
		return 0, false
	}
	if maxLen <= 0 {
		maxLen = header.DefaultMaxHeaderLen
	}
	if n < 0 || n > maxLen {
		return 0, false
	}
	return pre + n, true
}

// OpenRegular opens the file at path read-only with the open memmap.Open
// makes: non-blocking, so that a FIFO without a writer or a device is
// refused by its type at once instead of waited on. A path that is not a
// regular file gives an *os.PathError (with op) wrapping
// memmap.ErrNotRegular; a directory matches header.ErrFormat too, as it
// did before ErrNotRegular existed. The OS's other errors come as os.Open
// returns them.
func OpenRegular(op, path string) (*os.File, error) {
	f, err := sys.OpenFile(path, os.O_RDONLY, 0)
	if nr := (*sys.NotRegularError)(nil); errors.As(err, &nr) {
		if nr.Mode.IsDir() {
			// %.0w wraps ErrFormat without printing it.
			return nil, pathErr(op, path, fmt.Errorf("%w: is a directory, not a .npy file%.0w", memmap.ErrNotRegular, header.ErrFormat))
		}
		return nil, pathErr(op, path, fmt.Errorf("%w: %s", memmap.ErrNotRegular, sys.Describe(nr.Mode)))
	}
	if pe := (*os.PathError)(nil); err != nil && !errors.As(err, &pe) {
		err = pathErr("open", path, err) // as os.Open says it (sys gives the bare errno on unix)
	}
	return f, err
}
