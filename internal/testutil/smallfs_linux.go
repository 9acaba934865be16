package testutil

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// SmallFS mounts a new filesystem of size bytes on a temporary directory
// and returns the directory; it is unmounted when the test ends. fstype is
// "tmpfs", or "ext2" or "ext4" (an image file on a loop device, made with
// mkfs from e2fsprogs; ext2 has no fallocate). It skips the test when not
// running as root or when mkfs or mount is missing, unless
// MEMMAP_REQUIRE_EXT2=1 (set by CI, which runs as root on Linux) makes
// that a failure.
func SmallFS(t testing.TB, fstype string, size int64) string {
	t.Helper()
	skip := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("MEMMAP_REQUIRE_EXT2") == "1" {
			t.Fatalf(format+" (MEMMAP_REQUIRE_EXT2=1)", args...)
		}
		t.Skipf(format, args...)
	}
	if os.Geteuid() != 0 {
		skip("mounting a small %s needs root", fstype)
	}
	mount, err := exec.LookPath("mount")
	if err != nil {
		skip("no mount: %v", err)
	}
	dir := TempDir(t)
	mnt := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	var args []string
	switch fstype {
	case "tmpfs":
		args = []string{"-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", mnt}
	case "ext2", "ext4":
		mkfs, err := exec.LookPath("/usr/sbin/mkfs." + fstype)
		if err != nil {
			if mkfs, err = exec.LookPath("mkfs." + fstype); err != nil {
				skip("no mkfs.%s (e2fsprogs): %v", fstype, err)
			}
		}
		img := filepath.Join(dir, fstype+".img")
		if err := os.WriteFile(img, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(img, size); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(mkfs, "-q", "-F", img).CombinedOutput(); err != nil {
			skip("mkfs.%s: %v\n%s", fstype, err, out)
		}
		args = []string{"-o", "loop", img, mnt}
	default:
		t.Fatalf("SmallFS: unknown filesystem %q", fstype)
	}
	if out, err := exec.Command(mount, args...).CombinedOutput(); err != nil {
		skip("mount %s (no loop devices?): %v\n%s", fstype, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", mnt, err, out)
		}
	})
	return mnt
}
