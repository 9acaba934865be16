package sys

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

func TestOpenFile(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f")
	f, err := OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		t.Fatalf("OpenFile(create): %v", err)
	}
	if _, err := f.WriteAt([]byte("hello"), 0); err != nil {
		t.Fatalf("WriteAt: %v", err)
	}
	f.Close()
	if _, err := OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644); !errors.Is(err, os.ErrExist) {
		t.Errorf("OpenFile(O_EXCL) of an existing file = %v, want ErrExist", err)
	}
	if _, err := OpenFile(filepath.Join(dir, "missing"), os.O_RDONLY, 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenFile(missing) = %v, want ErrNotExist", err)
	}
	// A regular file comes back in blocking mode, readable as usual.
	f, err = OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	b, err := io.ReadAll(f)
	f.Close()
	if err != nil || string(b) != "hello" {
		t.Fatalf("read %q, %v; want hello", b, err)
	}
	for _, flag := range []int{os.O_RDONLY, os.O_RDWR} {
		_, err := OpenFile(dir, flag, 0)
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Mode&os.ModeDir == 0 {
			t.Errorf("OpenFile(directory, %#x) = %v, want a NotRegularError for a directory", flag, err)
		}
	}
}

func TestGrowSparse(t *testing.T) {
	path := testutil.WriteFile(t, []byte("abc"))
	f := openT(t, path, os.O_RDWR)
	for _, tc := range []struct{ to, want int64 }{{1 << 20, 1 << 20}, {10, 1 << 20}} {
		if err := GrowSparse(f, tc.to); err != nil {
			t.Fatalf("GrowSparse(%d): %v", tc.to, err)
		}
		if fi, err := f.Stat(); err != nil || fi.Size() != tc.want {
			t.Fatalf("GrowSparse(%d): size %v, %v; want %d", tc.to, fi.Size(), err, tc.want)
		}
	}
}

func TestBackingLimit(t *testing.T) {
	n, err := BackingLimit()
	if err != nil {
		t.Fatalf("BackingLimit: %v", err)
	}
	if n < 16<<20 {
		t.Fatalf("BackingLimit = %d, implausibly small", n)
	}
}

func TestOffset(t *testing.T) {
	b := make([]byte, 10)
	base := addrOfByte(b)
	for _, tc := range []struct {
		addr uintptr
		off  int
		ok   bool
	}{
		{base, 0, true}, {base + 9, 9, true}, {base + 10, 0, false}, {base - 1, 0, false}, {0, 0, false},
	} {
		off, ok := Offset(b, tc.addr)
		if off != tc.off || ok != tc.ok {
			t.Errorf("Offset(base%+d) = %d, %v; want %d, %v", int(tc.addr-base), off, ok, tc.off, tc.ok)
		}
	}
	if _, ok := Offset(nil, base); ok {
		t.Error("Offset(nil) found an address")
	}
}
