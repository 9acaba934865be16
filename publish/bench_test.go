package publish_test

import (
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/publish"
)

// BenchmarkAcquire measures an Acquire and a Release of the current
// version: one goroutine, and all of them at once on one Handle (the
// shared reference count is the cost there).
func BenchmarkAcquire(b *testing.B) {
	name := inDir(testutil.TempDir(b), "f")
	publishN(b, name, 1, writeFake, nil)
	h, err := publish.Open(name, (&fakes{}).open, nil)
	must(b, err)
	defer h.Close()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := h.Acquire()
			if err != nil {
				b.Fatal(err)
			}
			r.Release()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				r, err := h.Acquire()
				if err != nil {
					b.Error(err)
					return
				}
				r.Release()
			}
		})
	})
}
