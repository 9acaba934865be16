package npz_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestOver4GiB: a member of more than 4 GiB, and a member after it at an
// offset past 4 GiB, written by the Writer as a sparse file (the big
// member's data a hole but for its last elements), need Zip64 sizes and
// offsets; the archive opens with the sizes, offsets and values right, and
// Python's zipfile reads its directory the same way. The big member's
// CRC-32 is not the real one (the hole was not summed), so it is not
// verified.
func TestOver4GiB(t *testing.T) {
	if strconv.IntSize == 32 {
		t.Skip("a map of more than 4 GiB needs a 64-bit system")
	}
	if testing.Short() {
		t.Skip("-short: writes a sparse 4 GiB file")
	}
	path := filepath.Join(testutil.TempDir(t), "big.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const n = 1<<30 + 16 // float32s: 4 GiB + 64 bytes
	mw, err := w.Create("big", &header.Header{DType: mustDType[float32](t), Shape: []int64{n}})
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Hole(mw, (n-16)*4); err != nil {
		t.Fatal(err)
	}
	if _, err := mw.Write(bytesOf(seq(16, func(i int) float32 { return float32(i + 1) }))); err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "after", []int64{7, 8, 9}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("archive of %d bytes", fi.Size())

	f, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	big, err := f.Info("big")
	if err != nil {
		t.Fatal(err)
	}
	after, err := f.Info("after")
	if err != nil {
		t.Fatal(err)
	}
	if big.Size <= 1<<32 || big.DataSize != n*4 || big.DataOffset%64 != 0 || after.HeaderOffset <= 1<<32 || after.DataOffset%64 != 0 {
		t.Errorf("Info big %+v, after %+v: want sizes and offsets past 4 GiB, aligned", big, after)
	}
	a, err := npz.Array[float32](f, "big")
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != n || a.At(0) != 0 || a.At(n-17) != 0 || a.At(n-16) != 1 || a.At(n-1) != 16 {
		t.Errorf("big: len %d, [0] %v, [n-17] %v, [n-16] %v, [n-1] %v", a.Len(), a.At(0), a.At(n-17), a.At(n-16), a.At(n-1))
	}
	if d, err := a.Data(); err != nil || len(d) != n || d[n-2] != 15 {
		t.Errorf("big.Data(): %d elements, %v", len(d), err)
	}
	b, err := npz.Array[int64](f, "after")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := b.Data(); err != nil || len(d) != 3 || d[2] != 9 {
		t.Errorf("after.Data() = %v, %v", d, err)
	}
	if err := f.Verify("after"); err != nil {
		t.Errorf("Verify(after): %v", err)
	}

	testutil.NumPy(t)
	var ents [][]any
	out := testutil.RunPython(t, `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zf:
    ents = [[i.filename, i.file_size, i.compress_size, i.header_offset] for i in zf.infolist()]
    tail = zf.read('after.npy')
print(json.dumps(ents + [[list(tail[-24:])]]))
`, path)
	if err := json.Unmarshal(out, &ents); err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"big.npy", float64(big.Size), float64(big.Size), 0.0},
		{"after.npy", float64(after.Size), float64(after.Size), float64(after.HeaderOffset)},
		{[]any{7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}},
	}
	if host := bytesOf([]int64{7, 8, 9}); host[0] != 7 {
		want = want[:2] // a big-endian host wrote '>i8'
	} else if len(ents) != 3 {
		t.Fatalf("zipfile: %v", ents)
	}
	for i := range want {
		if !jsonEqual(ents[i], want[i]) {
			t.Errorf("zipfile entry %d: %v, want %v", i, ents[i], want[i])
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
