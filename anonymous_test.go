package memmap

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestAnonymousTooLarge asks for more anonymous memory than any test
// machine has: it must fail at once with ErrRange and say why, rather
// than commit memory until the OOM killer comes (issue 14).
func TestAnonymousTooLarge(t *testing.T) {
	const huge = 1 << 45 // 32 TiB
	m, err := Anonymous(huge, nil)
	if err == nil {
		m.Close()
		t.Fatalf("Anonymous(%d) succeeded", int64(huge))
	}
	if !errors.Is(err, ErrRange) || !strings.Contains(err.Error(), "more than the system can back") {
		t.Fatalf("Anonymous(%d) = %v, want ErrRange saying the system cannot back it", int64(huge), err)
	}
	// Growing an anonymous map past the limit fails the same way and
	// leaves the map as it was.
	m, err = Anonymous(10, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	copy(m.Bytes(), "kept")
	err = m.Resize(huge)
	// On 32-bit systems the size does not even fit in an int: any ErrRange.
	if !errors.Is(err, ErrRange) || (strconv.IntSize == 64 && !strings.Contains(err.Error(), "more than the system can back")) {
		t.Fatalf("Resize(%d) = %v, want ErrRange saying the system cannot back it", int64(huge), err)
	}
	if sz, err := m.Size(); err != nil || sz != 10 || string(m.Bytes()[:4]) != "kept" {
		t.Fatalf("after the failed Resize: Size = %d, %v; bytes %q", sz, err, m.Bytes()[:4])
	}
}

// TestAnonymousSparse makes a 1 GiB anonymous map and checks that no
// memory was committed for it: the memfd (or temporary file) has next to
// no blocks allocated until pages are touched.
func TestAnonymousSparse(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the allocation of a memfd is checked on Linux only")
	}
	size := int64(1 << 30)
	if strconv.IntSize == 32 {
		size = 1 << 28 // leave a 32-bit address space room for the map
	}
	m, err := Anonymous(size, nil)
	if err != nil {
		t.Fatalf("Anonymous(%d): %v", size, err)
	}
	defer m.Close()
	used := func() int64 {
		t.Helper()
		fi, err := m.File().Stat()
		if err != nil {
			t.Fatal(err)
		}
		n, ok := allocatedBytes(fi)
		if !ok {
			t.Skip("no st_blocks")
		}
		return n
	}
	if n := used(); n > 1<<20 {
		t.Fatalf("Anonymous(%d) allocated %d bytes up front, want ~0", size, n)
	}
	// Touching a page allocates it, and only it.
	b := m.Bytes()
	b[len(b)/2] = 1
	if n := used(); n == 0 || n > 1<<20 {
		t.Fatalf("after touching one page, %d bytes are allocated", n)
	}
	// Growing does not allocate either.
	if err := m.Resize(2 * size); err != nil {
		t.Fatalf("Resize(%d): %v", 2*size, err)
	}
	if n := used(); n > 1<<20 {
		t.Fatalf("Resize(%d) allocated %d bytes, want ~0", 2*size, n)
	}
}
