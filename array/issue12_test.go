package array_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestCreateNilShape checks that a nil shape is refused (it made a 0-d
// array without a word) and that []int{} makes the 0-d array.
func TestCreateNilShape(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "nil.npy")
	_, err := array.Create[float32](path, nil, nil)
	if !errors.Is(err, memmap.ErrShape) || !strings.Contains(err.Error(), "[]int{}") {
		t.Errorf("Create with a nil shape = %v, want ErrShape pointing to []int{}", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Create with a nil shape left a file: %v", err)
	}
	if _, err := array.New[float32](nil, nil); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("New with a nil shape = %v, want ErrShape", err)
	}
	a := mustCreate[float32](t, filepath.Join(dir, "scalar.npy"), []int{}, nil)
	if a.Rank() != 0 || a.Len() != 1 || a.Size() != 1 {
		t.Errorf("[]int{}: rank %d, len %d, size %d; want a 0-d array of one element", a.Rank(), a.Len(), a.Size())
	}
	a.Set(2.5)
	if got := a.At(); got != 2.5 {
		t.Errorf("0-d At() = %v, want 2.5", got)
	}
}

// TestOpenDirectory checks that opening a directory says so, with an error
// wrapping memmap.ErrNotRegular (it used to be mmap's "no such device").
func TestOpenDirectory(t *testing.T) {
	dir := testutil.TempDir(t)
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite, memmap.CopyOnWrite} {
		_, err := array.Open[float32](dir, mode, nil)
		if !errors.Is(err, memmap.ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("Open(directory, %v) = %v, want ErrNotRegular saying it is a directory", mode, err)
		}
	}
}

// TestReadOnlyLengthMessage checks that a length change of a read-only
// array names the mode in words.
func TestReadOnlyLengthMessage(t *testing.T) {
	path := tempPath(t, "ro.npy")
	mustClose(t, mustCreate[int32](t, path, []int{3}, nil))
	a := mustOpen[int32](t, path, memmap.ReadOnly)
	_, err := a.Append([]int32{1}...)
	if !errors.Is(err, memmap.ErrReadOnly) || !strings.Contains(err.Error(), "a read-only array cannot change its length") {
		t.Errorf("Append to a read-only array = %v, want ErrReadOnly saying 'a read-only array'", err)
	}
}
