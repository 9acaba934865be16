package benchdata

import (
	"fmt"
	"math/bits"
	"os"

	"github.com/gomemmap/memmap/table"
)

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

// CachedTable returns the path of the cached table file name in dir, a
// table of the keys TableKey(0..n-1) to their TableValue, built with build
// (which writes to the path it is given) unless a file there opens as
// such a table: its length and the first keys' values are checked, so a
// table cached by an earlier version of the library whose format or index
// has changed since is built anew.
func CachedTable(dir, name string, n int, build func(tmp string) error) (string, error) {
	p, err := Cached(dir, name, -1, build)
	if err != nil || tableOK(p, n) == nil {
		return p, err
	}
	mu.Lock()
	delete(files, p)
	mu.Unlock()
	if err := os.Remove(p); err != nil {
		return "", err
	}
	if p, err = Cached(dir, name, -1, build); err != nil {
		return "", err
	}
	return p, tableOK(p, n)
}

// tableOK checks that the file at path is a table of the first n keys.
func tableOK(path string, n int) error {
	t, err := table.Open[uint64, uint64](path)
	if err != nil {
		return err
	}
	defer t.Close()
	if t.Len() != n {
		return fmt.Errorf("%s: %d keys, want %d", path, t.Len(), n)
	}
	for i := range min(n, 1000) {
		k := TableKey(i)
		if v, ok := t.Get(k); !ok || v != TableValue(k) {
			return fmt.Errorf("%s: key %#x gives %#x, %v", path, k, v, ok)
		}
	}
	return nil
}
