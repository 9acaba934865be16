//go:build unix

package sys

import (
	"bytes"
	"os"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// TestWriteZerosAllocates checks Grow's fallback where fallocate is
// missing: the range is written, so the file system allocates it (no
// hole whose first touch could raise SIGBUS on a full disk).
func TestWriteZerosAllocates(t *testing.T) {
	path := testutil.WriteFile(t, []byte("abc"))
	f := openT(t, path, os.O_RDWR)
	const size = 200<<10 + 3
	if err := writeZeros(f, 3, size); err != nil {
		t.Fatalf("writeZeros: %v", err)
	}
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != size {
		t.Fatalf("size = %d, want %d", fi.Size(), size)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int64(st.Blocks)*512 < size-4096 {
		t.Fatalf("%d bytes allocated for a %d-byte file: the range is a hole", int64(st.Blocks)*512, size)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, size)
	copy(want, "abc")
	if !bytes.Equal(got, want) {
		t.Fatal("file is not the old bytes followed by zeros")
	}
}
