package table_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/table"
)

// The package's own benchmarks, for work on the lookup path; the
// comparisons with peers (a Go map, bbolt, binary search) are in bench/.

func benchTable(b testing.TB, n int) (*table.Table[uint64, uint64], []uint64) {
	b.Helper()
	keys := randomKeys(n, 1)
	vals := make([]uint64, n)
	for i, k := range keys {
		vals[i] = k * 3
	}
	path := filepath.Join(b.TempDir(), "b.table")
	if err := table.Build(path, keys, vals, nil); err != nil {
		b.Fatal(err)
	}
	t, err := table.Open[uint64, uint64](path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { t.Close() })
	rand.New(rand.NewPCG(2, 3)).Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return t, keys
}

func BenchmarkGet(b *testing.B) {
	for _, n := range []int{1 << 20, 10_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			t, keys := benchTable(b, n)
			var sum uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				v, _ := t.Get(keys[i%n])
				sum += v
			}
			if sum == 1 {
				b.Log(sum)
			}
		})
	}
}

func BenchmarkGetMany(b *testing.B) {
	for _, n := range []int{1 << 20, 10_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			t, keys := benchTable(b, n)
			const batch = 1024
			dst := make([]uint64, batch)
			found := make([]bool, batch)
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				lo := i % (n - batch)
				t.GetMany(keys[lo:lo+batch], dst, found)
			}
		})
	}
}

func BenchmarkMap(b *testing.B) {
	for _, n := range []int{1 << 20, 10_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			keys := randomKeys(n, 1)
			m := make(map[uint64]uint64, n)
			for _, k := range keys {
				m[k] = k * 3
			}
			rand.New(rand.NewPCG(2, 3)).Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			var sum uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				sum += m[keys[i%n]]
			}
			if sum == 1 {
				b.Log(sum)
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1 << 20, 10_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			keys := randomKeys(n, 1)
			vals := make([]uint64, n)
			path := filepath.Join(b.TempDir(), "b.table")
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := table.Build(path, keys, vals, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}
