package publish_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/publish"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// value is element i of version n of every test file: a wrong version, or
// a mix of two, shows in any element.
func value(n uint64, i int) int64 { return int64(n)*1_000_003 + int64(i)*7 + 1 }

// versionOf returns the version number of a version file's path.
func versionOf(path string) (uint64, error) {
	i := strings.LastIndex(path, ".v")
	if i < 0 {
		return 0, fmt.Errorf("%s: not a version path", path)
	}
	return strconv.ParseUint(path[i+2:], 10, 64)
}

// writeArray returns a write function for Publish that creates an array
// of elems int64s holding the values of the version being written.
func writeArray(elems int) func(path string) error {
	return func(path string) error {
		n, err := versionOf(path)
		if err != nil {
			return err
		}
		a, err := array.Create[int64](path, []int{elems}, nil)
		if err != nil {
			return err
		}
		d, err := a.Data()
		if err != nil {
			a.Close()
			return err
		}
		for i := range d {
			d[i] = value(n, i)
		}
		return a.Close()
	}
}

// counted is an array whose opens and closes are counted.
type counted struct {
	*array.Array[int64]
	live *atomic.Int64 // opened and not yet closed
}

func (c *counted) Close() error {
	c.live.Add(-1)
	return c.Array.Close()
}

// openCounted returns an open function for publish.Open that opens an
// array and counts it in live until it is closed.
func openCounted(live *atomic.Int64) func(path string) (*counted, error) {
	return func(path string) (*counted, error) {
		a, err := array.Open[int64](path, memmap.ReadOnly, nil)
		if err != nil {
			return nil, err
		}
		live.Add(1)
		return &counted{a, live}, nil
	}
}

// arrayT is the type of the test files.
type arrayT = array.Array[int64]

// openArray opens a version as an array.
func openArray(path string) (*array.Array[int64], error) {
	return array.Open[int64](path, memmap.ReadOnly, nil)
}

// checkArray checks that a holds the elems values of version n.
func checkArray(a *array.Array[int64], n uint64, elems int) error {
	d, err := a.Data()
	if err != nil {
		return err
	}
	if len(d) != elems {
		return fmt.Errorf("version %d: %d elements, want %d", n, len(d), elems)
	}
	for i, v := range d {
		if v != value(n, i) {
			return fmt.Errorf("version %d: element %d is %d, want %d", n, i, v, value(n, i))
		}
	}
	return nil
}

// files returns the names in dir, sorted.
func files(t testing.TB, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	must(t, err)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	slices.Sort(names)
	return names
}

// mappedVersions returns how many distinct version files of name this
// process has mapped (Linux's /proc/self/maps), or -1 where it cannot say.
func mappedVersions(name string) int {
	if runtime.GOOS != "linux" {
		return -1
	}
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return -1
	}
	prefix := name + ".v"
	seen := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if i := strings.Index(line, prefix); i >= 0 {
			f := strings.Fields(line[i:])
			seen[f[0]] = true
		}
	}
	return len(seen)
}

// publishN publishes version after version of name with write, checking
// the numbers Publish returns, and returns the last.
func publishN(t testing.TB, name string, k int, write func(string) error, opt *publish.Options) uint64 {
	t.Helper()
	var last uint64
	for range k {
		n, err := publish.Publish(name, write, opt)
		must(t, err)
		if n <= last {
			t.Fatalf("Publish returned version %d after %d", n, last)
		}
		last = n
	}
	return last
}

// inDir returns the path of a file named base in dir.
func inDir(dir, base string) string { return filepath.Join(dir, base) }
