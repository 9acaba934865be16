package store

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/sys"
)

// # Advice by intent
//
// A cold fault on a file mapping with the OS's default advice reads a
// large window around the page (read-around): random element reads then
// cost far more than a pread of the element (bench/RESULTS.md, cold
// section), while with Random advice a scan loses its read-ahead. One
// mapping cannot have both, so with
// memmap.AccessAuto a store keeps two maps of the same file where that
// works: the main map, advised Random, behind the element accessors (and
// TakeRows), and a scan map, advised Sequential, behind the whole-range
// views (ScanData). Both are MAP_SHARED maps of one file, so
// they share the page cache and see each other's writes at once. The scan
// map is made on the first scan view, follows every growth of the main
// map (viewsChanged), is flushed with it (flushViews) and closed with it
// (closeViews); views of it stay valid until Close, as the main map's do.
//
// The scan map is used only where it helps and is sound: where advice
// changes what the OS does (sys.AdviceWorks), on 64-bit systems (a second
// map of a big file would halve the address space of 32-bit ones), for
// files (anonymous stores are in memory anyway) that are not CopyOnWrite
// (a second private map would not see the first's writes). Elsewhere
// there is one map, advised Normal for AccessAuto.

// accessState holds what the store needs to advise the OS by intent and to
// keep a second, read-ahead view for scans (see memmap.Access).
type accessState struct {
	split   bool          // AccessAuto with a scan map: the scan views use it
	reserve int64         // memmap.Options.Reserve of the scan map
	mainAdv memmap.Advice // advice of the main map, applied again after growth
	auto    bool          // AccessAuto: a writer's capacity stays Normal (adviseMain)
	scanAdv memmap.Advice // advice of the scan map

	mu      sync.Mutex                 // serializes making the scan map and advising
	scan    atomic.Pointer[memmap.Map] // nil until the first scan view
	retired []*memmap.Map              // scan maps that could not follow growth, closed at Close
	failed  bool                       // the scan map could not be made or kept: use the main map
}

// CheckAccess returns an error wrapping memmap.ErrRange for an
// unknown access pattern.
func CheckAccess(a memmap.Access) error {
	if a < memmap.AccessAuto || a > memmap.AccessNormal {
		return fmt.Errorf("%w: invalid access pattern %d", memmap.ErrRange, int(a))
	}
	return nil
}

// scanWorks reports whether a second map for scans helps and is sound for
// this store (see the comment at the top of this file).
func (s *Store) scanWorks() bool {
	return sys.AdviceWorks && strconv.IntSize == 64 && s.b.file() && s.b.owned() && s.mode != memmap.CopyOnWrite
}

// SetAccess advises the store's maps for the access pattern a: called by
// the typed packages right after Open, Create or New, before any view is
// taken. AccessAuto advises the main map Random and makes the scan views
// come from a second map advised Sequential, where that works; elsewhere
// it leaves the one map Normal. The other patterns advise the one map
// accordingly. The advice of the main map is applied again after every
// growth and Refresh. reserve is the scan map's memmap.Options.Reserve,
// for a writer: that of the main map.
func (s *Store) SetAccess(a memmap.Access, reserve int64) error {
	if err := s.checkOpen("advise"); err != nil {
		return err
	}
	if err := CheckAccess(a); err != nil {
		return s.err("advise", err)
	}
	if !s.b.owned() {
		return nil // the map's owner advises it (view.go)
	}
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	s.acc.split = false
	s.acc.reserve = 0
	if s.mode == memmap.ReadWrite {
		s.acc.reserve = reserve
	}
	s.acc.auto = a == memmap.AccessAuto
	switch a {
	case memmap.AccessAuto:
		s.acc.mainAdv, s.acc.scanAdv = memmap.Normal, memmap.Normal
		if s.scanWorks() {
			s.acc.split = true
			s.acc.mainAdv, s.acc.scanAdv = memmap.Random, memmap.Sequential
		}
	case memmap.AccessRandom:
		s.acc.mainAdv, s.acc.scanAdv = memmap.Random, memmap.Random
	case memmap.AccessSequential:
		s.acc.mainAdv, s.acc.scanAdv = memmap.Sequential, memmap.Sequential
	case memmap.AccessNormal:
		s.acc.mainAdv, s.acc.scanAdv = memmap.Normal, memmap.Normal
	}
	if err := s.adviseMain(); err != nil {
		return err
	}
	if sc := s.acc.scan.Load(); sc != nil {
		return sc.Advise(s.acc.scanAdv)
	}
	return nil
}

// adviseMain applies the main map's advice. Under AccessAuto a writer's
// capacity past its length is the exception to Random: appends fill it
// by writing through the map, and under Random each write fault makes a
// single-page folio (no read-around), where Normal makes large ones and
// far fewer faults, which makes single-record appends slower under
// Random (bench/RESULTS.md).
// Those pages are written, not read from the disk, so Random buys nothing
// there; the rows get Random at the next growth, once they are data.
func (s *Store) adviseMain() error {
	adv := s.acc.mainAdv
	if !s.acc.auto || adv != memmap.Random || s.mode != memmap.ReadWrite || !s.b.file() {
		return s.m.Advise(adv)
	}
	end := min(s.off+s.n*s.rowSize, int64(s.m.Len()))
	if err := s.m.AdviseRange(0, end, memmap.Random); err != nil {
		return err
	}
	if rest := int64(s.m.Len()) - end; rest > 0 {
		return s.m.AdviseRange(end, rest, memmap.Normal)
	}
	return nil
}

