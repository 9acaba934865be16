package mph

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// randomHashes returns n distinct-with-overwhelming-odds random hashes, the
// same for the same seed.
func randomHashes(n int, seed uint64) []uint64 {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	hs := make([]uint64, n)
	for i := range hs {
		hs[i] = r.Uint64()
	}
	return hs
}

func bitsPerKey(p Params) float64 {
	return float64(8*p.PilotsLen()+32*p.RemapLen()) / float64(p.Keys)
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1_000_000, 10_000_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			hs := randomHashes(n, 1)
			var p Params
			b.ResetTimer()
			cpu0, ok := processCPU()
			for range b.N {
				var err error
				p, _, _, err = Build(hs, nil)
				if err != nil {
					b.Fatal(err)
				}
			}
			keys := float64(n) * float64(b.N)
			b.ReportMetric(keys/b.Elapsed().Seconds(), "keys/s")
			if cpu1, _ := processCPU(); ok {
				// Counts the garbage collector's time too.
				b.ReportMetric(keys/(cpu1-cpu0).Seconds(), "keys/cpu-s")
			}
			b.ReportMetric(bitsPerKey(p), "bits/key")
		})
	}
}

// BenchmarkLookup looks up built hashes in a random order. At 10,000 keys
// the pilots stay in the L1 cache; at 1M and 10M most lookups miss it.
func BenchmarkLookup(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000, 10_000_000} {
		hs := randomHashes(n, 1)
		p, pilots, remap, err := Build(hs, nil)
		if err != nil {
			b.Fatal(err)
		}
		x, err := NewIndex(p, pilots, remap)
		if err != nil {
			b.Fatal(err)
		}
		// Probe the built hashes in a random order, so that the pilot loads
		// miss the cache as a table's lookups do.
		probe := randomHashes(1<<16, 2)
		for i := range probe {
			probe[i] = hs[probe[i]%uint64(n)]
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var sum uint64
			for i := range b.N {
				sum += x.Lookup(probe[i&(len(probe)-1)])
			}
			sink = sum
			b.ReportMetric(bitsPerKey(p), "bits/key")
		})
		b.Run(fmt.Sprintf("n=%d/many", n), func(b *testing.B) {
			out := make([]uint64, 256)
			for i := 0; i < b.N; i += len(out) {
				j := i & (len(probe) - 1)
				x.LookupMany(probe[j:j+len(out)], out)
			}
			b.ReportMetric(bitsPerKey(p), "bits/key")
		})
	}
}

var sink uint64
