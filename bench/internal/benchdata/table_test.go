package benchdata

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/table"
)

func TestTableKeysDistinct(t *testing.T) {
	seen := map[uint64]bool{}
	for i := range 100_000 {
		k := TableKey(i)
		if seen[k] {
			t.Fatalf("key %d = %#x repeats an earlier key", i, k)
		}
		seen[k] = true
	}
}

func TestCachedTable(t *testing.T) {
	dir := testutil.TempDir(t)
	const n = 2000
	builds := 0
	build := func(tmp string) error {
		builds++
		keys, vals := make([]uint64, n), make([]uint64, n)
		for i := range keys {
			keys[i] = TableKey(i)
			vals[i] = TableValue(keys[i])
		}
		return table.Build(tmp, keys, vals, nil)
	}
	p, err := CachedTable(dir, "t.table", n, build)
	if err != nil || builds != 1 {
		t.Fatalf("first call: %v, %d builds", err, builds)
	}
	if _, err := CachedTable(dir, "t.table", n, build); err != nil || builds != 1 {
		t.Fatalf("second call: %v, %d builds (want the cached file)", err, builds)
	}
	// A file that is not such a table (another format, or a table
	// written by an older library) is built anew.
	bad := filepath.Join(dir, "bad.table")
	if err := os.WriteFile(bad, []byte("not a table"), 0o644); err != nil {
		t.Fatal(err)
	}
	if q, err := CachedTable(dir, "bad.table", n, build); err != nil || builds != 2 || q != bad {
		t.Fatalf("bad file: %v, %d builds, path %s", err, builds, q)
	}
	if err := tableOK(bad, n); err != nil {
		t.Errorf("rebuilt file: %v", err)
	}
	if err := tableOK(p, n+1); err == nil {
		t.Error("a table of n keys passes as one of n+1")
	}
}
