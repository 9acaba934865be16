package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
)

// This file reads the committed header of a file a writer may be
// committing to: Open's and Stat's read, and a reader's Refresh.

// readOpenHeader reads the header of the size-byte file f with pread. A
// header caught in the middle of a commit across a page by a writer of an
// earlier version of this package (the poison byte in its shape: see
// poison; writers now never write across a page) is read again, as
// Refresh does, until the commit is over; any other malformed header
// fails at once.
//
// It waits up to openCommitWait, by the clock rather than a count of
// tries, so that a writer slowed down by a loaded machine (or Wine) is
// still waited for; a header that stays poisoned that long is malformed.
func readOpenHeader(f *os.File, size int64, maxLen int) (*header.Header, error) {
	var err error
	var deadline time.Time
	for try := 0; ; try++ {
		var h *header.Header
		h, err = header.Read(io.NewSectionReader(f, 0, size), &header.Options{MaxHeaderLen: maxLen})
		if err == nil {
			return h, nil
		}
		if !inCommit(f, size, maxLen) {
			// The commit may have ended between the read and the
			// look for its poison byte: read once more, and give up
			// only if the header is still malformed and not in a
			// commit.
			if h, err = header.Read(io.NewSectionReader(f, 0, size), &header.Options{MaxHeaderLen: maxLen}); err == nil || !inCommit(f, size, maxLen) {
				return h, err
			}
		}
		switch {
		case try == 0:
			deadline = time.Now().Add(openCommitWait)
		case time.Now().After(deadline):
			return nil, err
		}
		if try < refreshSpin {
			runtime.Gosched()
		} else {
			time.Sleep(refreshNap)
		}
	}
}

// openCommitWait bounds how long Open waits for a commit in progress.
const openCommitWait = time.Second

// ReadHeader reads the header of the size-byte file f with pread, as Open
// does: a header caught in the middle of a commit across a page by a
// writer of an earlier version of this package is read again until the
// commit is over. maxLen is header.Options.MaxHeaderLen.
func ReadHeader(f *os.File, size int64, maxLen int) (*header.Header, error) {
	return readOpenHeader(f, size, maxLen)
}

// inCommit reports whether the header of f has the commit protocol's
// poison byte inside its shape tuple, where no valid header has it.
func inCommit(f *os.File, size int64, maxLen int) bool {
	if maxLen <= 0 {
		maxLen = header.DefaultMaxHeaderLen
	}
	b := make([]byte, min(size, int64(maxLen)+16))
	n, _ := f.ReadAt(b, 0)
	b = b[:n]
	i := bytes.Index(b, []byte("'shape'"))
	if i < 0 {
		return false
	}
	j := bytes.IndexByte(b[i:], ')')
	return j >= 0 && bytes.IndexByte(b[i:i+j], poison) >= 0
}

// maxRefreshTries bounds how often Refresh re-reads a header that changes
// (or does not parse) while it reads it; after refreshSpin tries it sleeps
// refreshNap between them, so that a writer preempted in the middle of a
// commit has time to finish it.
const (
	maxRefreshTries = 1000
	refreshSpin     = 100
	refreshNap      = 50 * time.Microsecond
)

// Refresh re-reads the committed length from the file's header and
// extends the view to cover it: a ReadOnly reader's way to follow a writer
// in another process.
//
// The header is read with pread (never from the map, so a file truncated
// or re-created meanwhile gives an error, not SIGBUS) until two
// consecutive reads are byte-identical and parse. Together with the
// writer's commit protocol (see writeHeader) this never takes a
// half-written shape for a committed one: a commit is one write inside
// one 4 KiB page, which the kernel copies in one go.
//
// The new header must describe the same dtype, order, data offset and
// other dims (ErrFormat otherwise), and the file must hold the rows
// (ErrFormat and io.ErrUnexpectedEOF otherwise). The length may also
// shrink, if the writer truncated: views taken before must then not be
// used past the new length. For a writer or an anonymous store, Refresh
// does nothing; a CopyOnWrite store cannot follow its file
// (memmap.ErrUnsupported).
func (s *Store) Refresh() error {
	if err := s.checkOpen("refresh"); err != nil {
		return err
	}
	if s.mode == memmap.ReadWrite {
		return nil // a writer's length is its own
	}
	return s.b.refresh(s)
}

// refreshHeader is Refresh for a .npy file: the length is the header's.
func (s *Store) refreshHeader() error {
	if err := s.followable(); err != nil {
		return err
	}
	h, err := s.readHeader()
	if err != nil {
		return err
	}
	if !h.DType.Equal(s.hdr.DType) || h.FortranOrder != s.hdr.FortranOrder || h.DataOffset != s.off || !sameDims(h.Shape, s.hdr.Shape, s.axis) {
		return s.err("refresh", fmt.Errorf("%w: the header changed from %s to %s: not the file this array opened", header.ErrFormat, describe(&s.hdr, s.Shape()), describe(h, h.Shape)))
	}
	// Stat after reading the header: the writer grew the file before it
	// committed the length, so the file now holds at least the rows.
	size, err := s.m.Size()
	if err != nil {
		return err
	}
	if err := h.Validate(size); err != nil {
		return s.err("refresh", err)
	}
	if s.axis < 0 {
		return nil
	}
	return s.follow(h.Shape[s.axis], size)
}

// follow makes a reader's length n rows, committed, mapping more of the
// size-byte file first if the rows lie past the map.
func (s *Store) follow(n, size int64) error {
	if need := s.off + n*s.rowSize; need > int64(s.m.Len()) {
		if err := s.m.Remap(size); err != nil {
			return err
		}
		s.capRows = s.rowsIn(size)
		if err := s.viewsChanged(); err != nil {
			return err
		}
	}
	s.n, s.committed = n, n
	return nil
}

// readHeader reads the header bytes from the file (pread) until two
// consecutive reads agree and parse, and returns the parsed header.
func (s *Store) readHeader() (*header.Header, error) {
	f := s.m.File()
	a := make([]byte, s.off)
	b := make([]byte, s.off)
	read := func(p []byte) error {
		n, err := f.ReadAt(p, 0)
		if n == len(p) {
			return nil
		}
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return s.err("refresh", fmt.Errorf("%w: file truncated inside its %d-byte header: %w", header.ErrFormat, s.off, err))
	}
	if err := read(a); err != nil {
		return nil, err
	}
	var last error
	for try := range maxRefreshTries {
		if err := read(b); err != nil {
			return nil, err
		}
		if bytes.Equal(a, b) {
			h, err := header.Parse(a, nil)
			if err == nil {
				return h, nil
			}
			// A commit across a page by a writer of an earlier
			// version leaves the header unparseable until it ends:
			// read again.
			last = err
		}
		a, b = b, a
		if try < refreshSpin {
			runtime.Gosched()
		} else {
			time.Sleep(refreshNap)
		}
	}
	if last != nil {
		return nil, s.err("refresh", last)
	}
	return nil, s.err("refresh", errors.New("the header kept changing while it was read"))
}

func sameDims(a, b []int64, axis int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if i != axis && a[i] != b[i] {
			return false
		}
	}
	return true
}
