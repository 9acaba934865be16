package array

import "github.com/gomemmap/memmap/internal/store"

// Rewrite replaces the .npy file at path with a copy whose header has room
// for the growth axis to reach any length, as Create writes it (and NumPy
// since 1.23), with the same dtype, order, shape and data. Files written
// by NumPy < 1.23 (headers padded to 16 bytes) or with long structured
// descrs may have room in their header for a few more digits of the
// length only: Append, Resize and Flush past that length fail with an
// error wrapping header.ErrNoRoom that names the shape; Rewrite the file,
// then Open it again to grow it as far as wanted.
//
// Rewrite builds the copy under a temporary name in the same directory,
// flushes it to the disk and renames it over path: a crash leaves the old
// file or the new one, never a mix. A file that a writer has open (this
// process included: Close it first) is refused with an error wrapping
// memmap.ErrLocked and left as it was. Only the committed rows are copied.
// Rewrite reads and writes the whole file, and needs the disk space of a
// second copy until the rename. Readers that have the file open keep the
// old one.
func Rewrite(path string) error { return store.Rewrite(path) }
