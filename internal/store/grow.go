package store

import (
	"fmt"
	"math"
	"runtime/debug"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/sys"
)

// This file changes the length: capacity growth, appends, SetLen.

// Reserve makes the capacity at least rows rows, growing the file
// geometrically (doubling, by at most MaxStep bytes a step, or more if
// rows needs it) with a real allocation: a full disk is an error here.
func (s *Store) Reserve(rows int64) error {
	if err := s.checkGrowable("reserve"); err != nil {
		return err
	}
	return s.reserve("reserve", rows)
}

func (s *Store) reserve(op string, rows int64) error {
	if rows <= s.capRows {
		return nil
	}
	if _, ok := s.fileSizeFor(rows); !ok {
		return s.err(op, fmt.Errorf("%w: %d rows of %d bytes overflow a file", memmap.ErrRange, rows, s.rowSize))
	}
	step := max(s.capRows*s.rowSize, minStep)
	step = min(step, MaxStep)
	if s.stepCap > 0 {
		step = min(step, s.stepCap)
	}
	target := s.capRows + max(step/max(s.rowSize, 1), 1)
	if target < rows || target < s.capRows { // too little, or overflowed
		target = rows
	}
	size, ok := s.fileSizeFor(target)
	if !ok {
		target = rows
		size, _ = s.fileSizeFor(rows)
	}
	// Growing a file another process truncated would fill the lost rows
	// with zeros and go on as if nothing happened.
	if err := s.checkFile(op); err != nil {
		return err
	}
	err := s.grow("grow", size)
	if err != nil && target > rows {
		// The geometric step may not fit on the disk where the rows do
		// (a full disk): try the size the rows need before failing, and
		// make the later steps smaller, so that a nearly full disk does
		// not cost a failed allocation of the whole step every time.
		s.stepCap = max(step/2, minStep)
		size, _ = s.fileSizeFor(rows)
		err = s.grow("grow to the size needed", size)
	}
	if err != nil {
		return err
	}
	s.capRows = s.rowsIn(size)
	s.grows++
	s.wc.epoch++
	return s.viewsChanged()
}

// grow resizes the map and the file to size bytes; step names it for
// seam.Fault.
func (s *Store) grow(step string, size int64) error {
	if err := fault(step); err != nil {
		return s.err("append", err)
	}
	return s.m.Resize(size)
}

// Append copies b, whole rows, after the last row and makes the length
// cover them; b's length must be a multiple of RowSize (ErrShape
// otherwise). A small append goes into the writer's buffer (combine.go),
// a bulk one (bulkMin bytes or more) to the file with pwrite, where both
// share the page cache with the map; the rest, and small appends
// elsewhere, into the map, which takes no syscall without growth of the
// capacity. The rows are committed by Flush, Commit or Close.
func (s *Store) Append(b []byte) error {
	// The common case: one row into the buffer, where the last append
	// into it left room (wc.left, combine.go) that nothing took since.
	if l := len(b); l > 0 && int64(l) == s.rowSize && l <= s.wc.left {
		s.wc.buf = append(s.wc.buf, b...) // within its capacity (left): no allocation
		s.wc.left -= len(b)
		s.n++
		return nil
	}
	return s.append(b)
}

// append is Append past its common case.
func (s *Store) append(b []byte) error {
	if err := s.checkGrowable("append"); err != nil {
		return err
	}
	if s.rowSize == 0 {
		if len(b) != 0 {
			return s.err("append", fmt.Errorf("%w: %d bytes to rows of 0 bytes", memmap.ErrShape, len(b)))
		}
		return nil
	}
	k := int64(1) // one row per call is the common case: skip the division
	if int64(len(b)) != s.rowSize {
		k = int64(len(b)) / s.rowSize
	}
	if k*s.rowSize != int64(len(b)) {
		return s.err("append", fmt.Errorf("%w: %d bytes is not a whole number of %d-byte rows", memmap.ErrShape, len(b), s.rowSize))
	}
	if len(b) < bulkMin && s.combines() {
		return s.buffer(k, b, nil) // combine.go
	}
	if err := s.drain("append"); err != nil {
		return err
	}
	if len(b) >= bulkMin && sys.WriteCoherent && s.b.file() {
		return s.appendWrite(b, k)
	}
	return s.appendRows(k, func(dst []byte) { copy(dst, b) })
}

