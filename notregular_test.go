package memmap

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomemmap/memmap/internal/testutil"
)

// hangTimeout bounds how long a test waits for an Open that should return
// at once; it only turns a hang into a failure.
const hangTimeout = 10 * time.Second

// TestOpenNotRegular opens paths that are not regular files: each Open
// must return promptly (a FIFO without a writer used to block it
// forever) with an error wrapping ErrNotRegular that says what the path
// is.
func TestOpenNotRegular(t *testing.T) {
	dir := testutil.TempDir(t)
	fifo := filepath.Join(dir, "fifo")
	fifoErr := mkfifo(fifo)
	for _, tc := range []struct {
		name, path string
		skip       error
		want       string
	}{
		{"fifo", fifo, fifoErr, "FIFO"},
		{"directory", dir, nil, "is a directory"},
		{"dev-zero", "/dev/zero", nil, "not a regular file"},
	} {
		for _, mode := range []Mode{ReadOnly, ReadWrite, CopyOnWrite} {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				if tc.skip != nil {
					t.Skipf("no %s here: %v", tc.name, tc.skip)
				}
				if _, err := os.Stat(tc.path); err != nil {
					t.Skipf("no %s here: %v", tc.path, err)
				}
				done := make(chan error, 1)
				go func() {
					m, err := Open(tc.path, mode, nil)
					if m != nil {
						m.Close()
					}
					done <- err
				}()
				var err error
				select {
				case err = <-done:
				case <-time.After(hangTimeout):
					// Unblock the open of a FIFO by opening its other end.
					if f, err := os.OpenFile(tc.path, os.O_RDWR, 0); err == nil {
						defer f.Close()
					}
					t.Fatalf("Open(%s, %v) still blocked after %v", tc.path, mode, hangTimeout)
				}
				if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Open(%s, %v) = %v, want ErrNotRegular saying %q", tc.path, mode, err, tc.want)
				}
				var pe *os.PathError
				if !errors.As(err, &pe) || pe.Path != tc.path {
					t.Errorf("error %v does not name the path", err)
				}
			})
		}
	}
}

// TestOpenFileNotRegular hands OpenFile descriptors of a directory and of
// a FIFO: both are refused with ErrNotRegular.
func TestOpenFileNotRegular(t *testing.T) {
	dir := testutil.TempDir(t)
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	files := []*os.File{d}
	fifo := filepath.Join(dir, "fifo")
	if mkfifo(fifo) == nil {
		// O_RDWR does not wait for a writer (Linux and the BSDs).
		if f, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
			defer f.Close()
			files = append(files, f)
		}
	}
	for _, f := range files {
		m, err := OpenFile(f, ReadOnly, nil)
		if m != nil {
			m.Close()
		}
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("OpenFile(%s) = %v, want ErrNotRegular", f.Name(), err)
		}
	}
}
