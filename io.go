package memmap

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/gomemmap/memmap/internal/seam"

	"github.com/gomemmap/memmap/internal/sys"
)

// This file holds the file-like methods of Map: the io interfaces and the
// rest of Python's mmap file API (read_byte, write_byte, readline, seek,
// tell, move). They work on the current mapped bytes, re-read on every call,
// so they see the map at its current length after Resize.
//
// Errors: after Close every method that returns an error returns ErrClosed;
// writes to a ReadOnly map return ErrReadOnly and change nothing; offsets
// and lengths outside the map return an error wrapping ErrRange. The checks
// run in Python's order: closed, then read-only, then bounds. Nothing
// allocates on success.
//
// None of these accesses is guarded: if another process truncates the
// mapped file, touching a page past its new end raises SIGBUS. Run them
// inside the guarded path of the package documentation when that can happen.

// ReadAt copies len(p) bytes from the map at offset off into p, following
// the contract of io.ReaderAt: it returns the number of bytes copied and,
// when that is less than len(p), io.EOF. An offset at or past the end
// returns 0, io.EOF (even for an empty p, like bytes.Reader); a negative
// offset returns an error wrapping ErrRange. ReadAt does not use or move the
// position, and several ReadAt calls may run concurrently.
func (m *Map) ReadAt(p []byte, off int64) (int, error) {
	if err := m.checkOpen(); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, errorf(ErrRange, "memmap: ReadAt: negative offset %d", off)
	}
	d := m.data
	if off >= int64(len(d)) {
		return 0, io.EOF
	}
	n := copy(p, d[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt copies p into the map at offset off, following the contract of
// io.WriterAt. It does not use or move the position.
//
// A Map never grows by writing (Resize grows it), and a write is all or
// nothing, like Python's mmap.write: if off is negative or p does not fit
// entirely in [off, Len()), WriteAt writes nothing and returns 0 and an error
// wrapping ErrRange. Write it in two parts to fill a map to its end:
// WriteAt(p[:m.Len()-off], off). For the same reason Map has no ReadFrom
// method: io.ReaderFrom reads until EOF, which would need a map that grows
// as the source is read; use io.CopyN(m, r, n) or Resize and then Write.
// A ReadOnly map returns ErrReadOnly, even for an empty p.
//
// Writes of 64 KiB or more to a read-write map of a file go to the file
// with pwrite where the OS shares one page cache between the two (Linux);
// a failed pwrite (a full disk, an I/O error) returns its error, and p may
// then be written in part. A file that another process truncated below
// the map's end, before or during such a write, gives an error wrapping
// ErrTruncated, never a file regrown with zeros. Smaller writes are
// copied into the map, unguarded (see the package documentation).
func (m *Map) WriteAt(p []byte, off int64) (int, error) {
	if err := m.checkWritable(); err != nil {
		return 0, err
	}
	d := m.data
	if off < 0 || int64(len(p)) > int64(len(d))-off {
		return 0, errorf(ErrRange, "memmap: WriteAt: %d bytes at offset %d do not fit in the %d-byte map", len(p), off, len(d))
	}
	if err := m.put("write", int(off), p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// bulkWrite is the least write (in bytes) that put sends to the file with
// pwrite instead of copying it into the map: a first write to a page of a
// shared file mapping takes a page fault that costs several times what
// write(2) costs to copy the page into the page cache.
const bulkWrite = 64 << 10

// put copies p into the map at off, which the caller checked. Large writes
// to a read-write map of a file go through pwrite where the file and its
// maps share one page cache (Linux): the map sees the bytes at once, and
// pages never touched (after Resize) take no fault.
//
// A pwrite, unlike a store into the map, extends a file that is shorter
// than the write: after another process truncated the file, it would
// regrow it with a hole of zeros where data was, and succeed. So put
// checks the file's size (fstat) before the pwrite and again after it: a
// file shorter than the bytes the map covers gives an error wrapping
// ErrTruncated. A pwrite that ends before the map does leaves a file
// shorter than the map if it extended it, which the second check sees;
// one that would end exactly where the map does could restore the map's
// size over a hole, so its last byte is stored through the map instead,
// which never extends the file (a fault there is recovered). A failed
// pwrite (a full disk, an I/O error) returns its error; some of p may
// have been written then.
func (m *Map) put(op string, off int, p []byte) error {
	if len(p) < bulkWrite || m.mode != ReadWrite || !sys.WriteCoherent || m.f == nil {
		copy(m.data[off:], p)
		return nil
	}
	if err := m.checkSize(op); err != nil {
		return err
	}
	if seam.Put != nil {
		seam.Put()
	}
	n := len(p)
	if off+n == len(m.data) {
		n-- // the map's last byte: stored through the map below
	}
	w, err := m.f.WriteAt(p[:n], m.st.off+int64(off))
	if err == nil && w != n {
		err = io.ErrShortWrite
	}
	if err != nil {
		return &os.PathError{Op: op, Path: m.path, Err: err}
	}
	if n < len(p) && !storeGuarded(m.data, off+n, p[n]) {
		return &os.PathError{Op: op, Path: m.path, Err: errorf(ErrTruncated, "memmap: the file was truncated under the map during a write of %d bytes at offset %d", len(p), off)}
	}
	return m.checkSize(op)
}

// checkSize returns an error wrapping ErrTruncated when the file is
// shorter than the bytes the map covers.
func (m *Map) checkSize(op string) error {
	size, err := sys.Size(m.f)
	if err != nil {
		return &os.PathError{Op: op, Path: m.path, Err: err}
	}
	if end := m.st.off + int64(len(m.data)); size < end {
		return &os.PathError{Op: op, Path: m.path, Err: errorf(ErrTruncated, "memmap: the file has %d bytes, the map covers %d", size, end)}
	}
	return nil
}

// storeGuarded stores v at d[i] and reports whether it did, false when
// the store faulted (the page lies past the end of a truncated file). It
// is Guard without a closure, so that put allocates nothing.
func storeGuarded(d []byte, i int, v byte) (ok bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			if _, fault := r.(interface{ Addr() uintptr }); !fault {
				panic(r)
			}
			ok = false
		}
	}()
	d[i] = v
	return true
}

// Read reads up to len(p) bytes at the position into p and advances the
// position by the number of bytes read, following the contract of
// io.Reader. At the end of the map it returns 0, io.EOF (even for an empty
// p, like bytes.Reader).
func (m *Map) Read(p []byte) (int, error) {
	if err := m.checkOpen(); err != nil {
		return 0, err
	}
	d := m.data
	if m.pos >= len(d) {
		return 0, io.EOF
	}
	n := copy(p, d[m.pos:])
	m.pos += n
	return n, nil
}

// Write writes p at the position and advances the position by len(p),
// following the contract of io.Writer. Like WriteAt (see there) it is all
// or nothing and never grows the map: if p does not fit between the
// position and the end, Write writes nothing, leaves the position alone and
// returns 0 and an error wrapping ErrRange, as Python's mmap.write raises
// ValueError.
func (m *Map) Write(p []byte) (int, error) {
	if err := m.checkWritable(); err != nil {
		return 0, err
	}
	d := m.data
	if len(p) > len(d)-m.pos {
		return 0, errorf(ErrRange, "memmap: Write: %d bytes at position %d do not fit in the %d-byte map", len(p), m.pos, len(d))
	}
	if err := m.put("write", m.pos, p); err != nil {
		return 0, err
	}
	m.pos += len(p)
	return len(p), nil
}

// Seek sets the position for the next Read, Write, ReadByte, WriteByte,
// ReadLine or WriteTo to offset, interpreted according to whence
// (io.SeekStart, io.SeekCurrent or io.SeekEnd), and returns the new
// position, following the contract of io.Seeker. The new position must lie
// in [0, Len()]: as Python's mmap.seek raises ValueError, a position outside
// it, or an unknown whence, returns 0 and an error wrapping ErrRange and
// leaves the position alone.
func (m *Map) Seek(offset int64, whence int) (int64, error) {
	if err := m.checkOpen(); err != nil {
		return 0, err
	}
	size := int64(len(m.data))
	base, err := seekBase("Seek", whence, m.pos, len(m.data))
	if err != nil {
		return 0, err
	}
	// 0 <= base+offset <= size, written so that nothing overflows.
	if offset < -base || offset > size-base {
		return 0, errorf(ErrRange, "memmap: Seek: offset %d from %d (whence %d) is outside the %d-byte map", offset, base, whence, size)
	}
	m.pos = int(base + offset)
	return int64(m.pos), nil
}

// seekBase returns the position from which whence counts an offset, for
// the Seek methods (op names them): 0 (io.SeekStart), the position pos
// (io.SeekCurrent) or the size (io.SeekEnd); an unknown whence is an error
// wrapping [ErrRange].
func seekBase(op string, whence, pos, size int) (int64, error) {
	switch whence {
	case io.SeekStart:
		return 0, nil
	case io.SeekCurrent:
		return int64(pos), nil
	case io.SeekEnd:
		return int64(size), nil
	}
	return 0, errorf(ErrRange, "memmap: %s: invalid whence %d", op, whence)
}

// Tell returns the position: the offset of the next Read, Write, ReadByte,
// WriteByte, ReadLine or WriteTo, like Python's mmap.tell. It is the same as
// Seek(0, io.SeekCurrent) without the error; after Close it returns 0.
func (m *Map) Tell() int64 {
	if m.checkOpen() != nil {
		return 0
	}
	return int64(m.pos)
}

// ReadByte returns the byte at the position and advances the position by
// one, following the contract of io.ByteReader; at the end of the map it
// returns 0, io.EOF.
func (m *Map) ReadByte() (byte, error) {
	if err := m.checkOpen(); err != nil {
		return 0, err
	}
	d := m.data
	if m.pos >= len(d) {
		return 0, io.EOF
	}
	c := d[m.pos]
	m.pos++
	return c, nil
}

// WriteByte writes c at the position and advances the position by one,
// following the contract of io.ByteWriter. At the end of the map it writes
// nothing and returns an error wrapping ErrRange, like Python's
// mmap.write_byte.
func (m *Map) WriteByte(c byte) error {
	if err := m.checkWritable(); err != nil {
		return err
	}
	d := m.data
	if m.pos >= len(d) {
		return errorf(ErrRange, "memmap: WriteByte at position %d of the %d-byte map", m.pos, len(d))
	}
	d[m.pos] = c
	m.pos++
	return nil
}

// ReadLine returns the bytes from the position up to and including the next
// '\n', or up to the end of the map if there is none, and advances the
// position past them, like Python's mmap.readline. The last line of a map
// that does not end in '\n' comes back without one and with a nil error;
// io.EOF comes only when nothing is left, with a nil line. Unlike
// bufio.Reader.ReadLine, the line keeps its '\n' (and any '\r' before it);
// unlike bufio.Reader.ReadBytes, the final line has no io.EOF with it.
//
// The line is not a copy: it aliases the map, so it sees later writes to
// those bytes and writes to it change the map (a ReadOnly map faults). It
// is valid until Close; its capacity is capped, so appending to it copies
// instead of overwriting the bytes that follow.
func (m *Map) ReadLine() ([]byte, error) {
	if err := m.checkOpen(); err != nil {
		return nil, err
	}
	d := m.data
	if m.pos >= len(d) {
		return nil, io.EOF
	}
	rest := d[m.pos:]
	n := len(rest)
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		n = i + 1
	}
	m.pos += n
	return rest[:n:n], nil
}

// WriteTo writes the bytes from the position to the end of the map to w
// and advances the position by the number of bytes written, following the
// contract of io.WriterTo (so io.Copy(w, m) uses it). The bytes go to w in a
// single Write call straight from the map, without a copy; as io.Writer
// requires, w must not keep them. A short write without an error returns
// io.ErrShortWrite. At the end of the map it returns 0, nil.
func (m *Map) WriteTo(w io.Writer) (int64, error) {
	if err := m.checkOpen(); err != nil {
		return 0, err
	}
	d := m.data
	if m.pos >= len(d) {
		return 0, nil
	}
	b := d[m.pos:len(d):len(d)]
	n, err := w.Write(b)
	if n < 0 || n > len(b) {
		return 0, fmt.Errorf("memmap: WriteTo: the writer returned an invalid count %d for %d bytes", n, len(b))
	}
	m.pos += n
	if n < len(b) && err == nil {
		err = io.ErrShortWrite
	}
	return int64(n), err
}

// Move copies n bytes from offset src to offset dst within the map, like
// Python's mmap.move (a memmove: the ranges may overlap). Both ranges must
// lie inside the map and n must not be negative, else Move changes nothing
// and returns an error wrapping ErrRange; a ReadOnly map returns
// ErrReadOnly. It does not use or move the position.
func (m *Map) Move(dst, src, n int64) error {
	if err := m.checkWritable(); err != nil {
		return err
	}
	d := m.data
	size := int64(len(d))
	if dst < 0 || src < 0 || n < 0 || n > size-dst || n > size-src {
		return errorf(ErrRange, "memmap: Move: %d bytes from offset %d to offset %d in the %d-byte map", n, src, dst, size)
	}
	copy(d[dst:dst+n], d[src:src+n])
	return nil
}