// scanMap returns the map the scan views come from: the scan map, made on
// first use, or the main map where there is none (or it could not be
// made). It is safe for concurrent use with other readers.
func (s *Store) scanMap() *memmap.Map {
	if sc := s.acc.scan.Load(); sc != nil {
		return sc
	}
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if !s.acc.split || s.acc.failed || s.closed {
		return s.m
	}
	if sc := s.acc.scan.Load(); sc != nil {
		return sc
	}
	// The same descriptor and mode: MAP_SHARED, writable for a writer,
	// so the two maps share the page cache and each other's writes. The
	// main map holds the lock; this one does not take it again.
	sc, err := mapAgain(s.m, s.mode, &memmap.Options{Length: int64(s.m.Len()), Reserve: s.acc.reserve})
	if err != nil || sc.Len() != s.m.Len() {
		if sc != nil {
			sc.Close()
		}
		s.acc.failed = true // not fatal: the main map serves the scans
		return s.m
	}
	if sc.Advise(s.acc.scanAdv) != nil {
		sc.Close()
		s.acc.failed = true
		return s.m
	}
	s.acc.scan.Store(sc)
	return sc
}

// ScanData is Data from the scan map (see the top of this file): the bytes
// of rows [0, Len()) as one view, read ahead when read in order. It stays
// valid until Close, across growth. It is nil after Close.
func (s *Store) ScanData() []byte {
	s.Settle() // combine.go
	if s.Closed() {
		return nil
	}
	end := s.off + s.n*s.rowSize
	m := s.scanMap().Bytes()
	if int64(len(m)) < end { // cannot happen: the scan map follows the main one
		m = s.m.Bytes()
	}
	return m[s.off:end:end]
}

// advise applies a to the whole of every map of the store. The patterns
// (Normal, Sequential, Random) replace those SetAccess chose, for both
// maps and for growth to come; WillNeed and DontNeed act once.
func (s *Store) advise(a memmap.Advice) error {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if err := s.m.Advise(a); err != nil {
		return err
	}
	switch a {
	case memmap.Normal, memmap.Sequential, memmap.Random:
		s.acc.mainAdv, s.acc.scanAdv = a, a
		s.acc.auto = false
	}
	if sc := s.acc.scan.Load(); sc != nil {
		return sc.Advise(a)
	}
	return nil
}

// adviseRange applies a to the n bytes at off of every map of the store,
// once.
func (s *Store) adviseRange(off, n int64, a memmap.Advice) error {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if err := s.m.AdviseRange(off, n, a); err != nil {
		return err
	}
	if sc := s.acc.scan.Load(); sc != nil && off+n <= int64(sc.Len()) {
		return sc.AdviseRange(off, n, a)
	}
	return nil
}

// viewsChanged is called after the map grew or was remapped (capRows
// changed), so that advice and extra views follow.
func (s *Store) viewsChanged() error {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	if sys.AdviceWorks && s.acc.mainAdv != memmap.Normal {
		// The pages mapped by the growth have the OS's default advice.
		if err := s.adviseMain(); err != nil {
			return err
		}
	}
	sc := s.acc.scan.Load()
	if sc == nil || sc.Len() == s.m.Len() {
		return nil
	}
	if err := sc.Remap(int64(s.m.Len())); err != nil {
		// Keep the scan map's views valid until Close, and serve the
		// scans from the main map from now on: the growth itself
		// succeeded.
		s.acc.retired = append(s.acc.retired, sc)
		s.acc.scan.Store(nil)
		s.acc.failed = true
		return nil
	}
	return sc.Advise(s.acc.scanAdv)
}

// closeViews releases extra views before the main map closes.
func (s *Store) closeViews() error {
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	var first error
	if sc := s.acc.scan.Load(); sc != nil {
		first = sc.Close()
		s.acc.scan.Store(nil)
	}
	for _, m := range s.acc.retired {
		if err := m.Close(); first == nil {
			first = err
		}
	}
	s.acc.retired = nil
	return first
}

// flushViews flushes (msync) the n bytes at file offset off in the extra
// views, where some systems keep dirty bits per mapping; the main map is
// flushed after it.
func (s *Store) flushViews(off, n int64) error {
	if sys.WriteCoherent {
		// Linux: msync MS_SYNC of the main map syncs the file range,
		// whichever mapping dirtied its pages; a second msync would
		// only sync the same range again.
		return nil
	}
	s.acc.mu.Lock()
	defer s.acc.mu.Unlock()
	var first error
	flush := func(m *memmap.Map) {
		if end := min(off+n, int64(m.Len())); off < end {
			if err := m.FlushRange(off, end-off); first == nil {
				first = err
			}
		}
	}
	if sc := s.acc.scan.Load(); sc != nil {
		flush(sc)
	}
	for _, m := range s.acc.retired {
		flush(m)
	}
	return first
}

// Advise gives the OS an access-pattern hint for the whole map.
func (s *Store) Advise(a memmap.Advice) error {
	if err := s.checkOpen("advise"); err != nil {
		return err
	}
	if !s.b.owned() {
		return s.AdviseRows(0, s.n, a) // the view's bytes, not the whole map
	}
	return s.advise(a) // every map of the store (access.go)
}

// AdviseRows gives the OS an access-pattern hint for rows [i, j).
func (s *Store) AdviseRows(i, j int64, a memmap.Advice) error {
	if err := s.checkOpen("advise"); err != nil {
		return err
	}
	if err := s.checkRows("advise", i, j); err != nil {
		return err
	}
	if i == j {
		return nil
	}
	return s.adviseRange(s.off+i*s.rowSize, (j-i)*s.rowSize, a) // every map (access.go)
}
