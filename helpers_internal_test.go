package memmap

import (
	"os/exec"
	"testing"
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

// mapKinds lists the kinds of Map the file-like and search tests run on.
var mapKinds = []mapKind{
	{"mem", func(t *testing.T, data []byte, mode Mode) *Map {
		return newTestMap(append([]byte(nil), data...), mode)
	}},
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
