//go:build unix

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gomemmap/memmap/internal/testutil"
)

// TestNotRegular gives info and head a FIFO without a writer (which
// blocked them forever: they opened it with os.Open to sniff its format)
// and a character device: each returns at once, exit 1, with one line
// saying what the path is (issue 18 item 9).
func TestNotRegular(t *testing.T) {
	fifo := filepath.Join(testutil.TempDir(t), "fifo.npy")
	if err := unix.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	for _, tc := range []struct{ path, want string }{
		{fifo, "not a regular file: named pipe (FIFO)"},
		{"/dev/null", "not a regular file: character device"},
	} {
		if _, err := os.Stat(tc.path); err != nil {
			t.Logf("no %s here: %v", tc.path, err)
			continue
		}
		for _, args := range [][]string{{"info", tc.path}, {"head", tc.path}, {"head", tc.path, "x"}} {
			type result struct {
				code   int
				errOut string
			}
			done := make(chan result, 1)
			go func() {
				code, _, errOut := runCmd(args...)
				done <- result{code, errOut}
			}()
			select {
			case r := <-done:
				if want := "memmap: " + tc.path + ": " + tc.want + "\n"; r.code != 1 || r.errOut != want {
					t.Errorf("%q: exit %d, stderr %q; want 1, %q", args, r.code, r.errOut, want)
				}
			case <-time.After(10 * time.Second):
				// Let the blocked open return by opening the other end.
				if f, err := os.OpenFile(tc.path, os.O_WRONLY|unix.O_NONBLOCK, 0); err == nil {
					defer f.Close()
				}
				t.Fatalf("%q still blocked after 10s", args)
			}
		}
	}
}