// bulkMin is the least append (in bytes) that Append writes to the file
// with pwrite rather than copying into the map. A first write to a page
// of a shared file mapping takes a page fault, which costs several times
// what write(2) costs to copy the same page into the page cache; below
// this size the system call costs more than the faults it saves.
const bulkMin = 64 << 10

// appendWrite appends the k rows in b with pwrite, where the map and the
// file share the page cache (sys.WriteCoherent): views see the rows at
// once, and Flush's msync makes them durable with the rest.
func (s *Store) appendWrite(b []byte, k int64) error {
	if k > math.MaxInt64-s.n {
		return s.err("append", fmt.Errorf("%w: %d rows", memmap.ErrRange, k))
	}
	if s.n+k > s.maxRows {
		return s.noRoomErr("append", s.n+k)
	}
	if err := s.reserve("append", s.n+k); err != nil {
		return err
	}
	if err := fault("pwrite data"); err != nil {
		return s.err("append", err)
	}
	// Map.WriteAt checks the file's size before and after its pwrite and
	// never lets the pwrite extend a file another process truncated
	// meanwhile: that would fill the lost rows with zeros and succeed.
	if _, err := s.m.WriteAt(b, s.off+s.n*s.rowSize); err != nil {
		return err // a *os.PathError with the path already
	}
	s.n += k
	s.wc.epoch++
	return nil
}

// AppendRows makes the length cover k more rows and calls fill (if not
// nil) with their bytes, zeroed, to write them. It buffers a few rows as
// Append does (combine.go): fill then writes into the buffer, not the
// map. fill must not keep the slice past its return.
func (s *Store) AppendRows(k int64, fill func(dst []byte)) error {
	if err := s.checkGrowable("append"); err != nil {
		return err
	}
	if fill != nil && k >= 0 && k*s.rowSize < bulkMin && s.combines() {
		return s.buffer(k, nil, fill) // combine.go
	}
	if err := s.drain("append"); err != nil {
		return err
	}
	return s.appendRows(k, fill)
}

// appendRows is AppendRows into the map, with the buffer drained.
func (s *Store) appendRows(k int64, fill func(dst []byte)) error {
	if k < 0 || k > math.MaxInt64-s.n {
		return s.err("append", fmt.Errorf("%w: %d rows", memmap.ErrRange, k))
	}
	if s.n+k > s.maxRows {
		return s.noRoomErr("append", s.n+k)
	}
	if err := s.reserve("append", s.n+k); err != nil {
		return err
	}
	lo, hi := s.off+s.n*s.rowSize, s.off+(s.n+k)*s.rowSize
	dst := s.m.Bytes()[lo:hi:hi]
	stale := int64(0)
	if s.n < s.dirty {
		stale = min(s.dirty-s.n, k) * s.rowSize
	}
	if err := fillGuarded(dst, stale, fill); err != nil {
		return s.err("append", fmt.Errorf("%w: %w", memmap.ErrTruncated, err))
	}
	s.n += k
	s.wc.epoch++
	return nil
}

// fillGuarded zeroes the first stale bytes of dst and calls fill on it,
// turning a memory fault (SIGBUS: another process truncated the file under
// the map) into an error instead of a crash. It is sys.Guard without the
// closures, for Append's hot path.
func fillGuarded(dst []byte, stale int64, fill func([]byte)) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			fe, ok := r.(interface {
				error
				Addr() uintptr
			})
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("fault at address %#x writing the new rows (the file was truncated under the map): %w", fe.Addr(), memmap.ErrFault)
		}
	}()
	clear(dst[:stale])
	if fill != nil {
		fill(dst)
	}
	return nil
}

// SetLen changes the length to n rows: rows added read as zero; rows cut
// off are gone (when n is below the committed length the header is
// rewritten and flushed at once, so the file never claims rows that may be
// reused). Earlier views stay valid but must not be used past the new
// length.
func (s *Store) SetLen(n int64) error {
	if err := s.checkGrowable("resize"); err != nil {
		return err
	}
	if err := s.drain("resize"); err != nil {
		return err
	}
	switch {
	case n < 0:
		return s.err("resize", fmt.Errorf("%w: length %d", memmap.ErrRange, n))
	case n > s.n:
		return s.appendRows(n-s.n, nil)
	case n < s.n:
		s.dirty = max(s.dirty, s.n)
		s.n = n
		s.wc.epoch++
		if n < s.committed {
			return s.b.commit(s)
		}
	}
	return nil
}
