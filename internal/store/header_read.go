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

// Headers are read with pread, never from a map.
//
// Every format this module reads (.npy, safetensors, .npz) starts with a
// header whose bytes are parsed before anything is handed out. Parsing
// them from the map would be quicker to write and as fast, but a file
// that another process truncates between the size check and the parse
// makes the OS raise SIGBUS at the first page past the new end, and a
// fault kills a Go process (memmap.Map.Guard can turn it into an error,
// but only on the calling goroutine, and every parser would need it).
// pread (ReadAt on the *os.File) instead returns fewer bytes, which is
// an error the caller reports as a truncated file. The header's bytes
// then live in a heap buffer the parser owns: no other process can
// change them under it, as they could change the map's pages.
//
// ReadAtFull is the one helper all of them use.

// ReadAtFull reads the n bytes at offset off of f with pread (f.ReadAt)
// into a new heap buffer of exactly n bytes, and returns it.
//
// A file that ends before off+n (cut short, or truncated by another
// process after its size was taken) gives an error matching
// io.ErrUnexpectedEOF that says how many of the bytes were there, for the
// caller to wrap with its format's error. The OS's errors come as
// (*os.File).ReadAt returns them, an *os.PathError. The caller bounds n:
// the buffer is allocated before the read.
func ReadAtFull(f *os.File, off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 {
		return nil, fmt.Errorf("read %d bytes at offset %d: negative offset or length", n, off)
	}
	b := make([]byte, n)
	k, err := f.ReadAt(b, off)
	if k == n {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %d bytes at offset %d: the file ends after %d of them: %w", n, off, k, io.ErrUnexpectedEOF)
	}
	return nil, err
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
