package npz_test

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
)

// TestHeaderTruncatedAfterOpen: the .npy header of a member is read on
// first use with pread, not from the map (issue 18 item 8: one policy for
// every format's headers), so an archive that another process truncated
// since Open gives a truncation error, matching ErrFormat and
// io.ErrUnexpectedEOF, rather than a fault (memmap.ErrFault, from the
// guarded map read this replaced).
func TestHeaderTruncatedAfterOpen(t *testing.T) {
	b := zipArchive(t, stored("a.npy", npyBytes(t, 64<<10)), stored("b.npy", npyBytes(t, 10)), deflated(t, "c.npy", npyBytes(t, 10)))
	path := testutil.WriteFile(t, b)
	f, err := npz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Truncate(path, 4096); err != nil {
		t.Skipf("truncating the mapped archive: %v", err) // Windows refuses
	}
	for _, name := range []string{"b", "c"} {
		_, err := f.Info(name)
		if !errors.Is(err, npz.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, memmap.ErrFault) {
			t.Errorf("Info(%q) of a truncated archive: %v, want ErrFormat and io.ErrUnexpectedEOF", name, err)
		}
		t.Log(err)
	}
}
