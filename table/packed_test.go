package table_test

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/table"
)

// PXY is a struct NumPy saves packed (align=False): x at 2, not 8.
type PXY struct {
	X int16   `npy:"x"`
	Y float64 `npy:"y"`
}

// TestPacked reads a table whose entries are packed structs, as a writer
// other than this package (NumPy's default) would lay them out: every
// key is found with its value, converted as it is read.
func TestPacked(t *testing.T) {
	const n = 2000
	keys := randomKeys(n, 9)
	vals := make([]PXY, n)
	for i, k := range keys {
		vals[i] = PXY{X: int16(k), Y: float64(k>>11) / 7}
	}
	dir := testutil.TempDir(t)
	src := filepath.Join(dir, "padded.table")
	must(t, table.Build(src, keys, vals, nil))

	// Copy every member but entries as it is; write entries packed
	// (18-byte records: key at 0, x at 8, y at 10), little-endian.
	f, err := npz.Open(src)
	must(t, err)
	defer f.Close()
	dst := filepath.Join(dir, "packed.table")
	w, err := npz.Create(dst, nil)
	must(t, err)
	for _, name := range f.Names() {
		a, err := f.Any(name)
		must(t, err)
		b, err := a.Bytes()
		must(t, err)
		dt := a.DType()
		if name == "entries" {
			if dt, err = layout.ParseDescr("[('key', '<u8'), ('value', [('x', '<i2'), ('y', '<f8')])]"); err != nil {
				t.Fatal(err)
			}
			tb, err := table.Open[uint64, PXY](src)
			must(t, err)
			b = b[:0:0]
			for k, v := range tb.All() {
				b = binary.LittleEndian.AppendUint64(b, k)
				b = binary.LittleEndian.AppendUint16(b, uint16(v.X))
				b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Y))
			}
			tb.Close()
		}
		mw, err := w.Create(name, &header.Header{DType: dt, Shape: []int64{int64(a.Len())}})
		must(t, err)
		_, err = mw.Write(b)
		must(t, err)
	}
	must(t, w.Close())

	tb, err := table.Open[uint64, PXY](dst)
	must(t, err)
	defer tb.Close()
	if tb.ZeroCopy() {
		t.Error("a packed table claims ZeroCopy")
	}
	for i, k := range keys {
		if v, ok := tb.Get(k); !ok || v != vals[i] {
			t.Fatalf("Get(%d) = %v, %v; want %v", k, v, ok, vals[i])
		}
		if p, ok := tb.Ref(k); !ok || *p != vals[i] {
			t.Fatalf("Ref(%d) = %v, %v", k, p, ok)
		}
	}
	got := make([]PXY, n)
	found := make([]bool, n)
	if c, err := tb.GetMany(keys, got, found); err != nil || c != n {
		t.Fatalf("GetMany: %d found, %v", c, err)
	}
	for i := range got {
		if got[i] != vals[i] {
			t.Fatalf("GetMany[%d] = %v, want %v", i, got[i], vals[i])
		}
	}
	must(t, tb.Verify())
}
