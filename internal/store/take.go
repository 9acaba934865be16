package store

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/sys"
)

// TakePath picks how TakeRows copies rows; tests force one.
type TakePath int32

const (
	// TakeAuto decides per call: from the map when the rows are resident,
	// with pread when they are not.
	TakeAuto TakePath = iota
	// TakeMap always copies from the main map.
	TakeMap
	// TakeRead always reads with pread where the store allows it (a
	// ReadOnly or ReadWrite file), as for cold rows.
	TakeRead
)

const (
	// minColdTake is the fewest rows worth probing for residency: fewer
	// are copied from the map, whose faults read only the pages they
	// touch when it is advised Random.
	minColdTake = 8
	// rowsPerProbe is how many rows of a gather share one residency
	// probe (one mincore of one page), and maxProbes bounds the probes.
	// A probe is a system call: on a small warm gather it costs more
	// than the copy, while a cold gather it sends to pread saves a
	// serial disk read per row. Any probe that finds its page out of
	// memory sends the whole gather to pread, which also serves
	// resident rows well.
	rowsPerProbe = 1024
	maxProbes    = 4
	// maxInFlight bounds the goroutines that pread cold rows at once.
	// Page faults block a thread that holds a P, so faulting from
	// goroutines keeps only GOMAXPROCS reads in flight; pread is a system
	// call, during which the P runs other goroutines, so many are.
	maxInFlight = 64
	// maxRunBytes bounds one coalesced read.
	maxRunBytes = 1 << 20
)

// TakeRows copies the rows idx[0], idx[1], ... into dst, one after the
// other, RowSize bytes each: a batch gather. Indexes may repeat and come
// in any order. Every index is checked first: one outside [0, Len()) gives
// an error wrapping memmap.ErrRange that names it, and dst is left
// untouched; a dst shorter than len(idx)*RowSize bytes gives one wrapping
// memmap.ErrShape. Bytes past len(idx)*RowSize are left alone.
//
// When the rows' pages are in memory (a sample of them is probed with
// mincore), TakeRows copies from the map, allocating nothing. When they
// are not, it reads the rows straight into dst with pread from up to 64
// goroutines, sorted by offset and coalesced where rows are near, so that
// many reads are in flight at once; it does so only for ReadOnly and
// ReadWrite files, whose map shares the page cache with pread, and never
// where residency cannot be probed (Windows, and unix systems other than
// Linux). TakeRows may run concurrently with other readers of the store.
func (s *Store) TakeRows(idx []int, dst []byte) error {
	return s.TakeRowsIn(0, -1, idx, dst)
}

// TakeRowsIn is TakeRows over the n rows from row lo (a slice of the
// array: its row i is the store's row lo+i), with the indexes checked
// against [0, n) and counted from lo; n < 0 means up to the length.
// lo and n must lie inside the length: a slice's owner checks that.
func (s *Store) TakeRowsIn(lo, n int64, idx []int, dst []byte) error {
	if err := s.checkOpen("take"); err != nil {
		return err
	}
	if n < 0 {
		n = s.n - lo
	}
	if s.rowSize != 0 && int64(len(idx)) > math.MaxInt/s.rowSize {
		return s.err("take", fmt.Errorf("%w: %d rows of %d bytes overflow an int", memmap.ErrRange, len(idx), s.rowSize))
	}
	need := int64(len(idx)) * s.rowSize
	if int64(len(dst)) < need {
		return s.err("take", fmt.Errorf("%w: dst holds %d bytes; %d rows of %d bytes need %d", memmap.ErrShape, len(dst), len(idx), s.rowSize, need))
	}
	for k, i := range idx {
		if i < 0 || int64(i) >= n {
			return s.err("take", fmt.Errorf("%w: index %d (idx[%d]) out of range [0, %d)", memmap.ErrRange, i, k, n))
		}
	}
	if s.rowSize == 0 || len(idx) == 0 {
		return nil
	}
	// Buffered rows go to the file first (combine.go).
	s.Settle()
	base := s.off + lo*s.rowSize // the offset in the map of row 0 of idx
	if s.coldTake(idx, base) {
		return s.readRows(idx, dst, base)
	}
	s.copyRows(idx, dst, base, n)
	return nil
}

