package memmap

import (
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
)

// smallExt2 mounts a new 8 MiB ext2 filesystem (which has no fallocate)
// on a temporary directory and returns the directory; it is unmounted
// when the test ends. It skips the test when not running as root or when
// mkfs.ext2 or mount is missing, unless MEMMAP_REQUIRE_EXT2=1 (set by CI,
// which runs as root on Linux) makes that a failure.
func smallExt2(t *testing.T) string {
	t.Helper()
	return testutil.SmallFS(t, "ext2", 8<<20)
}
