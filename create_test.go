package memmap

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap/internal/testutil"
)

// dirNames returns the sorted names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// checkOnly fails the test unless dir holds exactly the names want (no
// temporary files left over).
func checkOnly(t *testing.T, dir string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

// TestCreateFailureKeepsFile makes Create fail in its portable ways over
// an existing file: the file must keep its bytes, and no temporary file
// may stay behind.
func TestCreateFailureKeepsFile(t *testing.T) {
	errInit := errors.New("init failed")
	for _, tc := range []struct {
		name string
		size int64
		opt  *Options
		want error
	}{
		{"init", 100, &Options{Init: func(b []byte) error { copy(b, "partial"); return errInit }}, errInit},
		{"size", 1 << 62, nil, nil},
		{"offset", 10, &Options{Offset: -1}, ErrRange},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.TempDir(t)
			path := filepath.Join(dir, "f")
			if err := os.WriteFile(path, pattern(5000), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := Create(path, tc.size, tc.opt)
			if err == nil {
				m.Close()
				t.Fatal("Create succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Create = %v, want %v", err, tc.want)
			}
			if d := diffBytes(readFile(t, path), pattern(5000)); d != "" {
				t.Errorf("a failed Create changed the file (-want +got):\n%s", d)
			}
			checkOnly(t, dir, "f")
		})
	}
}

// TestCreateInitPanics: a panic in Init propagates, and leaves the old
// file as it was and no temporary file behind.
func TestCreateInitPanics(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want Init's panic", r)
			}
		}()
		m, _ := Create(path, 10, &Options{Lock: true, Init: func([]byte) error { panic("boom") }})
		if m != nil {
			m.Close()
		}
		t.Error("Create returned after Init panicked")
	}()
	if got := string(readFile(t, path)); got != "old" {
		t.Errorf("file holds %q after the panic", got)
	}
	checkOnly(t, dir, "f")
	// Nothing stays locked either.
	m, err := Open(path, ReadWrite, &Options{Lock: true})
	if err != nil {
		t.Fatalf("Open(Lock) after the panic: %v", err)
	}
	m.Close()
}

// TestCreateFailureLeavesNoFile: a Create of a new file that fails must
// not leave the file (or a temporary one) behind.
func TestCreateFailureLeavesNoFile(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "new")
	for _, opt := range []*Options{nil, {Init: func([]byte) error { return errors.New("no") }}} {
		size := int64(1 << 62) // no file system allocates 4 EiB
		if opt != nil {
			size = 10
		}
		if m, err := Create(path, size, opt); err == nil {
			m.Close()
			t.Fatalf("Create(%d) succeeded", size)
		}
		checkOnly(t, dir)
	}
}

// TestCreateInit checks that Init's bytes are in the file as soon as
// Create returns, flushed before the file took the path's name.
func TestCreateInit(t *testing.T) {
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}
	var steps []string
	seam.Create = func(step string) {
		steps = append(steps, step)
		if step == "rename" {
			// Nothing has replaced the old file yet.
			if got := string(readFile(t, path)); got != "old contents" {
				t.Errorf("before the rename the path holds %q", got)
			}
		}
	}
	defer func() { seam.Create = nil }()
	m, err := Create(path, 64, &Options{Offset: 3, Init: func(b []byte) error {
		if len(b) != 64 {
			t.Errorf("Init got %d bytes, want 64", len(b))
		}
		copy(b, "header")
		return nil
	}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	defer m.Close()
	if want := []string{"init", "flushed", "rename"}; !slices.Equal(steps, want) {
		t.Errorf("Create's steps = %q, want %q (flushed before the rename)", steps, want)
	}
	want := make([]byte, 3+64)
	copy(want[3:], "header")
	if d := diffBytes(readFile(t, path), want); d != "" {
		t.Errorf("file after Create (-want +got):\n%s", d)
	}
	if !bytes.HasPrefix(m.Bytes(), []byte("header")) {
		t.Errorf("map after Create starts with %q", m.Bytes()[:6])
	}
	// The map is the file at path: writes through it reach the path.
	copy(m.Bytes()[10:], "more")
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path)[13:17]; string(got) != "more" {
		t.Errorf("write through the map: file has %q", got)
	}
	checkOnly(t, dir, "f")
}

