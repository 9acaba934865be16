package record

import (
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
)

// vocabFiles returns a writer of n records, a ReadOnly reader of the same
// file and a closed File, for the tests of the verbs of issue 19 item 2.
func vocabFiles(t *testing.T, n int) (w, ro, closed *File[rec]) {
	t.Helper()
	path := tempPath(t, "v.npy")
	w = mustCreate(t, path, nil)
	mustAppend(t, w, 0, n)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	ro = mustOpen(t, tempCopy(t, path), memmap.ReadOnly)
	closed = mustCreate(t, tempPath(t, "closed.npy"), nil)
	mustAppend(t, closed, 0, n)
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	return w, ro, closed
}

// tempCopy copies the committed file at path to a new path, so that a
// reader of it does not keep the writer's Close from shrinking the file
// on Windows.
func tempCopy(t *testing.T, path string) string {
	t.Helper()
	f := mustOpen(t, path, memmap.ReadOnly)
	dst := tempPath(t, "copy.npy")
	g := mustCreate(t, dst, nil)
	for i, p := range f.All() {
		if first, err := g.Append(*p); err != nil || first != i {
			t.Fatalf("copy: Append = %d, %v", first, err)
		}
	}
	if err := errors.Join(g.Close(), f.Close()); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestRow checks Row: a pointer to the record in the map (writes through
// it are Get's and the file's), and errors, not panics, for an index out
// of range (ErrRange) and a closed file (ErrClosed). A ReadOnly file gives
// pointers too (reads only).
func TestRow(t *testing.T) {
	w, ro, closed := vocabFiles(t, 5)
	p := mustRow(t, w, 3)
	if *p != makeRec(3) {
		t.Fatalf("*Row(3) = %+v, want %+v", *p, makeRec(3))
	}
	p.Small = -7
	if r, _ := w.Get(3); r.Small != -7 {
		t.Errorf("Get(3) after a write through Row(3): Small %d, want -7", r.Small)
	}
	if q := mustRow(t, w, 3); q != p {
		t.Errorf("Row(3) twice: %p and %p, want the same record", p, q)
	}
	if r := *mustRow(t, ro, 4); r != makeRec(4) {
		t.Errorf("ReadOnly *Row(4) = %+v, want %+v", r, makeRec(4))
	}
	for _, i := range []int{-1, 5, math.MaxInt, math.MinInt} {
		if p, err := w.Row(i); p != nil || !errors.Is(err, memmap.ErrRange) {
			t.Errorf("Row(%d) = %p, %v; want nil, ErrRange", i, p, err)
		}
	}
	if p, err := closed.Row(0); p != nil || !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Row(0) after Close = %p, %v; want nil, ErrClosed", p, err)
	}
}

// TestRows checks Rows: records [i, j) as one slice over the map, with
// capacity equal to length, aliasing Data; ErrRange for a bad range,
// ErrClosed after Close.
func TestRows(t *testing.T) {
	w, ro, closed := vocabFiles(t, 6)
	s, err := w.Rows(2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]rec{makeRec(2), makeRec(3), makeRec(4)}, s); diff != "" {
		t.Errorf("Rows(2, 5) (-want +got):\n%s", diff)
	}
	if cap(s) != 3 {
		t.Errorf("Rows(2, 5): cap %d, want 3", cap(s))
	}
	d, err := w.Data()
	if err != nil {
		t.Fatal(err)
	}
	if &s[0] != &d[2] {
		t.Errorf("Rows(2, 5) at %p, Data()[2] at %p: want the same record", &s[0], &d[2])
	}
	s[0].Small = 99
	if r, _ := w.Get(2); r.Small != 99 {
		t.Errorf("Get(2) after a write through Rows: Small %d, want 99", r.Small)
	}
	for _, r := range [][2]int{{0, 0}, {6, 6}, {3, 3}} {
		if s, err := w.Rows(r[0], r[1]); err != nil || len(s) != 0 {
			t.Errorf("Rows(%d, %d) = %d records, %v; want none", r[0], r[1], len(s), err)
		}
	}
	if s, err := ro.Rows(0, 6); err != nil || len(s) != 6 || s[5] != makeRec(5) {
		t.Errorf("ReadOnly Rows(0, 6) = %d records, %v", len(s), err)
	}
	for _, r := range [][2]int{{-1, 2}, {0, 7}, {4, 3}, {7, 7}, {math.MinInt, math.MaxInt}} {
		if s, err := w.Rows(r[0], r[1]); s != nil || !errors.Is(err, memmap.ErrRange) {
			t.Errorf("Rows(%d, %d) = %d records, %v; want nil, ErrRange", r[0], r[1], len(s), err)
		}
	}
	if s, err := closed.Rows(0, 1); s != nil || !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Rows(0, 1) after Close = %d records, %v; want nil, ErrClosed", len(s), err)
	}
}

