package record

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestCreateMinifloatRefused: a record with a bfloat16 field has no NumPy
// dtype, so no record file holds it.
func TestCreateMinifloatRefused(t *testing.T) {
	type rec struct {
		ID int64
		W  [4]layout.BFloat16
	}
	f, err := Create[rec](filepath.Join(testutil.TempDir(t), "r.npy"), nil)
	if !errors.Is(err, layout.ErrDType) {
		if f != nil {
			f.Close()
		}
		t.Fatalf("Create = %v, want ErrDType", err)
	}
}
