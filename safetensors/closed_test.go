package safetensors_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/safetensors"
)

// TestTensorAfterClose closes a File under its tensors: every method of
// the arrays that returns an error says memmap.ErrClosed, and none touches
// the unmapped pages. Before issue 18 (item 7) Get read them and faulted;
// here a fault becomes a panic (SetPanicOnFault), reported as a failure.
func TestTensorAfterClose(t *testing.T) {
	path := filepath.Join(testutil.TempDir(t), "m.safetensors")
	w, err := safetensors.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := safetensors.Add(w, "a", []float32{1, 2, 3, 4, 5, 6}, []int{3, 2}); err != nil {
		t.Fatal(err)
	}
	if err := safetensors.Add(w, "b", []int16{-1, 2, -3}, []int{3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := safetensors.Tensor[float32](f, "a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := safetensors.Tensor[int16](f, "b")
	if err != nil {
		t.Fatal(err)
	}
	sl, err := a.Slice(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	u, err := f.Any("b")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := a.Get(2, 1); v != 6 || err != nil {
		t.Fatalf("Get(2, 1) before Close = %v, %v", v, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("a", func(t *testing.T) { npytest.CheckClosed(t, a) })
	t.Run("b", func(t *testing.T) { npytest.CheckClosed(t, b) })
	t.Run("slice", func(t *testing.T) { npytest.CheckClosed(t, sl) })
	if _, err := u.At(0); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Any.At after Close = %v, want ErrClosed", err)
	}
	if _, err := f.Bytes("a"); err == nil {
		t.Error("File.Bytes after Close: no error")
	}
}
