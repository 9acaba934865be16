package memmap

import (
	"errors"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// TestModeName checks the words messages use for the modes.
func TestModeName(t *testing.T) {
	for m, want := range map[Mode]string{
		ReadOnly: "read-only", ReadWrite: "read-write", CopyOnWrite: "copy-on-write", Mode(7): "Mode(7)",
	} {
		if got := m.Name(); got != want {
			t.Errorf("Mode(%d).Name() = %q, want %q", int(m), got, want)
		}
	}
}

// TestResizeModeMessage checks that refusing to resize a map names its
// mode in words ("a read-only map cannot be resized", not "a r map").
func TestResizeModeMessage(t *testing.T) {
	path := testutil.WriteFile(t, []byte("hello"))
	for mode, want := range map[Mode]string{
		ReadOnly: "a read-only map cannot be resized", CopyOnWrite: "a copy-on-write map cannot be resized",
	} {
		m := mustOpen(t, path, mode, nil)
		err := m.Resize(10)
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), want) {
			t.Errorf("Resize of a %v map = %v, want ErrReadOnly saying %q", mode, err, want)
		}
	}
}
