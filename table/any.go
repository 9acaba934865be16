package table

import (
	"fmt"
	"strconv"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/mph"
	"github.com/gomemmap/memmap/npz"
)

// Any is a table opened without its Go key and value types, as tools do
// (memmap get): it looks keys up given as text and returns values as
// array.Value (or bytes), whatever the dtypes. It is slower than a Table
// and meant for inspection, not serving.
type Any struct {
	f      *npz.File
	path   string
	m      meta
	idx    *mph.Index
	ents   *array.Any
	keys   []byte
	values []byte
}

// Entry is an entry of a table, found by Any.Get or read by Any.Entry.
type Entry struct {
	// Index is the entry's position in the table's index order.
	Index int
	// Key is the key, for a table of integer keys (the entry record's
	// field "key"), aliasing the map; Any.Entry sets it.
	Key array.Value
	// KeyBytes is the key, for a table of string keys, aliasing the map;
	// Any.Entry sets it.
	KeyBytes []byte
	// Value is the value, for a table of fixed-size values (its field
	// "value" of the entry record), aliasing the map.
	Value array.Value
	// Bytes is the value, for a table of []byte values, aliasing the map.
	Bytes []byte
}

// OpenAny opens the table file at path, of any key and value types.
// Errors as Open's, but for the types.
func OpenAny(path string) (*Any, error) {
	f, err := npz.Open(path)
	if err != nil {
		return nil, err
	}
	a := &Any{f: f, path: path}
	if err := a.init(); err != nil {
		f.Close()
		return nil, pathErr("open", path, err)
	}
	return a, nil
}

