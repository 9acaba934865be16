package memmap

import (
	"bytes"
	"iter"
	"os"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"
)

// This file holds the searches over a Map: Find, RFind, Count and their
// range forms, CountOverlapping, the All, AllOverlapping and AllRegexp
// iterators over matches, and Lines.
// They run bytes.Index, bytes.LastIndex, bytes.Count and bytes.IndexByte
// straight on the mapped bytes: no copies, no allocations (but for the
// iterators' closures), and the assembly fast paths of package bytes.
//
// They do not use or move the position (Python's mmap.find starts at the
// position by default; FindRange(sub, m.Tell(), m.Len()) does that). After
// Close the searches panic with an error wrapping ErrClosed (an answer of
// -1 or 0 would pass for "not found"), and so do the iterators, at the
// step that finds the map closed (a loop that ended early would pass for
// "no more matches"). None of them has an error result to return it in.
//
// Count and All count and yield non-overlapping occurrences, as
// bytes.Count and Python's bytes.count do: "aa" occurs twice in "aaaa".
// CountOverlapping and AllOverlapping also take the occurrences that
// overlap others (three in "aaaa"), as a search that moves on one byte
// after each match does.
//
// Any function of package regexp works on Bytes() directly and without
// copies, for example re.FindAllIndex(m.Bytes(), -1) or re.Match(m.Bytes());
// AllRegexp yields the same matches one at a time.

// searchBytes returns the mapped bytes for the search op, and panics with
// an error wrapping ErrClosed after Close.
func (m *Map) searchBytes(op string) []byte {
	if m.closed {
		panic(&os.PathError{Op: op, Path: m.path, Err: ErrClosed})
	}
	return m.data
}

// window converts start and end, with the meaning of Python's slice
// indices, to the bounds [lo, hi) of a window of a size-byte map: a negative
// index counts from the end, and an index past either end is clamped to
// it. ok is false when the window is reversed (end before start).
func window(size int, start, end int64) (lo, hi int, ok bool) {
	n := int64(size)
	clamp := func(i int64) int64 {
		if i < 0 {
			i += n // cannot overflow: i < 0 <= n
			if i < 0 {
				return 0
			}
			return i
		}
		if i > n {
			return n
		}
		return i
	}
	s, e := clamp(start), clamp(end)
	return int(s), int(e), s <= e
}

// Find returns the offset of the first occurrence of sub in the map, or -1
// if there is none. An empty sub is found at 0. After Close it panics with
// an error wrapping ErrClosed (use Closed to check), as the typed
// accessors do: -1 would pass for "not found".
func (m *Map) Find(sub []byte) int64 {
	d := m.searchBytes("find")
	return int64(bytes.Index(d, sub))
}

// FindRange returns the lowest offset of sub within the window [start, end)
// of the map, or -1 if there is none, like Python's mmap.find(sub, start,
// end). The offset counts from the start of the map, not of the window.
// start and end are Python slice indices: a negative one counts from the
// end (-1 is Len()-1), and one past either end is clamped, so
// FindRange(sub, 0, math.MaxInt64) searches the whole map. An empty sub is
// found at the clamped start, unless end comes before start: that is -1
// (CPython 3.11 returns the start there; newer versions -1). After Close
// it panics, like Find.
func (m *Map) FindRange(sub []byte, start, end int64) int64 {
	return m.findRange("find", bytes.Index, sub, start, end)
}

// findRange returns the offset in the map of the occurrence of sub that
// index (bytes.Index or bytes.LastIndex) finds in the window [start, end),
// or -1: FindRange and RFindRange.
func (m *Map) findRange(op string, index func(s, sep []byte) int, sub []byte, start, end int64) int64 {
	d := m.searchBytes(op)
	lo, hi, ok := window(len(d), start, end)
	if !ok {
		return -1
	}
	i := index(d[lo:hi], sub)
	if i < 0 {
		return -1
	}
	return int64(lo + i)
}

// RFind returns the offset of the last occurrence of sub in the map, or -1
// if there is none. An empty sub is found at Len(). After Close it panics,
// like Find.
func (m *Map) RFind(sub []byte) int64 {
	d := m.searchBytes("rfind")
	return int64(bytes.LastIndex(d, sub))
}

