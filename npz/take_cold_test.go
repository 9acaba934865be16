package npz_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestTakeCold checks Take of stored members (the second one far into
// the archive) and of a deflated one against the values written, on
// every path of TakeRows: the pread path, which cold rows take, reads
// the archive at the member's offset in it (a deflated member's, its
// decompressed copy).
func TestTakeCold(t *testing.T) {
	const rows, cols = 64, 4
	path := closedArchive(t, rows*cols) // "s" and "d": 0, 1, 2, ... in (64, 4)
	// A second archive whose member "b" follows another one.
	path2 := filepath.Join(testutil.TempDir(t), "two.npz")
	w, err := npz.Create(path2, nil)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]int32, rows*cols)
	for i := range vals {
		vals[i] = int32(i)
	}
	if err := npz.Add(w, "pad", make([]byte, 5000), nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "b", vals, []int{rows, cols}, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	idx := []int{rows - 1, 0, 7, 7, 8, 9, 33, 3, rows / 2, 1, 2, 60, 61, 10}
	var want []int32
	for _, i := range idx {
		want = append(want, vals[i*cols:(i+1)*cols]...)
	}
	for _, m := range []struct{ path, name string }{{path, "s"}, {path, "d"}, {path2, "b"}} {
		f, err := npz.Open(m.path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		a, err := npz.Array[int32](f, m.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name string
			path store.TakePath
		}{{"auto", store.TakeAuto}, {"map", store.TakeMap}, {"pread", store.TakeRead}} {
			t.Run(fmt.Sprint(m.name, " path ", p), func(t *testing.T) {
				old := seam.TakePath.Swap(int32(p.path))
				defer seam.TakePath.Store(old)
				got := make([]int32, len(want))
				if err := a.Take(idx, got); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("Take(%v) =\n%v\nwant\n%v", idx, got, want)
				}
			})
		}
	}
}
