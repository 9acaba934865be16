package array_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
)

// TestSaveOverWriter: Save over a file another writer holds (from Create,
// or Open with ReadWrite) fails with ErrLocked, as Create does, and
// leaves the writer's file alone: the writer's later Append, Flush and
// Close succeed and every row it committed is there. Before issue 18
// (item 3) Save renamed its file over the writer's: the writer's Close
// returned nil and its rows were gone.
func TestSaveOverWriter(t *testing.T) {
	for _, how := range []string{"create", "open r+"} {
		t.Run(how, func(t *testing.T) {
			path := tempPath(t, "w.npy")
			var w *array.Array[int64]
			if how == "create" {
				w = mustCreate[int64](t, path, []int{0, 2}, nil)
			} else {
				mustClose(t, mustCreate[int64](t, path, []int{0, 2}, nil))
				w = mustOpen[int64](t, path, memmap.ReadWrite)
			}
			if _, err := w.Append([]int64{1, 2, 3, 4}...); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := array.Save(path, []int64{-1, -2}, nil, nil); !errors.Is(err, memmap.ErrLocked) {
				t.Errorf("Save over a held file = %v, want ErrLocked", err)
			}
			if _, err := w.Append([]int64{5, 6}...); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			mustClose(t, w)
			r := mustOpen[int64](t, path, memmap.ReadOnly)
			got, err := r.Data()
			if err != nil {
				t.Fatal(err)
			}
			if want := []int64{1, 2, 3, 4, 5, 6}; !slices.Equal(r.Shape(), []int{3, 2}) || !slices.Equal(got, want) {
				t.Errorf("after the failed Save the writer's file holds %v %v, want (3, 2) %v", r.Shape(), got, want)
			}
			mustClose(t, r)
			ents, err := os.ReadDir(filepath.Dir(path))
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 1 {
				t.Errorf("the failed Save left %d files in the directory, want 1", len(ents))
			}
			// Once the writer is gone, Save replaces the file.
			if err := array.Save(path, []int64{-1, -2}, nil, nil); err != nil {
				t.Fatal(err)
			}
			r = mustOpen[int64](t, path, memmap.ReadOnly)
			if got, _ := r.Data(); !slices.Equal(got, []int64{-1, -2}) {
				t.Errorf("Save after the writer's Close: %v", got)
			}
		})
	}
}

// TestSaveMode: a new file gets 0o666 less the umask, as os.Create and
// np.save (open(path, "wb")) give it, or Options.Perm less the umask; a
// replaced file keeps its mode, as Create keeps it. Before issue 18 (item
// 3) Save's files were 0o600 (os.CreateTemp's), new or replacing.
func TestSaveMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows files have no unix permission bits")
	}
	dir := tempPath(t, "")
	// What the umask leaves of 0o666 and 0o640, as os.Create and
	// os.OpenFile apply it.
	umasked := func(perm os.FileMode) os.FileMode {
		p := filepath.Join(dir, "probe")
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, perm)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		defer os.Remove(p)
		return mode(t, p)
	}
	data := []float32{1, 2, 3}

	fresh := filepath.Join(dir, "new.npy")
	if err := array.Save(fresh, data, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := mode(t, fresh), umasked(0o666); got != want {
		t.Errorf("mode of a new file = %v, want %v (0o666 less the umask)", got, want)
	}

	withPerm := filepath.Join(dir, "perm.npy")
	if err := array.Save(withPerm, data, nil, &array.Options{Perm: 0o640}); err != nil {
		t.Fatal(err)
	}
	if got, want := mode(t, withPerm), umasked(0o640); got != want {
		t.Errorf("mode of a new file with Perm 0o640 = %v, want %v", got, want)
	}

	for _, perm := range []os.FileMode{0o664, 0o600, 0o604} {
		old := filepath.Join(dir, "old.npy")
		if err := os.WriteFile(old, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(old, perm); err != nil { // no umask
			t.Fatal(err)
		}
		if err := array.Save(old, data, nil, &array.Options{Perm: 0o600}); err != nil {
			t.Fatal(err)
		}
		if got := mode(t, old); got != perm {
			t.Errorf("mode of a replaced %v file = %v, want it kept", perm, got)
		}
		if b := readFile(t, old); string(b) == "old" {
			t.Error("Save did not replace the file")
		}
	}
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
