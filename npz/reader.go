package npz

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strings"
	"sync"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// File is an open .npz archive: one read-only map of the archive, and the
// .npy members its central directory lists.
//
// The methods of a File may be called from many goroutines at once, except
// Close, which must not run concurrently with any other use of the File or
// of the arrays it returned. Arrays returned by Array and Any are views:
// they stay valid until the File's Close (see the package documentation).
type File struct {
	path    string
	m       *memmap.Map
	members []*member          // the .npy members, in archive order
	byName  map[string]*member // by name without ".npy"

	mu     sync.Mutex // guards the lazily filled fields of members, and closed
	closed bool
}

// member is one .npy member of an open archive.
type member struct {
	entry
	key string // the name without ".npy"

	// Filled on first use, under File.mu.
	hdr    *header.Header // the member's .npy header; DataOffset relative to the member
	hdrErr error
	anon   *memmap.Map // a deflated member decompressed, read-write (owns the memory)
	ro     *memmap.Map // the same memory mapped read-only, which the views use
	infErr error
}

// Info describes one member of an archive.
type Info struct {
	// Name is the member's name without ".npy", as np.load's NpzFile
	// names it (np.savez's keys, or "arr_0", "arr_1" ...).
	Name string

	// DType, FortranOrder, Shape and Version are what the member's .npy
	// header says.
	DType        *layout.DType
	FortranOrder bool
	Shape        []int64
	Version      header.Version

	// Compressed reports a deflated member (np.savez_compressed): its
	// arrays are copies in memory, decompressed on first use. A stored
	// member (np.savez) opens as a view of the archive's map.
	Compressed bool

	// Method is the member's zip compression method: 0 (stored) or 8
	// (deflated); members with other methods do not open.
	Method uint16

	// HeaderOffset is the offset in the archive of the member's local
	// header, and Offset that of its bytes (its .npy file) past the local
	// header.
	HeaderOffset int64
	Offset       int64

	// DataOffset is where the array data starts: an offset in the archive
	// for a stored member (Offset plus the .npy header's length), in the
	// decompressed .npy file for a compressed one.
	DataOffset int64

	// DataSize is the size in bytes of the array data: the product of
	// Shape and DType.Size().
	DataSize int64

	// Size is the size of the member's .npy file, and CompressedSize the
	// bytes it takes in the archive (equal for a stored member).
	Size           int64
	CompressedSize int64

	// CRC32 is the CRC-32 of the member's .npy file that the archive's
	// directory records.
	CRC32 uint32
}

// Open opens the .npz archive at path: it maps the archive read-only and
// reads its central directory and the local header of every member, which
// must describe a well-formed zip archive (Zip64 included). It reads no
// member's data: the .npy headers are read on first use, and deflated
// members are decompressed when first opened as arrays.
//
// A malformed archive gives an *os.PathError wrapping ErrFormat (and
// io.ErrUnexpectedEOF for an archive cut short); the OS's errors come as
// memmap.Open returns them.
func Open(path string) (*File, error) {
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		return nil, err
	}
	f, err := newFile(m, path)
	if err != nil {
		m.Close()
		return nil, err
	}
	return f, nil
}

// newFile reads the archive mapped by m, which the File owns once this
// returns without error.
func newFile(m *memmap.Map, path string) (*File, error) {
	var ents []entry
	err := m.Guard(func() (err error) {
		ents, err = parseDir(m.Bytes())
		return err
	})
	if err != nil {
		return nil, pathErr("open", path, err)
	}
	f := &File{path: path, m: m, byName: make(map[string]*member, len(ents))}
	for _, e := range ents {
		key, ok := strings.CutSuffix(e.name, ".npy")
		if !ok {
			continue
		}
		if _, dup := f.byName[key]; dup { // cannot happen: the names differ
			return nil, pathErr("open", path, formatErr(e.lho, nil, "duplicate member name %q", e.name))
		}
		mb := &member{entry: e, key: key}
		f.members = append(f.members, mb)
		f.byName[key] = mb
	}
	return f, nil
}

// Path returns the path Open was given.
func (f *File) Path() string { return f.path }

// Names returns the names of the archive's .npy members without ".npy", in
// the order of the archive's directory (np.load's NpzFile.files, less the
// members whose names do not end in ".npy", which this package ignores).
func (f *File) Names() []string {
	names := make([]string, len(f.members))
	for i, mb := range f.members {
		names[i] = mb.key
	}
	return names
}

