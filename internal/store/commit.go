package store

import (
	"bytes"
	"fmt"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
)

// This file commits the length and makes data durable: the commit
// protocol (data flushed, header rewritten in one write, header flushed).

// checkFile returns an error wrapping memmap.ErrTruncated when the file of
// a writer is no longer the one it wrote: shorter than the map (another
// process truncated it) or with a header other than the one committed
// (another process re-created it). Growing or committing over such a
// file would report success over lost rows. It costs an fstat and a
// pread of the header.
func (s *Store) checkFile(op string) error {
	if s.mode != memmap.ReadWrite {
		return nil
	}
	return s.b.checkFile(s, op)
}

// checkSize is checkFile for a file without a header to compare (raw.go:
// the bytes before the data are the caller's): the size only.
func (s *Store) checkSize(op string) error {
	size, err := s.m.Size()
	if err != nil {
		return err
	}
	if want := int64(s.m.Len()); size < want {
		return s.err(op, fmt.Errorf("%w: the file has %d bytes, the writer wrote %d", memmap.ErrTruncated, size, want))
	}
	return nil
}

// checkHeader is checkFile for a .npy file: the size, and the header
// bytes against the ones the writer committed.
func (s *Store) checkHeader(op string) error {
	if err := s.checkSize(op); err != nil {
		return err
	}
	var small [256]byte
	got := small[:0]
	if s.off <= int64(len(small)) {
		got = small[:s.off]
	} else {
		got = make([]byte, s.off)
	}
	if err := readAt(s.m, got, 0); err != nil {
		return s.err(op, fmt.Errorf("%w: reading the header back: %w", memmap.ErrTruncated, err))
	}
	if !bytes.Equal(got, s.raw) {
		return s.err(op, fmt.Errorf("%w: the header is no longer the one this writer committed (the file was re-created?)", memmap.ErrTruncated))
	}
	return nil
}

// Flush flushes all the data rows (msync: durable when it returns) and
// then commits the length, in the order of the package documentation. It
// does nothing for ReadOnly, CopyOnWrite and anonymous stores.
func (s *Store) Flush() error {
	if err := s.checkOpen("flush"); err != nil {
		return err
	}
	return s.flush(0)
}

// Commit is Flush for the rows appended since the last commit only: it
// flushes them, then commits the length. Rows changed in place below the
// committed length are not flushed (FlushRows or Flush do that).
func (s *Store) Commit() error {
	if err := s.checkOpen("commit"); err != nil {
		return err
	}
	return s.flush(min(s.committed, s.n))
}

func (s *Store) flush(from int64) error {
	if err := s.drain("flush"); err != nil {
		return err
	}
	if !s.b.file() {
		return s.b.commit(s) // no file to flush; keep the header true
	}
	if s.mode != memmap.ReadWrite {
		return nil
	}
	if s.n > from {
		if err := s.flushRange(s.off+from*s.rowSize, (s.n-from)*s.rowSize); err != nil {
			return err
		}
	}
	if s.n == s.committed {
		// Nothing to commit, but a file another process truncated or
		// re-created under the writer has lost rows: say so, rather
		// than report them durable.
		return s.checkFile("flush")
	}
	return s.b.commit(s)
}

// commitHeader is the commit of a .npy file: it rewrites the header's
// shape to the length in the file (one pwrite, writeHeader) and flushes
// the header page.
func (s *Store) commitHeader() error {
	if err := s.checkFile("commit"); err != nil {
		return err
	}
	if err := s.rewriteHeader(true); err != nil {
		return err
	}
	if err := fault("msync header"); err != nil {
		return s.err("commit", err)
	}
	if err := s.m.FlushRange(0, s.off); err != nil {
		return err
	}
	s.committed = s.n
	return nil
}

// commitMemory is the commit of an anonymous store: the header bytes at
// the start of its memory are kept true, for a process it shares them
// with.
func (s *Store) commitMemory() error {
	if err := s.rewriteHeader(false); err != nil {
		return err
	}
	s.committed = s.n
	return nil
}

