package record

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestFlushRows checks FlushRows (array's verb, FlushRange before issue
// 19) for record files: records written in place reach the file, the length is not
// committed, bad ranges give ErrRange, a closed file ErrClosed.
func TestFlushRows(t *testing.T) {
	path := tempPath(t, "fr.npy")
	f := mustCreate(t, path, nil)
	mustAppend(t, f, 0, 10)
	if err := f.Flush(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, f, 10, 12) // not committed
	want := makeRec(100)
	if err := f.Set(want, 3); err != nil {
		t.Fatal(err)
	}
	if err := f.FlushRows(2, 4); err != nil {
		t.Fatalf("FlushRows(2, 4): %v", err)
	}
	for _, r := range [][2]int{{0, 0}, {12, 12}, {0, 12}, {10, 12}} {
		if err := f.FlushRows(r[0], r[1]); err != nil {
			t.Errorf("FlushRows(%d, %d): %v", r[0], r[1], err)
		}
	}
	for _, r := range [][2]int{{-1, 2}, {4, 3}, {0, 13}} {
		if err := f.FlushRows(r[0], r[1]); !errors.Is(err, memmap.ErrRange) {
			t.Errorf("FlushRows(%d, %d) = %v, want ErrRange", r[0], r[1], err)
		}
	}
	// The record reached the file, and the header still says 10.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := header.Parse(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.Shape; len(got) != 1 || got[0] != 10 {
		t.Errorf("header shape after FlushRows = %v, want [10] (not committed)", got)
	}
	g := mustOpen(t, path, memmap.ReadOnly)
	if got, err := g.Get(3); err != nil || got != want {
		t.Errorf("a reader's record 3 = %v, %v; want %v", got, err, want)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.FlushRows(0, 1); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("FlushRows after Close = %v, want ErrClosed", err)
	}
	if err := g.FlushRows(0, 1); err != nil {
		t.Errorf("FlushRows of a read-only file = %v, want nil", err)
	}
}

// TestOpenDirectory checks that opening a directory says so, with an error
// wrapping memmap.ErrNotRegular (it used to be mmap's "no such device").
func TestOpenDirectory(t *testing.T) {
	dir := testutil.TempDir(t)
	for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite, memmap.CopyOnWrite} {
		_, err := Open[rec](dir, mode, nil)
		if !errors.Is(err, memmap.ErrNotRegular) || !strings.Contains(err.Error(), "directory") {
			t.Errorf("Open(directory, %v) = %v, want ErrNotRegular saying it is a directory", mode, err)
		}
	}
}

// TestReadOnlyAppendMessage checks that an append to a read-only record
// file names the mode in words.
func TestReadOnlyAppendMessage(t *testing.T) {
	path := tempPath(t, "ro.npy")
	f := mustCreate(t, path, nil)
	mustAppend(t, f, 0, 1)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g := mustOpen(t, path, memmap.ReadOnly)
	_, err := g.Append(makeRec(1))
	if !errors.Is(err, memmap.ErrReadOnly) || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("Append to a read-only file = %v, want ErrReadOnly saying read-only", err)
	}
}
