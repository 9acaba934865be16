package array_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestRawSizeMessages checks what OpenRaw says of a file that does not
// fit the shape: the shape, the bytes it needs from the offset and the
// bytes the file has, with memmap.ErrShape (or ErrRange for an offset
// past the end) and io.ErrUnexpectedEOF, never header.ErrFormat's
// "malformed .npy header": a raw file has no header (issue 18).
func TestRawSizeMessages(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "x.dat")
	if err := os.WriteFile(path, make([]byte, 12100), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		shape []int
		off   int64
		want  []error
		says  []string
	}{
		{"too short", []int{100, 31}, 0, []error{memmap.ErrShape, io.ErrUnexpectedEOF},
			[]string{"open " + path + ": ", "raw file", "shape (100, 31) of '<f4' needs 12400 bytes from offset 0, the file has 12100"}},
		{"too short after offset", []int{3025}, 100, []error{memmap.ErrShape, io.ErrUnexpectedEOF},
			[]string{"shape (3025,) of '<f4' needs 12100 bytes from offset 100, the file has 12100"}},
		{"offset past the end", []int{-1}, 20000, []error{memmap.ErrRange, io.ErrUnexpectedEOF},
			[]string{"offset 20000 is past the end of the file, which has 12100 bytes"}},
		{"not whole rows", []int{-1, 7}, 0, []error{memmap.ErrShape},
			[]string{"12100 bytes after offset 0 are not whole rows of 28 bytes (4 left over) for shape (-1, 7) of '<f4'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := array.OpenRaw[float32](path, memmap.ReadOnly, tc.shape, &array.Options{Offset: tc.off, ByteOrder: layout.Little})
			if err == nil {
				a.Close()
				t.Fatal("opened")
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("error %q does not match %v", msg, w)
				}
			}
			if errors.Is(err, header.ErrFormat) || strings.Contains(msg, "header") {
				t.Errorf("error %q speaks of a header", msg)
			}
			for _, s := range tc.says {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not say %q", msg, s)
				}
			}
		})
	}
}

// TestRawRefreshShrunk checks Refresh of a fixed-length raw array whose
// file another process cut short: an error wrapping memmap.ErrTruncated
// and io.ErrUnexpectedEOF that says what the shape needs, not
// header.ErrFormat.
func TestRawRefreshShrunk(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows cannot truncate a mapped file")
	}
	path := filepath.Join(testutil.TempDir(t), "x.dat")
	if err := os.WriteFile(path, make([]byte, 12100), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := array.OpenRaw[float32](path, memmap.ReadOnly, []int{90, 30}, &array.Options{Offset: 100}) // ends before the file: a fixed length
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := os.Truncate(path, 8000); err != nil {
		t.Fatal(err)
	}
	err = a.Refresh()
	if !errors.Is(err, memmap.ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, header.ErrFormat) {
		t.Errorf("Refresh = %v, want ErrTruncated and io.ErrUnexpectedEOF, not header.ErrFormat", err)
	}
	if err == nil || !strings.Contains(err.Error(), "needs 10800 bytes from offset 100, the file now has 8000") {
		t.Errorf("Refresh = %v, want it to say what the shape needs", err)
	}
}
