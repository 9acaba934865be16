package npz_test

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// BenchmarkOpen opens an archive of 1,000 small stored members (the
// Writer's) and closes it ("dir": the cost of reading the directory), or
// also reads one element of each member ("each": the directory, then
// every member's .npy header and view). A benchmark of the read path the
// project rule asks to measure on every change to it; figures go to the
// commit message or report, not to doc comments.
func BenchmarkOpen(b *testing.B) {
	const n = 1000
	path := filepath.Join(testutil.TempDir(b), "many.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "m" + strconv.Itoa(i)
		if err := npz.Add(w, names[i], []int32{int32(i), 1, 2, 3}, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.Run("dir", func(b *testing.B) {
		for b.Loop() {
			f, err := npz.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("each", func(b *testing.B) {
		for b.Loop() {
			f, err := npz.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			for i, name := range names {
				a, err := npz.Array[int32](f, name)
				if err != nil {
					b.Fatal(err)
				}
				if v := a.At1(0); v != int32(i) {
					b.Fatalf("%s[0] = %d, want %d", name, v, i)
				}
			}
			f.Close()
		}
	})
}
