package store

import (
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestTornHeaderCopy shows why rewriteHeader writes the changed header
// bytes with one write to the file instead of only copying them into the
// map: a copy is a sequence of stores, and a process killed between two
// of them leaves the intermediate bytes in the page cache. For common
// length changes some intermediate states do not parse, or claim more
// rows than the new length (rows that may never have been written).
func TestTornHeaderCopy(t *testing.T) {
	for _, tc := range []struct{ from, to int64 }{
		{999, 1000},  // the number gets longer: the end of the dict shifts
		{1299, 1300}, // "1299" -> "1399" when bytes are stored left to right
		{100, 99},
	} {
		old, err := (&header.Header{DType: i4(t), Shape: []int64{tc.from}}).Encode()
		if err != nil {
			t.Fatal(err)
		}
		nw := append([]byte(nil), old...)
		if err := header.RewriteShape(nw, []int64{tc.to}); err != nil {
			t.Fatal(err)
		}
		bad := 0
		for k := range len(old) + 1 {
			for _, state := range [][]byte{
				append(append([]byte(nil), nw[:k]...), old[k:]...), // left to right
				append(append([]byte(nil), old[:k]...), nw[k:]...), // right to left
			} {
				h, err := header.Parse(state, nil)
				if err != nil || h.Shape[0] > max(tc.from, tc.to) {
					bad++
				}
			}
		}
		if bad == 0 {
			t.Errorf("%d -> %d: every torn state is safe; the single write would not be needed", tc.from, tc.to)
		}
		t.Logf("%d -> %d: %d unsafe torn states", tc.from, tc.to, bad)
	}
}

// TestCommitAcrossDigits commits lengths whose text changes length, and
// checks after each commit that the header in the file parses to it.
func TestCommitAcrossDigits(t *testing.T) {
	path := testutil.TempDir(t) + "/d.npy"
	s := mustCreate(t, path, []int64{0}, false, nil)
	for _, n := range []int64{9, 10, 99, 100, 999, 1000, 1299, 1300, 10000, 150, 9} {
		if err := s.SetLen(n); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		if got := parseFile(t, path).Shape; got[0] != n {
			t.Fatalf("header shape %v after committing %d", got, n)
		}
	}
	mustClose(t, s)
}
