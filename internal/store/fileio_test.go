package store_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestReadAtFull: the bytes asked for, or an error matching
// io.ErrUnexpectedEOF when the file ends before them.
func TestReadAtFull(t *testing.T) {
	path := testutil.WriteFile(t, []byte("0123456789"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		off  int64
		n    int
		want string // "" for a short read
	}{
		{0, 10, "0123456789"},
		{3, 4, "3456"},
		{10, 0, ""},
		{0, 0, ""},
		{8, 3, "short"},
		{10, 1, "short"},
		{20, 1, "short"},
	} {
		b, err := store.ReadAtFull(f, c.off, c.n)
		switch {
		case c.want == "short":
			if b != nil || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("ReadAtFull(%d, %d) = %q, %v; want io.ErrUnexpectedEOF", c.off, c.n, b, err)
			}
		case err != nil || string(b) != c.want || len(b) != c.n:
			t.Errorf("ReadAtFull(%d, %d) = %q, %v; want %q", c.off, c.n, b, err, c.want)
		}
	}
	if _, err := store.ReadAtFull(f, -1, 1); err == nil {
		t.Error("negative offset accepted")
	}
	f.Close()
	var pe *os.PathError
	if _, err := store.ReadAtFull(f, 0, 1); !errors.As(err, &pe) {
		t.Errorf("closed file: %v, want *os.PathError", err)
	}
}

// TestFileReader: FileReader reads the map's file from its first byte (not
// from the map's offset), and fails with ErrClosed once the map is closed.
func TestFileReader(t *testing.T) {
	data := make([]byte, 3*memmap.PageSize())
	for i := range data {
		data[i] = byte(i % 251)
	}
	path := testutil.WriteFile(t, data)
	m, err := memmap.Open(path, memmap.ReadOnly, &memmap.Options{Offset: int64(memmap.PageSize())})
	if err != nil {
		t.Fatal(err)
	}
	r := store.FileReader(m)
	b, err := store.ReadAtFull(r, 10, 5)
	if err != nil || !bytes.Equal(b, data[10:15]) {
		t.Errorf("ReadAtFull(FileReader, 10, 5) = %v, %v; want %v", b, err, data[10:15])
	}
	if _, err := store.ReadAtFull(r, int64(len(data))-2, 5); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a read past the end: %v, want io.ErrUnexpectedEOF", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ReadAtFull(r, 0, 1); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}
