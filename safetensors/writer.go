package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/replace"
	"github.com/gomemmap/memmap/layout"
)

// DataAlign is the multiple of which a Writer makes the data area's
// offset in the file, by padding the header with spaces: with the tensors
// ordered by decreasing element size, every tensor is then aligned to its
// element size in the file, and to its element size in memory when the
// file is mapped (maps start on a page).
const DataAlign = 64

// WriterOptions tunes Create. A nil *WriterOptions means the defaults.
type WriterOptions struct {
	// Metadata is written as the header's "__metadata__": free-form
	// string keys and values (valid UTF-8), such as {"format": "pt"}.
	// Nil or empty writes none.
	Metadata map[string]string

	// Perm is the permission bits of the new file, less the umask (as
	// os.OpenFile and memmap.Create apply them); zero means 0o644. A file
	// that replaces one already at the path keeps that file's permission
	// bits instead (see Create).
	Perm fs.FileMode
}

// Writer creates a safetensors file. Declare the tensors with Add (data
// in memory, written at Close) or Declare (data streamed with Write,
// WriteTensor or TensorWriter, for files bigger than memory); Close then
// writes the header and makes the file appear at its path, complete.
//
// The file is built under a temporary name in the same directory
// (".NAME.safetensors-*") and renamed over the path (over the file a
// symbolic link there names: see Create) only after all of it is written
// and fsynced, so that the path holds either what was there
// before or the whole new file, also across a crash (which may leave the
// temporary file behind), and maps of an old file at the path keep their
// data. Abort, or a failed Write, WriteTensor or Close, removes the
// temporary file: the Writer is done, and Close returns its first error
// (a failed Add or Declare changes nothing). On Windows a file cannot be
// replaced while it is open: Close fails, leaving it as it was, while a
// File (or any other handle) has the old file at the path open.
//
// Tensors are laid out as the reference implementation lays them out:
// ordered by decreasing dtype alignment, then by name, back to back from
// the start of the data area; unlike the reference (which aligns the data
// area to 8 bytes), the header is padded with spaces so that the data area
// starts at a multiple of DataAlign. Every tensor is then aligned to its
// element size and maps as a zero-copy view.
//
// A Writer's methods may be called from several goroutines: they are
// serialised. The data of Add and the bytes of Write are little-endian,
// as the format requires; Add and WriteTensor swap on big-endian hosts.
type Writer struct {
	mu      sync.Mutex
	path    string
	tmp     *replace.Temp // the file being written, which Close puts at path
	f       *os.File      // tmp's
	meta    map[string]string
	tensors []*wtensor
	byName  map[string]*wtensor
	dataOff int64 // set when the layout is frozen, 0 before
	err     error // the first error: the writer is done
	done    bool  // closed or aborted
}

// wtensor is a declared tensor.
type wtensor struct {
	name    string
	dt      *dtypeInfo
	shape   []int
	size    int64
	begin   int64 // in the data area, once frozen
	written int64
	data    func(w io.Writer) error // Add's data, written at Close; nil for streamed tensors
}

// Create starts a safetensors file at path: it creates the temporary file
// the Writer builds it in (see Writer), and nothing appears at path until
// Close. Errors are the OS's, as *os.PathError values, and one matching
// ErrFormat for metadata that is not valid UTF-8 or that Open would refuse
// (more than MaxMetadataEntries keys or MaxMetadataLen bytes).
//
// A file already at path is replaced as memmap.Create replaces one
// (see the Vocabulary of package memmap): a symbolic link at path is
// followed, by Create; the new file keeps the old file's permission
// bits and owner, opt.Perm applying where there was none; a path that
// is not a regular file is refused.
func Create(path string, opt *WriterOptions) (*Writer, error) {
	var o WriterOptions
	if opt != nil {
		o = *opt
	}
	if len(o.Metadata) > MaxMetadataEntries {
		return nil, &os.PathError{Op: "create", Path: path, Err: formatErr(nil, "metadata of %d keys: Open reads at most %d", len(o.Metadata), MaxMetadataEntries)}
	}
	metaLen := 0
	for k, v := range o.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, &os.PathError{Op: "create", Path: path, Err: formatErr(nil, "metadata %s: %s: keys and values must be valid UTF-8", clip(k), clip(v))}
		}
		metaLen += len(k) + len(v)
	}
	if metaLen > MaxMetadataLen {
		return nil, &os.PathError{Op: "create", Path: path, Err: formatErr(nil, "metadata of %d bytes of keys and values: Open reads at most %d", metaLen, MaxMetadataLen)}
	}
	t, err := replace.Create(path, "safetensors", o.Perm)
	if err != nil {
		return nil, err
	}
	w := &Writer{path: path, tmp: t, f: t.File(), byName: make(map[string]*wtensor)}
	if len(o.Metadata) > 0 {
		w.meta = make(map[string]string, len(o.Metadata))
		for k, v := range o.Metadata {
			w.meta[k] = v
		}
	}
	return w, nil
}

