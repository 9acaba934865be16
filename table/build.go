package table

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"time"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/mph"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// Options are the options of Build, BuildSeq and Create. The zero value
// (or nil) is the default.
type Options struct {
	// Perm is the permission bits of a new table file, less the umask;
	// zero means 0o644. A file it replaces keeps its own (as
	// memmap.Create replaces a file).
	Perm os.FileMode

	// Meta is stored with the table as the member "user" (a |u1 array)
	// and returned by Table.Meta: the caller's own metadata, such as a
	// schema or the version of the data. Nil stores nothing.
	Meta []byte

	// ByteOrder is the byte order of the table's numbers: layout.Little
	// or layout.Big. The zero value means the host's, which readers on
	// hosts of that order see in place (Table.ZeroCopy); readers on the
	// others convert as they read. Another value gives an error wrapping
	// memmap.ErrByteOrder.
	ByteOrder layout.ByteOrder

	// Modified is the time recorded in the archive for every member; the
	// zero value means now. A fixed time makes the same keys and values
	// give the same file, byte for byte.
	Modified time.Time
}

// maxAttempts bounds the seeds a build tries. A new seed is needed only
// when two string keys share a 64-bit hash or the index cannot place a
// part, each rarer than one build in millions.
const maxAttempts = 8

// Build writes a table of keys[i] -> values[i] at path, replacing any file
// there only once the whole table is written (as memmap.Create does). The
// keys and values may be the views of mapped arrays (array.Array.Data,
// record.File.Data) bigger than memory: they are read twice in their
// order, then once in the table's order.
//
// Memory: Build needs about 16 bytes per key on the heap at its peak (a
// hash per key, and a copy of the hashes grouped for the index's build;
// then a hash and a position), plus the index (about 3 bits per key),
// whatever the size of the keys and values: 1.6 GB for 100M keys.
//
// Errors: keys and values of different lengths match memmap.ErrShape; a
// key given twice matches ErrDuplicate and names it; more than
// mph.MaxKeys keys match memmap.ErrRange; a V without a dtype matches
// layout.ErrType; the OS's errors come as *os.PathError. On an error
// nothing is left at path.
func Build[K Key, V any](path string, keys []K, values []V, opt *Options) error {
	if len(keys) != len(values) {
		return pathErr("build", path, fmt.Errorf("%w: %d keys and %d values", memmap.ErrShape, len(keys), len(values)))
	}
	return build(path, len(keys), func(i int) K { return keys[i] }, func(i int) V { return values[i] }, opt, keys, values)
}

// BuildFunc writes a table of n keys and values that key(i) and val(i)
// give for i in [0, n), as Build does: for keys and values that are not
// two slices, such as a field of the records of a record.File and
// another of the same records. They are called several times for each
// i and must give the same answer each time: key twice with i in order,
// then once in the table's order; val in the table's order (twice for
// []byte values, whose bytes are copied before the next call).
func BuildFunc[K Key, V any](path string, n int, key func(i int) K, val func(i int) V, opt *Options) error {
	if n < 0 {
		return pathErr("build", path, fmt.Errorf("%w: %d keys", memmap.ErrShape, n))
	}
	return build(path, n, key, val, opt, nil, nil)
}