// RFindRange returns the highest offset of sub within the window
// [start, end) of the map, or -1 if there is none, like Python's
// mmap.rfind(sub, start, end); start and end are read as in FindRange. An
// empty sub is found at the clamped end, unless end comes before start:
// that is -1. After Close it panics, like Find.
func (m *Map) RFindRange(sub []byte, start, end int64) int64 {
	return m.findRange("rfind", bytes.LastIndex, sub, start, end)
}

// Count returns the number of non-overlapping occurrences of sub in the
// map, like bytes.Count and Python's bytes.count: "aa" occurs twice in
// "aaaa" (CountOverlapping counts 3). An empty sub occurs Len()+1 times, once at every offset from 0 to
// Len() (bytes.Count would count the UTF-8 runes instead). After Close it
// panics with an error wrapping ErrClosed, like Find: 0 would pass for
// "none".
func (m *Map) Count(sub []byte) int {
	d := m.searchBytes("count")
	return count(d, sub)
}

// CountRange returns the number of non-overlapping occurrences of sub in
// the window [start, end) of the map, like Python's mm[start:end].count(sub):
// start and end are read as in FindRange, and a window with end before
// start is empty (in which an empty sub occurs once). After Close it
// panics, like Count.
func (m *Map) CountRange(sub []byte, start, end int64) int {
	d := m.searchBytes("count")
	lo, hi, ok := window(len(d), start, end)
	if !ok {
		hi = lo
	}
	return count(d[lo:hi], sub)
}

// count is bytes.Count with an empty sep counted at every byte offset.
func count(b, sep []byte) int {
	if len(sep) == 0 {
		return len(b) + 1
	}
	return bytes.Count(b, sep)
}

// CountOverlapping returns the number of occurrences of sub in the map,
// overlapping ones included: the search moves on one byte after each
// match, not past its end, so "aa" occurs 3 times in "aaaa" (Count: 2) and
// 6 times in "aaaa-ab-aaaa" (Count: 4). It counts the offsets
// AllOverlapping yields. For a sub of one byte, which cannot overlap
// itself, and for an empty sub (Len()+1: once at every offset from 0 to
// Len()) it equals Count. It allocates nothing. After Close it panics with
// an error wrapping ErrClosed, like Count.
func (m *Map) CountOverlapping(sub []byte) int {
	d := m.searchBytes("count")
	if len(sub) <= 1 {
		return count(d, sub)
	}
	n := 0
	for pos := 0; ; {
		i := bytes.Index(d[pos:], sub)
		if i < 0 {
			return n
		}
		n++
		pos += i + 1
	}
}

// All returns an iterator over the offsets of the non-overlapping
// occurrences of sub in the map, in increasing order: the occurrences that
// Count counts (an empty sub yields every offset from 0 to Len()); the
// search goes on after the end of each match ("aa" in "aaaa": 0 and 2; see
// AllOverlapping for 0, 1 and 2). It finds each occurrence when the loop
// asks for it, so a loop that breaks early does not scan the rest of the
// map. Each step reads the map anew: it stops when the map has shrunk
// below the search position, and panics with an error wrapping ErrClosed
// when the map was closed, like Find.
func (m *Map) All(sub []byte) iter.Seq[int64] {
	return m.all(sub, max(len(sub), 1))
}

// AllOverlapping returns an iterator over the offsets of every occurrence
// of sub in the map, overlapping ones included, in increasing order: the
// search moves on one byte after each match, not past its end, so "aa" in
// "aaaa" is at 0, 1 and 2 (All yields 0 and 2). These are the offsets
// CountOverlapping counts. An empty sub yields every offset from 0 to
// Len(), as with All. Like All it finds each occurrence when the loop asks
// for it and reads the map anew at each step: it stops when the map has
// shrunk below the search position, and panics with an error wrapping
// ErrClosed when the map was closed.
func (m *Map) AllOverlapping(sub []byte) iter.Seq[int64] {
	return m.all(sub, 1)
}

// all is All and AllOverlapping: it yields the offsets of sub in the map,
// searching on step bytes after the start of each match.
func (m *Map) all(sub []byte, step int) iter.Seq[int64] {
	return func(yield func(int64) bool) {
		for pos := 0; ; pos += step {
			d := m.searchBytes("all")
			if pos > len(d) {
				return
			}
			i := bytes.Index(d[pos:], sub)
			if i < 0 || !yield(int64(pos+i)) {
				return
			}
			pos += i
		}
	}
}

