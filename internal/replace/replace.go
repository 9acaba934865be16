// Package replace builds a new file beside the file it will replace and
// renames it into place atomically: the one way the module's writers
// (memmap.Create, the npz and safetensors Writers) put a file at a path,
// and the way a writer that publishes new versions of a file (the lookup
// tables' pointer file) is to do it.
//
// The steps, and the rules of the root package's "# Vocabulary" that they
// keep:
//   - [Create] follows the symbolic links at the end of the path: the
//     file they name is the target, replaced in the end, and a link stays
//     a link. The temporary file is made in the target's directory (a
//     rename does not cross file systems) under a name that starts with a
//     dot, the target's name and a tag, with the permission bits less the
//     umask of the file it will replace, or where there is none, of perm
//     (on Windows, they decide only the read-only attribute): never more
//     open than the file it replaces, also while it is being written.
//     A target that is there but is not a regular file is refused.
//   - [Temp.KeepMode] gives it the permission bits of the file it
//     replaces, and its owner and group as far as the caller may set them,
//     so that perm applies only where no file was.
//   - [Temp.Commit] (or [Temp.Rename], for a caller that keeps the file
//     open) fsyncs it, renames it over the target and fsyncs the
//     directory, where the OS allows, so that a crash leaves the old file
//     or the whole new one, never a part (it can leave the temporary file
//     behind).
//   - [Temp.Abort] closes and removes the temporary file, leaving the
//     target untouched.
//
// On Windows a file that is open cannot be replaced: the rename fails,
// changing nothing, while any handle has the target open. Nothing here is
// platform code: that is internal/sys's (OpenFile, CopyOwner, SyncDir).
//
// A Temp is not safe for concurrent use.
package replace

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/gomemmap/memmap/internal/sys"
)

// Temp is a new file under a temporary name, which Commit or Rename puts
// at its target and Abort removes.
type Temp struct {
	path   string // as the caller gave it, for errors
	target string // path with the symbolic links at its end followed
	name   string // the temporary file's
	f      *os.File
	old    fs.FileInfo // the file at the target when Create ran; nil if none
	closed bool        // f is closed (Commit, Abort) or its closing failed
	done   bool        // renamed into place, or aborted
	err    error       // the first error of Abort, which it returns again
}

// Create follows the symbolic links at the end of path to its target and
// creates a new empty file, open for reading and writing, in the target's
// directory, named "."+base+"."+tag+"-" and a random suffix, where base is
// the target's name (cut to 200 bytes to stay under the usual limit of
// 255), with the permission bits, less the umask, of the file at the
// target or, with none there, perm (zero means 0o644, the default of
// every Perm option). Errors are *os.PathError values for path; a target
// that exists but is not a regular file is refused with a
// *sys.NotRegularError.
func Create(path, tag string, perm fs.FileMode) (*Temp, error) {
	if perm == 0 {
		perm = 0o644
	}
	target, err := followLinks(path)
	if err != nil {
		return nil, err
	}
	old, err := os.Stat(target)
	switch {
	case err == nil:
		if !old.Mode().IsRegular() {
			return nil, &os.PathError{Op: "create", Path: path, Err: &sys.NotRegularError{Mode: old.Mode().Type()}}
		}
		// Never more open than the file it replaces, also while it is
		// written: a reader that opens it now keeps its descriptor.
		perm = old.Mode().Perm()
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	default:
		return nil, pathErr("create", path, err)
	}
	dir, base := filepath.Dir(target), filepath.Base(target)
	if len(base) > 200 {
		base = base[:200]
	}
	for try := 0; ; try++ {
		name := filepath.Join(dir, "."+base+"."+tag+"-"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := sys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return nil, pathErr("create", path, err)
		}
		return &Temp{path: path, target: target, name: name, f: f, old: old}, nil
	}
}

// File returns the temporary file.
func (t *Temp) File() *os.File { return t.f }

