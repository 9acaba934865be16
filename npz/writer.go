package npz

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/replace"
	"github.com/gomemmap/memmap/layout"
)

// Alignment is the multiple of which the Writer makes the offset, in the
// archive, of every member's array data: the .npy header (whose length
// is a multiple of 64) starts at a multiple of 64, so that its data does,
// and a map of the archive gives every member's elements aligned.
const Alignment = 64

// WriterOptions tunes Create. A nil *WriterOptions means the defaults of
// every field.
type WriterOptions struct {
	// Perm is the permission bits of the new archive, less the umask (as
	// os.OpenFile and memmap.Create apply them); zero means 0o644. An
	// archive that replaces a file already at the path keeps that file's
	// permission bits instead (see Create).
	Perm os.FileMode

	// Modified is the modification time recorded for every member (in
	// the zip format's local date and time, to the even second, clamped to
	// 1980-2107). The zero value means the time of Create.
	Modified time.Time
}

// Writer writes a new .npz archive of stored (uncompressed) members, as
// np.savez does, whose array data is aligned to Alignment bytes in the
// archive so that Open maps every member zero-copy. np.load reads it.
//
// The archive is written under a temporary name in the destination's
// directory (that of the file a symbolic link at the path names) and
// appears at its path only when Close has written it whole and flushed
// it to the disk (fsync, then rename): readers never see a partial
// archive, and an archive already at the path stays until then.
// Abort, or a failed Close, removes the temporary file; so does, as a last
// resort, the garbage collector for a Writer dropped without either.
//
// A Writer is not safe for concurrent use. Members are written one after
// the other: Add writes one whole; Create starts one whose data is then
// written through the io.Writer it returns, and which ends at the next
// Add, Create or Close.
type Writer struct {
	path string
	tmp  *replace.Temp // the archive being written, which Close puts at path
	bw   *bufio.Writer
	pos  int64 // bytes written to the archive

	ents  []wentry
	names map[string]bool
	cur   *memberWriter

	time, date uint16
	zip64      bool // forces Zip64 records (tests)

	err     error // sticky: the archive is broken, Close aborts
	closed  bool
	cleanup runtime.Cleanup
}

// wentry is a member written, for the central directory.
type wentry struct {
	name  string // in the archive, with ".npy"
	flags uint16
	crc   uint32
	size  int64
	lho   int64
}

// Create starts a new archive that Close will put at path, replacing any
// file there then. Errors are the OS's, as *os.PathError.
//
// A file already at path is replaced as memmap.Create replaces one
// (see the Vocabulary of package memmap): a symbolic link at path is
// followed, by Create; the new archive keeps the old file's permission
// bits and owner, opt.Perm applying where there was none; a path that
// is not a regular file is refused.
func Create(path string, opt *WriterOptions) (*Writer, error) {
	var o WriterOptions
	if opt != nil {
		o = *opt
	}
	if o.Modified.IsZero() {
		o.Modified = time.Now()
	}
	t, err := replace.Create(path, "npz", o.Perm)
	if err != nil {
		return nil, err
	}
	w := &Writer{path: path, tmp: t, bw: bufio.NewWriterSize(t.File(), 1<<20), names: make(map[string]bool)}
	w.date, w.time = dosTime(o.Modified)
	// The last resort for a Writer dropped without Close or Abort.
	w.cleanup = runtime.AddCleanup(w, func(t *replace.Temp) { _ = t.Abort() }, t)
	return w, nil
}

