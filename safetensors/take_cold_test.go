package safetensors_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/safetensors"
)

// TestTakeCold checks Take of a tensor that does not start the file
// against a loop of Get, on every path of TakeRows: the pread path, which
// cold rows take, reads the file at the tensor's offset in it.
func TestTakeCold(t *testing.T) {
	const rows, cols = 500, 3
	vals := make([]int32, rows*cols)
	for i := range vals {
		vals[i] = int32(i*7 + 1)
	}
	path := filepath.Join(testutil.TempDir(t), "m.safetensors")
	w, err := safetensors.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := safetensors.Add(w, "first", []float64{-1, -2, -3, -4, -5}, []int{5}); err != nil {
		t.Fatal(err)
	}
	if err := safetensors.Add(w, "a", vals, []int{rows, cols}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := safetensors.Tensor[int32](f, "a")
	if err != nil {
		t.Fatal(err)
	}
	idx := []int{rows - 1, 0, 7, 7, 8, 9, 250, 3, rows / 2, 1, 2, 400, 401, 100}
	var want []int32
	for _, i := range idx {
		want = append(want, vals[i*cols:(i+1)*cols]...)
	}
	for _, p := range []struct {
		name string
		path store.TakePath
	}{{"auto", store.TakeAuto}, {"map", store.TakeMap}, {"pread", store.TakeRead}} {
		t.Run(fmt.Sprint("path ", p.name), func(t *testing.T) {
			old := seam.TakePath.Swap(int32(p.path))
			defer seam.TakePath.Store(old)
			got := make([]int32, len(want))
			if err := a.Take(idx, got); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("Take(%v) =\n%v\nwant\n%v", idx, got, want)
			}
		})
	}
}
