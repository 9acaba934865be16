//go:build unix

package safetensors_test

import (
	"os"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/safetensors"
)

// TestVocabPermUmask: WriterOptions.Perm is the new file's permission
// less the umask, as for os.OpenFile and memmap.Create (before issue 19
// the Writer set it exactly). The test sets the process's umask, so it
// must not run in parallel with others.
func TestVocabPermUmask(t *testing.T) {
	testutil.CheckPermUmask(t, ".safetensors", func(t *testing.T, path string, perm os.FileMode) {
		w, err := safetensors.Create(path, &safetensors.WriterOptions{Perm: perm})
		must(t, err)
		must(t, w.Close())
	})
}