// Add writes data as the member name (stored as "name.npy") of w: an
// array of T of the given shape (nil means one dimension of len(data)),
// whose elements data holds in the array's memory order. Only
// opt.FortranOrder (data in column-major order) and opt.ByteOrder (the
// member's byte order; the host's by default, swapped as written
// otherwise) are used; a nil opt means C order in the host's byte order.
//
// Errors: ErrName for a bad or repeated name, memmap.ErrShape for a shape
// that does not hold len(data) elements, layout.ErrType for a T without a
// dtype, memmap.ErrByteOrder for a byte order other than Little, Big or
// the default (as array.Create); those change nothing. An I/O error breaks the Writer: Close
// then removes the temporary file and returns it.
func Add[T any](w *Writer, name string, data []T, shape []int, opt *array.Options) error {
	var o array.Options
	if opt != nil {
		o = *opt
	}
	dt, err := layout.Of[T]()
	if err != nil {
		return w.opErr(name, err)
	}
	var zero T
	if unsafe.Sizeof(zero) == 0 || dt.Size() == 0 {
		return w.opErr(name, fmt.Errorf("%w: %T has no bytes to store; an array element needs at least one", layout.ErrType, zero))
	}
	if shape == nil {
		shape = []int{len(data)}
	}
	n := 1
	shape64 := make([]int64, len(shape))
	for i, d := range shape {
		if d < 0 || d != 0 && n > math.MaxInt/d {
			return w.opErr(name, fmt.Errorf("%w: shape %v", memmap.ErrShape, shape))
		}
		n *= d
		shape64[i] = int64(d)
	}
	if n != len(data) {
		return w.opErr(name, fmt.Errorf("%w: shape %v holds %d elements, data has %d", memmap.ErrShape, shape, n, len(data)))
	}
	swap := false
	switch o.ByteOrder {
	case layout.NotApplicable:
	case layout.Little, layout.Big:
		swap = o.ByteOrder != layout.HostOrder() && dt.Order() != layout.NotApplicable
		dt = dt.WithByteOrder(o.ByteOrder)
	default:
		return w.opErr(name, fmt.Errorf("%w: Options.ByteOrder %v: want layout.Little, layout.Big or the zero value (host order)", memmap.ErrByteOrder, o.ByteOrder))
	}
	mw, err := w.Create(name, &header.Header{DType: dt, FortranOrder: o.FortranOrder, Shape: shape64})
	if err != nil {
		return err
	}
	// SAFETY: data holds len(data) Ts without pointers (layout.Of refuses
	// types with pointers), of dt.Size() bytes each; b is only read,
	// before Add returns.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), len(data)*dt.Size())
	if !swap {
		_, err = mw.Write(b)
	} else {
		buf := make([]byte, max(64<<10/dt.Size(), 1)*dt.Size())
		for len(b) > 0 && err == nil {
			k := copy(buf, b)
			dt.SwapBytes(buf[:k])
			_, err = mw.Write(buf[:k])
			b = b[k:]
		}
	}
	if err != nil {
		return err
	}
	return w.finish()
}

// Create starts the member name (stored as "name.npy") of w, an array
// with h's dtype, order and shape (h.Version as header.Header.Encode
// takes it; h.DataOffset is ignored), and returns the io.Writer to which
// its data, h.DataSize() bytes in the array's memory order, must then be
// written, in as many Writes as convenient: the data goes to the archive
// as it comes, with its CRC-32 computed on the fly, so that members bigger
// than memory can be written. A Write past the data's size writes nothing
// and returns an error wrapping memmap.ErrShape. The member ends at the
// next Add, Create or Close, which fail (and break the Writer) if it is
// short of data.
//
// Errors as for Add; a header that cannot be encoded gives header's error.
func (w *Writer) Create(name string, h *header.Header) (io.Writer, error) {
	if err := w.finish(); err != nil {
		return nil, err
	}
	if err := w.usable(name); err != nil {
		return nil, err
	}
	if err := checkName(name); err != nil {
		return nil, w.opErr(name, err)
	}
	if w.names[name] {
		return nil, w.opErr(name, fmt.Errorf("%w: the archive already has a member %q", ErrName, name))
	}
	if h == nil || h.DType == nil {
		return nil, w.opErr(name, fmt.Errorf("%w: no header or dtype", memmap.ErrShape))
	}
	hh := header.Header{Version: h.Version, DType: h.DType, FortranOrder: h.FortranOrder, Shape: h.Shape}
	hb, err := hh.Encode()
	if err != nil {
		return nil, w.opErr(name, err)
	}
	data, err := hh.DataSize()
	if err != nil {
		return nil, w.opErr(name, err)
	}
	if data > math.MaxInt64-int64(len(hb)) {
		return nil, w.opErr(name, fmt.Errorf("%w: %d bytes of data overflow", header.ErrTooLarge, data))
	}
	e := wentry{name: name + ".npy", size: int64(len(hb)) + data, lho: w.pos}
	if !isASCII(e.name) {
		e.flags |= flagUTF8
	}
	// The local header; its CRC-32 is written when the data is complete.
	zip64 := e.size >= max32 || w.zip64
	var extra []byte
	if zip64 {
		extra = le.AppendUint16(extra, extraZip64)
		extra = le.AppendUint16(extra, 16)
		extra = le.AppendUint64(extra, uint64(e.size))
		extra = le.AppendUint64(extra, uint64(e.size))
	}
	// Pad with a zipalign field so that the .npy file starts at a multiple
	// of Alignment: its header's length is a multiple of 64, so its data
	// starts aligned too.
	start := e.lho + lenLocal + int64(len(e.name)) + int64(len(extra)) + 6
	pad := (Alignment - start%Alignment) % Alignment
	extra = le.AppendUint16(extra, extraAlign)
	extra = le.AppendUint16(extra, uint16(2+pad))
	extra = le.AppendUint16(extra, Alignment)
	extra = append(extra, make([]byte, pad)...)

	lh := make([]byte, 0, lenLocal+len(e.name)+len(extra))
	lh = le.AppendUint32(lh, sigLocal)
	lh = le.AppendUint16(lh, version(zip64))
	lh = le.AppendUint16(lh, e.flags)
	lh = le.AppendUint16(lh, methodStore)
	lh = le.AppendUint16(lh, w.time)
	lh = le.AppendUint16(lh, w.date)
	lh = le.AppendUint32(lh, 0) // CRC-32, patched by finish
	lh = le.AppendUint32(lh, sat32(e.size, zip64))
	lh = le.AppendUint32(lh, sat32(e.size, zip64))
	lh = le.AppendUint16(lh, uint16(len(e.name)))
	lh = le.AppendUint16(lh, uint16(len(extra)))
	lh = append(lh, e.name...)
	lh = append(lh, extra...)
	if err := w.write(lh); err != nil {
		return nil, err
	}
	if err := w.write(hb); err != nil {
		return nil, err
	}
	w.names[name] = true
	w.ents = append(w.ents, e)
	w.cur = &memberWriter{w: w, name: name, left: data, crc: crc32.ChecksumIEEE(hb)}
	return w.cur, nil
}

