// Package publish publishes versions of a file to live readers: a writer
// builds a complete new version and makes it current in one atomic step,
// while readers, in any process, keep serving the version they have until
// they switch to the new one; the old version is closed after its last
// user. It works the same for every file type of the module (array and
// record .npy files, npz archives, safetensors files, lookup tables) and
// on every OS, Windows included, where a file that is open or mapped
// cannot be replaced or deleted.
//
//	// The writer.
//	n, err := publish.Publish("/data/features.npy", func(path string) error {
//		a, err := array.Create[float32](path, []int{rows, 64}, nil)
//		... fill a ...
//		return a.Close()
//	}, nil)
//
//	// A reader.
//	h, err := publish.Open("/data/features.npy", func(path string) (*array.Array[float32], error) {
//		return array.Open[float32](path, memmap.ReadOnly, nil)
//	}, &publish.Options{Watch: time.Second})
//	...
//	r, err := h.Acquire() // no system call, no allocation
//	row, err := r.Value().Row(i)
//	... use row ...
//	r.Release() // row is not to be used after this
//
// # Files on disk
//
// For a name NAME (a path, e.g. /data/features.table), in NAME's
// directory:
//
//   - NAME.v000017 is version 17, a complete file of the published type:
//     NAME, ".v" and the version number in decimal, zero-padded to 6
//     digits (more digits when the number needs them). A version file is
//     never replaced or truncated once written: numbers grow (a number is
//     used again only after a write that failed, whose file Publish
//     removed, never named by the pointer), and a reader that has a
//     version mapped never sees it change.
//   - NAME.current, the pointer file, holds one line, the base name of
//     the current version ("features.table.v000017\n"). Readers accept
//     only NAME's base name, ".v" and decimal digits: the pointer cannot
//     name a file outside the directory. It is replaced atomically
//     (written under a temporary name, fsynced, renamed over the old
//     pointer, the directory fsynced), never written in place.
//   - NAME.lock is the publishers' lock (flock on unix, LockFileEx on
//     Windows); it stays, empty.
//   - .NAME.v000017.* and .NAME.current.* are temporary files of a writer
//     interrupted by a crash, removed by the next Publish.
//
// # Guarantees
//
// Publish calls the write function with the path of the next version,
// fsyncs the file it wrote and the directory, then replaces the pointer,
// then removes the versions no reader needs any more. A reader's lookup
// never fails and never sees a mix of versions: a [Ref] holds one
// version, open, for as long as it is held; [Handle.Reload] opens the new
// version completely before it makes it the one [Handle.Acquire] returns,
// and a Reload that fails leaves the handle serving the old one.
//
// A crash (or SIGKILL) of a publisher at any point leaves NAME.current
// naming a complete version, the old one or the new one (or no
// NAME.current, if nothing was ever published); the next Publish removes
// a partial version and temporary files it left and publishes under the
// next number. Versions and the pointer are fsynced before the pointer
// names them, so a power failure leaves the same.
//
// Publishers of one name exclude each other with the lock: a second
// concurrent Publish gets an error matching memmap.ErrLocked at once.
//
// # Old versions
//
// Publish keeps the newest Options.Keep versions before the current one
// (1 by default, so that a reader that read the pointer just before it
// moved can still open the version it named; a reader that comes later
// and finds that version gone reads the pointer again) and removes the
// older ones. On unix, removing a file that some process has mapped is
// safe: the map and its pages stay valid until unmapped, and the disk
// space is freed then. On Windows, a file that is open or mapped cannot
// be removed: Publish ignores that failure and tries again at the next
// Publish, and [Clean] tries again on demand, so an old version goes away
// once no reader holds it.
//
// # Caveats
//
//   - A Ref's value, and every view obtained from it (slices into a map,
//     rows, members of an archive), is valid until the Ref is released,
//     and not after: the last Release of a version that is no longer
//     current closes (unmaps) it. Release each Ref exactly once; a Ref is
//     a value, and a copy released twice closes the version under its
//     other users.
//   - A reader serves the old version until it calls Reload (or the Watch
//     goroutine of [Options] does): readers in other processes switch at
//     their own pace, and a process may hold a few versions open while
//     its Refs of them last.
//   - On Windows old versions stay on disk while any reader, in any
//     process, holds them open; replacing the pointer is retried while a
//     reader reads it (for up to Options.Retry, 10 s by default): a
//     reader that polls the pointer very often (a Watch of a millisecond)
//     slows publishers there.
//   - The write function must leave a complete, closed file at the path
//     it is given and must not publish the same name (it runs under the
//     lock); a file it leaves at another path is not the package's
//     concern.
//   - The current version number only grows, and a pointer naming an
//     older version than a handle serves is ignored by Reload: roll back
//     by publishing a copy of the old version.
package publish