// TestCreateReplaces covers what replacing an existing file keeps:
// permission bits, symbolic links (the target is replaced), and the old
// data for other hard links.
func TestCreateReplaces(t *testing.T) {
	init := func(b []byte) error { copy(b, "new"); return nil }
	t.Run("perm", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no unix permission bits on windows")
		}
		dir := testutil.TempDir(t)
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil {
			t.Fatal(err)
		}
		m, err := Create(path, 3, &Options{Perm: 0o666, Init: init})
		if err != nil {
			t.Fatal(err)
		}
		m.Close()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("replaced file has mode %v, want the old -rw-r-----", fi.Mode())
		}
	})
	t.Run("symlink", func(t *testing.T) {
		dir := testutil.TempDir(t)
		target := filepath.Join(dir, "target")
		link := filepath.Join(dir, "link")
		if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("target", link); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Skipf("os.Symlink made no link that Lstat sees (Wine): %v, %v", fi, err)
		}
		m, err := Create(link, 3, &Options{Init: init})
		if err != nil {
			t.Fatalf("Create through a link: %v", err)
		}
		m.Close()
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link is no longer a link: %v, %v", fi, err)
		}
		if got := string(readFile(t, target)); got != "new" {
			t.Errorf("target holds %q, want %q", got, "new")
		}
		checkOnly(t, dir, "link", "target")
	})
	t.Run("dangling symlink", func(t *testing.T) {
		dir := testutil.TempDir(t)
		link := filepath.Join(dir, "link")
		if err := os.Symlink("target", link); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Skipf("os.Symlink made no link that Lstat sees (Wine): %v, %v", fi, err)
		}
		m, err := Create(link, 3, &Options{Init: init})
		if err != nil {
			t.Fatalf("Create through a dangling link: %v", err)
		}
		m.Close()
		if got := string(readFile(t, filepath.Join(dir, "target"))); got != "new" {
			t.Errorf("target holds %q, want %q", got, "new")
		}
		checkOnly(t, dir, "link", "target")
	})
	t.Run("long name", func(t *testing.T) {
		dir := testutil.TempDir(t)
		path := filepath.Join(dir, strings.Repeat("n", 250))
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Skipf("no 250-byte names here: %v", err)
		}
		m, err := Create(path, 3, &Options{Init: init})
		if err != nil {
			t.Fatalf("Create of a 250-byte name: %v", err)
		}
		m.Close()
		if got := string(readFile(t, path)); got != "new" {
			t.Errorf("file holds %q, want %q", got, "new")
		}
	})
	t.Run("hardlink", func(t *testing.T) {
		dir := testutil.TempDir(t)
		path := filepath.Join(dir, "f")
		other := filepath.Join(dir, "other")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Link(path, other); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
		m, err := Create(path, 3, &Options{Init: init})
		if err != nil {
			t.Fatal(err)
		}
		m.Close()
		if got := string(readFile(t, path)); got != "new" {
			t.Errorf("path holds %q, want %q", got, "new")
		}
		if got := string(readFile(t, other)); got != "old" {
			t.Errorf("the other hard link holds %q, want the old data", got)
		}
	})
	t.Run("read-only", func(t *testing.T) {
		dir := testutil.TempDir(t)
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, []byte("old"), 0o444); err != nil {
			t.Fatal(err)
		}
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			f.Close()
			t.Skip("this user may write read-only files (root, or Wine run by root)")
		}
		m, err := Create(path, 3, &Options{Init: init})
		if !errors.Is(err, os.ErrPermission) {
			if m != nil {
				m.Close()
			}
			t.Fatalf("Create over a read-only file = %v, want ErrPermission", err)
		}
		if got := string(readFile(t, path)); got != "old" {
			t.Errorf("read-only file holds %q after Create", got)
		}
		checkOnly(t, dir, "f")
	})
	t.Run("not regular", func(t *testing.T) {
		dir := testutil.TempDir(t)
		sub := filepath.Join(dir, "sub")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := Create(sub, 3, nil)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("Create(directory) = %v, want ErrNotRegular saying it is a directory", err)
		}
		checkOnly(t, dir, "sub")
	})
}

// TestCreateLockedKeepsFile: a Create(Lock) beside a writer fails with
// ErrLocked and changes nothing, leaving no temporary file.
func TestCreateLockedKeepsFile(t *testing.T) {
	if runtime.GOOS == "aix" {
		t.Skip("no flock on aix")
	}
	dir := testutil.TempDir(t)
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, pattern(100), 0o644); err != nil {
		t.Fatal(err)
	}
	w := mustOpen(t, path, ReadWrite, &Options{Lock: true})
	m, err := Create(path, 10, &Options{Lock: true, Init: func(b []byte) error {
		t.Error("Init ran although the file is locked")
		return nil
	}})
	if !errors.Is(err, ErrLocked) {
		if m != nil {
			m.Close()
		}
		t.Fatalf("Create(Lock) beside a writer = %v, want ErrLocked", err)
	}
	if d := diffBytes(readFile(t, path), pattern(100)); d != "" {
		t.Errorf("file after the locked Create (-want +got):\n%s", d)
	}
	checkOnly(t, dir, "f")
	w.Close()
	// Once the writer is gone, Create replaces the file and holds the
	// lock of the new one.
	c, err := Create(path, 10, &Options{Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if m, err := Open(path, ReadWrite, &Options{Lock: true}); !errors.Is(err, ErrLocked) {
		if m != nil {
			m.Close()
		}
		t.Errorf("Open(Lock) beside a Create(Lock) = %v, want ErrLocked", err)
	}
}
