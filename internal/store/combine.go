package store

import (
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/sys"
)

// # Write combining
//
// A row copied into the map lands on a page of a shared file mapping, and
// the first write to each new page takes a page fault, which costs several
// times what write(2) costs to copy the same page into the page cache:
// appending one 64-byte record per call ran at 0.15–0.47× a bufio.Writer
// fed by a hand-written encoder (issue 21, bench/RESULTS.md section 3).
// So a writer's small appends (Append of less than bulkMin bytes,
// AppendRows of rows that fit) gather in a buffer of the store, in the
// file's layout, and go to the file with one pwrite when it is full, the
// bulk path of Append: pages written that way take no fault, and the
// maps see them at once, because the file and its maps share the page
// cache (sys.WriteCoherent). Elsewhere, and for anonymous stores and
// views, appends go into the map as before.
//
// The buffered rows are the store's rows: Len (s.n) counts them; rows
// [s.n-k, s.n) are in the buffer and not in the file, for the k =
// len(buf)/rowSize rows buffered. The capacity covers them (the append
// reserved it), so writing them out never grows the file. They lie past
// the committed length, so no reader in another process sees them, and a
// crash loses them as it loses any row not committed. Every path that
// touches the bytes of rows, or commits, first drains the buffer into
// the file: the writer's reads (Data, ScanData, Rows, TakeRows, Settle
// for the accessors of package array, which read through their own
// pointer), its commits (Flush, Commit, FlushRows, Close) and every other
// change of length (SetLen, bulk appends, appends that do not fit the
// buffer). A drain writes the rows with pwrite when they are a bulk
// write's worth (memmap.Map.WriteAt), else copies them into the map, and
// falls back on that copy when the pwrite fails.
//
// The readers of a writer that is no longer being changed may run in many
// goroutines at once (At on distinct elements, the views), and the first
// of them to touch the rows drains the buffer: a drain holds wc.mu, and
// wc.held says, atomically, that rows are buffered, so that a reader that
// finds it false sees every row in the file (the drain cleared it after
// writing them). The writer's own appends change buf and s.n without the
// lock: no reader may run concurrently with a change (see the package
// documentation).
type combine struct {
	mu    sync.Mutex  // held by a drain
	held  atomic.Bool // rows are buffered (buf is not empty)
	buf   []byte      // the buffered rows, in the file's layout
	on    bool        // the store combines appends (decided at its first append)
	left  int         // bytes Append may add to buf without a check: see buffer
	known bool        // on has been decided
	epoch uint64      // see Store.Epoch
}

// combineSize is the least size of the buffer: its capacity is the
// whole rows that first reach it. Four times the 64 KiB of a bulk write
// (memmap's bulkWrite, bulkMin here), so that a full buffer always goes
// to the file with pwrite, in a quarter of the system calls a 64 KiB
// bufio.Writer makes. The size was chosen, not tuned: bench/RESULTS.md
// sections 3 and 7.5 measure it against such a bufio.Writer.
const combineSize = 256 << 10

// combines reports whether s buffers small appends: a writer of a file
// of its own, where the file and its maps share the page cache.
func (s *Store) combines() bool {
	if !s.wc.known {
		s.wc.on = sys.WriteCoherent && s.mode == memmap.ReadWrite && s.noRoom == nil && s.b.file() && s.b.owned() && s.rowSize > 0 && s.rowSize <= bulkMin/4
		s.wc.known = true
	}
	return s.wc.on
}

// buffer appends k rows to the buffer: a copy of b, or (b nil) zeroed
// rows that fill writes. It reserves the capacity the rows need first, and
// drains the buffer when they do not fit in it; on error nothing is
// appended. The caller checked that s is growable and that k rows are
// small enough to buffer (k*rowSize <= bulkMin).
func (s *Store) buffer(k int64, b []byte, fill func([]byte)) error {
	if k > math.MaxInt64-s.n {
		return s.err("append", fmt.Errorf("%w: %d rows", memmap.ErrRange, k))
	}
	n := s.n + k
	if n > s.maxRows {
		return s.noRoomErr("append", n)
	}
	if n > s.capRows {
		if err := s.reserve("append", n); err != nil {
			return err
		}
	}
	size := int(k * s.rowSize)
	at := len(s.wc.buf)
	if at+size > cap(s.wc.buf) {
		if err := s.drain("append"); err != nil {
			return err
		}
		if s.wc.buf == nil {
			rows := (combineSize + s.rowSize - 1) / s.rowSize
			s.wc.buf = make([]byte, 0, rows*s.rowSize)
		}
		at = 0
	}
	s.wc.buf = s.wc.buf[:at+size]
	dst := s.wc.buf[at:]
	if fill != nil {
		clear(dst)
		fill(dst)
	} else {
		copy(dst, b)
	}
	s.n = n
	if at == 0 {
		s.wc.held.Store(true)
	}
	if len(s.wc.buf) == cap(s.wc.buf) {
		// Full: write it now, a bulk write's worth, rather than at the
		// next append (which would find it full anyway). An error here
		// leaves the rows buffered for the next drain to retry: the
		// append itself succeeded.
		_ = s.drain("append")
	}
	s.setLeft()
	return nil
}