// copyRows copies the rows idx of the n rows at offset base of the main
// map into dst; the indexes are checked.
func (s *Store) copyRows(idx []int, dst []byte, base, n int64) {
	m := s.m.Bytes()
	r := int(s.rowSize)
	m = m[base : base+n*s.rowSize]
	switch r {
	case 8:
		for k, i := range idx {
			binary.NativeEndian.PutUint64(dst[8*k:], binary.NativeEndian.Uint64(m[8*i:]))
		}
	case 4:
		for k, i := range idx {
			binary.NativeEndian.PutUint32(dst[4*k:], binary.NativeEndian.Uint32(m[4*i:]))
		}
	case 2:
		for k, i := range idx {
			binary.NativeEndian.PutUint16(dst[2*k:], binary.NativeEndian.Uint16(m[2*i:]))
		}
	case 1:
		for k, i := range idx {
			dst[k] = m[i]
		}
	case 16:
		if words(m, dst) {
			copyWords[[2]uint64](idx, dst, m)
			return
		}
		for k, i := range idx {
			*(*[16]byte)(dst[16*k:]) = *(*[16]byte)(m[16*i:])
		}
	case 32:
		if words(m, dst) {
			copyWords[row32](idx, dst, m)
			return
		}
		for k, i := range idx {
			*(*[32]byte)(dst[32*k:]) = *(*[32]byte)(m[32*i:])
		}
	case 64:
		if words(m, dst) {
			copyWords[row64](idx, dst, m)
			return
		}
		for k, i := range idx {
			*(*[64]byte)(dst[64*k:]) = *(*[64]byte)(m[64*i:])
		}
	default:
		for k, i := range idx {
			copy(dst[k*r:k*r+r], m[i*r:i*r+r])
		}
	}
}

// row32 and row64 are rows of 32 and 64 bytes as machine words. A loop
// that copies them as structs compiles to a few word loads and stores a
// row, which the CPU overlaps across rows, so many cache misses are in
// flight at once; a [64]byte copy is a block move that keeps fewer, and
// copy is slower than both (BenchmarkTake in bench/, bench/RESULTS.md).
type (
	row32 struct{ a, b, c, d uint64 }
	row64 struct{ a, b, c, d, e, f, g, h uint64 }
)

// words reports whether m and dst start on 8-byte boundaries, so that
// their rows can be copied as uint64 words on every architecture.
func words(m, dst []byte) bool {
	// SAFETY: the pointers are only turned into integers to look at
	// their alignment; nothing is read through them here.
	return uintptr(unsafe.Pointer(unsafe.SliceData(m)))%8 == 0 && uintptr(unsafe.Pointer(unsafe.SliceData(dst)))%8 == 0
}

// copyWords copies the rows idx of m, rows of W's size, into dst one after
// the other. m and dst must be 8-byte aligned (words) and hold the rows.
func copyWords[W [2]uint64 | row32 | row64](idx []int, dst, m []byte) {
	var w W
	size := int(unsafe.Sizeof(w))
	// SAFETY: m and dst are live byte slices aligned to 8 (words), and W
	// is made of uint64s only, so viewing len/size whole rows of each as
	// []W is in bounds and aligned; no pointers are involved.
	src := unsafe.Slice((*W)(unsafe.Pointer(unsafe.SliceData(m))), len(m)/size)
	// SAFETY: as for src.
	out := unsafe.Slice((*W)(unsafe.Pointer(unsafe.SliceData(dst))), len(dst)/size)
	for k, i := range idx {
		out[k] = src[i]
	}
}

