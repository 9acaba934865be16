//go:build unix

package testutil

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// CheckPermUmask checks that a writer's Perm is the new file's permission
// less the umask, as for os.OpenFile and memmap.Create, and that a zero
// Perm means 0o644: create must write and close a file at path with the
// given Perm; ext is the files' name extension. It sets the process's
// umask, so the test that calls it must not run in parallel with others.
func CheckPermUmask(t *testing.T, ext string, create func(t *testing.T, path string, perm os.FileMode)) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := TempDir(t)
	for _, c := range []struct {
		perm, want os.FileMode
	}{
		{0, 0o640},     // the default 0o644, less the umask
		{0o666, 0o640}, // less the umask
		{0o600, 0o600},
	} {
		path := filepath.Join(dir, c.perm.String()+ext)
		create(t, path, c.perm)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("Perm %v with umask 027: the file has %v, want %v", c.perm, got, c.want)
		}
	}
}
