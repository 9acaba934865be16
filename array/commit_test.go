package array_test

import (
	"errors"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
)

// TestCommit: Commit makes the rows appended since the last commit part
// of the file, for a reader's Refresh (and NumPy) to see, without Close;
// it does nothing for a reader and a slice, and returns ErrClosed after
// Close.
func TestCommit(t *testing.T) {
	path := tempPath(t, "c.npy")
	w := mustCreate[float32](t, path, []int{0, 2}, nil)
	r := mustOpen[float32](t, path, memmap.ReadOnly)
	defer mustClose(t, r)
	for k := range 3 {
		if _, err := w.Append(float32(k), float32(-k)); err != nil {
			t.Fatal(err)
		}
		if err := r.Refresh(); err != nil || r.Len() != k {
			t.Fatalf("before Commit %d: reader's Len %d (%v), want %d", k, r.Len(), err, k)
		}
		if err := w.Commit(); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if err := r.Refresh(); err != nil || r.Len() != k+1 {
			t.Fatalf("after Commit %d: reader's Len %d (%v), want %d", k, r.Len(), err, k+1)
		}
		if got := r.At(k, 1); got != float32(-k) {
			t.Errorf("reader's At(%d, 1) = %v, want %v", k, got, float32(-k))
		}
	}
	if err := w.Commit(); err != nil {
		t.Errorf("Commit with nothing appended: %v", err)
	}
	if err := r.Commit(); err != nil {
		t.Errorf("Commit of a reader: %v, want nil (nothing to commit)", err)
	}
	s, err := w.Slice(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Errorf("Commit of a slice: %v, want nil", err)
	}
	mustClose(t, w)
	if err := w.Commit(); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Commit after Close: %v, want ErrClosed", err)
	}
	if err := s.Commit(); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Commit of a slice after the array's Close: %v, want ErrClosed", err)
	}
}

// TestCommitAnonymous: an anonymous array's Commit keeps its length as
// Flush does.
func TestCommitAnonymous(t *testing.T) {
	a, err := array.New[int64]([]int{0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if first, err := a.Append(1, 2, 3); err != nil || first != 0 {
		t.Fatalf("Append: %d, %v", first, err)
	}
	if err := a.Commit(); err != nil || a.Len() != 3 {
		t.Errorf("Commit: %v, Len %d; want nil, 3", err, a.Len())
	}
}