// TestGrow checks Grow: the capacity covers n more records, the length
// does not change, the next n appends do not grow the file; ErrRange for
// a negative n, ErrReadOnly for a ReadOnly file, ErrClosed after Close.
func TestGrow(t *testing.T) {
	w, ro, closed := vocabFiles(t, 3)
	const n = 100000 // past the first capacity step
	if err := w.Grow(n); err != nil {
		t.Fatal(err)
	}
	if w.Len() != 3 || w.Cap() < 3+n {
		t.Fatalf("after Grow(%d): Len %d, Cap %d; want 3 and at least %d", n, w.Len(), w.Cap(), 3+n)
	}
	grows := w.s.Grows()
	mustAppend(t, w, 3, 3+n)
	if got := w.s.Grows(); got != grows {
		t.Errorf("%d appends after Grow(%d) grew the file %d times", n, n, got-grows)
	}
	mustCheck(t, w, 3+n)
	if err := w.Grow(0); err != nil {
		t.Errorf("Grow(0): %v", err)
	}
	for _, k := range []int{-1, math.MinInt, math.MaxInt} {
		if err := w.Grow(k); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("Grow(%d): %v, want ErrRange", k, err)
		}
	}
	if err := ro.Grow(1); !errors.Is(err, memmap.ErrReadOnly) {
		t.Errorf("ReadOnly Grow(1): %v, want ErrReadOnly", err)
	}
	if err := closed.Grow(1); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Grow(1) after Close: %v, want ErrClosed", err)
	}
}

// TestResize checks Resize and Truncate, with array's meanings: Resize
// grows with zero records (committed by Flush) and shrinks; Truncate only
// shrinks (ErrRange past Len); ErrRange for a negative length,
// ErrReadOnly for a ReadOnly file, ErrClosed after Close.
func TestResize(t *testing.T) {
	w, ro, closed := vocabFiles(t, 4)
	if err := w.Resize(7); err != nil {
		t.Fatal(err)
	}
	if w.Len() != 7 {
		t.Fatalf("Len after Resize(7) = %d", w.Len())
	}
	for i := 4; i < 7; i++ {
		if r, err := w.Get(i); err != nil || r != (rec{}) {
			t.Errorf("Get(%d) after Resize(7) = %+v, %v; want a zero record", i, r, err)
		}
	}
	if err := w.Resize(2); err != nil {
		t.Fatal(err)
	}
	mustCheck(t, w, 2)
	if err := w.Truncate(3); !errors.Is(err, memmap.ErrRange) || w.Len() != 2 {
		t.Errorf("Truncate(3) of 2 records: %v, Len %d; want ErrRange, 2", err, w.Len())
	}
	if err := w.Truncate(1); err != nil || w.Len() != 1 {
		t.Errorf("Truncate(1): %v, Len %d", err, w.Len())
	}
	for name, err := range map[string]error{
		"Resize(-1)":   w.Resize(-1),
		"Truncate(-1)": w.Truncate(-1),
	} {
		if !errors.Is(err, memmap.ErrRange) {
			t.Errorf("%s: %v, want ErrRange", name, err)
		}
	}
	mustCheck(t, w, 1)
	if err := w.Resize(5); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	path := w.Path()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	g := mustOpen(t, path, memmap.ReadOnly)
	if g.Len() != 5 {
		t.Errorf("Len after Resize(5), Close and Open = %d, want 5", g.Len())
	}
	if r, _ := g.Get(4); r != (rec{}) {
		t.Errorf("record 4 after Resize(5) = %+v, want zero", r)
	}
	for _, n := range []int{0, 2, 9} {
		if err := ro.Resize(n); !errors.Is(err, memmap.ErrReadOnly) {
			t.Errorf("ReadOnly Resize(%d): %v, want ErrReadOnly", n, err)
		}
	}
	if err := ro.Truncate(1); !errors.Is(err, memmap.ErrReadOnly) {
		t.Errorf("ReadOnly Truncate(1): %v, want ErrReadOnly", err)
	}
	for name, err := range map[string]error{
		"Resize":   closed.Resize(1),
		"Truncate": closed.Truncate(0),
	} {
		if !errors.Is(err, memmap.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

// TestAtCopies checks that At returns a copy (a write to it does not
// change the file) and panics like a slice index.
func TestAtCopies(t *testing.T) {
	w, _, closed := vocabFiles(t, 3)
	r := w.At(1)
	r.Small = -1
	if got := w.At(1); got != makeRec(1) {
		t.Errorf("At(1) after changing a copy = %+v, want %+v", got, makeRec(1))
	}
	if err := panicErr(func() { w.At(3) }); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("At(3) of 3 panics with %v, want ErrRange", err)
	}
	if err := panicErr(func() { closed.At(0) }); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("At(0) after Close panics with %v, want ErrClosed", err)
	}
}
