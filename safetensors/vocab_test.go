package safetensors_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/safetensors"
)

// The tests of this file check the verbs this package shares with the
// others against the vocabulary of package memmap's documentation
// (issue 19, item 2).

// smallModel writes a file of one tensor "a" (F32, shape [2]) and returns
// its path.
func smallModel(t *testing.T) string {
	t.Helper()
	path := filepath.Join(testutil.TempDir(t), "m.safetensors")
	w, err := safetensors.Create(path, nil)
	must(t, err)
	must(t, safetensors.Add(w, "a", []float32{1, 2}, []int{2}))
	must(t, w.Close())
	return path
}

// TestVocabNotFound: every method that takes a tensor name gives, for a
// name the file (or the Writer) does not have, an error matching
// fs.ErrNotExist (and ErrNotFound). Info returns a value and an error:
// before issue 19 it returned (TensorInfo, bool).
func TestVocabNotFound(t *testing.T) {
	f, err := safetensors.Open(smallModel(t))
	must(t, err)
	defer f.Close()
	in, err := f.Info("a")
	if err != nil || in.Name != "a" || in.DType != "F32" {
		t.Errorf(`Info("a") = %+v, %v`, in, err)
	}
	_, infoErr := f.Info("nope")
	_, tensorErr := safetensors.Tensor[float32](f, "nope")
	_, anyErr := f.Any("nope")
	_, bytesErr := f.Bytes("nope")
	w, err := safetensors.Create(filepath.Join(testutil.TempDir(t), "w.safetensors"), nil)
	must(t, err)
	defer w.Abort()
	for _, c := range []struct {
		name string
		err  error
	}{
		{"Info", infoErr},
		{"Tensor", tensorErr},
		{"Any", anyErr},
		{"Bytes", bytesErr},
		{"Writer.Write", w.Write("nope", []byte{1})},
	} {
		if !errors.Is(c.err, fs.ErrNotExist) || !errors.Is(c.err, safetensors.ErrNotFound) {
			t.Errorf("%s of a missing tensor: %v, want fs.ErrNotExist and ErrNotFound", c.name, c.err)
		}
	}
	if !errors.Is(safetensors.ErrNotFound, fs.ErrNotExist) {
		t.Error("ErrNotFound does not match fs.ErrNotExist")
	}
	must(t, f.Close())
	if _, err := f.Info("a"); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Info after Close: %v, want memmap.ErrClosed", err)
	}
}
