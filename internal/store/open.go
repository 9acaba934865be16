package store

import (
	"fmt"
	"io"
	"slices"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/sys"
	"github.com/gomemmap/memmap/layout"
)

// This file opens and creates stores: Create, New and Open.

// Create creates the .npy file at path for an array with h's dtype, order
// and shape, all rows zero, and opens it read-write with the writer lock.
// h.Version may pick a format version; DataOffset is ignored. The header
// is written with room for the growth axis to reach any length, as NumPy
// >= 1.23 writes it.
//
// An existing file at path is replaced, not truncated (memmap.Create): the
// new file is built under a temporary name and renamed over it once its
// header is durable, so a failure (a full disk, a capacity too large to
// map) leaves the old file as it was and no partial file behind. A file
// another writer holds gives an error wrapping memmap.ErrLocked.
func Create(path string, h *header.Header, opt *Options) (*Store, error) {
	return create(path, h, opt, false)
}

// New makes an array like Create does, in anonymous memory instead of a
// file.
func New(h *header.Header, opt *Options) (*Store, error) {
	return create("anonymous", h, opt, true)
}

func create(path string, h *header.Header, opt *Options, anon bool) (*Store, error) {
	o := options(opt)
	op := "create"
	if h == nil {
		return nil, pathErr(op, path, fmt.Errorf("%w: nil header", header.ErrFormat))
	}
	hh := *h
	hh.Shape = append([]int64(nil), h.Shape...)
	raw, err := hh.Encode()
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	hh.DataOffset = int64(len(raw))
	s := &Store{path: path, mode: memmap.ReadWrite, b: npyFile{}, hdr: hh}
	if anon {
		s.b = anonymous{}
	}
	size, err := s.newSize(o.Capacity)
	if err != nil {
		return nil, pathErr(op, path, err)
	}
	// The header goes in through Init: memmap.Create builds the file
	// under a temporary name and renames it over path only once the
	// header is durable, so path holds the old file or a whole new one,
	// never a file of zeros or a partial one, whatever fails or crashes.
	mo := &memmap.Options{Perm: o.Perm, Reserve: o.Reserve, Lock: true, Init: func(b []byte) error {
		copy(b, raw)
		return nil
	}}
	if anon {
		s.m, err = memmap.Anonymous(size, mo)
	} else {
		s.m, err = memmap.Create(path, size, mo)
	}
	if err != nil {
		return nil, err
	}
	copy(s.m.Bytes(), raw) // Anonymous does not run Init
	s.raw = raw
	s.committed = s.n
	s.capRows = s.rowsIn(int64(s.m.Len()))
	s.dirty = 0
	s.checkRoom()
	return s, nil
}

// newSize sets the geometry of a new store from its header, and returns
// the size of its file: the rows of the shape, or capacity rows if more
// and the array can grow (Create's and CreateRaw's start).
func (s *Store) newSize(capacity int64) (int64, error) {
	if err := s.geometry(); err != nil {
		return 0, err
	}
	rows := s.n
	if s.axis >= 0 {
		rows = max(rows, capacity)
	}
	size, ok := s.fileSizeFor(rows)
	if !ok {
		return 0, fmt.Errorf("%w: %d rows of %d bytes at offset %d overflow a file", memmap.ErrRange, rows, s.rowSize, s.off)
	}
	return size, nil
}

