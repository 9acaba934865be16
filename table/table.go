package table

import (
	"errors"
	"fmt"
	"iter"
	"sync"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/mph"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// The four entry layouts, by key and value kind.
const (
	kindKV = iota // integer key, fixed-size value
	kindKB        // integer key, byte value
	kindSV        // string key, fixed-size value
	kindSB        // string key, byte value
)

// Table is a read-only keyed table mapped from a file that Build, BuildSeq
// or a Writer made: a minimal perfect hash index over entries that hold
// every key with its value, so that Get costs a hash, a load of the
// index, and the load of one entry, and a key that is not in the table is
// reported absent.
//
// K is uint64, int64 or string (or a type defined on one of them); V is a
// fixed-size type that package layout maps to a dtype (as for
// array.Array), or []byte for values of any length.
//
// Get, Ref, GetBytes, GetMany and All may be called from many goroutines
// at once; nothing may run concurrently with Close. Values that Get
// returns for []byte values, the pointers of Ref, and the strings of All
// alias the table's map: they are valid until Close (see the package
// documentation for the caveats, and package publish for tables replaced
// under live readers).
type Table[K Key, V any] struct {
	f      *npz.File
	path   string
	idx    *mph.Index
	seed   uint64
	n      uint64
	kind   int
	kkind  uint32
	closed bool

	kv ents[entKV[K, V]]
	kb ents[entKB[K]]
	sv ents[entSV[V]]
	sb ents[entSB]

	keys   []byte // string keys' bytes, in index order
	values []byte // byte values' bytes, in index order
	user   []byte
	m      meta
	pool   sync.Pool // GetMany's scratch
}

// ents is a member of entries: a zero-copy view when the file's bytes lie
// as E does in memory (host byte order, same layout, aligned), otherwise
// the array, read through its converting accessors.
type ents[E any] struct {
	data []E
	arr  *array.Array[E]
}

// at returns entry i, or false if i is out of range.
func (e *ents[E]) at(i uint64) (E, bool) {
	if e.data != nil {
		if i < uint64(len(e.data)) {
			return e.data[i], true
		}
		var zero E
		return zero, false
	}
	if e.arr == nil || i >= uint64(e.arr.Len()) {
		var zero E
		return zero, false
	}
	v, err := e.arr.Get(int(i))
	return v, err == nil
}

// open opens the member name as the entries, checking their number.
func (e *ents[E]) open(f *npz.File, n uint64) error {
	a, err := npz.Array[E](f, memberEntries)
	if err != nil {
		return err
	}
	if a.Rank() != 1 || uint64(a.Len()) != n {
		return formatErr("member %q has shape %v, want (%d,)", memberEntries, a.Shape(), n)
	}
	e.arr = a
	a.Advise(memmap.Random) // lookups touch one entry: read its page only, as pread would
	if d, err := a.Data(); err == nil {
		e.data = d
	}
	return nil
}

// Open maps the table file at path read-only. It reads the archive's
// directory and the small meta record, and checks that every member is
// there with the dtype and shape the meta record implies: O(1) in the
// number of keys (no data is read; Verify reads it all).
//
// Errors: the OS's as *os.PathError; a file that is not a table matches
// ErrFormat (and npz.ErrFormat for a bad archive); keys of another kind
// than K match ErrKeyType; a value dtype that does not match V matches
// layout.ErrDType.
func Open[K Key, V any](path string) (*Table[K, V], error) {
	f, err := npz.Open(path)
	if err != nil {
		return nil, err
	}
	t := &Table[K, V]{f: f, path: path}
	if err := t.init(); err != nil {
		f.Close()
		return nil, pathErr("open", path, err)
	}
	return t, nil
}

// readMeta reads and checks the meta record of f.
func readMeta(f *npz.File) (meta, error) {
	a, err := npz.Array[meta](f, memberMeta)
	if err != nil {
		if errors.Is(err, memmap.ErrClosed) {
			return meta{}, err
		}
		return meta{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if a.Rank() != 1 || a.Len() != 1 {
		return meta{}, formatErr("member %q has shape %v, want (1,)", memberMeta, a.Shape())
	}
	m, err := a.Get(0)
	if err != nil {
		return meta{}, err
	}
	switch {
	case m.Magic != magic:
		return m, formatErr("no table magic in member %q", memberMeta)
	case m.Version != formatVersion:
		return m, formatErr("table format version %d, this package reads %d", m.Version, formatVersion)
	case m.KeyKind < keyUint64 || m.KeyKind > keyBytes:
		return m, formatErr("key kind %d", m.KeyKind)
	case m.ValueKind != valueFixed && m.ValueKind != valueVar:
		return m, formatErr("value kind %d", m.ValueKind)
	}
	if err := m.params().Validate(); err != nil {
		return m, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return m, nil
}

func (m *meta) params() mph.Params {
	return mph.Params{Keys: m.Keys, Parts: m.Parts, Buckets: m.Buckets, Slots: m.Slots}
}

func (t *Table[K, V]) init() error {
	m, err := readMeta(t.f)
	if err != nil {
		return err
	}
	t.m, t.seed, t.n, t.kkind = m, m.Seed, m.Keys, m.KeyKind
	if want := keyKind[K](); m.KeyKind != want {
		return fmt.Errorf("%w: the file's keys are %s, K is %s", ErrKeyType, kindName(m.KeyKind), kindName(want))
	}
	bytesV := isBytes[V]()
	if bytesV != (m.ValueKind == valueVar) {
		var v V
		return fmt.Errorf("%w: the file's values are %s, V is %T", layout.ErrDType, valueKindName(m.ValueKind), v)
	}
	if m.Keys > uint64(maxInt) {
		return fmt.Errorf("%w: %d keys do not fit in an int here", memmap.ErrRange, m.Keys)
	}
	p := m.params()
	pilots, err := bytesMember(t.f, memberPilots, p.PilotsLen(), memmap.Normal)
	if err != nil {
		return err
	}
	remap, err := remapMember(t.f, p.RemapLen())
	if err != nil {
		return err
	}
	if t.idx, err = mph.NewIndex(p, pilots, remap); err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	switch {
	case m.KeyKind != keyBytes && !bytesV:
		t.kind, err = kindKV, t.kv.open(t.f, m.Keys)
	case m.KeyKind != keyBytes:
		t.kind, err = kindKB, t.kb.open(t.f, m.Keys)
	case !bytesV:
		t.kind, err = kindSV, t.sv.open(t.f, m.Keys)
	default:
		t.kind, err = kindSB, t.sb.open(t.f, m.Keys)
	}
	if err != nil {
		return err
	}
	if m.KeyKind == keyBytes {
		if t.keys, err = bytesMember(t.f, memberKeys, ^uint64(0), memmap.Random); err != nil {
			return err
		}
	}
	if bytesV {
		if t.values, err = bytesMember(t.f, memberValues, ^uint64(0), memmap.Random); err != nil {
			return err
		}
	}
	if has(t.f, memberUser) {
		if t.user, err = bytesMember(t.f, memberUser, ^uint64(0), memmap.Normal); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether the archive has the member name.
func has(f *npz.File, name string) bool {
	for _, n := range f.Names() {
		if n == name {
			return true
		}
	}
	return false
}

// bytesMember returns the 1-d |u1 member name as the archive's bytes,
// checking its length unless want is ^0, with the advice adv.
func bytesMember(f *npz.File, name string, want uint64, adv memmap.Advice) ([]byte, error) {
	a, err := npz.Array[uint8](f, name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if a.Rank() != 1 || want != ^uint64(0) && uint64(a.Len()) != want {
		return nil, formatErr("member %q has shape %v, want (%d,)", name, a.Shape(), want)
	}
	if adv != memmap.Normal {
		a.Advise(adv) // a hint: its failure changes nothing else
	}
	return a.Data()
}

// remapMember returns the member remap: zero-copy in the host's byte
// order, else a copy (it holds about 1% as many entries as keys).
func remapMember(f *npz.File, want uint64) ([]uint32, error) {
	a, err := npz.Array[uint32](f, memberRemap)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if a.Rank() != 1 || uint64(a.Len()) != want {
		return nil, formatErr("member %q has shape %v, want (%d,)", memberRemap, a.Shape(), want)
	}
	if d, err := a.Data(); err == nil {
		return d, nil
	}
	d := make([]uint32, a.Len())
	_, err = a.CopyTo(d, 0)
	return d, err
}

const maxInt = int(^uint(0) >> 1)

// Len returns the number of keys.
func (t *Table[K, V]) Len() int { return int(t.n) }

// Path returns the path the table was opened from.
func (t *Table[K, V]) Path() string { return t.path }

// Meta returns the caller's metadata stored with the table
// (Options.Meta), aliasing the map: valid until Close. Nil if none.
func (t *Table[K, V]) Meta() []byte { return t.user }

// slot returns the index of k's entry if k is in the table (any index,
// possibly out of range on a corrupt file, otherwise).
func (t *Table[K, V]) slot(k K) uint64 {
	// Slot(h, Bucket(h)) is Lookup(h), in two calls that inline.
	h := keyHash(k, t.kkind, t.seed)
	return t.idx.Slot(h, t.idx.Bucket(h))
}

// Get returns the value of key k and true, or the zero V and false if k is
// not in the table (or the table is closed). For []byte values the slice
// aliases the map (valid until Close; do not write to it); other values
// are copies. Get allocates nothing and makes no system call.
func (t *Table[K, V]) Get(k K) (v V, ok bool) {
	if t.closed {
		return v, false
	}
	i := t.slot(k)
	switch t.kind {
	case kindKV:
		if d := t.kv.data; d != nil {
			if i < uint64(len(d)) && d[i].Key == k {
				return d[i].Value, true
			}
			return v, false
		}
		if e, ok := t.kv.at(i); ok && e.Key == k {
			return e.Value, true
		}
	case kindKB:
		if e, ok := t.kb.at(i); ok && e.Key == k {
			return t.bytesValue(i, e.ValueEnd)
		}
	case kindSV:
		if e, ok := t.sv.at(i); ok && t.keyIs(i, e.KeyEnd, keyString(k)) {
			return e.Value, true
		}
	case kindSB:
		if e, ok := t.sb.at(i); ok && t.keyIs(i, e.KeyEnd, keyString(k)) {
			return t.bytesValue(i, e.ValueEnd)
		}
	}
	return v, false
}

// GetBytes is Get for a table of string keys looked up by the bytes of
// the key, without converting them to a string. A table of integer keys
// reports every key absent.
func (t *Table[K, V]) GetBytes(k []byte) (v V, ok bool) {
	if t.closed || t.kkind != keyBytes {
		return v, false
	}
	// SAFETY: s aliases k only during this call, which does not keep it
	// or write to k.
	s := unsafe.String(unsafe.SliceData(k), len(k))
	i := t.idx.Lookup(hashBytes(s, t.seed))
	switch t.kind {
	case kindSV:
		if e, ok := t.sv.at(i); ok && t.keyIs(i, e.KeyEnd, s) {
			return e.Value, true
		}
	case kindSB:
		if e, ok := t.sb.at(i); ok && t.keyIs(i, e.KeyEnd, s) {
			return t.bytesValue(i, e.ValueEnd)
		}
	}
	return v, false
}

// Ref returns a pointer to the value of key k in the map and true, or nil
// and false if k is not in the table. The pointer is valid until Close
// and must not be written through (the map is read-only: a write faults).
// Where the file's entries cannot be seen in place (written on a host of
// the other byte order; see ZeroCopy), and for []byte values, it points
// to a copy.
func (t *Table[K, V]) Ref(k K) (*V, bool) {
	if t.closed {
		return nil, false
	}
	i := t.slot(k)
	switch t.kind {
	case kindKV:
		if d := t.kv.data; d != nil {
			if i < uint64(len(d)) && d[i].Key == k {
				return &d[i].Value, true
			}
			return nil, false
		}
	case kindSV:
		if d := t.sv.data; d != nil {
			if i < uint64(len(d)) && t.keyIs(i, d[i].KeyEnd, keyString(k)) {
				return &d[i].Value, true
			}
			return nil, false
		}
	}
	if v, ok := t.Get(k); ok {
		return &v, true
	}
	return nil, false
}

// Advise tells the OS how the table's entries (and the bytes of its
// string keys and []byte values) will be read: Open advises
// memmap.Random, so that a lookup in a table bigger than memory reads
// the page of its entry, not a read-ahead window (as pread would);
// memmap.Sequential suits a scan with All; WillNeed reads them ahead
// now. The index (about 3 bits per key), which every lookup reads, keeps
// the OS's default read-ahead, so that a cold table's first lookups read
// it in large pieces; Open advises nothing for it (a WillNeed would make
// Open's time grow with the index: 531 µs for 100M keys, against 138 µs
// without). A closed table gives an error wrapping
// memmap.ErrClosed.
func (t *Table[K, V]) Advise(adv memmap.Advice) error {
	if t.closed {
		return pathErr("advise", t.path, memmap.ErrClosed)
	}
	var err error
	switch t.kind {
	case kindKV:
		err = t.kv.arr.Advise(adv)
	case kindKB:
		err = t.kb.arr.Advise(adv)
	case kindSV:
		err = t.sv.arr.Advise(adv)
	default:
		err = t.sb.arr.Advise(adv)
	}
	for _, name := range []string{memberKeys, memberValues} {
		if err == nil && has(t.f, name) {
			var a *array.Array[uint8]
			if a, err = npz.Array[uint8](t.f, name); err == nil {
				err = a.Advise(adv)
			}
		}
	}
	return pathErr("advise", t.path, err)
}

// ZeroCopy reports whether the entries are seen in place (Ref points into
// the map): true for a table built on a host of this byte order.
func (t *Table[K, V]) ZeroCopy() bool {
	switch t.kind {
	case kindKV:
		return t.kv.data != nil
	case kindKB:
		return t.kb.data != nil
	case kindSV:
		return t.sv.data != nil
	default:
		return t.sb.data != nil
	}
}

// keyIs reports whether the string key of entry i, which ends at end in
// the keys' bytes, is k.
func (t *Table[K, V]) keyIs(i, end uint64, k string) bool {
	start, ok := t.keyStart(i)
	return ok && end >= start && end <= uint64(len(t.keys)) && end-start == uint64(len(k)) &&
		string(t.keys[start:end]) == k
}

// keyStart returns where the key of entry i starts: where entry i-1's
// ends.
func (t *Table[K, V]) keyStart(i uint64) (uint64, bool) {
	if i == 0 {
		return 0, true
	}
	if t.kind == kindSV {
		e, ok := t.sv.at(i - 1)
		return e.KeyEnd, ok
	}
	e, ok := t.sb.at(i - 1)
	return e.KeyEnd, ok
}

// bytesValue returns the byte value of entry i, which ends at end.
func (t *Table[K, V]) bytesValue(i, end uint64) (v V, ok bool) {
	var start uint64
	if i > 0 {
		if t.kind == kindKB {
			e, _ := t.kb.at(i - 1)
			start = e.ValueEnd
		} else {
			e, _ := t.sb.at(i - 1)
			start = e.ValueEnd
		}
	}
	if start > end || end > uint64(len(t.values)) {
		return v, false
	}
	return asValue[V](t.values[start:end:end]), true
}

// entry returns the key and value of entry i (for All and Verify); keys
// and byte values alias the map.
func (t *Table[K, V]) entry(i uint64) (k K, v V, ok bool) {
	switch t.kind {
	case kindKV:
		e, ok := t.kv.at(i)
		return e.Key, e.Value, ok
	case kindKB:
		e, ok := t.kb.at(i)
		if !ok {
			return k, v, false
		}
		v, ok = t.bytesValue(i, e.ValueEnd)
		return e.Key, v, ok
	case kindSV:
		e, ok := t.sv.at(i)
		if !ok {
			return k, v, false
		}
		k, ok = t.keyAt(i, e.KeyEnd)
		return k, e.Value, ok
	default:
		e, ok := t.sb.at(i)
		if !ok {
			return k, v, false
		}
		if k, ok = t.keyAt(i, e.KeyEnd); !ok {
			return k, v, false
		}
		v, ok = t.bytesValue(i, e.ValueEnd)
		return k, v, ok
	}
}

// keyAt returns the string key of entry i, which ends at end, aliasing
// the map.
func (t *Table[K, V]) keyAt(i, end uint64) (k K, ok bool) {
	start, ok := t.keyStart(i)
	if !ok || start > end || end > uint64(len(t.keys)) {
		return k, false
	}
	// SAFETY: the bytes are the read-only map's, valid until Close, as
	// documented; end <= len(t.keys) was checked above.
	s := unsafe.String(unsafe.SliceData(t.keys[start:end]), int(end-start))
	// SAFETY: K's kind is string (checked at Open), so a K is a string
	// header.
	return *(*K)(unsafe.Pointer(&s)), true
}

// All returns an iterator over every key and its value, in the table's
// index order (not the order they were added). String keys and []byte
// values alias the map (valid until Close). It panics if the table is
// closed, as array.Array's All does, and stops early, with an entry it
// cannot read on a corrupt file (Verify tells).
func (t *Table[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for i := uint64(0); i < t.n; i++ {
			if t.closed {
				panic(pathErr("all", t.path, memmap.ErrClosed))
			}
			k, v, ok := t.entry(i)
			if !ok || !yield(k, v) {
				return
			}
		}
	}
}

// Close unmaps the table. Values, pointers and strings from it that alias
// the map become invalid. Later calls do nothing and return nil; lookups
// on a closed table report every key absent, and GetMany returns an
// error wrapping memmap.ErrClosed.
func (t *Table[K, V]) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	t.kv, t.kb, t.sv, t.sb = ents[entKV[K, V]]{}, ents[entKB[K]]{}, ents[entSV[V]]{}, ents[entSB]{}
	t.keys, t.values, t.user = nil, nil, nil
	return t.f.Close()
}

func kindName(k uint32) string {
	switch k {
	case keyUint64:
		return "uint64"
	case keyInt64:
		return "int64"
	case keyBytes:
		return "string"
	}
	return fmt.Sprintf("kind %d", k)
}

func valueKindName(k uint32) string {
	if k == valueVar {
		return "[]byte"
	}
	return "fixed-size"
}
