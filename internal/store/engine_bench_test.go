package store

import (
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/seam"
	"github.com/gomemmap/memmap/layout"
)

// forceTake makes TakeRows take path p until the returned func runs.
func forceTake(p TakePath) func() {
	old := seam.TakePath.Swap(int32(p))
	return func() { seam.TakePath.Store(old) }
}

// benchFile writes a (1000, 64) float64 .npy file in a temporary
// directory and returns its path.
func benchFile(b *testing.B) string {
	b.Helper()
	f8, err := layout.ParseDescr("'<f8'")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bench.npy")
	s, err := Create(path, &header.Header{DType: f8, Shape: []int64{0, 64}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Append(make([]byte, 1000*64*8)); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpen: Open and Close of a (1000, 64) float64 file: the header
// read (readCommitted), the map, the writer's lock.
func BenchmarkOpen(b *testing.B) {
	path := benchFile(b)
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite} {
		b.Run(mode.Name(), func(b *testing.B) {
			for b.Loop() {
				s, err := Open(path, mode, nil, nil)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

// BenchmarkRefresh: a reader's Refresh when nothing changed: the header
// read until two reads agree, and an fstat.
func BenchmarkRefresh(b *testing.B) {
	s, err := Open(benchFile(b), memmap.ReadOnly, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		if err := s.Refresh(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendCommit: one row appended and committed (the header's
// pwrite and msyncs), on a file that grows as it needs.
func BenchmarkAppendCommit(b *testing.B) {
	s, err := Open(benchFile(b), memmap.ReadWrite, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	row := make([]byte, 64*8)
	for b.Loop() {
		if err := s.Append(row); err != nil {
			b.Fatal(err)
		}
		if err := s.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTake: 64 rows gathered by TakeRows from the map and with
// pread (the cold path, forced; the file is in the page cache).
func BenchmarkTake(b *testing.B) {
	s, err := Open(benchFile(b), memmap.ReadOnly, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	idx := make([]int, 64)
	for i := range idx {
		idx[i] = i * 397 % 1000
	}
	dst := make([]byte, 64*s.RowSize())
	for _, c := range []struct {
		name string
		p    TakePath
	}{{"map", TakeMap}, {"read", TakeRead}} {
		b.Run(c.name, func(b *testing.B) {
			defer forceTake(c.p)()
			for b.Loop() {
				if err := s.TakeRows(idx, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
