package table

import (
	"fmt"

	"github.com/gomemmap/memmap"
)

// manyBlock is how many keys of a GetMany share one gather: their
// indexes are all computed before any entry is read, so that the loads
// (or, cold, the reads) of a block overlap.
const manyBlock = 256

// scratch is the per-call working memory of GetMany, pooled.
type scratch[E any] struct {
	hs   []uint64
	sl   []uint64
	idx  []int
	ents []E
	bad  []bool
}

// GetMany looks every key of keys up: dst[j] gets the value of keys[j]
// and found[j] whether it is in the table (dst[j] is the zero V where
// not). It returns the number of keys found. dst must hold len(keys)
// values and found, unless nil, len(keys) booleans (an error wrapping
// memmap.ErrShape otherwise, with nothing looked up); a closed table
// gives an error wrapping memmap.ErrClosed.
//
// It is faster per key than a loop of Get: the keys go in blocks, each
// block's index lookups first and its entries after, so that many memory
// loads are in flight at once; and the entries are gathered with
// array.Array.Take, which reads entries whose pages are not in memory
// with many reads in flight (see "Files bigger than memory" in package
// memmap) where a loop of Get would wait for each page in turn. That
// holds for tables of integer keys and fixed-size values; the other
// kinds are looked up one key at a time. GetMany allocates nothing in
// the steady state (its working memory is pooled).
func (t *Table[K, V]) GetMany(keys []K, dst []V, found []bool) (int, error) {
	if t.closed {
		return 0, pathErr("getmany", t.path, memmap.ErrClosed)
	}
	if len(dst) < len(keys) || found != nil && len(found) < len(keys) {
		return 0, pathErr("getmany", t.path, fmt.Errorf("%w: %d keys, dst holds %d and found %d", memmap.ErrShape, len(keys), len(dst), len(found)))
	}
	if t.kind != kindKV {
		n := 0
		for j, k := range keys {
			v, ok := t.Get(k)
			dst[j] = v
			if found != nil {
				found[j] = ok
			}
			if ok {
				n++
			}
		}
		return n, nil
	}
	sc, _ := t.pool.Get().(*scratch[entKV[K, V]])
	if sc == nil {
		sc = &scratch[entKV[K, V]]{hs: make([]uint64, manyBlock), sl: make([]uint64, manyBlock), idx: make([]int, manyBlock), ents: make([]entKV[K, V], manyBlock), bad: make([]bool, manyBlock)}
	}
	defer t.pool.Put(sc)
	n := 0
	for lo := 0; lo < len(keys); lo += manyBlock {
		ks := keys[lo:min(lo+manyBlock, len(keys))]
		hs, sl, idx, ents, bad := sc.hs[:len(ks)], sc.sl[:len(ks)], sc.idx[:len(ks)], sc.ents[:len(ks)], sc.bad[:len(ks)]
		for j, k := range ks {
			hs[j] = keyHash(k, t.kkind, t.seed)
		}
		// The buckets of the block first, then their pilots: loads that
		// do not wait on each other, many in flight at once.
		t.idx.LookupMany(hs, sl)
		for j, i := range sl {
			bad[j] = i >= t.n // only on a corrupt index
			if bad[j] {
				i = 0
			}
			idx[j] = int(i)
		}
		if t.n == 0 {
			for j := range bad {
				bad[j] = true
			}
		} else if err := t.kv.arr.Take(idx, ents); err != nil {
			return n, pathErr("getmany", t.path, err)
		}
		for j, k := range ks {
			ok := !bad[j] && ents[j].Key == k
			if ok {
				dst[lo+j] = ents[j].Value
				n++
			} else {
				var zero V
				dst[lo+j] = zero
			}
			if found != nil {
				found[lo+j] = ok
			}
		}
	}
	return n, nil
}
