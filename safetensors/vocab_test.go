package safetensors_test

import (
	"errors"
	"io/fs"
	"os"
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

// TestVocabClose: Close is idempotent on a File and on a Writer: a second
// Close, and a Close after Abort, return nil, also when the first Close
// failed (before issue 19, a Writer's later Close returned the first's
// error again).
func TestVocabClose(t *testing.T) {
	f, err := safetensors.Open(smallModel(t))
	must(t, err)
	must(t, f.Close())
	if err := f.Close(); err != nil {
		t.Errorf("File: second Close: %v, want nil", err)
	}

	dir := testutil.TempDir(t)
	w, err := safetensors.Create(filepath.Join(dir, "w.safetensors"), nil)
	must(t, err)
	must(t, w.Declare("x", "U8", []int{4}))
	if err := w.Close(); !errors.Is(err, memmap.ErrShape) {
		t.Fatalf("Close of an incomplete file: %v, want memmap.ErrShape", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Writer: second Close after a failed one: %v, want nil", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Writer: Abort after Close: %v, want nil", err)
	}

	w, err = safetensors.Create(filepath.Join(dir, "w.safetensors"), nil)
	must(t, err)
	must(t, w.Declare("x", "U8", []int{1}))
	if err := w.Write("x", []byte{1, 2}); !errors.Is(err, memmap.ErrShape) {
		t.Fatalf("Write past the tensor: %v, want memmap.ErrShape", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Writer: Abort after a failed Write: %v, want nil", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Writer: Close after Abort: %v, want nil", err)
	}
}

// TestVocabAbort: Abort returns an error, the first met discarding the
// output (before issue 19 it returned nothing), and nil when called
// again; a temporary file someone else removed is not an error.
func TestVocabAbort(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "w.safetensors")
	w, err := safetensors.Create(path, nil)
	must(t, err)
	if err := w.Abort(); err != nil {
		t.Errorf("Abort: %v", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("second Abort: %v, want nil", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close after Abort: %v, want nil", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("Abort left %d files", len(ents))
	}

	testutil.CheckAbort(t, ".safetensors", func(t *testing.T, path string) testutil.Aborter {
		w, err := safetensors.Create(path, nil)
		must(t, err)
		return w
	})
}

// TestVocabCreateReplaces: as memmap.Create, Create follows a symbolic
// link at the path, so that Close replaces the file it names and the link
// stays a link, and a file replaced keeps its permission bits, whatever
// WriterOptions.Perm says (before issue 19 Close replaced the link itself
// with a file of mode Perm).
func TestVocabCreateReplaces(t *testing.T) {
	write := func(t *testing.T, path string) {
		t.Helper()
		w, err := safetensors.Create(path, &safetensors.WriterOptions{Perm: 0o600})
		must(t, err)
		must(t, safetensors.Add(w, "a", []float32{1, 2}, []int{2}))
		must(t, w.Close())
	}
	testutil.CheckCreateReplaces(t, ".safetensors", write, func(path string) error {
		f, err := safetensors.Open(path)
		if err == nil {
			f.Close()
		}
		return err
	})
}