// pathErr returns err as an *os.PathError for the writer's path.
func (w *Writer) pathErr(op string, err error) error {
	return &os.PathError{Op: op, Path: w.path, Err: err}
}

// fail records err as the writer's first error, removes the temporary
// file and returns err.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	_ = w.cleanup() // its error is kept for Abort
	return err
}

// cleanup closes and removes the temporary file, and returns (and
// keeps, for Abort) the first error it met. A temporary file that is
// already gone is not an error: it is what cleanup is for.
func (w *Writer) cleanup() error { return w.tmp.Abort() }

// usable returns the error that keeps the writer from being used.
func (w *Writer) usable() error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return w.pathErr("write", memmap.ErrClosed)
	}
	return nil
}

// declare adds a tensor of dtype dt and this shape.
func (w *Writer) declare(name string, dt *dtypeInfo, shape []int, data func(io.Writer) error) (*wtensor, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	if w.dataOff != 0 {
		return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s declared after data was written: declare (and Add) every tensor first", memmap.ErrShape, clip(name)))
	}
	if name == metadataKey {
		return nil, w.pathErr("declare", wrapErr(ErrFormat, "%q is the key of the metadata, not a tensor name", metadataKey))
	}
	if !utf8.ValidString(name) {
		return nil, w.pathErr("declare", wrapErr(ErrFormat, "tensor name %s is not valid UTF-8", clip(name)))
	}
	if _, dup := w.byName[name]; dup {
		return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s declared twice", memmap.ErrShape, clip(name)))
	}
	if len(shape) > MaxRank {
		return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s: shape of %d dimensions, more than the %d Open reads (MaxRank)", memmap.ErrShape, clip(name), len(shape), MaxRank))
	}
	nel := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s: negative dimension in shape %v", memmap.ErrShape, clip(name), shape))
		}
		hi, lo := bits.Mul64(nel, uint64(d))
		if hi != 0 {
			return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s: shape %v overflows", memmap.ErrRange, clip(name), shape))
		}
		nel = lo
	}
	hi, nbits := bits.Mul64(nel, uint64(dt.bits))
	if hi != 0 || nbits/8 > 1<<62 {
		return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s: shape %v of %s is too large", memmap.ErrRange, clip(name), shape, dt.name))
	}
	if nbits%8 != 0 {
		return nil, w.pathErr("declare", fmt.Errorf("%w: tensor %s: %d elements of %d-bit %s do not fill whole bytes", memmap.ErrShape, clip(name), nel, dt.bits, dt.name))
	}
	t := &wtensor{name: name, dt: dt, shape: slices.Clone(shape), size: int64(nbits / 8), data: data}
	w.tensors = append(w.tensors, t)
	w.byName[name] = t
	return t, nil
}

// Declare declares a tensor whose data will be streamed with Write,
// WriteTensor or TensorWriter: its name (unique, valid UTF-8, not
// "__metadata__"), its dtype as the format names it ("F32", "BF16", ...;
// every dtype of the format, F4 and F6_* included, whose data is then
// written as raw bytes) and its shape (C order; nil or empty for a 0-d
// tensor of one element). All tensors must be declared (or added) before
// the first Write: the layout of the file is fixed then.
func (w *Writer) Declare(name, dtype string, shape []int) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	dt := lookupDType(dtype)
	if dt == nil {
		return w.pathErr("declare", wrapErr(layout.ErrDType, "tensor %s: unknown dtype %s (known: %s)", clip(name), clip(dtype), knownDTypes()))
	}
	_, err := w.declare(name, dt, shape, nil)
	return err
}

