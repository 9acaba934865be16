package store

import (
	"fmt"

	"github.com/gomemmap/memmap"
)

// # Backings
//
// A store's core (geometry, rows, views, growth, advice, Close) is the
// same for every kind of array; what differs is its backing: where the
// committed length lives, how a commit records it, how a reader re-reads
// it, what says the file is still the writer's, and whether the store
// owns its map. Four backings implement the one interface below, each
// beside the code of its kind:
//
//   - npyFile: a .npy file; the length is the header's shape, rewritten
//     in place by a commit (commit.go) and re-read by Refresh
//     (refresh.go).
//   - rawFile: a headerless file (raw.go); the length is the file's size.
//   - anonymous: memory of no file (New); the header bytes are kept true
//     in memory, and there is nothing to flush, check or re-read.
//   - view: an array inside a map another owner holds (view.go); its
//     length is fixed, and Close leaves the map to its owner.
type backing interface {
	// commit records the store's length as committed, after the data
	// is durable (flush): called when the length differs from the
	// committed one.
	commit(s *Store) error
	// refresh re-reads the committed length for a reader (a store not
	// opened ReadWrite).
	refresh(s *Store) error
	// checkFile returns an error wrapping memmap.ErrTruncated when the
	// file of a writer is no longer the one it wrote (see
	// Store.checkFile).
	checkFile(s *Store, op string) error
	// file reports whether the map is of a file that the store may
	// read and write with system calls (pread, pwrite, msync) and map a
	// second time for scans: false for anonymous memory.
	file() bool
	// owned reports whether the store owns its map: Close flushes,
	// shrinks and unmaps it, and advice covers all of it.
	owned() bool
}

type (
	npyFile   struct{}
	rawFile   struct{ fixed bool } // fixed: the file holds bytes after the data (raw.go)
	anonymous struct{}
	view      struct{}
)

func (npyFile) commit(s *Store) error               { return s.commitHeader() }
func (npyFile) refresh(s *Store) error              { return s.refreshHeader() }
func (npyFile) checkFile(s *Store, op string) error { return s.checkHeader(op) }
func (npyFile) file() bool                          { return true }
func (npyFile) owned() bool                         { return true }
func (b rawFile) commit(s *Store) error             { return s.commitRaw() }
func (b rawFile) refresh(s *Store) error            { return s.refreshRaw(b.fixed) }
func (rawFile) checkFile(s *Store, op string) error { return s.checkSize(op) }
func (rawFile) file() bool                          { return true }
func (rawFile) owned() bool                         { return true }
func (anonymous) commit(s *Store) error             { return s.commitMemory() }
func (anonymous) refresh(*Store) error              { return nil }
func (anonymous) checkFile(*Store, string) error    { return nil }
func (anonymous) file() bool                        { return false }
func (anonymous) owned() bool                       { return true }
func (view) commit(*Store) error                    { return nil } // the length is fixed
func (view) refresh(*Store) error                   { return nil } // the owner's map does not follow a file
func (view) checkFile(*Store, string) error         { return nil }
func (view) file() bool                             { return true }
func (view) owned() bool                            { return false }

// followable returns the error of Refresh for a store that cannot follow
// its file: a CopyOnWrite one, whose map holds its own writes.
func (s *Store) followable() error {
	if s.mode == memmap.CopyOnWrite {
		return s.err("refresh", fmt.Errorf("%w: a copy-on-write array cannot follow its file", memmap.ErrUnsupported))
	}
	return nil
}
