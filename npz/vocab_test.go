package npz_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
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
