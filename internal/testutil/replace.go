package testutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// CheckCreateReplaces checks that a writer's Create follows a symbolic
// link at its path, as memmap.Create does, so that Close replaces the file
// the link names and the link stays a link, and that a replaced file
// keeps its permission bits whatever the writer's Perm says. write must
// create the file at path with Perm 0o600 and close it; open must open it
// and close it again; ext is the files' name extension. The link cases
// skip where os.Symlink makes no link (Wine).
func CheckCreateReplaces(t *testing.T, ext string, write func(t *testing.T, path string), open func(path string) error) {
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, path string, mode os.FileMode) {
		t.Helper()
		if err := open(path); err != nil {
			t.Fatalf("the new file: %v", err)
		}
		fi, err := os.Stat(path)
		must(t, err)
		if runtime.GOOS != "windows" && fi.Mode().Perm() != mode {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), mode)
		}
	}
	old := func(t *testing.T, path string) {
		t.Helper()
		must(t, os.WriteFile(path, []byte("old"), 0o644))
		must(t, os.Chmod(path, 0o755)) // no umask makes this of 0o600 or 0o644
	}
	link := func(t *testing.T, dest, path string) {
		t.Helper()
		if err := os.Symlink(dest, path); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Skipf("os.Symlink made no link that Lstat sees (Wine): %v, %v", fi, err)
		}
	}
	checkLink := func(t *testing.T, path, dest string) {
		t.Helper()
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("%s after Close has mode %v; want the symbolic link", path, fi.Mode())
		}
		if got, err := os.Readlink(path); err != nil || got != dest {
			t.Errorf("the link points to %q, %v; want %q", got, err, dest)
		}
	}
	noTemp := func(t *testing.T, dirs ...string) {
		t.Helper()
		for _, dir := range dirs {
			if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) != 0 {
				t.Errorf("temporary files left: %q", m)
			}
		}
	}

	t.Run("mode", func(t *testing.T) {
		path := filepath.Join(TempDir(t), "m"+ext)
		old(t, path)
		write(t, path)
		check(t, path, 0o755)
	})
	t.Run("relative link", func(t *testing.T) {
		dir := TempDir(t)
		real, path := filepath.Join(dir, "real"+ext), filepath.Join(dir, "m"+ext)
		old(t, real)
		link(t, "real"+ext, path)
		write(t, path)
		checkLink(t, path, "real"+ext)
		check(t, real, 0o755)
		noTemp(t, dir)
	})
	t.Run("link to another directory", func(t *testing.T) {
		dir, other := TempDir(t), TempDir(t)
		real, path := filepath.Join(other, "real"+ext), filepath.Join(dir, "m"+ext)
		old(t, real)
		link(t, real, path)
		mid := filepath.Join(dir, "mid"+ext) // a link to a link
		link(t, path, mid)
		write(t, mid)
		checkLink(t, mid, path)
		checkLink(t, path, real)
		check(t, real, 0o755)
		noTemp(t, dir, other)
	})
	t.Run("dangling link", func(t *testing.T) {
		dir, other := TempDir(t), TempDir(t)
		real, path := filepath.Join(other, "new"+ext), filepath.Join(dir, "m"+ext)
		link(t, real, path)
		write(t, path)
		checkLink(t, path, real)
		check(t, real, 0o600) // Perm, for a file that did not exist
		noTemp(t, dir, other)
	})
}

// Aborter is a writer that builds its output under a temporary name and
// can give it up (npz.Writer, safetensors.Writer).
type Aborter interface{ Abort() error }

// CheckAbort checks a Writer's Abort as the Vocabulary of package memmap
// says it works: a temporary file someone else removed is not an error;
// one Abort cannot remove gives an *os.PathError (matching fs.ErrExist:
// a non-empty directory stands where it was), and a second Abort returns
// nil. create must start a writer at path; ext is the files' name
// extension. On Windows, where the temporary file is open and cannot be
// removed under the writer, its two cases skip.
func CheckAbort(t *testing.T, ext string, create func(t *testing.T, path string) Aborter) {
	tempOf := func(t *testing.T, dir string) string {
		t.Helper()
		if runtime.GOOS == "windows" {
			t.Skip("the temporary file is open: Windows does not remove it")
		}
		m, err := filepath.Glob(filepath.Join(dir, ".*"))
		if err != nil || len(m) != 1 {
			t.Fatalf("temporary files in %s: %q, %v; want one", dir, m, err)
		}
		return m[0]
	}
	t.Run("gone", func(t *testing.T) {
		dir := TempDir(t)
		w := create(t, filepath.Join(dir, "w"+ext))
		if err := os.Remove(tempOf(t, dir)); err != nil {
			t.Fatal(err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("Abort of a removed temporary file: %v, want nil", err)
		}
	})
	t.Run("fails", func(t *testing.T) {
		dir := TempDir(t)
		w := create(t, filepath.Join(dir, "w"+ext))
		// A non-empty directory where the temporary file was: removing
		// it fails, as root too.
		tmp := tempOf(t, dir)
		if err := os.Remove(tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(tmp, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "x"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		err := w.Abort()
		var pe *os.PathError
		if !errors.Is(err, fs.ErrExist) || !errors.As(err, &pe) { // ENOTEMPTY
			t.Errorf("Abort that cannot remove its temporary file: %v, want an *os.PathError matching fs.ErrExist", err)
		}
		if err := w.Abort(); err != nil {
			t.Errorf("second Abort: %v, want nil", err)
		}
	})
}
