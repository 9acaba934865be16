package record

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
)

// rec13 is the Go type for NumPy's packed
// np.dtype([('id', '<i8'), ('score', '<f4'), ('flag', 'u1')]): 13 bytes
// in the file, 16 in Go.
type rec13 struct {
	ID    int64   `npy:"id"`
	Score float32 `npy:"score"`
	Flag  uint8   `npy:"flag"`
}

func makeRec13(i int) rec13 { return rec13{int64(i)*1e9 - 7, float32(i) / 8, uint8(i * 3)} }

// TestNumPyPacked: NumPy writes packed record files (align=False, its
// default) in both byte orders; Go reads every record with Get, All and
// Take, sets one, appends two; NumPy reads back exactly those values.
// Row and Data refuse the file with ErrPacked, naming what to use.
func TestNumPyPacked(t *testing.T) {
	testutil.NumPy(t)
	for _, order := range []string{"<", ">"} {
		path := filepath.Join(testutil.TempDir(t), "r13.npy")
		testutil.RunPython(t, `
import sys
import numpy as np
o = sys.argv[2]
i = np.arange(50)
r = np.zeros(50, dtype=np.dtype([('id', o+'i8'), ('score', o+'f4'), ('flag', 'u1')]))
r['id'] = i * 10**9 - 7; r['score'] = i / 8; r['flag'] = (i * 3) % 256
np.save(sys.argv[1], r)
`, path, order)
		f, err := Open[rec13](path, memmap.ReadWrite, nil)
		if err != nil {
			t.Fatalf("%s: Open: %v", order, err)
		}
		for i := range 50 {
			if r, err := f.Get(i); err != nil || r != makeRec13(i) {
				t.Fatalf("%s: Get(%d) = %+v, %v; want %+v", order, i, r, err, makeRec13(i))
			}
		}
		n := 0
		for i, p := range f.All() {
			if *p != makeRec13(i) {
				t.Fatalf("%s: All: record %d = %+v", order, i, *p)
			}
			n++
		}
		if n != 50 {
			t.Errorf("%s: All yielded %d records", order, n)
		}
		dst := make([]rec13, 3)
		if err := f.Take([]int{49, 0, 7}, dst); err != nil || dst[0] != makeRec13(49) || dst[1] != makeRec13(0) || dst[2] != makeRec13(7) {
			t.Errorf("%s: Take: %+v, %v", order, dst, err)
		}
		if _, err := f.Data(); !errors.Is(err, memmap.ErrPacked) || !strings.Contains(err.Error(), "Get") {
			t.Errorf("%s: Data: %v, want ErrPacked naming Get", order, err)
		}
		if _, err := f.Row(0); !errors.Is(err, memmap.ErrPacked) {
			t.Errorf("%s: Row: %v, want ErrPacked", order, err)
		}
		if got := f.At(49); got != makeRec13(49) {
			t.Errorf("%s: At(49) = %+v, want %+v", order, got, makeRec13(49))
		}
		if err := f.Set(makeRec13(400), 4); err != nil {
			t.Fatal(err)
		}
		if first, err := f.Append(makeRec13(50), makeRec13(51)); err != nil || first != 50 {
			t.Fatalf("Append: %d, %v", first, err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		out := testutil.RunPython(t, `
import sys, json
import numpy as np
r = np.load(sys.argv[1])
i = np.arange(52)
e = np.zeros(52, dtype=r.dtype); e['id'] = i * 10**9 - 7; e['score'] = i / 8; e['flag'] = (i * 3) % 256
e[4] = (400 * 10**9 - 7, 400 / 8, (400 * 3) % 256)
print(json.dumps({"itemsize": r.dtype.itemsize, "n": len(r), "equal": bool((r == e).all())}))
`, path)
		var got struct {
			Itemsize, N int
			Equal       bool
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("python output %q: %v", out, err)
		}
		if got.Itemsize != 13 || got.N != 52 || !got.Equal {
			t.Errorf("%s: NumPy reads %+v, want 13-byte items, 52 records, equal", order, got)
		}
	}
}
