package memmap

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gomemmap/memmap/internal/replace"
	"github.com/gomemmap/memmap/internal/seam"
	"github.com/gomemmap/memmap/internal/sys"
)

// Create makes a new file of opt.Offset+size bytes of zeros at path, with
// a real allocation where the OS has one (so that a full disk is an error
// here, not a crash later), and maps size bytes from opt.Offset
// read-write: NumPy's "w+". opt.Length is ignored.
//
// Create never damages what is at path. It builds the new file under a
// temporary name in the same directory (".name.memmap-*"), allocates and
// maps it, runs opt.Init on its bytes and flushes them, and only then
// renames it over path, atomically. If any step fails, the temporary
// file is removed and a file already at path is left untouched, so that
// after Create path holds either the old file or the complete new one,
// also across a crash (a crash can leave a temporary file behind).
//
// Replacing an existing file:
//   - The new file keeps the permission bits of the file it replaces (and,
//     as far as the caller may change them, its owner and group); opt.Perm
//     applies only to a file that did not exist (default 0o644, less the
//     umask).
//   - A symbolic link at path is followed: the file it points to is
//     replaced and the link stays a link.
//   - Other hard links to the old file, and maps and descriptors already
//     open on it, keep the old data: Create makes a new file, it does not
//     write into the old one.
//   - With opt.Lock, Create takes the writer lock on the existing file for
//     the time of the swap and fails with ErrLocked, changing nothing, if
//     another user of Lock holds it; the new map then holds the writer
//     lock of the new file. Openers that opened the old file before the
//     swap keep the old file: they lock and see that one, not the new one.
//   - The caller must be allowed to write the old file (as to truncate
//     it) and its directory (for the temporary file).
//   - On Windows a file that is open cannot be replaced: Create fails
//     (changing nothing) while any map or other handle has the old file
//     open, and with opt.Lock it lets go of the old file's lock just
//     before the swap (a writer that opens the file in that moment makes
//     the swap fail, never succeed over it).
//
// Map.File of the returned map is the new file; its Name is the temporary
// name, not path.
func Create(path string, size int64, opt *Options) (*Map, error) {
	o := withDefaults(opt)
	if size < 0 || o.Offset < 0 || size > maxInt64-o.Offset {
		return nil, rangeErr("create", path, "size %d at offset %d", size, o.Offset)
	}
	t, err := replace.Create(path, "memmap", o.Perm)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = wrapErr(pe.Op, path, pe.Err) // a *sys.NotRegularError is ErrNotRegular
		}
		return nil, err
	}
	f := t.File()
	var oldf *os.File // the existing file, held (and locked) during the swap
	oldLocked := false
	releaseOld := func() {
		if oldLocked {
			_ = sys.Unlock(oldf)
			oldLocked = false
		}
		if oldf != nil {
			oldf.Close()
			oldf = nil
		}
	}
	defer releaseOld()
	var m *Map
	locked, done := false, false
	defer func() {
		// Also on a panic in Init: never leave the temporary file behind.
		if done {
			return
		}
		if m != nil {
			m.release() // unlocks and closes f
		} else if locked {
			_ = sys.Unlock(f)
		}
		_ = t.Abort()
	}()
	fail := func(err error) (*Map, error) { return nil, err }
	if t.Replaces() != nil {
		// Open the old file for writing, as truncating it would: a file
		// the caller may not write is not replaced either.
		if oldf, err = sys.OpenFile(t.Target(), os.O_RDWR, 0); err != nil {
			return fail(wrapErr("open", path, err))
		}
		if o.Lock {
			// Hold the old file's writer lock for the swap: a writer that
			// has it open keeps Create from replacing it.
			if err := sys.Lock(oldf, true); err != nil {
				return fail(wrapErr("lock", path, err))
			}
			oldLocked = true
		}
		if err := t.KeepMode(); err != nil {
			return fail(err)
		}
	}
	if o.Lock {
		if err := sys.Lock(f, true); err != nil {
			return fail(wrapErr("lock", path, err))
		}
		locked = true
	}
	if err := sys.Grow(f, 0, o.Offset+size); err != nil { // a new, empty file
		return fail(wrapErr("allocate", path, err))
	}
	mo := o
	mo.Length = size
	mo.Lock = false // taken above
	m, err = newMap(f, path, ReadWrite, &mo, true, false)
	if err != nil {
		return fail(err)
	}
	m.st.locked = locked
	m.st.opt.Lock = o.Lock
	if o.Init != nil {
		if err := o.Init(m.Bytes()); err != nil {
			return fail(&os.PathError{Op: "init", Path: path, Err: err})
		}
		if seam.Create != nil {
			seam.Create("init")
		}
		if err := m.Flush(); err != nil {
			return fail(err)
		}
		if err := f.Sync(); err != nil {
			return fail(wrapErr("fsync", path, err))
		}
		if seam.Create != nil {
			seam.Create("flushed")
		}
	}
	if !sys.ReplaceOpen {
		// Windows cannot replace a file that is open: let go of the old
		// file and its lock just before the swap. A writer that opens it in
		// between makes the rename fail, with nothing changed.
		releaseOld()
	}
	if seam.Create != nil {
		seam.Create("rename")
	}
	// The name is made durable (the directory fsynced) when the data was.
	if err := t.Rename(o.Init != nil); err != nil {
		return fail(err)
	}
	done = true
	return m, nil
}

// notRegular is the error for a path that is not a regular file.
func notRegular(op, path string, mode fs.FileMode) error {
	return &os.PathError{Op: op, Path: path, Err: fmt.Errorf("%w: %s", ErrNotRegular, sys.Describe(mode))}
}
