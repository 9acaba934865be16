package memmap

import (
	"os"
	"os/exec"
	"path/filepath"
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
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("MEMMAP_REQUIRE_EXT2") == "1" {
			t.Fatalf(format+" (MEMMAP_REQUIRE_EXT2=1)", args...)
		}
		t.Skipf(format, args...)
	}
	if os.Geteuid() != 0 {
		skip("mounting a small ext2 image needs root")
	}
	mkfs, err := exec.LookPath("/usr/sbin/mkfs.ext2")
	if err != nil {
		if mkfs, err = exec.LookPath("mkfs.ext2"); err != nil {
			skip("no mkfs.ext2 (e2fsprogs): %v", err)
		}
	}
	mount, err := exec.LookPath("mount")
	if err != nil {
		skip("no mount: %v", err)
	}
	dir := testutil.TempDir(t)
	img, mnt := filepath.Join(dir, "ext2.img"), filepath.Join(dir, "mnt")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 8<<20); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(mkfs, "-q", "-F", img).CombinedOutput(); err != nil {
		skip("mkfs.ext2: %v\n%s", err, out)
	}
	if out, err := exec.Command(mount, "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		skip("mount -o loop (no loop devices?): %v\n%s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})
	return mnt
}