// Info returns what the archive and the .npy header of the member say of
// it. It reads the member's header (for a compressed member, by
// decompressing only the header), not its data. Errors: a name not in
// the archive gives an *os.PathError wrapping fs.ErrNotExist; a member
// that cannot open (not a valid .npy file, encrypted, compressed with a
// method other than deflate, sizes that do not add up) an error wrapping
// ErrFormat; after Close, memmap.ErrClosed.
func (f *File) Info(name string) (Info, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mb, h, err := f.header(name)
	if err != nil {
		return Info{}, err
	}
	data, _ := h.DataSize() // checked by header
	in := Info{
		Name:           mb.key,
		DType:          h.DType,
		FortranOrder:   h.FortranOrder,
		Shape:          append([]int64(nil), h.Shape...),
		Version:        h.Version,
		Compressed:     mb.method == methodDeflate,
		Method:         mb.method,
		HeaderOffset:   mb.lho,
		Offset:         mb.off,
		DataOffset:     h.DataOffset,
		DataSize:       data,
		Size:           mb.usize,
		CompressedSize: mb.csize,
		CRC32:          mb.crc,
	}
	if !in.Compressed {
		in.DataOffset += mb.off
	}
	return in, nil
}

// Array returns the member name of f as a read-only array of T, checked
// against the member's dtype as array.Open checks a .npy file (a packed
// struct or the other byte order opens, converting as it reads).
//
// A stored member is a view of the archive's map: no copy, its Data is the
// archive's bytes (zero-copy when the data is aligned for T, in the host's
// byte order and not packed; see array.View). A compressed member is
// decompressed, on the first call for it, into anonymous memory that the
// File keeps (and checked against its CRC-32); its arrays are views of that
// copy. Either way the array stays valid until f's Close; its own Close
// only marks it closed. Each call returns a new *array.Array over the same
// bytes.
//
// Errors are those of Info, of array.View (layout.ErrDType for a T that
// does not match), and, for a compressed member, ErrFormat for a corrupt
// stream or a CRC-32 mismatch and memmap.ErrRange for a member larger than
// the system can hold in memory.
func Array[T any](f *File, name string) (*array.Array[T], error) {
	m, d, err := f.view(name)
	if err != nil {
		return nil, err
	}
	return array.View[T](m, f.path+":"+name, d)
}

// Any returns the member name of f as an untyped read-only array, as
// array.OpenAny opens a .npy file: every dtype the library reads, in
// either byte order and order. Otherwise as Array.
func (f *File) Any(name string) (*array.Any, error) {
	m, d, err := f.view(name)
	if err != nil {
		return nil, err
	}
	return array.ViewAny(m, f.path+":"+name, d)
}

// Verify checks the CRC-32 of the member name against the one the archive
// records. Array and Any check compressed members as they decompress them,
// but not stored ones, whose bytes they never read, to stay zero-copy and
// O(1): Verify reads all the member's bytes (a scan of its data). A
// mismatch gives an error wrapping ErrFormat; other errors are Info's.
func (f *File) Verify(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	mb, _, err := f.header(name)
	if err != nil {
		return err
	}
	if mb.method == methodDeflate {
		return f.inflate(mb)
	}
	return pathErr("verify", f.path+":"+name, f.m.Guard(func() error {
		return checkCRC(mb, f.m.Bytes()[mb.off:mb.off+mb.usize])
	}))
}

// Close unmaps the archive and frees the memory of the decompressed
// members. Every array that Array and Any returned becomes invalid: using
// its []T views afterwards faults. Close is idempotent: later calls do
// nothing and return nil. Close releases everything in any case and
// returns the first error it met.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	var first error
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	for _, mb := range f.members {
		for _, m := range []*memmap.Map{mb.ro, mb.anon} {
			if m != nil {
				note(m.Close())
			}
		}
		mb.ro, mb.anon = nil, nil
	}
	note(f.m.Close())
	return first
}

// view returns the map that holds the member name's data and the
// description of its array in that map, from the member's .npy header.
func (f *File) view(name string) (*memmap.Map, array.Desc, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mb, h, err := f.header(name)
	if err != nil {
		return nil, array.Desc{}, err
	}
	shape, err := store.IntShape(h.Shape)
	if err != nil {
		return nil, array.Desc{}, pathErr("open", f.path+":"+name, err)
	}
	d := array.Desc{DType: h.DType, Shape: shape, FortranOrder: h.FortranOrder, Offset: h.DataOffset}
	if mb.method != methodDeflate {
		d.Offset += mb.off
		return f.m, d, nil
	}
	if err := f.inflate(mb); err != nil {
		return nil, array.Desc{}, err
	}
	return mb.ro, d, nil
}

// header returns the member name and its .npy header, reading it on first
// use. f.mu is held.
func (f *File) header(name string) (*member, *header.Header, error) {
	if f.closed {
		return nil, nil, pathErr("open", f.path+":"+name, memmap.ErrClosed)
	}
	mb := f.byName[name]
	if mb == nil {
		return nil, nil, notFound(f.path, name)
	}
	if mb.hdr == nil && mb.hdrErr == nil {
		mb.hdr, mb.hdrErr = f.readHeader(mb)
		if mb.hdrErr != nil {
			mb.hdrErr = pathErr("open", f.path+":"+name, mb.hdrErr)
		}
	}
	return mb, mb.hdr, mb.hdrErr
}