func (a *Any) init() (err error) {
	if a.m, err = readMeta(a.f); err != nil {
		return err
	}
	p := a.m.params()
	pilots, err := bytesMember(a.f, memberPilots, p.PilotsLen(), memmap.Normal)
	if err != nil {
		return err
	}
	remap, err := remapMember(a.f, p.RemapLen())
	if err != nil {
		return err
	}
	if a.idx, err = mph.NewIndex(p, pilots, remap); err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if a.ents, err = a.f.Any(memberEntries); err != nil {
		return fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if a.ents.Rank() != 1 || uint64(a.ents.Len()) != a.m.Keys {
		return formatErr("member %q has shape %v, want (%d,)", memberEntries, a.ents.Shape(), a.m.Keys)
	}
	if a.m.KeyKind == keyBytes {
		if a.keys, err = bytesMember(a.f, memberKeys, ^uint64(0), memmap.Normal); err != nil {
			return err
		}
	}
	if a.m.ValueKind == valueVar {
		if a.values, err = bytesMember(a.f, memberValues, ^uint64(0), memmap.Normal); err != nil {
			return err
		}
	}
	return nil
}

// Len returns the number of keys.
func (a *Any) Len() int { return int(a.m.Keys) }

// Info returns what the table's file says of it.
func (a *Any) Info() (Info, error) {
	in, err := info(a.f, a.m)
	return in, pathErr("info", a.path, err)
}

// field returns the unsigned integer field name of entry i.
func (a *Any) field(i uint64, name string) (array.Value, bool) {
	if i >= a.m.Keys {
		return array.Value{}, false
	}
	e, err := a.ents.At(int(i))
	if err != nil {
		return array.Value{}, false
	}
	return e.FieldByName(name)
}

// span returns the bytes of entry i in blob: from the field name
// (key_end or value_end) of entry i-1 (0 for entry 0) to that of entry i.
func (a *Any) span(i uint64, name string, blob []byte) ([]byte, bool) {
	v, ok := a.field(i, name)
	end, ok2 := v.Uint()
	start := uint64(0)
	if i > 0 {
		pv, ok3 := a.field(i-1, name)
		start, ok3 = pv.Uint()
		ok2 = ok2 && ok3
	}
	if !ok || !ok2 || start > end || end > uint64(len(blob)) {
		return nil, false
	}
	return blob[start:end:end], true
}

// Get looks up the key given as text: a decimal integer for a table of
// integer keys, the key's bytes for a table of string keys. It returns
// the entry and true, or false if the key is not in the table. Errors:
// text that is not an integer of the table's kind gives strconv's error
// (a *strconv.NumError, matching strconv.ErrSyntax or strconv.ErrRange);
// a closed table memmap.ErrClosed.
func (a *Any) Get(key string) (Entry, bool, error) {
	if a.ents == nil {
		return Entry{}, false, pathErr("get", a.path, memmap.ErrClosed)
	}
	var i uint64
	var e Entry
	switch a.m.KeyKind {
	case keyBytes:
		i = a.idx.Lookup(hashBytes(key, a.m.Seed))
		k, ok := a.span(i, "key_end", a.keys)
		if !ok || string(k) != key {
			return Entry{}, false, nil
		}
		e.KeyBytes = k
	default:
		var u uint64
		if a.m.KeyKind == keyInt64 {
			s, err := strconv.ParseInt(key, 10, 64)
			if err != nil {
				return Entry{}, false, pathErr("get", a.path, err)
			}
			u = uint64(s)
		} else {
			var err error
			if u, err = strconv.ParseUint(key, 10, 64); err != nil {
				return Entry{}, false, pathErr("get", a.path, err)
			}
		}
		i = a.idx.Lookup(hashUint(u, a.m.Seed))
		kv, ok := a.field(i, "key")
		if !ok {
			return Entry{}, false, nil
		}
		var got uint64
		if a.m.KeyKind == keyInt64 {
			s, ok2 := kv.Int()
			got, ok = uint64(s), ok2
		} else {
			got, ok = kv.Uint()
		}
		if !ok || got != u {
			return Entry{}, false, nil
		}
		e.Key = kv
	}
	e.Index = int(i)
	e, err := a.value(e)
	return e, err == nil, err
}

// Entry returns entry i, in the table's index order: its key and its
// value, for tools that list a table (memmap head). Errors: i outside
// [0, Len()) gives an error wrapping memmap.ErrRange; an entry whose
// bytes lie outside their member one matching ErrFormat; a closed table
// memmap.ErrClosed.
func (a *Any) Entry(i int) (Entry, error) {
	if a.ents == nil {
		return Entry{}, pathErr("entry", a.path, memmap.ErrClosed)
	}
	if i < 0 || uint64(i) >= a.m.Keys {
		return Entry{}, pathErr("entry", a.path, fmt.Errorf("%w: entry %d of %d", memmap.ErrRange, i, a.m.Keys))
	}
	e := Entry{Index: i}
	u := uint64(i)
	var ok bool
	if a.m.KeyKind == keyBytes {
		if e.KeyBytes, ok = a.span(u, "key_end", a.keys); !ok {
			return Entry{}, pathErr("entry", a.path, formatErr("entry %d: its key lies outside member %q", i, memberKeys))
		}
	} else if e.Key, ok = a.field(u, "key"); !ok {
		return Entry{}, pathErr("entry", a.path, formatErr("entry %d has no field \"key\"", i))
	}
	return a.value(e)
}

// value fills in the value of entry e.
func (a *Any) value(e Entry) (Entry, error) {
	i := uint64(e.Index)
	var ok bool
	if a.m.ValueKind == valueVar {
		if e.Bytes, ok = a.span(i, "value_end", a.values); !ok {
			return Entry{}, pathErr("get", a.path, formatErr("entry %d: its value lies outside member %q", i, memberValues))
		}
		return e, nil
	}
	if e.Value, ok = a.field(i, "value"); !ok {
		return Entry{}, pathErr("get", a.path, formatErr("entry %d has no field \"value\"", i))
	}
	return e, nil
}

// Guard runs fn with faults on the table's map turned into errors
// wrapping memmap.ErrFault (see memmap.Map.Guard): for tools reading a
// file that another process may truncate.
func (a *Any) Guard(fn func() error) error {
	if a.ents == nil {
		return pathErr("guard", a.path, memmap.ErrClosed)
	}
	return a.ents.Guard(fn)
}

// Close unmaps the table; Values and Bytes from it become invalid. Later
// calls do nothing and return nil.
func (a *Any) Close() error {
	if a.ents == nil {
		return nil
	}
	a.ents, a.keys, a.values = nil, nil, nil
	return a.f.Close()
}
