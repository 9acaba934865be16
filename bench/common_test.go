package bench

import (
	"os"
	"sync"
	"testing"

	"github.com/gomemmap/memmap/bench/internal/benchdata"
)

// Sinks keep the compiler from dropping the work of a benchmark loop.
var (
	sinkF float64
	sinkU uint64
	sinkI int
)

var sizes = benchdata.Current()

// heapCache holds heap copies of generated files, read once per process.
var heapCache sync.Map // path -> any

// heapBytes returns the contents of the file at path, read once per process.
func heapBytes(b *testing.B, path string) []byte {
	b.Helper()
	if v, ok := heapCache.Load(path); ok {
		return v.([]byte)
	}
	d, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	heapCache.Store(path, d)
	return d
}

// heapFloat64s returns the float64 data of the .npy file at path as a heap
// slice, read once per process.
func heapFloat64s(b *testing.B, path string) []float64 {
	b.Helper()
	key := path + "#f64"
	if v, ok := heapCache.Load(key); ok {
		return v.([]float64)
	}
	d, err := benchdata.ReadFloat64s(path)
	if err != nil {
		b.Fatal(err)
	}
	heapCache.Store(key, d)
	return d
}

// touch reads one byte of every page of p, so that the page tables of a
// fresh mapping are filled before the timer starts: every mapped peer is
// measured with its pages mapped, as the heap's are.
func touch(p []byte) {
	var s byte
	for i := 0; i < len(p); i += 4096 {
		s += p[i]
	}
	sinkI += int(s)
}

// touchFloat64s is touch for a []float64 view.
func touchFloat64s(d []float64) {
	var s float64
	for i := 0; i < len(d); i += 512 {
		s += d[i]
	}
	sinkF += s
}

// must fails the benchmark on an error.
func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