// Add declares a tensor and gives its data, which Close writes: data
// holds the elements in C order, as many as shape says (nil or empty
// shape: a 0-d tensor of one element). T must have a safetensors dtype
// (see DTypeOf; else an error matching layout.ErrType). Add does not copy
// data: do not change it until Close returns.
func Add[T any](w *Writer, name string, data []T, shape []int) error {
	dtype, err := DTypeOf[T]()
	if err != nil {
		return w.pathErr("declare", err)
	}
	n := 1
	for _, d := range shape {
		if d < 0 || (d != 0 && n > int(^uint(0)>>1)/d) {
			n = -1
			break
		}
		n *= d
	}
	if n != len(data) {
		return w.pathErr("declare", fmt.Errorf("%w: tensor %s: %d elements for shape %v", memmap.ErrShape, clip(name), len(data), shape))
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.declare(name, lookupDType(dtype), shape, func(out io.Writer) error {
		return writeLE(out, data)
	})
	return err
}

// freeze fixes the layout: tensors by decreasing dtype rank, then name.
func (w *Writer) freeze() ([]byte, error) {
	if w.dataOff != 0 {
		return w.headerBytes()
	}
	slices.SortStableFunc(w.tensors, func(a, b *wtensor) int {
		if a.dt.rank != b.dt.rank {
			return b.dt.rank - a.dt.rank
		}
		return strings.Compare(a.name, b.name)
	})
	var off int64
	for _, t := range w.tensors {
		t.begin = off
		off += t.size
		if off < 0 {
			return nil, fmt.Errorf("%w: the tensors' data overflows an int64", memmap.ErrRange)
		}
	}
	h, err := w.headerJSON()
	if err != nil {
		return nil, err
	}
	n := (8+len(h)+DataAlign-1)/DataAlign*DataAlign - 8
	if n > MaxHeaderLen {
		return nil, wrapErr(ErrFormat, "the header would be %d bytes, more than the %d readers accept", n, MaxHeaderLen)
	}
	w.dataOff = int64(8 + n)
	return w.headerBytes()
}

// headerBytes returns the length and the padded header.
func (w *Writer) headerBytes() ([]byte, error) {
	h, err := w.headerJSON()
	if err != nil {
		return nil, err
	}
	b := make([]byte, w.dataOff)
	binary.LittleEndian.PutUint64(b, uint64(w.dataOff-8))
	copy(b[8:], h)
	for i := 8 + len(h); i < len(b); i++ {
		b[i] = ' '
	}
	return b, nil
}

// headerJSON returns the header's JSON: the metadata first (keys
// sorted), then the tensors in file order.
func (w *Writer) headerJSON() ([]byte, error) {
	var b []byte
	str := func(s string) error {
		q, err := json.Marshal(s)
		b = append(b, q...)
		return err
	}
	b = append(b, '{')
	if len(w.meta) > 0 {
		b = append(b, `"__metadata__":{`...)
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range w.meta {
				if !yield(k) {
					return
				}
			}
		})
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			if err := str(k); err != nil {
				return nil, err
			}
			b = append(b, ':')
			if err := str(w.meta[k]); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	for i, t := range w.tensors {
		if i > 0 || len(w.meta) > 0 {
			b = append(b, ',')
		}
		if err := str(t.name); err != nil {
			return nil, err
		}
		b = append(b, `:{"dtype":"`...)
		b = append(b, t.dt.name...)
		b = append(b, `","shape":[`...)
		for j, d := range t.shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendInt(b, t.begin, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, t.begin+t.size, 10)
		b = append(b, "]}"...)
	}
	return append(b, '}'), nil
}

// Write appends p to the data of the tensor called name, which must have
// been declared: the tensor's bytes as the file holds them
// (little-endian, C order), in as many pieces as convenient, tensors in
// any order. The first Write fixes the file's layout (no more Declare or
// Add). Writing more bytes than the tensor has is an error matching
// memmap.ErrShape, which, like every failed Write, aborts the Writer.
func (w *Writer) Write(name string, p []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, err := w.stream(name, int64(len(p)))
	if err != nil {
		return err
	}
	if _, err := w.f.WriteAt(p, w.dataOff+t.begin+t.written); err != nil {
		return w.fail(err)
	}
	t.written += int64(len(p))
	return nil
}

// stream returns the streamed tensor called name, checking that n more
// bytes fit it, after freezing the layout.
func (w *Writer) stream(name string, n int64) (*wtensor, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	t, ok := w.byName[name]
	if !ok {
		return nil, w.fail(w.pathErr("write", wrapErr(ErrNotFound, "no tensor %s declared", clip(name))))
	}
	if t.data != nil {
		return nil, w.fail(w.pathErr("write", fmt.Errorf("%w: tensor %s was given its data by Add", memmap.ErrShape, clip(name))))
	}
	if _, err := w.freeze(); err != nil {
		return nil, w.fail(w.pathErr("write", err))
	}
	if n > t.size-t.written {
		return nil, w.fail(w.pathErr("write", fmt.Errorf("%w: tensor %s: %d more bytes after %d, but it has %d", memmap.ErrShape, clip(name), n, t.written, t.size)))
	}
	return t, nil
}

