package safetensors

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"slices"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// File is an open safetensors file: one read-only map of the whole file,
// its validated header, and typed views of its tensors (Tensor, Any,
// Bytes) that share the map without copying.
//
// A File and its views may be used from many goroutines at once, except
// that Close must not run concurrently with anything else. Views stay
// valid until Close: closing a view (array.Array.Close) leaves the file
// mapped, and closing the File unmaps every view's bytes, after which the
// views must not be used (touching their bytes faults and kills the
// process, as with any unmapped memory).
type File struct {
	m    *memmap.Map
	path string
	p    *parsed
}

// Open opens the safetensors file at path read-only: it maps the whole
// file and checks its header, as strictly as the reference implementation
// does (see ErrFormat), without reading any tensor's data.
//
// The header is JSON that must begin with '{' after optional JSON
// whitespace (as the reference reads it, though its README asks writers
// to start with '{') and may end with spaces; keys must be unique at
// every level (the reference's README forbids duplicates, which
// encoding/json would accept); unknown keys inside a tensor entry are
// ignored, as the reference does. A dimension above 2^63-1 is refused
// (the reference accepts it in a tensor with another dimension of 0).
//
// Open bounds what a header can make it allocate, beyond the header's
// MaxHeaderLen bytes, which the reference bounds too: a tensor may have at
// most MaxRank (64) dimensions, the metadata at most MaxMetadataEntries
// keys and MaxMetadataLen bytes. What Open allocates is then a small
// multiple of the header's size, whatever the header holds.
//
// The header is read with pread into memory of its own, not from the map,
// so that a file another process truncates while Open runs gives an error
// matching ErrFormat and io.ErrUnexpectedEOF rather than SIGBUS (a
// truncation after Open returns is a caveat of the views: see the package
// documentation).
//
// Errors are *os.PathError values: the OS's errors (and memmap's, such as
// memmap.ErrNotRegular for a directory), and for a malformed file one
// matching ErrFormat (and io.ErrUnexpectedEOF for a file cut short).
func Open(path string) (*File, error) {
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		return nil, err
	}
	if seam.SafetensorsOpen != nil {
		seam.SafetensorsOpen(path) // after the map's size is taken (its length), before the header is read
	}
	p, err := readHeader(m)
	if err != nil {
		m.Close()
		var pe *os.PathError
		if !errors.As(err, &pe) {
			err = &os.PathError{Op: "open", Path: path, Err: err}
		}
		return nil, err
	}
	return &File{m: m, path: path, p: p}, nil
}

// readHeader reads and checks the header of the file mapped by m, whose
// length is the size its views see. The header is read with pread into a
// buffer of its own, never from the map (see store.FileReader): a file
// truncated meanwhile gives an error rather than SIGBUS.
func readHeader(m *memmap.Map) (*parsed, error) {
	size := int64(m.Len())
	f := store.FileReader(m)
	prefix, err := store.ReadAtFull(f, 0, int(min(size, 8)))
	if err != nil {
		return nil, truncated(err, 0, size)
	}
	n, err := headerLen(prefix, size)
	if err != nil {
		return nil, err
	}
	h, err := store.ReadAtFull(f, 8, int(n)) // n <= MaxHeaderLen
	if err != nil {
		return nil, truncated(err, 8, size)
	}
	return parseHeader(h, uint64(size)-8-n)
}

// truncated translates an error of store.ReadAtFull at offset off of a
// file whose map has size bytes: a short read becomes an error matching
// ErrFormat and io.ErrUnexpectedEOF; the OS's errors are returned as they
// are.
func truncated(err error, off, size int64) error {
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		return err
	}
	return wrapErr(ErrFormat, "offset %d: the file was truncated while its header was read (it had %d bytes when it was mapped): %w", off, size, err)
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Len returns the number of tensors.
func (f *File) Len() int { return len(f.p.tensors) }

// DataOffset returns where the data area starts in the file: 8 plus the
// header length. Tensors' data_offsets count from there.
func (f *File) DataOffset() int64 { return f.p.dataOff }

// Names returns the tensor names in file order: by offset, and by name
// among tensors of no bytes at the same offset.
func (f *File) Names() []string {
	names := make([]string, len(f.p.tensors))
	for i := range f.p.tensors {
		names[i] = f.p.tensors[i].Name
	}
	return names
}

// Tensors returns the descriptions of all tensors, in file order (as
// Names).
func (f *File) Tensors() []Info {
	ts := make([]Info, len(f.p.tensors))
	for i := range f.p.tensors {
		ts[i] = f.p.tensors[i]
		ts[i].Shape = slices.Clone(ts[i].Shape)
	}
	return ts
}

// Info returns the description of the tensor called name. A name the
// file does not have gives an error matching ErrNotFound and
// fs.ErrNotExist; after Close, one matching memmap.ErrClosed. Errors
// are *os.PathError values naming f.Path() + ":" + name.
func (f *File) Info(name string) (Info, error) {
	t, err := f.lookup(name)
	if err != nil {
		return Info{}, err
	}
	in := *t
	in.Shape = slices.Clone(in.Shape)
	return in, nil
}