// setLeft sets wc.left, the bytes of rows that Append may add to the
// buffer with no check but the row's size: rows that keep it short of
// full (so that no drain is due) and within the capacity and the
// header's room, of a writer that is open, with rows buffered (so that
// wc.held is already true). Every change of the store that would make
// one of these false either clears left (drain, Close) or goes through
// buffer, which sets it again; a growth of the capacity only makes it
// conservative.
func (s *Store) setLeft() {
	s.wc.left = 0
	if s.closed || len(s.wc.buf) == 0 {
		return
	}
	room := int64(cap(s.wc.buf)-len(s.wc.buf)) - 1
	rows := min(s.capRows, s.maxRows) - s.n
	if rows <= 0 || room <= 0 {
		return
	}
	s.wc.left = int(min(room, rows*s.rowSize)) // rows*rowSize fits: rows ≤ capRows, whose bytes the map holds
}

// drain writes the buffered rows to the file (see the top of this file).
// On error the rows stay buffered, and the error says why they could not
// be written: the file was truncated under the writer (ErrTruncated, or
// ErrFault from the copy into the map), or the OS's error.
func (s *Store) drain(op string) error {
	if !s.wc.held.Load() {
		return nil
	}
	s.wc.mu.Lock()
	defer s.wc.mu.Unlock()
	if !s.wc.held.Load() {
		return nil // another reader drained it meanwhile
	}
	b := s.wc.buf
	at := s.off + s.n*s.rowSize - int64(len(b))
	if err := s.writeRows(op, b, at); err != nil {
		return err
	}
	s.wc.buf = b[:0]
	s.wc.left = 0
	s.wc.epoch++
	s.wc.held.Store(false)
	return nil
}

// writeRows writes b, whole buffered rows, at offset at of the map: with
// pwrite for a bulk write's worth, else (or if the pwrite fails) by
// copying into the map, guarded against the fault of a file truncated
// under it.
func (s *Store) writeRows(op string, b []byte, at int64) error {
	var werr error
	if len(b) >= bulkMin {
		if werr = fault("pwrite buffered rows"); werr == nil {
			if _, werr = s.m.WriteAt(b, at); werr == nil {
				return nil
			}
		} else {
			werr = s.err(op, werr)
		}
	}
	dst := s.m.Bytes()[at : at+int64(len(b))]
	if err := fillGuarded(dst, 0, func(d []byte) { copy(d, b) }); err != nil {
		if werr != nil {
			return werr // the pwrite's error says more
		}
		return s.err(op, fmt.Errorf("%w: %w", memmap.ErrTruncated, err))
	}
	return nil
}

// Settle writes the rows buffered by small appends to the file, if there
// are any: package array calls it before it reads or writes the bytes of
// rows through its own pointer into the map (At, Get, Set, Row and the
// like), as Data, ScanData, Rows and TakeRows do themselves. It costs an
// atomic load when nothing is buffered. It may run concurrently with
// other readers. If the rows cannot be written (the file was truncated
// under the writer), they stay buffered, and the writer's next Flush,
// Commit or Close returns the error.
func (s *Store) Settle() {
	if s.wc.held.Load() {
		_ = s.drain("read")
	}
}

// Settled returns the rows that are in the file, not buffered: Len less
// the buffered rows. Package array lays its fast views over these rows
// only.
func (s *Store) Settled() int64 {
	if !s.wc.held.Load() {
		return s.n
	}
	s.wc.mu.Lock()
	defer s.wc.mu.Unlock()
	return s.n - int64(len(s.wc.buf))/max(s.rowSize, 1)
}

// Epoch counts the changes of the store after which the views that
// package array keeps over the map must be taken again: growths of the
// map, drains of the buffer, and changes of length that did not go
// through the buffer. An append into the buffer does not change it.
// It is for the writer's goroutine.
func (s *Store) Epoch() uint64 { return s.wc.epoch }