// rewriteHeader writes the shape with the current length into the header
// bytes, changing only the bytes that differ: in the file with pwrite
// (writeHeader) when toFile, and in the map.
func (s *Store) rewriteHeader(toFile bool) error {
	if s.axis < 0 {
		return nil
	}
	raw := append([]byte(nil), s.raw...)
	if err := header.RewriteShape(raw, s.Shape()); err != nil {
		return s.err("commit", roomHint(err))
	}
	dst := s.m.Bytes()[:s.off]
	lo := 0
	for lo < len(raw) && raw[lo] == dst[lo] {
		lo++
	}
	hi := len(raw)
	for hi > lo && raw[hi-1] == dst[hi-1] {
		hi--
	}
	if toFile && lo < hi {
		if err := s.writeHeader(raw, lo, hi); err != nil {
			return err
		}
	}
	// The map shares the page cache with the file, so this copy writes
	// the same bytes again; it remains for systems where the two are
	// not coherent.
	copy(dst[lo:hi], raw[lo:hi])
	s.raw = raw
	return nil
}

// page is the unit in which the kernel copies a write(2) into the page
// cache: a reader can see one page of a write and not the next. 4 KiB is
// the smallest page of any system, so a span inside one 4 KiB page is
// inside one page everywhere.
const page = 4096

// poison is the byte that versions of this package before issue 18 put
// first in a commit that crossed a page boundary: no header parses with
// it there. Open still waits for such a commit to end (readOpenHeader).
const poison = 'X'

// writeHeader writes the changed bytes raw[lo:hi] of the header to the
// file with one pwrite, so that no reader, of ours or NumPy's, ever parses
// a shape that was not committed.
//
// Copying into the map instead would be several stores, and a process
// killed between two of them would leave a header that does not parse
// (999 -> 1000 shifts the end of the dict) or that claims rows never
// written (1299 -> 1300 stopped at "1309"). One write(2) inside one page
// is copied into the page cache whole: a reader sees all of it or none,
// and a kill cannot stop it half way. The bytes always lie in one page:
// Encode keeps the growth span in one page, and a writer of a header
// whose span crosses a page boundary changes no length (checkSpan).
func (s *Store) writeHeader(raw []byte, lo, hi int) error {
	if lo/page != (hi-1)/page {
		// Unreachable: checkSpan refused the length change.
		return s.err("commit", fmt.Errorf("%w: header bytes %d to %d cross a page boundary", header.ErrNoRoom, lo, hi))
	}
	if err := fault("pwrite header"); err != nil {
		return s.err("commit", err)
	}
	if err := writeAt(s.m, raw[lo:hi], int64(lo)); err != nil {
		return s.err("commit", err)
	}
	return nil
}

// fault calls seam.Fault, if a test set it, before each step of a write
// path that changes the file (a data pwrite, a growth, an msync, the
// header pwrite, the shrink at Close) with the step's name; an error it
// returns is that step's error, as if the system call had failed. Tests
// use it to inject an I/O error, or to kill the process, at every step of
// a commit.
func fault(step string) error {
	if seam.Fault == nil {
		return nil
	}
	return seam.Fault(step)
}

// FlushRows flushes the data of rows [i, j) (msync: durable when it
// returns). It does not commit the length.
func (s *Store) FlushRows(i, j int64) error {
	if err := s.checkOpen("flush"); err != nil {
		return err
	}
	if err := s.checkRows("flush", i, j); err != nil {
		return err
	}
	if s.mode != memmap.ReadWrite || !s.b.file() || i == j {
		return nil
	}
	if err := s.drain("flush"); err != nil {
		return err
	}
	return s.flushRange(s.off+i*s.rowSize, (j-i)*s.rowSize)
}

// flushRange makes the n bytes at off of the file durable, through every
// view of them.
func (s *Store) flushRange(off, n int64) error {
	if err := fault("msync data"); err != nil {
		return s.err("flush", err)
	}
	if err := s.flushViews(off, n); err != nil {
		return err
	}
	return s.m.FlushRange(off, n)
}
