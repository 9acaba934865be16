package safetensors_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/safetensors"
)

// TestOpenTruncatedWhileOpening: a file truncated by another process
// after Open has mapped it and taken its size, before the header is read
// (the window of issue 18 item 8, made deterministic by a hook at that
// point), gives an error matching ErrFormat and io.ErrUnexpectedEOF. Open
// must not read the header from the map: the header spans pages past the
// new end of the file, which fault when touched. The test turns such a
// fault into a failure (debug.SetPanicOnFault) rather than a crash of the
// test binary, as it would be for a user.
func TestOpenTruncatedWhileOpening(t *testing.T) {
	// 256 KiB of metadata: the header spans pages past any cut below, for
	// pages of up to 64 KiB.
	b := stfile(`{"__metadata__":{"k":"`+strings.Repeat("x", 256<<10)+`"},"t":`+okEntry+`}`, 16)
	hdrEnd := int64(len(b) - 16)
	path := filepath.Join(testutil.TempDir(t), "t.safetensors")
	for _, cut := range []int64{0, 5, 8, 4096, 100 << 10, hdrEnd - 1} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		var truncErr error
		restore := safetensors.SetOpenHook(func(p string) {
			truncErr = os.Truncate(p, cut)
		})
		f, err := openNoFault(t, path)
		restore()
		if truncErr != nil {
			// Windows refuses to truncate a mapped file.
			if f != nil {
				f.Close()
			}
			t.Skipf("truncating the mapped file: %v", truncErr)
		}
		var pe *os.PathError
		if f != nil || !errors.Is(err, safetensors.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &pe) || pe.Path != path {
			t.Fatalf("file cut to %d bytes while Open ran: %v, want an *os.PathError matching ErrFormat and io.ErrUnexpectedEOF", cut, err)
		}
		t.Logf("cut to %d: %v", cut, err)
	}
	// Unhooked, the same file opens.
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// openNoFault calls Open with faults turned into a test failure.
func openNoFault(t *testing.T, path string) (f *safetensors.File, err error) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Open faulted (it read the header from the map, past the end of the truncated file): %v", r)
		}
	}()
	return safetensors.Open(path)
}
