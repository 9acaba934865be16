package benchdata

import "math/bits"

// TableKey is key i of the lookup-table benchmarks: a bijection of i
// (murmur3's 64-bit finalizer of i+1), so keys 0..n-1 are distinct and
// key i for i >= n is absent from a table of the first n.
func TableKey(i int) uint64 {
	z := uint64(i) + 1
	z ^= z >> 33
	z *= 0xff51afd7ed558ccd
	z ^= z >> 33
	z *= 0xc4ceb9fe1a85ec53
	z ^= z >> 33
	return z
}

// TableValue is the value of key k in the lookup-table benchmarks, which
// every lookup checks.
func TableValue(k uint64) uint64 { return bits.RotateLeft64(k, 17) ^ 0x5bd1e9955bd1e995 }