// Open opens the .npy file at path: ReadOnly ("r"), ReadWrite ("r+", with
// the writer lock) or CopyOnWrite ("c": writes stay in memory). When want
// is not nil, the file's dtype must be compatible with it
// (layout.Compatible, byte order aside), or Open fails with an error
// wrapping layout.ErrDType that names the first difference.
//
// The header is checked against the file: a malformed header, or a file
// too short for its shape, gives an error wrapping header.ErrFormat (and
// io.ErrUnexpectedEOF when the file is cut short). Opening reads only the
// header: it costs the same for any size of file.
func Open(path string, mode memmap.Mode, want *layout.DType, opt *Options) (_ *Store, err error) {
	o := options(opt)
	m, size, err := openLocked(path, mode, o)
	if err != nil {
		return nil, err
	}
	defer closeOnErr(m, &err)
	// Read the header with pread, not from the map: a file another
	// process truncates meanwhile gives a short read here, where a read
	// of the map would raise SIGBUS. A writer holds the lock: no commit
	// can be under way, and one read does.
	f := io.NewSectionReader(FileReader(m), 0, size)
	h, raw, err := readCommitted(f, int(min(size, headerProbe)), o.MaxHeaderLen, mode != memmap.ReadWrite)
	if err != nil {
		return nil, pathErr("open", path, err)
	}
	if err := h.Validate(size); err != nil {
		if size, err = grownSince(m, mode, h, size, err); err != nil {
			return nil, pathErr("open", path, err)
		}
	}
	if want != nil {
		if err := layout.Compatible(h.DType, want); err != nil {
			return nil, pathErr("open", path, err)
		}
	}
	s := &Store{m: m, path: path, mode: mode, b: npyFile{}, hdr: *h}
	if err := s.geometry(); err != nil {
		return nil, pathErr("open", path, err)
	}
	s.committed = s.n
	s.capRows = s.rowsIn(int64(m.Len()))
	s.dirty = s.capRows
	if mode == memmap.ReadWrite {
		s.raw = slices.Clip(raw[:s.off]) // the bytes the header was parsed from
		s.checkRoom()
	}
	return s, nil
}

// openLocked maps the file at path, with the writer lock for ReadWrite,
// and returns the map and the file's size when it was mapped: the map's
// length, as the map covers all of the file. It costs no fstat of its
// own, and the store's geometry agrees with the map: a file that grows
// since is seen by a reader's Refresh (or grownSince).
func openLocked(path string, mode memmap.Mode, o Options) (*memmap.Map, int64, error) {
	m, err := mapLocked(path, mode, o)
	if err != nil {
		return nil, 0, err
	}
	return m, int64(m.Len()), nil
}

// grownSince is Open's answer to a header that does not fit the mapped
// file (Validate's err): a writer may have grown the file and committed
// more rows between the map and the read of the header. For a ReadOnly
// reader it takes the size now (fstat) and, if the file holds the rows,
// maps the rest and returns the new size. Otherwise (a writer holds the
// lock, so its file did not grow; a CopyOnWrite map does not follow its
// file) it returns err.
func grownSince(m *memmap.Map, mode memmap.Mode, h *header.Header, mapped int64, err error) (int64, error) {
	if mode != memmap.ReadOnly {
		return 0, err
	}
	size, serr := m.Size()
	if serr != nil || size <= mapped || h.Validate(size) != nil {
		return 0, err
	}
	if err := m.Remap(size); err != nil {
		return 0, err
	}
	return size, nil
}

// closeOnErr closes m if *err is not nil: the deferred rollback of an open
// that failed after mapping.
func closeOnErr(m *memmap.Map, err *error) {
	if *err != nil {
		m.Close()
	}
}

// mapLocked maps the file at path, with the writer lock for ReadWrite. A
// writer checks that the file it locked is still the one at path: a
// Create that replaced it (rename) between the open and the lock leaves
// the old file unlinked, and writing that would lose every row. It opens
// the new one then, a few times at most.
func mapLocked(path string, mode memmap.Mode, o Options) (*memmap.Map, error) {
	mo := &memmap.Options{Lock: mode == memmap.ReadWrite}
	if mode != memmap.ReadWrite {
		m, err := memmap.Open(path, mode, mo)
		if err == nil && seam.StoreOpen != nil {
			seam.StoreOpen(0)
		}
		return m, err
	}
	mo.Reserve = o.Reserve
	if !sys.ReplaceOpen {
		// Windows: no Create can rename over a file that is open.
		return memmap.Open(path, mode, mo)
	}
	for try := 0; ; try++ {
		m, err := memmap.Open(path, mode, mo)
		if err != nil {
			return nil, err
		}
		if seam.StoreOpen != nil {
			seam.StoreOpen(try)
		}
		if isAt(m, path) {
			return m, nil
		}
		m.Close()
		if try == 3 {
			return nil, pathErr("open", path, fmt.Errorf("%w: the file was replaced while it was being opened", memmap.ErrLocked))
		}
	}
}