// BuildSeq writes a table of the keys and values seq yields at path, as
// Build does. It collects them on the heap first (the keys and values,
// with []byte values copied into one buffer): for tables bigger than
// memory, write the keys and values to mapped arrays (array.Create) and
// call Build with their views.
func BuildSeq[K Key, V any](path string, seq iter.Seq2[K, V], opt *Options) error {
	w, err := Create[K, V](path, opt)
	if err != nil {
		return err
	}
	for k, v := range seq {
		if err := w.Add(k, v); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Close()
}

// Writer collects keys and values added one by one and writes the table
// at Close, as BuildSeq does (on the heap until then). A Writer is not
// safe for concurrent use.
type Writer[K Key, V any] struct {
	path   string
	opt    Options
	keys   []K
	vals   []V
	blob   []byte   // []byte values, end to end
	ends   []uint64 // where each []byte value ends in blob
	closed bool
}

// Create returns a Writer of a table at path. Nothing is written at path
// before Close. Errors: a V without a dtype matches layout.ErrType.
func Create[K Key, V any](path string, opt *Options) (*Writer[K, V], error) {
	if err := checkTypes[K, V](); err != nil {
		return nil, pathErr("create", path, err)
	}
	w := &Writer[K, V]{path: path}
	if opt != nil {
		w.opt = *opt
	}
	return w, nil
}

// Add adds key k with value v. A []byte value is copied. Keys given twice
// are found at Close (ErrDuplicate). After Close or Abort it returns an
// error wrapping memmap.ErrClosed.
func (w *Writer[K, V]) Add(k K, v V) error {
	if w.closed {
		return pathErr("add", w.path, memmap.ErrClosed)
	}
	if uint64(len(w.keys)) >= mph.MaxKeys {
		return pathErr("add", w.path, fmt.Errorf("%w: a table holds at most %d keys", memmap.ErrRange, uint64(mph.MaxKeys)))
	}
	w.keys = append(w.keys, k)
	if isBytes[V]() {
		w.blob = append(w.blob, valueBytes(v)...)
		w.ends = append(w.ends, uint64(len(w.blob)))
	} else {
		w.vals = append(w.vals, v)
	}
	return nil
}

// Len returns the number of keys added.
func (w *Writer[K, V]) Len() int { return len(w.keys) }

// Close builds the table and writes it at path (see Build), and releases
// the Writer's memory. Later calls, and a Close after Abort, do nothing
// and return nil.
func (w *Writer[K, V]) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	val := func(i int) V { return w.vals[i] }
	if isBytes[V]() {
		val = func(i int) V {
			start := uint64(0)
			if i > 0 {
				start = w.ends[i-1]
			}
			return asValue[V](w.blob[start:w.ends[i]:w.ends[i]])
		}
	}
	var vals []V
	if !isBytes[V]() {
		vals = w.vals
	}
	err := build(w.path, len(w.keys), func(i int) K { return w.keys[i] }, val, &w.opt, w.keys, vals)
	w.keys, w.vals, w.blob, w.ends = nil, nil, nil, nil
	return err
}

// Abort drops what was added; nothing is written. It may be called more
// than once, and after Close.
func (w *Writer[K, V]) Abort() error {
	w.closed = true
	w.keys, w.vals, w.blob, w.ends = nil, nil, nil, nil
	return nil
}

// checkTypes checks that V is []byte or has a dtype.
func checkTypes[K Key, V any]() error {
	if isBytes[V]() {
		return nil
	}
	dt, err := layout.Of[V]()
	if err != nil {
		return err
	}
	if dt.Size() == 0 {
		var v V
		return fmt.Errorf("%w: %T has no bytes to store", layout.ErrType, v)
	}
	return nil
}

