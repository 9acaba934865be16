package memmap_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestOffset checks that Map.Offset is where the map's bytes are in the
// file: reading the file there gives them (the pread path of array.Take
// relies on it).
func TestOffset(t *testing.T) {
	b := make([]byte, 3*8192)
	for i := range b {
		b[i] = byte(i * 7 / 5)
	}
	path := testutil.WriteFile(t, b)
	for _, off := range []int64{0, 100, 8192, 8193} {
		m, err := memmap.Open(path, memmap.ReadOnly, &memmap.Options{Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Offset(); got != off {
			t.Errorf("Offset() = %d, want %d", got, off)
		}
		p := make([]byte, 64)
		if _, err := m.File().ReadAt(p, m.Offset()+50); err != nil || !bytes.Equal(p, m.Bytes()[50:114]) {
			t.Errorf("offset %d: the file at Offset()+50 (%v) is not the map's bytes at 50", off, err)
		}
		m.Close()
	}
	c, err := memmap.Create(filepath.Join(testutil.TempDir(t), "c"), 10, &memmap.Options{Offset: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if c.Offset() != 5000 {
		t.Errorf("Create at offset 5000: Offset() = %d", c.Offset())
	}
	c.Close()
	a, err := memmap.Anonymous(10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Offset() != 0 {
		t.Errorf("Anonymous: Offset() = %d, want 0", a.Offset())
	}
	a.Close()
}
