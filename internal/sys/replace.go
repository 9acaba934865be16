package sys

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// This file holds what every writer that replaces a file by renaming a
// new one over it shares (memmap.Create, and the npz and safetensors
// Writers): the file a path names through its symbolic links, and the
// mode the new file takes from the one it replaces.

// FollowLinks returns the file that path names once every symbolic link
// at its end is followed; the file need not exist (a dangling link gives
// the path it points to). A writer renames its new file over that one,
// so that a link at path stays a link.
func FollowLinks(path string) (string, error) {
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

// KeepMode gives f, a new file about to be renamed over the file at
// target, the permission bits (and, as far as the caller may, the owner
// and group) of that file; with no file at target, f keeps the mode it
// was created with.
func KeepMode(f *os.File, target string) error {
	old, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// chmod after chown, which may clear setuid bits; the umask applied
	// at creation does not concern the old file's bits.
	_ = CopyOwner(f, old)
	if err := f.Chmod(old.Mode().Perm()); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}