// build writes the table of n keys and values that key and val give, or
// keys and vals where they are not nil (the same, as slices, read
// without a call per entry).
func build[K Key, V any](path string, n int, key func(int) K, val func(int) V, opt *Options, keys []K, vals []V) error {
	var o Options
	if opt != nil {
		o = *opt
	}
	if err := checkTypes[K, V](); err != nil {
		return pathErr("build", path, err)
	}
	if uint64(n) > mph.MaxKeys {
		return pathErr("build", path, fmt.Errorf("%w: %d keys; a table holds at most %d", memmap.ErrRange, n, uint64(mph.MaxKeys)))
	}
	switch o.ByteOrder {
	case layout.NotApplicable, layout.Little, layout.Big:
	default:
		return pathErr("build", path, fmt.Errorf("%w: Options.ByteOrder %v: want layout.Little, layout.Big or the zero value (host order)", memmap.ErrByteOrder, o.ByteOrder))
	}
	kk := keyKind[K]()
	hs := make([]uint64, n)
	var (
		seed   uint64
		p      mph.Params
		pilots []uint8
		remap  []uint32
		err    error
	)
	for attempt := 0; ; attempt++ {
		seed = seedFor(attempt)
		if keys != nil {
			for i, k := range keys {
				hs[i] = keyHash(k, kk, seed)
			}
		} else {
			for i := range n {
				hs[i] = keyHash(key(i), kk, seed)
			}
		}
		p, pilots, remap, err = mph.Build(hs, nil)
		if err == nil {
			break
		}
		if de := (*mph.DuplicateError)(nil); errors.As(err, &de) {
			if dup, ok := duplicate(hs, de.Hash, key); ok {
				return pathErr("build", path, fmt.Errorf("%w: %v", ErrDuplicate, dup))
			}
		} else if !errors.Is(err, mph.ErrRetry) {
			return pathErr("build", path, err)
		}
		if attempt+1 == maxAttempts {
			return pathErr("build", path, fmt.Errorf("no index after %d seeds: %w", maxAttempts, err))
		}
	}
	idx, err := mph.NewIndex(p, pilots, remap)
	if err != nil {
		return pathErr("build", path, err)
	}
	// pos[s] is the key at index s.
	pos := make([]uint32, n)
	for i, h := range hs { // mph.Build leaves hs as it was
		pos[idx.Slot(h, idx.Bucket(h))] = uint32(i)
	}
	hs = nil
	m := meta{Magic: magic, Version: formatVersion, KeyKind: kk, ValueKind: valueFixed, Seed: seed,
		Keys: p.Keys, Parts: p.Parts, Buckets: p.Buckets, Slots: p.Slots}
	if isBytes[V]() {
		m.ValueKind = valueVar
	}
	w, err := npz.Create(path, &npz.WriterOptions{Perm: o.Perm, Modified: o.Modified})
	if err != nil {
		return err
	}
	if err := writeAll(w, m, pilots, remap, pos, key, val, &o, keys, vals); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

// seedFor returns the seed of a build's attempt: 0 first, so that the
// same keys give the same file.
func seedFor(attempt int) uint64 { return uint64(attempt) * 0x9e3779b97f4a7c15 }

// duplicate returns a key given twice among the keys whose hash is h
// (the one internal/mph found twice), or false if those keys differ (two
// string keys whose hashes collide: a new seed separates them).
func duplicate[K Key](hs []uint64, h uint64, key func(int) K) (K, bool) {
	var group []int // almost always two keys
	for i, hi := range hs {
		if hi != h {
			continue
		}
		k := key(i)
		for _, j := range group {
			if key(j) == k {
				return k, true
			}
		}
		group = append(group, i)
	}
	var zero K
	return zero, false
}

// writeAll writes the members of the table: meta, pilots, remap, entries,
// then the keys' and the values' bytes, and the caller's metadata.
func writeAll[K Key, V any](w *npz.Writer, m meta, pilots []uint8, remap []uint32, pos []uint32, key func(int) K, val func(int) V, o *Options, keys []K, vals []V) error {
	ao := &array.Options{ByteOrder: o.ByteOrder}
	if err := npz.Add(w, memberMeta, []meta{m}, nil, ao); err != nil {
		return err
	}
	if err := npz.Add(w, memberPilots, pilots, nil, nil); err != nil {
		return err
	}
	if err := npz.Add(w, memberRemap, remap, nil, ao); err != nil {
		return err
	}
	n := len(pos)
	var keyEnd, valEnd uint64
	var err error
	switch {
	case m.KeyKind != keyBytes && m.ValueKind == valueFixed && keys != nil && vals != nil:
		// The common case, gathered in one loop with no call per entry.
		err = writeEntriesFill(w, n, o.ByteOrder, func(buf []entKV[K, V], s int) {
			for j := range buf {
				i := pos[s+j]
				buf[j] = entKV[K, V]{Key: keys[i], Value: vals[i]}
			}
		})
	case m.KeyKind != keyBytes && m.ValueKind == valueFixed:
		err = writeEntries(w, n, o.ByteOrder, func(s int) entKV[K, V] {
			i := int(pos[s])
			return entKV[K, V]{Key: key(i), Value: val(i)}
		})
	case m.KeyKind != keyBytes:
		err = writeEntries(w, n, o.ByteOrder, func(s int) entKB[K] {
			i := int(pos[s])
			valEnd += uint64(len(valueBytes(val(i))))
			return entKB[K]{Key: key(i), ValueEnd: valEnd}
		})
	case m.ValueKind == valueFixed:
		err = writeEntries(w, n, o.ByteOrder, func(s int) entSV[V] {
			i := int(pos[s])
			keyEnd += uint64(len(keyString(key(i))))
			return entSV[V]{KeyEnd: keyEnd, Value: val(i)}
		})
	default:
		err = writeEntries(w, n, o.ByteOrder, func(s int) entSB {
			i := int(pos[s])
			keyEnd += uint64(len(keyString(key(i))))
			valEnd += uint64(len(valueBytes(val(i))))
			return entSB{KeyEnd: keyEnd, ValueEnd: valEnd}
		})
	}
	if err != nil {
		return err
	}
	if m.KeyKind == keyBytes {
		if err := writeBytes(w, memberKeys, n, keyEnd, func(s int) []byte {
			k := keyString(key(int(pos[s])))
			// SAFETY: the bytes are only read (copied by writeBytes),
			// during the call.
			return unsafe.Slice(unsafe.StringData(k), len(k))
		}); err != nil {
			return err
		}
	}
	if m.ValueKind == valueVar {
		if err := writeBytes(w, memberValues, n, valEnd, func(s int) []byte { return valueBytes(val(int(pos[s]))) }); err != nil {
			return err
		}
	}
	if o.Meta != nil {
		if err := npz.Add(w, memberUser, o.Meta, nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// chunkBytes is the size of the buffers the entries and bytes are written
// through.
const chunkBytes = 256 << 10

// writeEntries writes the member entries, n entries that at gives in
// index order, in byte order bo (the host's if NotApplicable).
func writeEntries[E any](w *npz.Writer, n int, bo layout.ByteOrder, at func(s int) E) error {
	return writeEntriesFill(w, n, bo, func(buf []E, s int) {
		for j := range buf {
			buf[j] = at(s + j)
		}
	})
}

// writeEntriesFill writes the member entries, n entries in index order
// that fill puts in buf, those from index s on, a chunk at a time.
func writeEntriesFill[E any](w *npz.Writer, n int, bo layout.ByteOrder, fill func(buf []E, s int)) error {
	dt, err := layout.Of[E]()
	if err != nil {
		return err
	}
	swap := bo != layout.NotApplicable && bo != layout.HostOrder()
	fdt := dt
	if bo != layout.NotApplicable {
		fdt = dt.WithByteOrder(bo)
	}
	mw, err := w.Create(memberEntries, &header.Header{DType: fdt, Shape: []int64{int64(n)}})
	if err != nil {
		return err
	}
	buf := make([]E, max(chunkBytes/dt.Size(), 1))
	for s := 0; s < n; {
		k := min(len(buf), n-s)
		fill(buf[:k], s)
		// SAFETY: buf holds k Es without pointers (layout.Of refuses
		// them) of dt.Size() bytes each; b is only read, by this Write.
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(buf))), k*dt.Size())
		if swap {
			dt.SwapBytes(b)
		}
		if _, err := mw.Write(b); err != nil {
			return err
		}
		s += k
	}
	return nil
}

// writeBytes writes the member name, the total bytes of the n byte strings
// that at gives in index order, end to end.
func writeBytes(w *npz.Writer, name string, n int, total uint64, at func(s int) []byte) error {
	mw, err := w.Create(name, &header.Header{DType: u1, Shape: []int64{int64(total)}})
	if err != nil {
		return err
	}
	bw := &chunkWriter{w: mw, buf: make([]byte, 0, chunkBytes)}
	for s := range n {
		bw.write(at(s))
	}
	return bw.flush()
}

var u1, _ = layout.Of[uint8]()

// chunkWriter gathers small writes into chunkBytes writes.
type chunkWriter struct {
	w   io.Writer
	buf []byte
	err error
}

func (c *chunkWriter) write(b []byte) {
	for len(b) > 0 && c.err == nil {
		if len(c.buf) == cap(c.buf) {
			c.flush()
		}
		k := min(len(b), cap(c.buf)-len(c.buf))
		c.buf = append(c.buf, b[:k]...)
		b = b[k:]
	}
}

func (c *chunkWriter) flush() error {
	if c.err == nil && len(c.buf) > 0 {
		_, c.err = c.w.Write(c.buf)
		c.buf = c.buf[:0]
	}
	return c.err
}
