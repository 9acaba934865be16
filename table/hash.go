package table

import "math/bits"

// The key hashes, part of the file format (see "Key hashes" in the
// package documentation): a change here changes every table's layout, so
// TestHashGolden pins them.

// hashUint returns the hash of an integer key (the bits of an int64 read
// as a uint64): SplitMix64's finalizer of k XOR seed, a bijection, so
// that distinct integer keys never share a hash.
func hashUint(k, seed uint64) uint64 {
	z := k ^ seed
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

const (
	hk0 = 0xa0761d6478bd642f
	hk1 = 0xe7037ed1a0b428db
	hk2 = 0x8ebc6af09c88c6e3
	hk3 = 0x589965cc75374cc3
)

// mum is the 128-bit product of a and b folded to 64 bits.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashBytes returns the hash of a string or byte key, a function of the
// seed and of the key's bytes and length, in the manner of wyhash: 16
// bytes at a time folded with mum, then the last 1 to 16 bytes.
func hashBytes[S string | []byte](s S, seed uint64) uint64 {
	n := uint64(len(s))
	h := seed ^ hk0
	for len(s) > 16 {
		h = mum(le64(s[:8])^hk1, le64(s[8:16])^h)
		s = s[16:]
	}
	var a, b uint64
	switch m := len(s); {
	case m >= 8:
		a, b = le64(s[:8]), le64(s[m-8:])
	case m >= 4:
		a, b = uint64(le32(s[:4])), uint64(le32(s[m-4:]))
	case m > 0:
		a = uint64(s[0])<<16 | uint64(s[m>>1])<<8 | uint64(s[m-1])
	}
	return mum(hk1^n, mum(a^hk2, b^h^hk3))
}

func le64[S string | []byte](s S) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func le32[S string | []byte](s S) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}