// memberWriter is the io.Writer of a member's data.
type memberWriter struct {
	w    *Writer
	name string
	left int64 // bytes of data still to come
	crc  uint32
	done bool
}

// Write writes the next bytes of the member's data.
func (mw *memberWriter) Write(p []byte) (int, error) {
	w := mw.w
	switch {
	case mw.done || w.cur != mw:
		return 0, w.opErr(mw.name, errors.New("write to a member that has ended: its data is complete, or another member was started"))
	case w.err != nil:
		return 0, w.err
	case int64(len(p)) > mw.left:
		return 0, w.opErr(mw.name, fmt.Errorf("%w: %d bytes written past the %d bytes left of the member's data", memmap.ErrShape, len(p), mw.left))
	}
	mw.crc = crc32.Update(mw.crc, crc32.IEEETable, p)
	if err := w.write(p); err != nil {
		return 0, err
	}
	mw.left -= int64(len(p))
	return len(p), nil
}

// finish ends the member being written, if any: it checks that its data
// is complete and writes its CRC-32 into its local header.
func (w *Writer) finish() error {
	mw := w.cur
	if mw == nil || w.err != nil {
		return w.err
	}
	w.cur, mw.done = nil, true
	if mw.left != 0 {
		w.err = w.opErr(mw.name, fmt.Errorf("%w: the member ended %d bytes short of its data", memmap.ErrShape, mw.left))
		return w.err
	}
	e := &w.ents[len(w.ents)-1]
	e.crc = mw.crc
	if err := w.bw.Flush(); err != nil {
		return w.fail(err)
	}
	var b [4]byte
	le.PutUint32(b[:], e.crc)
	if _, err := w.tmp.File().WriteAt(b[:], e.lho+14); err != nil {
		return w.fail(err)
	}
	return nil
}

// Close ends the member being written, writes the central directory (with
// Zip64 records where sizes, offsets or the number of members need them),
// gives the archive the permission bits of a file it replaces, flushes it
// to the disk and renames it to its path, or over the file a symbolic
// link there named at Create. If anything
// failed, now or before, it removes the temporary file instead and
// returns the first error, and the path is left as it was. Close is
// idempotent: after Close or Abort it does nothing and returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	if err := w.finish(); err != nil {
		return w.abort(err)
	}
	cdOff := w.pos
	for _, e := range w.ents {
		if err := w.write(centralEntry(e, w.time, w.date, w.zip64)); err != nil {
			return w.abort(err)
		}
	}
	cdSize := w.pos - cdOff
	n := int64(len(w.ents))
	var end []byte
	if w.zip64 || n >= max16 || cdSize >= max32 || cdOff >= max32 {
		off64 := w.pos
		end = le.AppendUint32(end, sigEnd64)
		end = le.AppendUint64(end, lenEnd64-12)
		end = le.AppendUint16(end, 3<<8|45)
		end = le.AppendUint16(end, 45)
		end = le.AppendUint32(end, 0) // this disk
		end = le.AppendUint32(end, 0) // the directory's disk
		end = le.AppendUint64(end, uint64(n))
		end = le.AppendUint64(end, uint64(n))
		end = le.AppendUint64(end, uint64(cdSize))
		end = le.AppendUint64(end, uint64(cdOff))
		end = le.AppendUint32(end, sigLoc64)
		end = le.AppendUint32(end, 0)
		end = le.AppendUint64(end, uint64(off64))
		end = le.AppendUint32(end, 1)
	}
	end = le.AppendUint32(end, sigEnd)
	end = le.AppendUint16(end, 0)
	end = le.AppendUint16(end, 0)
	end = le.AppendUint16(end, uint16(min(n, max16)))
	end = le.AppendUint16(end, uint16(min(n, max16)))
	end = le.AppendUint32(end, uint32(min(cdSize, max32)))
	end = le.AppendUint32(end, uint32(min(cdOff, max32)))
	end = le.AppendUint16(end, 0) // comment length
	if err := w.write(end); err != nil {
		return w.abort(err)
	}
	if err := w.bw.Flush(); err != nil {
		return w.abort(w.fail(err))
	}
	if err := w.tmp.Commit(); err != nil {
		return w.abort(err)
	}
	w.cleanup.Stop()
	w.closed = true
	return nil
}