// WriteTensor appends elements to the data of the streamed tensor called
// name, as Write does with their bytes: T must be the Go type of the
// tensor's declared dtype (see DTypeOf); on a big-endian host the bytes
// are swapped to little-endian.
func WriteTensor[T any](w *Writer, name string, data []T) error {
	dtype, err := DTypeOf[T]()
	if err != nil {
		return w.pathErr("write", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if t, ok := w.byName[name]; ok && t.dt.name != dtype {
		return w.fail(w.pathErr("write", wrapErr(layout.ErrDType, "tensor %s is %s, not %s (%T)", clip(name), t.dt.name, dtype, *new(T))))
	}
	size := int64(len(data)) * int64(unsafe.Sizeof(*new(T)))
	t, err := w.stream(name, size)
	if err != nil {
		return err
	}
	if err := writeLE(&offsetWriter{f: w.f, off: w.dataOff + t.begin + t.written}, data); err != nil {
		return w.fail(err)
	}
	t.written += size
	return nil
}

// TensorWriter returns an io.Writer whose Write calls w.Write(name, p),
// for io.Copy from a source of a streamed tensor's bytes.
func (w *Writer) TensorWriter(name string) io.Writer { return tensorWriter{w, name} }

type tensorWriter struct {
	w    *Writer
	name string
}

func (t tensorWriter) Write(p []byte) (int, error) {
	if err := t.w.Write(t.name, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// offsetWriter writes sequentially from off with WriteAt.
type offsetWriter struct {
	f   *os.File
	off int64
}

func (o *offsetWriter) Write(p []byte) (int, error) {
	n, err := o.f.WriteAt(p, o.off)
	o.off += int64(n)
	return n, err
}

// writeLE writes the elements of data to out in little-endian order.
func writeLE[T any](out io.Writer, data []T) error {
	if len(data) == 0 {
		return nil
	}
	d, err := layout.Of[T]()
	if err != nil {
		return err
	}
	size := len(data) * d.Size()
	// SAFETY: data is a live []T of len(data) elements of d.Size() bytes
	// each (layout.Of gives Go's own size), and T holds no pointers
	// (layout refuses such types), so its memory is size plain bytes; b
	// is only read, while data is alive.
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(data))), size)
	if d.Order() != layout.Big { // the host is little-endian, or T has no byte order
		_, err := out.Write(b)
		return err
	}
	// A big-endian host: swap a copy, a chunk at a time.
	chunk := make([]byte, min(size, 1<<16/d.Size()*d.Size()))
	for len(b) > 0 {
		n := copy(chunk, b)
		d.SwapBytes(chunk[:n])
		if _, err := out.Write(chunk[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// Abort gives up the file: it removes the temporary file, leaving what
// was at the path untouched, and returns the first error met doing so
// (closing or removing the temporary file: the OS's *os.PathError, which
// names it; a file that is already gone is not an error), also when a
// failed Write or WriteTensor removed it before. After Close or Abort it
// does nothing and returns nil.
func (w *Writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.done = true
	return w.cleanup()
}

// Close writes the data of the tensors given by Add and the header,
// checks that every streamed tensor has all its bytes, gives the file
// the permission bits of a file it replaces, fsyncs it and renames it
// over the path, or over the file a symbolic link there named at Create
// (then fsyncs the directory, where the OS allows). On any failure it
// removes the temporary file and returns the error (the Writer's first
// one, if an earlier call failed); the path is then untouched. Close is idempotent: after Close or Abort it does
// nothing and returns nil.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.done = true
	if w.err != nil {
		_ = w.cleanup()
		return w.err
	}
	hdr, err := w.freeze()
	if err != nil {
		return w.fail(w.pathErr("close", err))
	}
	for _, t := range w.tensors {
		if t.data != nil {
			if err := t.data(&offsetWriter{f: w.f, off: w.dataOff + t.begin}); err != nil {
				return w.fail(w.pathErr("write", err))
			}
			continue
		}
		if t.written != t.size {
			return w.fail(w.pathErr("close", fmt.Errorf("%w: tensor %s has %d of its %d bytes", memmap.ErrShape, clip(t.name), t.written, t.size)))
		}
	}
	if _, err := w.f.WriteAt(hdr, 0); err != nil {
		return w.fail(err)
	}
	var end int64 = w.dataOff
	if k := len(w.tensors); k > 0 {
		end += w.tensors[k-1].begin + w.tensors[k-1].size
	}
	if err := w.f.Truncate(end); err != nil { // exact: nothing after the last tensor
		return w.fail(err)
	}
	if err := w.tmp.Commit(); err != nil {
		return w.fail(err)
	}
	return nil
}
