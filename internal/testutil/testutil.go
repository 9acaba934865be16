// Package testutil holds helpers shared by the tests of every package.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TempDir returns a new temporary directory that is removed when the test
// ends. It is t.TempDir, except on Windows, where a failed removal is
// tolerated: under Wine os.RemoveAll fails with "Invalid function", and on
// real Windows a file still mapped by a leaked view cannot be removed.
func TempDir(t testing.TB) string {
	t.Helper()
	if runtime.GOOS != "windows" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "memmap-test-")
	if err != nil {
		t.Fatalf("TempDir: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("TempDir: ignoring failed cleanup of %s: %v", dir, err)
		}
	})
	return dir
}

// WriteFile writes data to a new file in a directory from TempDir and
// returns its path.
func WriteFile(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(TempDir(t), "data.bin")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	return path
}
