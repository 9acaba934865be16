package npz_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// The tests of this file check the verbs this package shares with the
// others against the vocabulary of package memmap's documentation
// (issue 19, item 2).

// smallArchive writes an archive of one member "a" (int32, shape [2])
// and returns its path.
func smallArchive(t *testing.T) string {
	t.Helper()
	path := filepath.Join(testutil.TempDir(t), "x.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := npz.Add(w, "a", []int32{1, 2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestVocabNotFound: Info returns an Info value (before issue 19 a
// pointer) and an error; every method that takes a member name gives,
// for a name the archive does not hold, an error matching
// fs.ErrNotExist.
func TestVocabNotFound(t *testing.T) {
	f, err := npz.Open(smallArchive(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var in npz.Info
	in, err = f.Info("a")
	if err != nil || in.Name != "a" || len(in.Shape) != 1 || in.Shape[0] != 2 {
		t.Errorf(`Info("a") = %+v, %v`, in, err)
	}
	_, infoErr := f.Info("nope")
	_, arrayErr := npz.Array[int32](f, "nope")
	_, anyErr := f.Any("nope")
	for _, c := range []struct {
		name string
		err  error
	}{
		{"Info", infoErr},
		{"Array", arrayErr},
		{"Any", anyErr},
		{"Verify", f.Verify("nope")},
	} {
		if !errors.Is(c.err, fs.ErrNotExist) {
			t.Errorf("%s of a missing member: %v, want fs.ErrNotExist", c.name, c.err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Info("a"); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Info after Close: %v, want memmap.ErrClosed", err)
	}
}

// TestVocabClose: Close is idempotent on a File and on a Writer: a second
// Close, and a Close after Abort, return nil, also when the first Close
// failed (before issue 19 they returned the first's error again).
func TestVocabClose(t *testing.T) {
	path := smallArchive(t)
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := npz.OpenMap(m, path)
	if err != nil {
		t.Fatal(err)
	}
	m.File().Close() // makes the map's Close, and so the File's, fail
	if err := f.Close(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("File: Close over a closed descriptor: %v, want os.ErrClosed", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("File: second Close after a failed one: %v, want nil", err)
	}

	dir := testutil.TempDir(t)
	w, err := npz.Create(filepath.Join(dir, "w.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Create("x", &header.Header{DType: mustDType[int32](t), Shape: []int64{4}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, memmap.ErrShape) {
		t.Fatalf("Close with a member short of data: %v, want memmap.ErrShape", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Writer: second Close after a failed one: %v, want nil", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Writer: Abort after a failed Close: %v, want nil", err)
	}

	w, err = npz.Create(filepath.Join(dir, "w.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("Writer: Close after Abort: %v, want nil", err)
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Writer: second Abort: %v, want nil", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("Abort left %d files", len(ents))
	}
}

// TestVocabAbort: Abort returns the first error met discarding the
// output (before issue 19 it returned nil whatever happened), and nil
// when called again; a temporary file someone else removed is not an
// error.
func TestVocabAbort(t *testing.T) {
	testutil.CheckAbort(t, ".npz", func(t *testing.T, path string) testutil.Aborter {
		w, err := npz.Create(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return w
	})
}

// TestVocabByteOrder: a byte order Add cannot write (layout.Mixed, or a
// value that is no byte order) is an error matching memmap.ErrByteOrder,
// as in array.Create (before issue 19, memmap.ErrRange), and adds
// nothing.
func TestVocabByteOrder(t *testing.T) {
	dir := testutil.TempDir(t)
	w, err := npz.Create(filepath.Join(dir, "w.npz"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, o := range []layout.ByteOrder{layout.Mixed, 99} {
		err := npz.Add(w, "a", []int32{1}, nil, &array.Options{ByteOrder: o})
		if !errors.Is(err, memmap.ErrByteOrder) {
			t.Errorf("Add with ByteOrder %v: %v, want memmap.ErrByteOrder", o, err)
		}
	}
	if err := npz.Add(w, "a", []int32{1}, nil, &array.Options{ByteOrder: layout.Big}); err != nil {
		t.Errorf("Add after the refused ones: %v", err)
	}
}

// TestVocabCreateReplaces: as memmap.Create, Create follows a symbolic
// link at the path, so that Close replaces the file it names and the link
// stays a link, and a file replaced keeps its permission bits, whatever
// WriterOptions.Perm says (before issue 19 Close replaced the link itself,
// with a file of mode Perm less the umask, and gave a replaced file Perm).
// The cases are testutil.CheckCreateReplaces.
func TestVocabCreateReplaces(t *testing.T) {
	write := func(t *testing.T, path string) {
		t.Helper()
		w, err := npz.Create(path, &npz.WriterOptions{Perm: 0o600})
		mustOK(t, err)
		mustOK(t, npz.Add(w, "a", []int32{1, 2}, nil, nil))
		mustOK(t, w.Close())
	}
	testutil.CheckCreateReplaces(t, ".npz", write, func(path string) error {
		f, err := npz.Open(path)
		if err == nil {
			f.Close()
		}
		return err
	})
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
