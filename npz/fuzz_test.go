package npz

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
)

// FuzzOpen parses the directory of any bytes, and reads the header of,
// opens (typed and untyped), reads an element of and verifies every
// member: errors are fine (those of the directory and headers must match
// ErrFormat), panics, hangs and huge allocations are not. Seeded with the
// golden archives NumPy wrote and one the Writer wrote.
func FuzzOpen(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.npz"))
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	path := filepath.Join(testutil.TempDir(f), "w.npz")
	w, err := Create(path, nil)
	if err != nil {
		f.Fatal(err)
	}
	w.zip64 = true
	if err := Add(w, "a", []float32{1, 2, 3, 4}, []int{2, 2}, nil); err != nil {
		f.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)

	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := memmap.Anonymous(int64(len(b)), &memmap.Options{Reserve: -1})
		if err != nil {
			t.Fatal(err)
		}
		copy(m.Bytes(), b)
		file, err := newFile(m, "fuzz.npz")
		if err != nil {
			m.Close()
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("Open: %v, want ErrFormat", err)
			}
			return
		}
		defer file.Close()
		for _, name := range file.Names() {
			if _, err := file.Info(name); err != nil {
				if !errors.Is(err, ErrFormat) {
					t.Fatalf("Info(%q): %v, want ErrFormat", name, err)
				}
				continue
			}
			if a, err := file.Any(name); err == nil {
				if _, err := a.Bytes(); err == nil && a.Size() > 0 {
					if _, err := a.At(make([]int, a.Rank())...); err != nil {
						t.Fatalf("Any(%q).At(0...): %v", name, err)
					}
				}
			}
			if a, err := Array[uint8](file, name); err == nil && a.Size() > 0 {
				a.At(make([]int, a.Rank())...)
			}
			_ = file.Verify(name)
		}
	})
}