// readHeader reads and checks the .npy header of a member. It reads it
// with pread (through an io.SectionReader of store.FileReader), never
// from the map, as every format's header is read (see
// internal/store/fileio.go): an archive truncated since Open gives an
// error matching ErrFormat and io.ErrUnexpectedEOF, not a fault.
func (f *File) readHeader(mb *member) (*header.Header, error) {
	if mb.flags&flagEncrypted != 0 {
		return nil, formatErr(mb.lho, nil, "member %q is encrypted: encrypted archives are not supported", mb.name)
	}
	var h *header.Header
	var err error
	switch mb.method {
	case methodStore:
		if mb.csize != mb.usize {
			return nil, formatErr(mb.lho, nil, "stored member %q has a size of %d bytes but takes %d in the archive", mb.name, mb.usize, mb.csize)
		}
		h, err = header.Read(io.NewSectionReader(store.FileReader(f.m), mb.off, mb.usize), nil)
	case methodDeflate:
		if limit := deflateLimit(mb.csize); mb.usize > limit {
			return nil, formatErr(mb.lho, nil, "member %q claims %d bytes from %d compressed bytes, more than deflate can expand to (%d): a zip bomb or a corrupt directory", mb.name, mb.usize, mb.csize, limit)
		}
		zr := flate.NewReader(io.NewSectionReader(store.FileReader(f.m), mb.off, mb.csize))
		h, err = header.Read(io.LimitReader(zr, mb.usize), nil)
	default:
		return nil, formatErr(mb.lho, nil, "member %q is compressed with method %d: only stored (0) and deflated (8) members are supported", mb.name, mb.method)
	}
	if err == nil {
		err = h.Validate(mb.usize)
	}
	if err != nil {
		if pe := (*os.PathError)(nil); errors.As(err, &pe) {
			return nil, pe // the OS's error reading the file
		}
		return nil, fmt.Errorf("%w: member %q is not a valid .npy file of %d bytes: %w", ErrFormat, mb.name, mb.usize, err)
	}
	return h, nil
}

// deflateLimit is the most that csize bytes of deflate stream can expand to.
func deflateLimit(csize int64) int64 {
	if csize > (math.MaxInt64-1024)/maxDeflateRatio {
		return math.MaxInt64
	}
	return csize*maxDeflateRatio + 1024
}

// inflate decompresses a deflated member into anonymous memory, once, and
// checks its size and CRC-32. f.mu is held.
func (f *File) inflate(mb *member) error {
	if mb.ro != nil || mb.infErr != nil {
		return mb.infErr
	}
	err := f.decompress(mb)
	if err != nil {
		err = pathErr("open", f.path+":"+mb.key, err)
		if !errors.Is(err, memmap.ErrFault) {
			mb.infErr = err // the same bytes fail the same way
		}
	}
	return err
}

// decompress does inflate's work.
func (f *File) decompress(mb *member) error {
	if mb.usize > int64(math.MaxInt) {
		return fmt.Errorf("%w: member %q of %d bytes does not fit in memory on this system", memmap.ErrRange, mb.name, mb.usize)
	}
	anon, err := memmap.Anonymous(mb.usize, &memmap.Options{Reserve: -1})
	if err != nil {
		return err
	}
	err = f.m.Guard(func() error {
		dst := anon.Bytes()
		zr := flate.NewReader(bytes.NewReader(f.m.Bytes()[mb.off : mb.off+mb.csize]))
		n, err := io.ReadFull(zr, dst)
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return formatErr(mb.off, []error{io.ErrUnexpectedEOF}, "deflate stream of member %q ends after %d bytes; the directory says %d", mb.name, n, mb.usize)
			}
			return formatErr(mb.off, []error{err}, "deflate stream of member %q: %s", mb.name, err.Error())
		}
		var one [1]byte
		switch k, err := zr.Read(one[:]); {
		case k > 0:
			return formatErr(mb.off, nil, "deflate stream of member %q holds more than the %d bytes the directory says", mb.name, mb.usize)
		case err != io.EOF:
			if err == nil {
				err = io.ErrNoProgress
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return formatErr(mb.off, []error{err}, "deflate stream of member %q is cut short after its %d bytes", mb.name, mb.usize)
			}
			return formatErr(mb.off, []error{err}, "deflate stream of member %q does not end after its %d bytes: %s", mb.name, mb.usize, err.Error())
		}
		return checkCRC(mb, dst)
	})
	if err == nil {
		var ro *memmap.Map
		if ro, err = memmap.OpenFile(anon.File(), memmap.ReadOnly, nil); err == nil {
			mb.anon, mb.ro = anon, ro
			return nil
		}
	}
	anon.Close()
	return err
}

// checkCRC compares the CRC-32 of a member's bytes with the directory's.
func checkCRC(mb *member, b []byte) error {
	if sum := crc32.ChecksumIEEE(b); sum != mb.crc {
		return formatErr(mb.off, nil, "member %q has CRC-32 %#08x; the directory says %#08x", mb.name, sum, mb.crc)
	}
	return nil
}