// Replaces returns what os.Stat said of the file at the target when
// Create ran, a regular file, or nil if there was none.
func (t *Temp) Replaces() fs.FileInfo { return t.old }

// Name returns the temporary file's name.
func (t *Temp) Name() string { return t.name }

// Target returns the file the temporary file will replace: the path given
// to Create with the symbolic links at its end followed.
func (t *Temp) Target() string { return t.target }

// KeepMode gives the temporary file the permission bits of the file at
// the target (and its owner and group, as far as the caller may set them);
// with no file there, the file keeps the mode it was created with.
func (t *Temp) KeepMode() error {
	if err := keepMode(t.f, t.target); err != nil {
		return t.pathErr("chmod", err)
	}
	return nil
}

// Commit puts the file, whose content the caller has written, at the
// target: it gives the file the mode of the file it replaces (KeepMode),
// fsyncs and closes it, renames it over the target and fsyncs the
// directory (best effort: the rename is done). On a failure it closes and
// removes the temporary file and returns the error, the target untouched.
func (t *Temp) Commit() error {
	if err := t.KeepMode(); err != nil {
		return t.fail(err)
	}
	if err := t.f.Sync(); err != nil {
		return t.fail(t.pathErr("fsync", err))
	}
	t.closed = true
	if err := t.f.Close(); err != nil {
		return t.fail(t.pathErr("close", err))
	}
	if err := t.Rename(true); err != nil {
		return t.fail(err)
	}
	return nil
}

// Rename renames the file over the target, for a caller that keeps it
// open (a map of it outlives the rename), and with syncDir then fsyncs
// the directory (best effort: the rename is done), which makes the new
// name durable once the caller has fsynced the file. On a failure it
// returns the error, the target untouched, and the caller aborts.
func (t *Temp) Rename(syncDir bool) error {
	if err := os.Rename(t.name, t.target); err != nil {
		return err
	}
	t.done = true
	if syncDir {
		_ = sys.SyncDir(filepath.Dir(t.target))
	}
	return nil
}

// fail removes the temporary file after a failed step and returns err.
func (t *Temp) fail(err error) error {
	_ = t.Abort()
	return err
}

// Abort closes the temporary file, unless Commit has, and removes it,
// and returns the first error met doing so (the OS's *os.PathError,
// which names the temporary file; a file already closed or gone is not
// an error). After Commit or Rename it does nothing and returns nil; a
// second Abort returns the first one's result.
func (t *Temp) Abort() error {
	if t.done {
		return t.err
	}
	t.done = true
	var err error
	if !t.closed {
		t.closed = true
		if err = t.f.Close(); errors.Is(err, os.ErrClosed) {
			err = nil
		}
	}
	if rerr := os.Remove(t.name); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
		err = rerr
	}
	t.err = err
	return err
}

// followLinks returns the file that path names once every symbolic link
// at its end is followed; the file need not exist (a dangling link gives
// the path it points to). A writer renames its new file over that one,
// so that a link at path stays a link.
func followLinks(path string) (string, error) {
	for range 255 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil // missing or not a link: path is the target
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", &os.PathError{Op: "create", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// keepMode gives f, a new file about to be renamed over the file at
// target, the permission bits (and, as far as the caller may, the owner
// and group) of that file; with no file at target, f keeps the mode it
// was created with.
func keepMode(f *os.File, target string) error {
	old, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// chmod after chown, which may clear setuid bits; the umask applied
	// at creation does not concern the old file's bits.
	_ = sys.CopyOwner(f, old)
	if err := f.Chmod(old.Mode().Perm()); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

// pathErr returns err as an *os.PathError for the path given to Create.
func (t *Temp) pathErr(op string, err error) error { return pathErr(op, t.path, err) }

// pathErr returns err, or the error an *os.PathError in it wraps, as an
// *os.PathError of op on path.
func pathErr(op, path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &os.PathError{Op: op, Path: path, Err: err}
}
