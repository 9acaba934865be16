package table_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/table"
)

// TestTruncated: a table file cut anywhere does not open (the archive's
// directory is at its end), with an error, not a panic.
func TestTruncated(t *testing.T) {
	path, _ := buildFeatures(t, 1000, nil)
	b, err := os.ReadFile(path)
	must(t, err)
	dir := testutil.TempDir(t)
	for _, n := range []int{0, 1, 30, len(b) / 3, len(b) / 2, len(b) - 100, len(b) - 1} {
		p := filepath.Join(dir, "cut")
		must(t, os.WriteFile(p, b[:n], 0o644))
		tb, err := table.Open[uint64, Feature](p)
		if err == nil {
			tb.Close()
			t.Fatalf("a table cut to %d of %d bytes opens", n, len(b))
		}
		if _, err := table.Stat(p); err == nil {
			t.Fatalf("Stat of a table cut to %d bytes: no error", n)
		}
	}
}

// TestCorrupt: a changed byte in a member's data is found by Verify
// (the member's CRC-32), and a table whose meta record says nonsense
// does not open.
func TestCorrupt(t *testing.T) {
	path, keys := buildFeatures(t, 1000, nil)
	f, err := npz.Open(path)
	must(t, err)
	ents, err := f.Info("entries")
	must(t, err)
	meta, err := f.Info("meta")
	must(t, err)
	f.Close()
	b, err := os.ReadFile(path)
	must(t, err)

	c := append([]byte(nil), b...)
	c[ents.DataOffset+8*100] ^= 0x40 // a value's byte
	p := filepath.Join(testutil.TempDir(t), "c.table")
	must(t, os.WriteFile(p, c, 0o644))
	tb, err := table.Open[uint64, Feature](p)
	must(t, err)
	if err := tb.Verify(); !errors.Is(err, table.ErrFormat) {
		t.Errorf("Verify of a changed value: %v, want ErrFormat", err)
	}
	tb.Close()

	c = append(c[:0], b...)
	c[ents.DataOffset] ^= 1 // entry 0's key: Verify finds it leads elsewhere
	must(t, os.WriteFile(p, c, 0o644))
	tb, err = table.Open[uint64, Feature](p)
	must(t, err)
	if err := tb.Verify(); !errors.Is(err, table.ErrFormat) {
		t.Errorf("Verify of a changed key: %v, want ErrFormat", err)
	}
	found := 0
	for _, k := range keys {
		if _, ok := tb.Get(k); ok {
			found++
		}
	}
	if found != len(keys)-1 {
		t.Errorf("with one key changed, %d of %d keys found, want all but one", found, len(keys))
	}
	tb.Close()

	for off, what := range map[int64]string{0: "magic", 8: "version", 12: "key kind", 16: "value kind", 40: "parts", 48: "buckets", 56: "slots"} {
		c = append(c[:0], b...)
		c[meta.DataOffset+off] ^= 0x21
		must(t, os.WriteFile(p, c, 0o644))
		if tb, err := table.Open[uint64, Feature](p); err == nil {
			tb.Close()
			t.Errorf("a table with its %s changed opens", what)
		} else if !errors.Is(err, table.ErrFormat) && !errors.Is(err, table.ErrKeyType) {
			t.Errorf("a table with its %s changed: %v, want ErrFormat", what, err)
		}
	}
}

// FuzzOpen opens mutated table files of every kind: any error, never a
// panic, and lookups, All, GetMany and Verify on whatever opens.
func FuzzOpen(f *testing.F) {
	dir := testutil.TempDir(f)
	seed := func(name string, build func(path string) error) {
		p := filepath.Join(dir, name)
		if err := build(p); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed("kv", func(p string) error { return table.Build(p, []uint64{1, 2, 3}, []Feature{{A: 1}, {A: 2}, {A: 3}}, nil) })
	seed("sb", func(p string) error {
		return table.Build(p, []string{"a", "bc", ""}, [][]byte{[]byte("x"), nil, []byte("yz")}, nil)
	})
	seed("kb", func(p string) error { return table.Build(p, []int64{-1, 5}, [][]byte{[]byte("x"), []byte("yz")}, nil) })
	seed("sv", func(p string) error { return table.Build(p, []string{"a", "bc"}, []uint32{1, 2}, nil) })
	// One file per process, rewritten by each input (a new directory per
	// input costs more than the rest).
	p := filepath.Join(dir, "fuzz.table")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		// Stat says which types the file claims, so that the lookups
		// run on every mutation that keeps the meta record readable.
		in, err := table.Stat(p)
		switch {
		case err != nil:
			exercise[uint64, Feature](p, []uint64{1, 2, 3, 4}) // still, Open must fail cleanly
		case in.KeyKind == "string" && in.Value == nil:
			exercise[string, []byte](p, []string{"a", "bc", "", "q"})
		case in.KeyKind == "string":
			exercise[string, uint32](p, []string{"a", "bc", "z"})
		case in.Value == nil:
			exercise[int64, []byte](p, []int64{-1, 5, 6})
		default:
			exercise[uint64, Feature](p, []uint64{1, 2, 3, 4})
		}
	})
}

func exercise[K table.Key, V any](path string, keys []K) {
	tb, err := table.Open[K, V](path)
	if err != nil {
		return
	}
	defer tb.Close()
	for _, k := range keys {
		tb.Get(k)
		tb.Ref(k)
	}
	tb.GetMany(keys, make([]V, len(keys)), make([]bool, len(keys)))
	for range tb.All() {
	}
	tb.Verify()
	tb.Info()
}