// Metadata returns a copy of the file's "__metadata__" (nil when it has
// none).
func (f *File) Metadata() map[string]string { return maps.Clone(f.p.meta) }

// lookup returns the tensor called name, or an error naming it.
func (f *File) lookup(name string) (*Info, error) {
	if f.m == nil {
		return nil, &os.PathError{Op: "open", Path: f.path + ":" + name, Err: memmap.ErrClosed}
	}
	i, ok := f.p.index[name]
	if !ok {
		return nil, &os.PathError{Op: "open", Path: f.path + ":" + name, Err: wrapErr(ErrNotFound, "no tensor %s in the file", clip(name))}
	}
	return &f.p.tensors[i], nil
}

// desc returns the description of the tensor to package array, or an
// error for a tensor without a Go element type.
func (f *File) desc(name string) (array.Desc, error) {
	t, err := f.lookup(name)
	if err != nil {
		return array.Desc{}, err
	}
	if t.Type == nil {
		return array.Desc{}, &os.PathError{Op: "open", Path: f.path + ":" + name, Err: wrapErr(layout.ErrDType,
			"tensor %s has dtype %s, which has no Go element type here: read its bytes with File.Bytes", clip(name), t.DType)}
	}
	shape, err := store.IntShape(t.Shape)
	if err != nil {
		return array.Desc{}, &os.PathError{Op: "open", Path: f.path + ":" + name, Err: err}
	}
	return array.Desc{DType: t.Type, Shape: shape, Offset: t.Offset}, nil
}

// Tensor returns the tensor called name as a read-only array of T laid
// over the file's map, without copying: At, Get, Data, Rows, Take,
// CopyTo and Advise work as on any array; Set returns an error wrapping
// memmap.ErrReadOnly and the length is fixed. Its name in errors is f.Path() + ":" + name.
//
// T is checked against the tensor's dtype as array.Open checks it against
// a .npy file's (layout.Compatible): F32 needs float32 (or a named type
// of it), F16 layout.Float16, BF16 layout.BFloat16, F8_E4M3
// layout.Float8E4M3, F8_E5M2 layout.Float8E5M2, C64 complex64, BOOL bool,
// U8 uint8, and so on; a mismatch is an error matching layout.ErrDType
// that names the tensor's dtype and the Go type to use. A
// tensor that is not aligned for T in the file (writers other than this
// package's Writer do not align tensors) opens, and its Data, Row and Rows
// return an error matching memmap.ErrAlign, while At, Get, Take and CopyTo
// copy. On a big-endian host the views return memmap.ErrByteOrder and the
// accessors swap.
//
// A name the file does not have gives an error matching ErrNotFound (and
// fs.ErrNotExist); a dtype without a Go element type (F4, F6_*, F8_E8M0,
// F8_*FNUZ) one matching layout.ErrDType. The array stays valid until
// f.Close; its own Close only marks it closed.
func Tensor[T any](f *File, name string) (*array.Array[T], error) {
	d, err := f.desc(name)
	if err != nil {
		return nil, err
	}
	a, err := array.View[T](f.m, f.path+":"+name, d)
	if err != nil && errors.Is(err, layout.ErrDType) {
		return nil, f.typeErr(name, reflect.TypeFor[T]().String(), err)
	}
	return a, err
}

// typeErr adds to err, array.View's error for a Go type (named goType)
// that does not match the dtype of the tensor called name, the dtype as
// the file names it and the Go type to use: layout's message names only
// NumPy descrs ("file has '<bfloat16'").
func (f *File) typeErr(name, goType string, err error) error {
	var pe *os.PathError
	if !errors.As(err, &pe) {
		return err
	}
	t, _ := f.lookup(name) // found: the caller has its header
	use := lookupDType(t.DType).goType
	return &os.PathError{Op: pe.Op, Path: pe.Path, Err: wrapErr(layout.ErrDType,
		"tensor %s has dtype %s: read it as Tensor[%s] (or with Any), not Tensor[%s]: %w", clip(name), t.DType, use, goType, pe.Err)}
}

// Any returns the tensor called name as an untyped array (array.Any) over
// the file's map, for code that does not know the dtype at compile time:
// its At returns array.Values, which decode every dtype (BF16 and FP8
// included) and print themselves. Errors and lifetime are Tensor's.
func (f *File) Any(name string) (*array.Any, error) {
	d, err := f.desc(name)
	if err != nil {
		return nil, err
	}
	return array.ViewAny(f.m, f.path+":"+name, d)
}

// Bytes returns the bytes of the tensor called name as they are in the
// file (little-endian, C order), without copying, for any dtype. The
// slice is read-only (writing to it faults) and valid until Close.
func (f *File) Bytes(name string) ([]byte, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	end := t.Offset + t.Size // inside the map: parse checked it
	return f.m.Bytes()[t.Offset:end:end], nil
}

// Close unmaps the file. Every view of its tensors becomes invalid.
// Close is idempotent: later calls return nil.
func (f *File) Close() error {
	if f.m == nil {
		return nil
	}
	m := f.m
	f.m = nil
	if err := m.Close(); err != nil {
		return fmt.Errorf("safetensors: close %s: %w", f.path, err)
	}
	return nil
}
