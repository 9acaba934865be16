package record

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// trade is a record with several kinds of field, a renamed field, a
// subarray and explicit padding, laid out the same on every architecture.
type trade struct {
	Time  int64
	Price float64
	Legs  [3]int16 `npy:"legs"`
	Side  uint8
	OK    bool
	Qty   int32
	Sym   [4]byte
}

func makeTrade(i int) trade {
	return trade{
		Time:  1_700_000_000 + int64(i),
		Price: 100 + float64(i)/4,
		Legs:  [3]int16{int16(i), -int16(i), 7},
		Side:  uint8(i % 2),
		OK:    i%3 == 0,
		Qty:   int32(-i * 100),
		Sym:   [4]byte{'S', byte('A' + i%26)},
	}
}

// TestNumPyReadsGo writes a record file in Go, in both byte orders, and
// reads it with np.load(mmap_mode="r"): the field names, the dtype and
// every value must be Go's.
func TestNumPyReadsGo(t *testing.T) {
	testutil.NumPy(t)
	for _, order := range []layout.ByteOrder{layout.Little, layout.Big} {
		t.Run(order.String(), func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "trades.npy")
			f, err := Create[trade](path, &Options{ByteOrder: order, Capacity: 100})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			const n = 5
			for i := range n {
				if _, err := f.Append(makeTrade(i)); err != nil {
					t.Fatal(err)
				}
			}
			// Flushed but not closed: NumPy sees the committed records
			// and not the capacity behind them.
			if err := f.Flush(); err != nil {
				t.Fatal(err)
			}
			out := testutil.RunPython(t, `
import json, sys
import numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
rows = [[int(r["Time"]), float(r["Price"]), [int(x) for x in r["legs"]], int(r["Side"]),
         bool(r["OK"]), int(r["Qty"]), r["Sym"].decode("latin-1")] for r in a]
print(json.dumps({"names": list(a.dtype.names), "shape": list(a.shape), "itemsize": a.dtype.itemsize,
                  "descr": str(np.lib.format.dtype_to_descr(a.dtype)), "mmap": isinstance(a, np.memmap),
                  "rows": rows}))
`, path)
			var got struct {
				Names    []string
				Shape    []int
				Itemsize int
				Descr    string
				Mmap     bool
				Rows     [][]any
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			want := []string{"Time", "Price", "legs", "Side", "OK", "Qty", "Sym"}
			if diff := cmp.Diff(want, got.Names); diff != "" {
				t.Errorf("field names (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]int{n}, got.Shape); diff != "" || got.Itemsize != 32 || !got.Mmap {
				t.Errorf("shape %v, itemsize %d, memmap %v; want [%d], 32, true", got.Shape, got.Itemsize, got.Mmap, n)
			}
			if got.Descr != f.DType().Descr() {
				t.Errorf("NumPy's descr %s, Go's %s", got.Descr, f.DType().Descr())
			}
			var rows [][]any
			for i := range n {
				r := makeTrade(i)
				rows = append(rows, []any{
					float64(r.Time), r.Price, []any{float64(r.Legs[0]), float64(r.Legs[1]), float64(r.Legs[2])},
					float64(r.Side), r.OK, float64(r.Qty), string(r.Sym[:2]),
				})
			}
			if diff := cmp.Diff(rows, got.Rows); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

// aligned is the Go twin of the NumPy dtype written by TestGoReadsNumPy
// with align=True: explicit padding puts every field at NumPy's offset on
// every architecture (on 386 Go would put B at 4, not 8).
type aligned struct {
	A uint8 `npy:"a"`
	_ [7]byte
	B float64 `npy:"b"`
	C int32   `npy:"c"`
	D [3]byte `npy:"d"`
	_ [1]byte
	E int16 `npy:"e"`
	_ [6]byte
}

// TestGoReadsNumPy opens structured arrays NumPy wrote (np.save, with
// align=True padding, in both byte orders) as File[aligned] and compares
// the values; then appends to one and has NumPy read it again.
func TestGoReadsNumPy(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	testutil.RunPython(t, `
import sys
import numpy as np
for order in "<>":
    dt = np.dtype([("a", "u1"), ("b", order + "f8"), ("c", order + "i4"), ("d", "S3"), ("e", order + "i2")], align=True)
    assert dt.itemsize == 32 and dt.fields["b"][1] == 8 and dt.fields["e"][1] == 24, dt.fields
    a = np.zeros(4, dtype=dt)
    for i in range(4):
        a[i] = (i + 1, i * 1.5, -i, b"x%d" % i, 1000 * i)
    np.save(sys.argv[1] + ("/le.npy" if order == "<" else "/be.npy"), a)
`, dir)
	var want []aligned
	for i := range 4 {
		want = append(want, aligned{A: uint8(i + 1), B: float64(i) * 1.5, C: int32(-i), D: [3]byte{'x', byte('0' + i)}, E: int16(1000 * i)})
	}
	for _, name := range []string{"le.npy", "be.npy"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			f, err := Open[aligned](path, memmap.ReadWrite, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got []aligned
			for i := range f.Len() {
				r, err := f.Get(i)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r)
			}
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b aligned) bool { return a == b })); diff != "" {
				t.Fatalf("records (-want +got):\n%s", diff)
			}
			if s, err := f.Data(); err == nil && !cmp.Equal(want, s, cmp.Comparer(func(a, b aligned) bool { return a == b })) {
				t.Fatalf("Data differs from Get: %v", s)
			}
			// Append in the file's order; NumPy reads the grown array.
			if _, err := f.Append(aligned{A: 9, B: -2.5, C: 77, D: [3]byte{'e', 'n', 'd'}, E: -1}); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			out := testutil.RunPython(t, `
import sys
import numpy as np
a = np.load(sys.argv[1], mmap_mode="r")
r = a[-1]
print(len(a), int(r["a"]), float(r["b"]), int(r["c"]), r["d"].decode(), int(r["e"]), int(a[3]["e"]))
`, path)
			if got, want := string(out), "5 9 -2.5 77 end -1 3000\n"; got != want {
				t.Fatalf("NumPy after the append: %q, want %q", got, want)
			}
		})
	}
}