// Abort abandons the archive: it removes the temporary file, leaves the
// path as it was, and returns the first error met doing so (closing or
// removing the temporary file: the OS's *os.PathError, which names it;
// a file that is already gone is not an error). After Close or Abort it
// does nothing and returns nil.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	return w.abort(nil)
}

// abort removes the temporary file and closes w with err. It returns
// err, or when err is nil the error of removing the temporary file.
func (w *Writer) abort(err error) error {
	w.cleanup.Stop()
	derr := w.tmp.Abort()
	w.closed, w.err = true, err
	if err == nil {
		return derr
	}
	return err
}

// usable checks that w can start a member.
func (w *Writer) usable(name string) error {
	if w.closed {
		return w.opErr(name, fmt.Errorf("%w: the writer is closed", memmap.ErrClosed))
	}
	return w.err
}

// write appends b to the archive.
func (w *Writer) write(b []byte) error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.bw.Write(b); err != nil {
		return w.fail(err)
	}
	w.pos += int64(len(b))
	return nil
}

// fail breaks w with an I/O error.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = pathErr("write", w.path, err)
	}
	return w.err
}

// opErr wraps an error about the member name.
func (w *Writer) opErr(name string, err error) error {
	return pathErr("add", w.path+":"+name, err)
}

// centralEntry returns the central directory entry of e.
func centralEntry(e wentry, tm, date uint16, force bool) []byte {
	bigSize, bigOff := e.size >= max32 || force, e.lho >= max32 || force
	var extra []byte
	if bigSize || bigOff {
		extra = le.AppendUint16(extra, extraZip64)
		n := 0
		if bigSize {
			n += 16
		}
		if bigOff {
			n += 8
		}
		extra = le.AppendUint16(extra, uint16(n))
		if bigSize {
			extra = le.AppendUint64(extra, uint64(e.size))
			extra = le.AppendUint64(extra, uint64(e.size))
		}
		if bigOff {
			extra = le.AppendUint64(extra, uint64(e.lho))
		}
	}
	v := version(bigSize || bigOff)
	c := make([]byte, 0, lenCentral+len(e.name)+len(extra))
	c = le.AppendUint32(c, sigCentral)
	c = le.AppendUint16(c, 3<<8|v) // made by: unix
	c = le.AppendUint16(c, v)
	c = le.AppendUint16(c, e.flags)
	c = le.AppendUint16(c, methodStore)
	c = le.AppendUint16(c, tm)
	c = le.AppendUint16(c, date)
	c = le.AppendUint32(c, e.crc)
	c = le.AppendUint32(c, sat32(e.size, bigSize))
	c = le.AppendUint32(c, sat32(e.size, bigSize))
	c = le.AppendUint16(c, uint16(len(e.name)))
	c = le.AppendUint16(c, uint16(len(extra)))
	c = le.AppendUint16(c, 0)            // comment length
	c = le.AppendUint16(c, 0)            // disk
	c = le.AppendUint16(c, 0)            // internal attributes
	c = le.AppendUint32(c, 0o100644<<16) // external: a regular file, rw-r--r--
	c = le.AppendUint32(c, sat32(e.lho, bigOff))
	c = append(c, e.name...)
	return append(c, extra...)
}

// version is the zip version needed to extract: 2.0, or 4.5 for Zip64.
func version(zip64 bool) uint16 {
	if zip64 {
		return 45
	}
	return 20
}

// sat32 is v as a 32-bit field: saturated when it is in a zip64 field.
func sat32(v int64, zip64 bool) uint32 {
	if zip64 {
		return max32
	}
	return uint32(v)
}

// checkName checks a member name (without ".npy").
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrName)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrName, name)
	case strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("%w: %q holds a NUL byte", ErrName, name)
	case len(name)+len(".npy") > max16:
		return fmt.Errorf("%w: %d bytes, more than a zip archive's names hold", ErrName, len(name))
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// dosTime returns t as the zip format's MS-DOS date and time, clamped to
// the years it can hold.
func dosTime(t time.Time) (date, tm uint16) {
	switch {
	case t.Year() < 1980:
		return 1<<5 | 1, 0
	case t.Year() > 2107:
		return 127<<9 | 12<<5 | 31, 23<<11 | 59<<5 | 29
	}
	date = uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
	tm = uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
	return date, tm
}
