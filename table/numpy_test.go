package table_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/table"
)

// lookupPy is the table format's lookup written from the package
// documentation (and internal/mph's) in Python: np.load reads the
// members, and every key must lead to its own entry, in both byte
// orders, so that the documentation is exact enough for another
// language.
const lookupPy = `
import json, sys
import numpy as np
M = (1 << 64) - 1
HK0, HK1, HK2, HK3 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db, 0x8ebc6af09c88c6e3, 0x589965cc75374cc3
def hi(a, b): return (a * b) >> 64
def lo(a, b): return (a * b) & M
def mum(a, b): return hi(a, b) ^ lo(a, b)
def hash_uint(k, seed):
    z = (k ^ seed) & M
    z = lo(z ^ (z >> 30), 0xbf58476d1ce4e5b9)
    z = lo(z ^ (z >> 27), 0x94d049bb133111eb)
    return z ^ (z >> 31)
def le(b): return int.from_bytes(b, 'little')
def hash_bytes(s, seed):
    n, h = len(s), seed ^ HK0
    while len(s) > 16:
        h = mum(le(s[:8]) ^ HK1, le(s[8:16]) ^ h)
        s = s[16:]
    m, a, b = len(s), 0, 0
    if m >= 8: a, b = le(s[:8]), le(s[m-8:])
    elif m >= 4: a, b = le(s[:4]), le(s[m-4:])
    elif m > 0: a = s[0] << 16 | s[m >> 1] << 8 | s[m-1]
    return mum(HK1 ^ n, mum(a ^ HK2, b ^ h ^ HK3))
z = np.load(sys.argv[1])
meta = z['meta'][0]
assert bytes(meta['magic']) == b'mmtable', meta['magic']
N, P, B, S, seed = (int(meta[f]) for f in ('keys', 'parts', 'buckets', 'slots', 'seed'))
pilots, remap, ents = z['pilots'], z['remap'], z['entries']
def lookup(h):
    part, x = hi(h, P), lo(h, P)
    c = hi(hi(x, x), (x >> 1) | 1 << 63)
    y = c - (c >> 7) + (x >> 7)
    p = int(pilots[part * B + hi(y, B)])
    slot = part * S + hi(lo(h ^ lo(p, 0x9E3779B97F4A7C15), 0xD6E8FEB86659FD93), S)
    return slot if slot < N else int(remap[slot - N])
out = {'n': N, 'ok': 0}
if int(meta['key_kind']) == 3:
    kb, ends = z['keys'].tobytes(), ents['key_end']
    vals = z['values'].tobytes() if int(meta['value_kind']) == 2 else None
    start = 0
    for i in range(N):
        end = int(ends[i])
        if lookup(hash_bytes(kb[start:end], seed)) == i: out['ok'] += 1
        if kb[start:end] == b'key-7':
            ve, vs = int(ents['value_end'][i]), int(ents['value_end'][i-1]) if i else 0
            out['key-7'] = vals[vs:ve].decode()
        start = end
else:
    keys = ents['key']
    for i in range(N):
        if lookup(hash_uint(int(keys[i]) & M, seed)) == i: out['ok'] += 1
    i = int(np.nonzero(keys == 7)[0][0])
    v = ents['value'][i]
    out['7'] = [int(v['a']), float(v['b']), [int(c) for c in v['C']]]
print(json.dumps(out))
`

// TestNumPy: NumPy loads a table's members, and a Python lookup written
// from the documented format finds every key at its own entry (integer
// and string keys, both byte orders).
func TestNumPy(t *testing.T) {
	dir := testutil.TempDir(t)
	for _, big := range []bool{false, true} {
		opt := &table.Options{}
		if big {
			opt.ByteOrder = layout.Big
		}
		t.Run(fmt.Sprint("big=", big), func(t *testing.T) {
			const n = 3000
			keys := make([]int64, n)
			vals := make([]Feature, n)
			for i := range keys {
				keys[i] = int64(i)*2654435761 - n*1000 // negative keys too
				if i == 5 {
					keys[i] = 7
				}
				vals[i] = featureOf(uint64(keys[i]))
			}
			p := filepath.Join(dir, fmt.Sprint("i", big))
			must(t, table.Build(p, keys, vals, opt))
			var got struct {
				N, OK int
				Seven []any `json:"7"`
			}
			must(t, json.Unmarshal(testutil.RunPython(t, lookupPy, p), &got))
			if got.N != n || got.OK != n {
				t.Fatalf("Python lookups: %d of %d keys at their entry", got.OK, got.N)
			}
			f := featureOf(7)
			if want := fmt.Sprint([]any{float64(f.A), f.B, []any{float64(f.C[0]), float64(f.C[1]), float64(f.C[2])}}); fmt.Sprint(got.Seven) != want {
				t.Fatalf("NumPy reads key 7's value as %v, want %v", got.Seven, want)
			}

			sk := make([]string, n)
			sv := make([][]byte, n)
			for i := range sk {
				sk[i] = fmt.Sprintf("key-%d", i) + strings.Repeat("x", i%37)
				sv[i] = []byte(fmt.Sprint("v", i))
			}
			sk[7] = "key-7"
			p = filepath.Join(dir, fmt.Sprint("s", big))
			must(t, table.Build(p, sk, sv, opt))
			var gs struct {
				N, OK int
				Key7  string `json:"key-7"`
			}
			must(t, json.Unmarshal(testutil.RunPython(t, lookupPy, p), &gs))
			if gs.N != n || gs.OK != n || gs.Key7 != "v7" {
				t.Fatalf("Python lookups of string keys: %d of %d at their entry, key-7 -> %q", gs.OK, gs.N, gs.Key7)
			}
		})
	}
}
