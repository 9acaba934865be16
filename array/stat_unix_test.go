//go:build unix

package array_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestStatNotRegular gives Stat a FIFO without a writer and a character
// device: Stat must return at once (it used os.Open, which blocks on a
// FIFO until a writer comes, forever in a CLI's `memmap info fifo`) with
// an *os.PathError naming the path and wrapping memmap.ErrNotRegular, as
// array.Open reports it (issue 18 item 9).
func TestStatNotRegular(t *testing.T) {
	dir := testutil.TempDir(t)
	fifo := filepath.Join(dir, "fifo.npy")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "FIFO"},
		{"/dev/null", "character device"},
	} {
		if _, err := os.Stat(tc.path); err != nil {
			t.Logf("no %s here: %v", tc.path, err)
			continue
		}
		done := make(chan error, 1)
		go func() {
			_, err := array.Stat(tc.path)
			done <- err
		}()
		var err error
		select {
		case err = <-done:
		case <-time.After(10 * time.Second):
			// Let the blocked open return by opening the other end.
			if f, err := os.OpenFile(tc.path, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
				defer f.Close()
			}
			t.Fatalf("Stat(%s) still blocked after 10s", tc.path)
		}
		var pe *os.PathError
		if !errors.Is(err, memmap.ErrNotRegular) || !strings.Contains(err.Error(), tc.want) ||
			!errors.As(err, &pe) || pe.Path != tc.path {
			t.Errorf("Stat(%s) = %v, want an *os.PathError naming it, wrapping memmap.ErrNotRegular, saying %q", tc.path, err, tc.want)
		}
		// Open says the same of it.
		if _, err := array.OpenAny(tc.path, memmap.ReadOnly, nil); !errors.Is(err, memmap.ErrNotRegular) {
			t.Errorf("OpenAny(%s) = %v, want memmap.ErrNotRegular", tc.path, err)
		}
	}
}
