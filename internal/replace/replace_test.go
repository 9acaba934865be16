package replace_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/replace"
	"github.com/gomemmap/memmap/internal/sys"
	"github.com/gomemmap/memmap/internal/testutil"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	must(t, err)
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

// TestCommit writes a new file over an old one: the temporary file is in
// the target's directory under a dotted name with the tag, the old file
// stays until Commit, and then only the new one is there.
func TestCommit(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f.bin")
	must(t, os.WriteFile(path, []byte("old"), 0o644))
	tmp, err := replace.Create(path, "tag", 0o644)
	must(t, err)
	if got := filepath.Base(tmp.Name()); !strings.HasPrefix(got, ".f.bin.tag-") || filepath.Dir(tmp.Name()) != dir {
		t.Errorf("temporary name %q, want .f.bin.tag-* in %s", tmp.Name(), dir)
	}
	if tmp.Replaces() == nil || tmp.Target() != path {
		t.Errorf("Replaces %v, Target %q; want the old file at %q", tmp.Replaces(), tmp.Target(), path)
	}
	_, err = tmp.File().WriteString("new")
	must(t, err)
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("before Commit the path reads %q", b)
	}
	must(t, tmp.Commit())
	if b, err := os.ReadFile(path); err != nil || string(b) != "new" {
		t.Fatalf("after Commit the path reads %q, %v", b, err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("after Commit the directory holds %q, want only f.bin", got)
	}
	if err := tmp.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("Abort after Commit changed the file: %q", b)
	}
}

// TestAbort removes the temporary file and leaves the old one; a second
// Abort returns the first one's result, and a file already removed is
// not an error.
func TestAbort(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f.bin")
	must(t, os.WriteFile(path, []byte("old"), 0o644))
	tmp, err := replace.Create(path, "tag", 0o644)
	must(t, err)
	must(t, os.Remove(tmp.Name())) // gone already: not an error
	if err := tmp.Abort(); err != nil {
		t.Fatalf("Abort: %v", err)
	}
	if err := tmp.Abort(); err != nil {
		t.Fatalf("second Abort: %v", err)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "f.bin" {
		t.Errorf("after Abort the directory holds %q, want only f.bin", got)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("Abort changed the file: %q", b)
	}
}

// TestCommitFails makes the rename fail (the target became a directory):
// Commit returns the error and removes the temporary file.
func TestCommitFails(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f.bin")
	tmp, err := replace.Create(path, "tag", 0o644)
	must(t, err)
	if tmp.Replaces() != nil {
		t.Errorf("Replaces %v with no file at the path", tmp.Replaces())
	}
	must(t, os.Mkdir(path, 0o755))
	must(t, os.WriteFile(filepath.Join(path, "x"), nil, 0o644)) // a rename over a non-empty directory fails everywhere
	if err := tmp.Commit(); err == nil {
		t.Fatal("Commit over a directory succeeded")
	}
	if _, err := os.Stat(tmp.Name()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary file after a failed Commit: %v, want it gone", err)
	}
}

// TestNotRegular refuses a target that is a directory, without making a
// temporary file.
func TestNotRegular(t *testing.T) {
	dir := testutil.TempDir(t)
	sub := filepath.Join(dir, "sub")
	must(t, os.Mkdir(sub, 0o755))
	_, err := replace.Create(sub, "tag", 0o644)
	var nr *sys.NotRegularError
	var pe *os.PathError
	if !errors.As(err, &nr) || !errors.As(err, &pe) || pe.Path != sub || nr.Mode&fs.ModeDir == 0 {
		t.Fatalf("Create(directory) = %v, want a *sys.NotRegularError of a directory in an *os.PathError for %s", err, sub)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("the directory holds %q, want only sub", got)
	}
}

// TestTempMode checks that the temporary file is never more open than
// the file it replaces while it is written, and takes perm (less the
// umask; zero means 0o644) where no file was; Commit gives it the old
// file's bits exactly.
func TestTempMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on Windows")
	}
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "secret")
	must(t, os.WriteFile(path, []byte("old"), 0o600))
	must(t, os.Chmod(path, 0o600))
	tmp, err := replace.Create(path, "tag", 0o644)
	must(t, err)
	fi, err := tmp.File().Stat()
	must(t, err)
	if fi.Mode().Perm()&^0o600 != 0 {
		t.Errorf("the temporary file for a 0600 file has mode %v", fi.Mode().Perm())
	}
	must(t, tmp.Commit())
	fi, err = os.Stat(path)
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("after Commit the file has mode %v, want 0600", fi.Mode().Perm())
	}

	fresh := filepath.Join(dir, "fresh")
	tmp, err = replace.Create(fresh, "tag", 0o640)
	must(t, err)
	fi, err = tmp.File().Stat()
	must(t, err)
	if fi.Mode().Perm()&^0o640 != 0 {
		t.Errorf("a new file of perm 0640 has mode %v", fi.Mode().Perm())
	}
	must(t, tmp.Abort())

	tmp, err = replace.Create(fresh, "tag", 0) // the default, 0o644
	must(t, err)
	fi, err = tmp.File().Stat()
	must(t, err)
	if m := fi.Mode().Perm(); m&^0o644 != 0 || m&0o600 != 0o600 {
		t.Errorf("a new file of perm 0 has mode %v, want 0644 less the umask", m)
	}
	must(t, tmp.Abort())
}
