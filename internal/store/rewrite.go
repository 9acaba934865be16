package store

import (
	"bytes"
	"fmt"
	"math"
	"os"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
)

// Rewrite replaces the .npy file at path with a copy whose header has room
// for the growth axis to reach any length (the header Create writes, which
// is NumPy's since 1.23), with the same dtype, order, committed shape and
// data. It is the way to grow a file whose header has too little room
// (written by NumPy < 1.23, which padded headers to 16 bytes, or with a
// long structured descr): appends past the lengths such a header can hold
// fail with an error wrapping header.ErrNoRoom.
//
// Rewrite is crash-safe: the copy is built under a temporary name in the
// same directory, flushed and fsynced, and renamed over path only then
// (memmap.Create), so path holds the old file or the whole new one, never
// a mix. It takes the writer lock for the swap: while a writer has the
// file open it fails with an error wrapping memmap.ErrLocked and changes
// nothing, and it fails the same way if a writer commits in between (the
// header changed since Rewrite first read it). Bytes past the committed
// rows (a writer's capacity, uncommitted rows) are not copied. Readers
// that have the old file open keep the old file; they see the new one
// when they open the path again.
//
// It reads and writes the whole file, and needs the disk space of a
// second copy until the rename.
func Rewrite(path string) error {
	const op = "rewrite"
	first, err := snapshot(path, nil)
	if err != nil {
		return err
	}
	nh := header.Header{DType: first.hdr.DType, FortranOrder: first.hdr.FortranOrder, Shape: first.hdr.Shape}
	raw, err := nh.Encode()
	if err != nil {
		return pathErr(op, path, err)
	}
	dataLen, err := first.hdr.DataSize()
	if err != nil {
		return pathErr(op, path, err)
	}
	if int64(len(raw)) > math.MaxInt64-dataLen {
		return pathErr(op, path, fmt.Errorf("%w: %d bytes of data after a %d-byte header", memmap.ErrRange, dataLen, len(raw)))
	}
	mo := &memmap.Options{Lock: true, Init: func(b []byte) error {
		// memmap.Create holds the old file's writer lock now: read it
		// again, and copy its data if it is still the file read above.
		_, err := snapshot(path, func(s *Store, snap *snap) error {
			if !os.SameFile(first.fi, snap.fi) || !bytes.Equal(first.raw, snap.raw) {
				return fmt.Errorf("%w: the file changed while it was being rewritten (a writer committed?); try again", memmap.ErrLocked)
			}
			copy(b, raw)
			if err := readAt(s.m, b[len(raw):], s.off); err != nil {
				return fmt.Errorf("reading the data: %w", err)
			}
			return nil
		})
		return err
	}}
	if seam.Rewrite != nil {
		seam.Rewrite()
	}
	m, err := memmap.Create(path, int64(len(raw))+dataLen, mo)
	if err != nil {
		return err
	}
	return m.Close()
}

// snap is what Rewrite reads of a file: its parsed header, the header's
// bytes and the file's identity.
type snap struct {
	hdr header.Header
	raw []byte
	fi  os.FileInfo
}

// snapshot opens the file at path read-only (Open: a validated header),
// reads its header bytes, calls fn (if not nil) while the file is open,
// and closes it.
func snapshot(path string, fn func(*Store, *snap) error) (_ *snap, err error) {
	s, err := Open(path, memmap.ReadOnly, nil, nil)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := s.Close(); err == nil {
			err = cerr
		}
	}()
	sn := &snap{hdr: s.hdr, raw: make([]byte, s.off)}
	sn.hdr.Shape = append([]int64(nil), s.hdr.Shape...)
	if err := readAt(s.m, sn.raw, 0); err != nil {
		return nil, s.err("rewrite", err)
	}
	if sn.fi, err = stat(s.m); err != nil {
		return nil, s.err("rewrite", err)
	}
	if fn != nil {
		if err := fn(s, sn); err != nil {
			return nil, err
		}
	}
	return sn, nil
}