// coldTake reports whether TakeRows should pread the rows idx rather than
// copy them from the map: when the store allows it (a file that shares
// the page cache with the map) and a sample of the rows' pages is not
// resident.
func (s *Store) coldTake(idx []int, base int64) bool {
	if !s.b.file() || (s.mode != memmap.ReadOnly && s.mode != memmap.ReadWrite) || !hasFile(s.m) {
		return false
	}
	switch TakePath(seam.TakePath.Load()) {
	case TakeMap:
		return false
	case TakeRead:
		return true
	}
	if len(idx) < minColdTake {
		return false
	}
	m := s.m.Bytes()
	page := int64(memmap.PageSize())
	// mincore takes page-aligned addresses. The map's bytes start at
	// file offset m.Offset(), lead bytes into a page (the OS maps whole
	// pages from a page boundary of the file).
	lead := s.m.Offset() % page
	probes := min(1+len(idx)/rowsPerProbe, maxProbes)
	for p := range probes {
		// The middle row of each of probes equal parts of idx.
		k := (2*p + 1) * len(idx) / (2 * probes)
		off := base + int64(idx[k])*s.rowSize
		start := off - (lead+off)%page
		if start < 0 {
			start += page // the row's page begins before the map's bytes: probe the next
		}
		if start >= int64(len(m)) {
			continue
		}
		end := min(start+page, int64(len(m)))
		in, err := sys.Resident(m[start:end])
		if err != nil {
			return false // no way to tell (not Linux): copy from the map
		}
		if !in {
			return true
		}
	}
	return false
}

// run is a stretch of the sorted positions of a gather whose rows are
// read with one pread.
type run struct{ from, to int } // order[from:to]

// readRows preads the rows idx, counted from the row at offset base of
// the map, into dst from up to maxInFlight goroutines; the indexes are
// checked.
func (s *Store) readRows(idx []int, dst []byte, base int64) error {
	// order holds the positions of idx sorted by row (then position), so
	// that rows near each other in the file are read together.
	order := make([]int, len(idx))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(idx[a], idx[b]), cmp.Compare(a, b))
	})
	// Coalesce: a run goes on while the next row starts within a page of
	// the last one (rows sharing or neighbouring pages), up to
	// maxRunBytes.
	r := s.rowSize
	gap := max(int64(memmap.PageSize())/r, 1)
	var runs []run
	for from := 0; from < len(order); {
		to := from + 1
		first := int64(idx[order[from]])
		for to < len(order) {
			next := int64(idx[order[to]])
			if next-int64(idx[order[to-1]]) > gap || (next-first+1)*r > maxRunBytes {
				break
			}
			to++
		}
		runs = append(runs, run{from, to})
		from = to
	}

	var (
		next  atomic.Int64
		mu    sync.Mutex
		first error
	)
	work := func() {
		for {
			k := int(next.Add(1) - 1)
			if k >= len(runs) {
				return
			}
			if err := s.readRun(idx, order[runs[k].from:runs[k].to], dst, base); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
				return
			}
		}
	}
	workers := min(maxInFlight, len(runs))
	var wg sync.WaitGroup
	wg.Add(workers - 1)
	for range workers - 1 {
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
	return first
}

// readRun preads the rows of the positions pos (sorted by row) into their
// places in dst.
func (s *Store) readRun(idx, pos []int, dst []byte, base int64) error {
	r := s.rowSize
	lo, hi := int64(idx[pos[0]]), int64(idx[pos[len(pos)-1]])+1
	at := func(k int) []byte { return dst[int64(k)*r : int64(k+1)*r] }
	// Rows lo..hi-1 each once, in order, to consecutive places of dst:
	// read them straight into dst.
	direct := hi-lo == int64(len(pos))
	for j := 1; direct && j < len(pos); j++ {
		direct = pos[j] == pos[j-1]+1
	}
	if direct {
		return s.pread(dst[int64(pos[0])*r:int64(pos[0])*r+(hi-lo)*r], base, lo)
	}
	if hi-lo == 1 { // one row, wanted at several places
		if err := s.pread(at(pos[0]), base, lo); err != nil {
			return err
		}
		for _, k := range pos[1:] {
			copy(at(k), at(pos[0]))
		}
		return nil
	}
	buf := make([]byte, (hi-lo)*r)
	if err := s.pread(buf, base, lo); err != nil {
		return err
	}
	for _, k := range pos {
		o := (int64(idx[k]) - lo) * r
		copy(at(k), buf[o:o+r])
	}
	return nil
}

// pread reads len(b) bytes of the data region from row row on, counted
// from the row at offset base of the map. The data's offset in the file
// is its offset in the map plus the map's in the file: a View's map, or a
// raw file's, may start past the file's first byte
// (memmap.Options.Offset).
func (s *Store) pread(b []byte, base, row int64) error {
	off := s.m.Offset() + base + row*s.rowSize
	if err := readAt(s.m, b, off); err != nil {
		return s.err("take", fmt.Errorf("%w (the file shrank?)", err))
	}
	return nil
}
