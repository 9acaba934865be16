//go:build unix

package npz_test

import (
	"os"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestVocabPermUmask: WriterOptions.Perm is the new archive's permission
// less the umask, as for os.OpenFile and memmap.Create (as it was before
// issue 19, unlike package safetensors). The test sets the process's
// umask, so it must not run in parallel with others.
func TestVocabPermUmask(t *testing.T) {
	testutil.CheckPermUmask(t, ".npz", func(t *testing.T, path string, perm os.FileMode) {
		w, err := npz.Create(path, &npz.WriterOptions{Perm: perm})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	})
}
