package memmap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestResizeFullDisk grows a map past the free space of a small ext2
// filesystem, which has no fallocate: Resize must fail with ENOSPC (not
// leave a sparse file whose first write raises SIGBUS), and the file
// must keep its old size and bytes.
func TestResizeFullDisk(t *testing.T) {
	dir := smallExt2(t)
	path := filepath.Join(dir, "map")
	m, err := Create(path, 1<<20, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer m.Close()
	copy(m.Bytes(), "kept")
	err = m.Resize(64 << 20)
	if err == nil {
		t.Fatal("Resize past the free space succeeded")
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Resize past the free space = %v, want ENOSPC", err)
	}
	var pe *os.PathError
	if !errors.As(err, &pe) || pe.Path != path {
		t.Errorf("error %v does not name the path", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != 1<<20 {
		t.Fatalf("file size after the failed Resize = %d, want %d", fi.Size(), 1<<20)
	}
	if m.Len() != 1<<20 || !bytes.HasPrefix(m.Bytes(), []byte("kept")) {
		t.Fatalf("map after the failed Resize: Len %d, bytes %q", m.Len(), m.Bytes()[:4])
	}
	// The space is free again: a Resize that fits works.
	if err := m.Resize(2 << 20); err != nil {
		t.Fatalf("Resize within the free space: %v", err)
	}
	m.Bytes()[2<<20-1] = 1
	if err := m.Flush(); err != nil {
		t.Fatalf("Flush: %v", err)
	}
}

// TestCreateFullDisk runs Create out of space on a small ext2 filesystem,
// over an existing file and for a new one: it must fail with ENOSPC,
// leave the existing file's bytes as they were, and leave no new or
// temporary file behind.
func TestCreateFullDisk(t *testing.T) {
	dir := smallExt2(t)
	path := filepath.Join(dir, "f")
	old := pattern(1 << 20)
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"f", "new"} {
		m, err := Create(filepath.Join(dir, name), 64<<20, nil)
		if err == nil {
			m.Close()
			t.Fatalf("Create(%s) past the free space succeeded", name)
		}
		if !errors.Is(err, syscall.ENOSPC) {
			t.Errorf("Create(%s) past the free space = %v, want ENOSPC", name, err)
		}
	}
	if d := diffBytes(readFile(t, path), old); d != "" {
		t.Errorf("a failed Create changed the file (-want +got):\n%s", d)
	}
	checkOnly(t, dir, "f", "lost+found")
}
