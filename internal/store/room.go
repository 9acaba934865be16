package store

import (
	"errors"
	"fmt"
	"math"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
)

// This file holds the checks of the header's room for longer shapes.
//
// The committed length is rewritten in place in the header (see
// rewriteHeader), so the shape's text can only grow into the spaces that
// pad the header. Encode and NumPy >= 1.23 leave room for any length;
// NumPy < 1.23 padded the header to 16 bytes only, and a long structured
// descr can leave a header with a few spare bytes: such a file can grow
// to the lengths whose digits fit (a header with 6 spare bytes and 3 rows
// can grow to 999,999,999 rows) and no further. A writer finds that
// bound, maxRows, when it opens, and an append, Resize or Truncate past it
// fails at once with an error wrapping header.ErrNoRoom that names the
// shape it would need, appending nothing; the commit checks again and
// fails the same way, keeping the old length in the header and the rows
// in the writer. Rewrite copies such a file into one with room to grow.
//
// A header whose growth span (header.GrowthSpan: the length's digits to
// the end of the dict and its spare spaces) crosses a 4 KiB page boundary
// cannot change its length at all: only NumPy-written headers longer than
// a page can be so (Encode keeps the span in one page). A rewrite of the
// shape there would be a write across two pages, which a reader of another
// process (NumPy's np.load included) can see half done, and which a kill
// or an I/O error can leave half done in the file: a header with a length
// never committed, or one nothing parses. No protocol of in-place writes
// avoids both, so such a writer refuses every length change with an error
// wrapping header.ErrNoRoom that names Rewrite, whose copy has a header
// that keeps the span in one page. Writes in place below the length work
// as for any file.

// checkRoom sets maxRows, the longest length whose shape the header can
// hold (noRoom for a 0-d array, which cannot grow). It costs a few header
// rewrites in memory, whatever the size of the file.
func (s *Store) checkRoom() {
	if s.axis < 0 {
		s.noRoom = fmt.Errorf("%w: a 0-d array cannot grow", memmap.ErrShape)
		return
	}
	if err := s.checkSpan(); err != nil {
		s.noRoom = err
		return
	}
	most := int64(math.MaxInt64) // the most rows a file can address
	if s.rowSize > 0 {
		most = (math.MaxInt64 - s.off) / s.rowSize
	}
	s.maxRows = s.n
	// The shape's text takes one byte per digit of the growth axis: try
	// the longest length of each count of digits, from the most.
	for digits := 19; digits > 0; digits-- {
		n := int64(math.MaxInt64)
		if digits < 19 {
			n = pow10(digits) - 1
		}
		n = min(n, most)
		if n <= s.maxRows {
			return
		}
		if s.fits(n) {
			s.maxRows = n
			return
		}
	}
}

// checkSpan returns the error of a header whose growth span crosses a
// page boundary (see the file comment), nil for every other header.
func (s *Store) checkSpan() error {
	lo, hi, err := header.GrowthSpan(s.raw, s.axis)
	if err != nil {
		return err
	}
	if lo/page == (hi-1)/page {
		return nil
	}
	b := (lo/page + 1) * page
	return fmt.Errorf("%w: the length's digits and the %d bytes after them cross file offset %d, a page boundary, so no commit of a new length could be written in one piece (a reader could see, and a crash could leave, a half-written shape); %s", header.ErrNoRoom, hi-lo, b, rewriteHint)
}

// fits reports whether the header can hold the shape with n rows.
func (s *Store) fits(n int64) bool {
	shape := append([]int64(nil), s.hdr.Shape...)
	shape[s.axis] = n
	return header.RewriteShape(append([]byte(nil), s.raw...), shape) == nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// noRoomErr returns the error of a length change to n rows that the
// header cannot hold: the header package's, which names the shape and the
// bytes missing, wrapping header.ErrNoRoom.
func (s *Store) noRoomErr(op string, n int64) error {
	shape := s.Shape()
	shape[s.axis] = n
	err := header.RewriteShape(append([]byte(nil), s.raw...), shape)
	if err == nil { // unreachable: n > maxRows
		err = fmt.Errorf("%w: %s rows past %d", header.ErrNoRoom, describe(&s.hdr, shape), s.maxRows)
	}
	return s.err(op, fmt.Errorf("%w; the header holds at most %d rows: %s", err, s.maxRows, rewriteHint))
}

// rewriteHint says what to do about a header without room.
const rewriteHint = "close the file and rewrite it with room to grow (array.Rewrite, record.Rewrite)"

// roomHint adds to an error wrapping header.ErrNoRoom what to do about it.
func roomHint(err error) error {
	if !errors.Is(err, header.ErrNoRoom) {
		return err
	}
	return fmt.Errorf("%w; %s", err, rewriteHint)
}
