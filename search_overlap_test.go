package memmap

import (
	"bytes"
	"errors"
	"iter"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// drain runs an iterator to its end.
func drain[V any](seq iter.Seq[V]) {
	for range seq {
	}
}

// drain2 runs an iterator of pairs to its end.
func drain2[K, V any](seq iter.Seq2[K, V]) {
	for range seq {
	}
}

// closedPanic runs fn and returns the error it panicked with, or nil.
func closedPanic(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err, _ = r.(error)
			if err == nil {
				panic(r)
			}
		}
	}()
	fn()
	return nil
}

// refOverlapping is the search of the seed utilities (find_all,
// count_occurrences) that Map mirrors: after a match at i it goes on at
// i+1. An empty sub is found at every offset from 0 to len(b).
func refOverlapping(b, sub []byte) []int64 {
	var offs []int64
	for i := 0; i+len(sub) <= len(b); i++ {
		if bytes.Equal(b[i:i+len(sub)], sub) {
			offs = append(offs, int64(i))
		}
	}
	return offs
}

// TestOverlapping checks AllOverlapping and CountOverlapping against the
// byte-by-byte reference, next to All and Count, which do not overlap.
func TestOverlapping(t *testing.T) {
	for _, tc := range []struct {
		text, sub  string
		want       []int64 // AllOverlapping
		nonOverlap int     // Count
	}{
		{"aaaa-ab-aaaa", "aa", []int64{0, 1, 2, 8, 9, 10}, 4},
		{"aaaa", "aa", []int64{0, 1, 2}, 2},
		{"aaaa", "aaaa", []int64{0}, 1},
		{"aaaa", "aaaaa", nil, 0},
		{"abababa", "aba", []int64{0, 2, 4}, 2},
		{"abcabc", "c", []int64{2, 5}, 2},
		{"abc", "", []int64{0, 1, 2, 3}, 4},
		{"", "", []int64{0}, 1},
		{"", "a", nil, 0},
		{"xyz", "q", nil, 0},
	} {
		for _, k := range mapKinds {
			if tc.text == "" && k.name != mapKinds[0].name {
				continue // empty files are covered by the first kind
			}
			m := k.make(t, []byte(tc.text), ReadOnly)
			sub := []byte(tc.sub)
			got := slices.Collect(m.AllOverlapping(sub))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: AllOverlapping(%q) in %q (-want +got):\n%s", k.name, tc.sub, tc.text, diff)
			}
			if diff := cmp.Diff(refOverlapping([]byte(tc.text), sub), got); diff != "" {
				t.Errorf("%s: AllOverlapping(%q) in %q differs from the reference (-want +got):\n%s", k.name, tc.sub, tc.text, diff)
			}
			if n := m.CountOverlapping(sub); n != len(tc.want) {
				t.Errorf("%s: CountOverlapping(%q) in %q = %d, want %d", k.name, tc.sub, tc.text, n, len(tc.want))
			}
			if n := m.Count(sub); n != tc.nonOverlap {
				t.Errorf("%s: Count(%q) in %q = %d, want %d (non-overlapping)", k.name, tc.sub, tc.text, n, tc.nonOverlap)
			}
			if n := len(slices.Collect(m.All(sub))); n != tc.nonOverlap {
				t.Errorf("%s: All(%q) in %q yields %d offsets, want %d (non-overlapping)", k.name, tc.sub, tc.text, n, tc.nonOverlap)
			}
		}
	}
}

// TestOverlappingBreak checks that a loop over AllOverlapping may stop
// early, and that the iterator stops when the map shrinks below its
// position.
func TestOverlappingBreak(t *testing.T) {
	m := newTestMap([]byte("aaaaaa"), ReadOnly)
	var got []int64
	for off := range m.AllOverlapping([]byte("aa")) {
		got = append(got, off)
		if len(got) == 2 {
			break
		}
	}
	if diff := cmp.Diff([]int64{0, 1}, got); diff != "" {
		t.Errorf("AllOverlapping with break (-want +got):\n%s", diff)
	}
	got = nil
	for off := range m.AllOverlapping([]byte("aa")) {
		got = append(got, off)
		m.data = m.data[:2] // the map shrank under the loop
	}
	if diff := cmp.Diff([]int64{0}, got); diff != "" {
		t.Errorf("AllOverlapping over a shrinking map (-want +got):\n%s", diff)
	}
}

// TestOverlappingClosed checks that the overlapping searches panic with
// ErrClosed after Close, also in the middle of a loop.
func TestOverlappingClosed(t *testing.T) {
	m := newTestMap([]byte("aaaa"), ReadOnly)
	n := 0
	err := closedPanic(func() {
		for range m.AllOverlapping([]byte("aa")) {
			n++
			m.closed = true
		}
	})
	if n != 1 || !errors.Is(err, ErrClosed) {
		t.Errorf("AllOverlapping closed in the loop: %d steps, recovered %v; want 1 and a panic with ErrClosed", n, err)
	}
	for _, sub := range []string{"aa", "a", ""} {
		if err := closedPanic(func() { m.CountOverlapping([]byte(sub)) }); !errors.Is(err, ErrClosed) {
			t.Errorf("CountOverlapping(%q) after Close: recovered %v, want a panic with ErrClosed", sub, err)
		}
		if err := closedPanic(func() { drain(m.AllOverlapping([]byte(sub))) }); !errors.Is(err, ErrClosed) {
			t.Errorf("AllOverlapping(%q) after Close: recovered %v, want a panic with ErrClosed", sub, err)
		}
	}
}

// TestCountOverlappingAllocs checks that CountOverlapping allocates
// nothing.
func TestCountOverlappingAllocs(t *testing.T) {
	m := newTestMap(bytes.Repeat([]byte("aab"), 1000), ReadOnly)
	sub := []byte("aa")
	if n := testing.AllocsPerRun(100, func() { _ = m.CountOverlapping(sub) }); n != 0 {
		t.Errorf("CountOverlapping allocates %v times per run, want 0", n)
	}
}

// FuzzOverlapping compares AllOverlapping and CountOverlapping with the
// byte-by-byte reference.
func FuzzOverlapping(f *testing.F) {
	f.Add([]byte("aaaa-ab-aaaa"), []byte("aa"))
	f.Add([]byte("abababa"), []byte("aba"))
	f.Add([]byte("abc"), []byte(""))
	f.Fuzz(func(t *testing.T, text, sub []byte) {
		m := newTestMap(text, ReadOnly)
		want := refOverlapping(text, sub)
		if diff := cmp.Diff(want, slices.Collect(m.AllOverlapping(sub))); diff != "" {
			t.Fatalf("AllOverlapping(%q) in %q (-want +got):\n%s", sub, text, diff)
		}
		if n := m.CountOverlapping(sub); n != len(want) {
			t.Fatalf("CountOverlapping(%q) in %q = %d, want %d", sub, text, n, len(want))
		}
	})
}
