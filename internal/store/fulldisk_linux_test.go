package store

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// TestAppendFillsDisk is issue 18 item 5: appends on a nearly full
// filesystem go on until the rows themselves no longer fit. Before, an
// Append failed with ENOSPC as soon as the geometric capacity step (which
// doubles the file) could not be allocated, with half the free space left
// (52-66% used, on tmpfs, ext2 and ext4).
func TestAppendFillsDisk(t *testing.T) {
	for _, fs := range []string{"tmpfs", "ext2", "ext4"} {
		t.Run(fs, func(t *testing.T) {
			dir := testutil.SmallFS(t, fs, 8<<20)
			var st syscall.Statfs_t
			must(t, syscall.Statfs(dir, &st))
			free := int64(st.Bavail) * int64(st.Bsize)
			s, err := Create(filepath.Join(dir, "full.npy"), &header.Header{DType: i4(t), Shape: []int64{0}}, nil)
			must(t, err)
			defer s.Close()
			chunk := rows(0, 1024, 1) // 4 KiB: the copying path, below bulkMin
			for {
				if err = s.Append(chunk); err != nil {
					break
				}
			}
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Append on a full %s: %v, want an error wrapping ENOSPC", fs, err)
			}
			used := s.Len() * 4
			t.Logf("%s: %d of %d free bytes appended (%.1f%%)", fs, used, free, 100*float64(used)/float64(free))
			if used < free*85/100 {
				t.Fatalf("Append failed with ENOSPC after %d bytes of rows, with %d free at the start: want at least 85%%", used, free)
			}
		})
	}
}
