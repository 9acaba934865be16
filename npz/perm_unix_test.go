//go:build unix

package npz_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestVocabPermUmask: WriterOptions.Perm is the new archive's permission
// less the umask, as for os.OpenFile and memmap.Create (as it was before
// issue 19, unlike package safetensors). The test sets the process's
// umask, so it must not run in parallel with others.
func TestVocabPermUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := testutil.TempDir(t)
	for _, c := range []struct {
		perm, want os.FileMode
	}{
		{0, 0o640},     // the default 0o644, less the umask
		{0o666, 0o640}, // less the umask
		{0o600, 0o600},
	} {
		path := filepath.Join(dir, c.perm.String()+".npz")
		w, err := npz.Create(path, &npz.WriterOptions{Perm: c.perm})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("Perm %v with umask 027: the file has %v, want %v", c.perm, got, c.want)
		}
	}
}