// AllRegexp returns an iterator over the spans [start, end) of the
// successive non-overlapping matches of re in the map: the matches of
// re.FindAllIndex(m.Bytes(), -1), with the same rules for empty matches,
// found one at a time as the loop asks for them instead of all up front.
// Patterns that look at the text before a match (^, \A, \b, \B) are the
// exception: for them AllRegexp runs re.FindAllIndex once, on the first
// step, and yields from its result. Each step otherwise reads the map
// anew. A step that finds the map closed panics with an error wrapping
// ErrClosed, like Find; a nil re yields nothing.
//
// Any other function of package regexp also works on Bytes() directly,
// without copies: re.Match(m.Bytes()), re.FindIndex(m.Bytes()),
// re.FindAllSubmatchIndex(m.Bytes(), -1) and so on.
func (m *Map) AllRegexp(re *regexp.Regexp) iter.Seq[[2]int64] {
	return func(yield func([2]int64) bool) {
		if re == nil {
			return
		}
		if lookBehind(re) {
			d := m.searchBytes("allregexp")
			for _, loc := range re.FindAllIndex(d, -1) {
				m.searchBytes("allregexp")
				if !yield([2]int64{int64(loc[0]), int64(loc[1])}) {
					return
				}
			}
			return
		}
		// The loop of regexp's allMatches, with FindIndex on the rest of
		// the map, which is the same search when the pattern does not look
		// before its start.
		for pos, prevEnd := 0, -1; ; {
			d := m.searchBytes("allregexp")
			if pos > len(d) {
				return
			}
			loc := re.FindIndex(d[pos:])
			if loc == nil {
				return
			}
			start, end := pos+loc[0], pos+loc[1]
			accept := true
			if end == pos {
				// An empty match at pos: not right after the previous
				// match; go on one rune (or byte) further.
				accept = start != prevEnd
				pos += runeLen(d[pos:])
			} else {
				pos = end
			}
			prevEnd = end
			if accept && !yield([2]int64{int64(start), int64(end)}) {
				return
			}
		}
	}
}

// runeLen returns the length of the first UTF-8 sequence of b as regexp
// steps over it: 1 for an invalid byte, and 1 past the end for an empty b
// (which ends the search).
func runeLen(b []byte) int {
	if len(b) == 0 {
		return 1
	}
	_, size := utf8.DecodeRune(b)
	return size
}

// lookBehind reports whether re has an empty-width assertion that depends
// on the text before the current position (^ in either mode, \A, \b, \B),
// so that searching a suffix of the text is not the same as searching from
// that offset in the whole text. When in doubt it says yes.
func lookBehind(re *regexp.Regexp) bool {
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return true
	}
	var walk func(*syntax.Regexp) bool
	walk = func(r *syntax.Regexp) bool {
		switch r.Op {
		case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
			return true
		}
		for _, sub := range r.Sub {
			if walk(sub) {
				return true
			}
		}
		return false
	}
	return walk(parsed)
}

// Lines returns an iterator over the lines of the map and their 0-based
// indexes (add 1 for the line numbers an editor shows). A line ends at
// '\n'; the yielded bytes leave out the '\n' and a '\r' just before it, and
// the lines are exactly those of a bufio.Scanner with bufio.ScanLines: a
// last line without '\n' is yielded (without a trailing '\r'), and a final
// '\n' does not start an empty line. Empty lines in between are yielded
// empty.
//
// The lines are not copies: they alias the map, are valid until Close and
// have capped capacity (see ReadLine). Lines starts at offset 0 and does not
// use or move the position. Each step reads the map anew: it stops when the
// map has shrunk below the current line, and panics with an error wrapping
// ErrClosed when the map was closed, like Find.
func (m *Map) Lines() iter.Seq2[int, []byte] {
	return func(yield func(int, []byte) bool) {
		for i, pos := 0, 0; ; i++ {
			d := m.searchBytes("lines")
			if pos >= len(d) {
				return
			}
			line, next := d[pos:], len(d)
			if j := bytes.IndexByte(line, '\n'); j >= 0 {
				line, next = line[:j], pos+j+1
			}
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			if !yield(i, line[:len(line):len(line)]) {
				return
			}
			pos = next
		}
	}
}
