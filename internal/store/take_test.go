package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// forcePath forces TakeRows onto p for the rest of the test.
func forcePath(t *testing.T, p TakePath) {
	old := seam.TakePath.Swap(int32(p))
	t.Cleanup(func() { seam.TakePath.Store(old) })
}

// wantRows is TakeRows by a loop over Data.
func wantRows(s *Store, idx []int) []byte {
	var b []byte
	d := s.Data()
	r := int(s.RowSize())
	for _, i := range idx {
		b = append(b, d[i*r:(i+1)*r]...)
	}
	return b
}

// TestTakeRows checks TakeRows against a loop over Data for rows of
// several widths (smaller than, not dividing, and larger than a page),
// for index lists that exercise the coalescing of the pread path: runs,
// gaps of less and more than a page, duplicates, reversed order.
func TestTakeRows(t *testing.T) {
	for _, path := range []TakePath{TakeAuto, TakeMap, TakeRead} {
		for _, width := range []int64{1, 2, 3, 4, 8, 16, 1500} { // int32s a row: 4, 8, 12, 16, 32, 64, 6000 bytes
			t.Run(fmt.Sprint("path ", path, " width ", width), func(t *testing.T) {
				forcePath(t, path)
				const n = 3000
				p := filepath.Join(testutil.TempDir(t), "t.npy")
				s := mustCreate(t, p, []int64{0, width}, false, nil)
				if err := s.Append(rows(0, n, int(width))); err != nil {
					t.Fatal(err)
				}
				r := rand.New(rand.NewPCG(4, uint64(width)))
				random := make([]int, 2000)
				for k := range random {
					random[k] = r.IntN(n)
				}
				sparse := make([]int, 50)
				for k := range sparse {
					sparse[k] = k * 59
				}
				rev := make([]int, n)
				for k := range rev {
					rev[k] = n - 1 - k
				}
				for name, idx := range map[string][]int{
					"random":   random,
					"sparse":   sparse,
					"reversed": rev,
					"runs":     {0, 1, 2, 3, 10, 11, 12, 2999, 2998, 5, 5, 5, 1000, 1001, 1003, 1002},
					"one":      {1234},
					"dup":      {7, 7, 7, 7, 7, 7, 7, 7, 7},
				} {
					for _, st := range []*Store{s, func() *Store {
						if err := s.Flush(); err != nil {
							t.Fatal(err)
						}
						return mustOpen(t, p, memmap.ReadOnly)
					}()} {
						got := make([]byte, len(idx)*int(s.RowSize())+3)
						copy(got[len(got)-3:], "end")
						if err := st.TakeRows(idx, got); err != nil {
							t.Fatalf("%s: %v", name, err)
						}
						if want := wantRows(st, idx); !bytes.Equal(got[:len(want)], want) {
							t.Errorf("%s (%v): TakeRows differs from a loop over Data", name, st.Mode())
						}
						if string(got[len(got)-3:]) != "end" {
							t.Errorf("%s: TakeRows wrote past its rows", name)
						}
					}
				}
			})
		}
	}
}

// TestTakeRowsAnonymous checks TakeRows on an anonymous store, which
// always copies from its map.
func TestTakeRowsAnonymous(t *testing.T) {
	forcePath(t, TakeRead)
	s, err := New(&header.Header{DType: i4(t), Shape: []int64{100}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	copy(s.Data(), rows(0, 100, 1))
	idx := []int{99, 0, 50, 50, 1, 2, 3, 4, 5}
	got := make([]byte, 4*len(idx))
	if err := s.TakeRows(idx, got); err != nil {
		t.Fatal(err)
	}
	if want := wantRows(s, idx); !bytes.Equal(got, want) {
		t.Errorf("TakeRows = %v, want %v", got, want)
	}
}

// TestTakeRowsShrunk checks that the pread path reports a file that
// another process cut short as an error wrapping io.ErrUnexpectedEOF
// (where touching the map would fault).
func TestTakeRowsShrunk(t *testing.T) {
	forcePath(t, TakeRead)
	p := filepath.Join(testutil.TempDir(t), "s.npy")
	w := mustCreate(t, p, []int64{0}, false, nil)
	if err := w.Append(rows(0, 10000, 1)); err != nil {
		t.Fatal(err)
	}
	mustClose(t, w)
	s := mustOpen(t, p, memmap.ReadOnly)
	if err := os.Truncate(p, s.DataOffset()+100*4); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("Windows does not truncate a mapped file: %v", err)
		}
		t.Fatal(err)
	}
	err := s.TakeRows([]int{5, 9000}, make([]byte, 8))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("TakeRows past the end of a shrunk file: %v, want io.ErrUnexpectedEOF", err)
	}
}
