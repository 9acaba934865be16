package memmap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap/internal/testutil"
)

// TestBulkWriteAfterTruncate is issue 18 item 4 for Map: a WriteAt of 64
// KiB or more (the pwrite path) into a file that another process
// truncated, before the write or between its size check and its pwrite,
// returns an error wrapping ErrTruncated and does not regrow the file with
// a hole where its data was. Before, it returned success and the file
// came back at full size, zeros where the data had been.
func TestBulkWriteAfterTruncate(t *testing.T) {
	const size = 1 << 20
	data := bytes.Repeat([]byte{0xAB}, bulkWrite)
	for _, c := range []struct {
		name   string
		off    int64 // of the write
		cut    int64 // the file is truncated to cut bytes
		racing bool  // truncated inside put, after its size check
	}{
		{"truncated to 0, write at the end", size - bulkWrite, 0, false},
		{"truncated to 0, write at 0", 0, 0, false},
		{"truncated into the write, racing", size - bulkWrite, size - bulkWrite/2, true},
		{"truncated to 0, racing, write at the end", size - bulkWrite, 0, true},
		{"truncated to 0, racing, write at 0", 0, 0, true},
		{"truncated past the write, racing", 0, size / 2, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(testutil.TempDir(t), "f")
			if err := os.WriteFile(path, bytes.Repeat([]byte{1}, size), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Open(path, ReadWrite, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			cut := func() {
				if err := os.Truncate(path, c.cut); err != nil {
					t.Fatal(err)
				}
			}
			if c.racing {
				seam.Put = cut
				defer func() { seam.Put = nil }()
			} else {
				cut()
			}
			if _, err := m.WriteAt(data, c.off); !errors.Is(err, ErrTruncated) {
				t.Fatalf("WriteAt of %d bytes at %d after a truncation to %d: %v, want an error wrapping ErrTruncated", len(data), c.off, c.cut, err)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() >= size {
				t.Fatalf("after the failed write the file has %d bytes (%v): the write regrew the truncated file", fi.Size(), err)
			}
		})
	}
}

// TestBulkWriteFullDisk is issue 18 item 6: a WriteAt of 1 MiB into a
// sparse mapped file on a full filesystem returns pwrite's ENOSPC; before,
// the error was dropped and the fallback copy into the map died of
// SIGBUS (tmpfs, ext2, ext4).
func TestBulkWriteFullDisk(t *testing.T) {
	for _, fs := range []string{"tmpfs", "ext2", "ext4"} {
		t.Run(fs, func(t *testing.T) {
			dir := testutil.SmallFS(t, fs, 4<<20)
			path := filepath.Join(dir, "sparse")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(64 << 20); err != nil { // sparse: no blocks
				t.Fatal(err)
			}
			f.Close()
			m, err := Open(path, ReadWrite, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			p := bytes.Repeat([]byte{7}, 1<<20)
			var werr error
			for i := range 64 {
				if _, werr = m.WriteAt(p, int64(i)<<20); werr != nil {
					break
				}
			}
			if !errors.Is(werr, syscall.ENOSPC) {
				t.Fatalf("1 MiB writes into a sparse file on a full %s: %v, want an error wrapping ENOSPC", fs, werr)
			}
		})
	}
}
