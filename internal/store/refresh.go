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

// readCommitted reads the .npy header at the start of r, a file a writer
// may be committing to, with pread, until it reads a committed one, and
// returns it with the bytes read (the header's, and maybe some of the
// data's). first is how many bytes to read first (readHeaderBytes), maxLen
// header.Options.MaxHeaderLen. It is the one loop that waits out a commit:
// Open's, Stat's and Refresh's.
//
// A reader (settle true) takes a header only when two consecutive reads
// of it are byte-identical and parse (it parses only then): a read that
// overlaps a writer's commit (one pwrite inside one page, see
// writeHeader) may copy some of the new bytes and not the rest, and the
// read after it then differs. A writer (settle false) holds the lock, so
// no commit can be under way: one read that parses is enough.
//
// A header that does not parse is read again: it may be a commit across a
// page by a writer of an earlier version of this package, which put the
// poison byte in the shape first (see poison; writers now never write
// across a page), or a read that overlapped a commit. A header without the
// poison byte that fails twice in a row is malformed, and its error is
// returned at once; one with it is waited on.
//
// The wait is bounded by commitWait, by the clock rather than a count of
// tries, so that a writer slowed down by a loaded machine (or Wine) is
// still waited for; a header that stays poisoned, or keeps changing, that
// long is an error (the parse's, or one saying it kept changing). The
// OS's errors are returned at once.
func readCommitted(r io.ReaderAt, first, maxLen int, settle bool) (*header.Header, []byte, error) {
	o := &header.Options{MaxHeaderLen: maxLen}
	var (
		prev     []byte // the bytes of the last read (settle)
		last     error  // the parse error of the last parse
		bad      int    // parses in a row that failed without the poison byte
		spins    int    // waits so far
		deadline time.Time
	)
	for {
		b, err := readHeaderBytes(r, first, maxLen)
		if err != nil {
			return nil, nil, err
		}
		if settle && !bytes.Equal(b, prev) {
			again := prev == nil
			prev, bad = b, 0
			if again {
				continue // the first read: read again at once to compare
			}
			// Changed since the last read: a commit is under way.
		} else {
			h, err := header.Parse(b, o)
			switch {
			case err == nil:
				return h, b, nil
			case poisoned(b):
				last, bad = err, 0
			default:
				if bad++; bad == 2 {
					return nil, nil, err
				}
				last = err
			}
		}
		switch {
		case deadline.IsZero():
			deadline = time.Now().Add(commitWait)
		case time.Now().After(deadline):
			if last == nil {
				last = errors.New("the header kept changing while it was read")
			}
			return nil, nil, last
		}
		if spins++; spins <= commitSpin {
			runtime.Gosched()
		} else {
			time.Sleep(commitNap)
		}
	}
}

// commitWait bounds how long readCommitted waits for a commit in progress.
// After commitSpin tries it sleeps commitNap between them, so that a
// writer preempted in the middle of a commit has time to finish it.
const (
	commitWait = time.Second
	commitSpin = 100
	commitNap  = 50 * time.Microsecond
)

// ReadHeader reads the header of the size-byte file f with pread, as a
// reader's Open does (readCommitted): a header read in the middle of a
// commit is read again until the commit is over. maxLen is
// header.Options.MaxHeaderLen.
func ReadHeader(f *os.File, size int64, maxLen int) (*header.Header, error) {
	h, _, err := readCommitted(io.NewSectionReader(f, 0, size), int(min(size, headerProbe)), maxLen, true)
	return h, err
}

// poisoned reports whether the header bytes b have the commit protocol's
// poison byte inside their shape tuple, where no valid header has it.
func poisoned(b []byte) bool {
	i := bytes.Index(b, []byte("'shape'"))
	if i < 0 {
		return false
	}
	j := bytes.IndexByte(b[i:], ')')
	return j >= 0 && bytes.IndexByte(b[i:i+j], poison) >= 0
}

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
	s.wc.epoch++
	return nil
}

// readHeader reads the committed header from the file (pread), as
// readCommitted does for a reader.
func (s *Store) readHeader() (*header.Header, error) {
	h, _, err := readCommitted(FileReader(s.m), int(s.off), max(int(s.off), header.DefaultMaxHeaderLen), true)
	if err != nil {
		return nil, s.err("refresh", err)
	}
	return h, nil
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
