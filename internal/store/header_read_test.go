package store_test

import (
	"errors"
	"io"
	"os"
	"testing"

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
