package memmap

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// newTestMap returns a Map over b in memory, without the OS: enough for the
// file-like and search methods, which only use m.data, m.pos and m.mode.
func newTestMap(b []byte, mode Mode) *Map {
	return &Map{data: b[:len(b):len(b)], mode: mode}
}

// newClosedMap returns a Map in the state Close leaves it in.
func newClosedMap() *Map {
	return &Map{closed: true}
}

// mapKind makes a Map of some kind holding a copy of data, in the given
// mode, for tests that run the same cases on every kind of map. The Map is
// closed when the test ends.
type mapKind struct {
	name string
	make func(t *testing.T, data []byte, mode Mode) *Map
}

// mapKinds lists the kinds of Map the file-like and search tests run on:
// in memory, a file mapped by Open in the mode asked for, and anonymous
// memory.
var mapKinds = []mapKind{
	{"mem", func(t *testing.T, data []byte, mode Mode) *Map {
		return newTestMap(append([]byte(nil), data...), mode)
	}},
	{"file", newFileMap},
	{"anon", func(t *testing.T, data []byte, mode Mode) *Map {
		t.Helper()
		m, err := Anonymous(int64(len(data)), nil)
		if err != nil {
			t.Fatalf("Anonymous(%d): %v", len(data), err)
		}
		t.Cleanup(func() { m.Close() })
		copy(m.Bytes(), data)
		// Anonymous maps are read-write; the mode only steers the checks
		// of the methods under test (the memory stays writable).
		m.mode = mode
		return m
	}},
}

// newFileMap writes data to a new file and maps it with Open in mode.
func newFileMap(t *testing.T, data []byte, mode Mode) *Map {
	t.Helper()
	path := filepath.Join(testutil.TempDir(t), "map")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path, mode, nil)
	if err != nil {
		t.Fatalf("Open(%q, %v): %v", path, mode, err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

// python returns the path of /usr/bin/python3, or skips the test when it
// is missing (no NumPy is needed, unlike testutil.RunPython).
func python(t *testing.T) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := exec.LookPath(py); err != nil {
		t.Skipf("no %s: %v", py, err)
	}
	return py
}
