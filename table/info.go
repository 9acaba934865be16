package table

import (
	"fmt"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// Info is what a table file says of itself.
type Info struct {
	Keys    int    // number of keys
	KeyKind string // "uint64", "int64" or "string"
	// Value is the values' dtype (of each element, if ValueShape is
	// set); nil for []byte values.
	Value      *layout.DType
	ValueShape []int  // the shape of a value that is a Go array, else nil
	Version    int    // the table format's version
	Seed       uint64 // the seed of the key hashes
	Parts      uint64 // the index's partitions,
	Buckets    uint64 // buckets per part,
	Slots      uint64 // and slots per part
	IndexSize  int64  // bytes of the index (pilots and remap)
	// IndexBits is the index's size in bits per key; the entries (keys
	// and values) come on top.
	IndexBits float64
	Members   []npz.Info // the archive's members
}

// Stat returns the Info of the table file at path, of any key and value
// type, without opening it as a Table (memmap info uses it). Errors as
// Open's.
func Stat(path string) (Info, error) {
	f, err := npz.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	m, err := readMeta(f)
	if err != nil {
		return Info{}, pathErr("stat", path, err)
	}
	in, err := info(f, m)
	return in, pathErr("stat", path, err)
}

// Info returns what the table's file says of it.
func (t *Table[K, V]) Info() (Info, error) {
	if t.closed {
		return Info{}, pathErr("info", t.path, memmap.ErrClosed)
	}
	in, err := info(t.f, t.m)
	return in, pathErr("info", t.path, err)
}

func info(f *npz.File, m meta) (Info, error) {
	p := m.params()
	in := Info{Keys: int(m.Keys), KeyKind: kindName(m.KeyKind), Version: int(m.Version), Seed: m.Seed,
		Parts: m.Parts, Buckets: m.Buckets, Slots: m.Slots,
		IndexSize: int64(p.PilotsLen() + 4*p.RemapLen())}
	if m.Keys > 0 {
		in.IndexBits = float64(8*in.IndexSize) / float64(m.Keys)
	}
	for _, name := range f.Names() {
		mi, err := f.Info(name)
		if err != nil {
			return in, err
		}
		in.Members = append(in.Members, mi)
		if name == memberEntries && m.ValueKind == valueFixed {
			for _, fd := range mi.DType.Fields() {
				if fd.Name == "value" {
					in.Value, in.ValueShape = fd.Type, fd.Shape
				}
			}
			if in.Value == nil {
				return in, formatErr("member %q has no field \"value\"", memberEntries)
			}
		}
	}
	return in, nil
}

// Verify reads the whole table and checks it: the CRC-32 of every member
// against the one the archive records, the offsets of string keys and
// []byte values, and that every key's lookup leads to its own entry (so
// that a damaged index cannot answer for a key it holds). A failure
// gives an error matching ErrFormat that says what is wrong. It costs a
// scan of the file and a lookup per key.
func (t *Table[K, V]) Verify() error {
	if t.closed {
		return pathErr("verify", t.path, memmap.ErrClosed)
	}
	for _, name := range t.f.Names() {
		if err := t.f.Verify(name); err != nil {
			return fmt.Errorf("%w: %w", ErrFormat, err)
		}
	}
	for i := uint64(0); i < t.n; i++ {
		k, _, ok := t.entry(i)
		if !ok {
			return pathErr("verify", t.path, formatErr("entry %d: its key or value lies outside its member, or before the previous one's", i))
		}
		if s := t.slot(k); s != i {
			return pathErr("verify", t.path, formatErr("entry %d: key %v leads to entry %d", i, k, s))
		}
	}
	return nil
}
