package table

import (
	"reflect"
	"unsafe"
)

// The members of a table file (an .npz archive of stored, 64-byte aligned
// members; see the package documentation for the layout).
const (
	memberMeta    = "meta"
	memberPilots  = "pilots"
	memberRemap   = "remap"
	memberEntries = "entries"
	memberKeys    = "keys"   // string keys' bytes
	memberValues  = "values" // byte values' bytes
	memberUser    = "user"   // the caller's metadata (Options.Meta)
)

// magic opens the meta record of every table file.
var magic = [8]byte{'m', 'm', 't', 'a', 'b', 'l', 'e', 0}

// formatVersion is the version of the layout this package writes and
// reads.
const formatVersion = 1

// Key kinds, as the meta record's key_kind stores them.
const (
	keyUint64 = 1
	keyInt64  = 2
	keyBytes  = 3
)

// Value kinds, as the meta record's value_kind stores them.
const (
	valueFixed = 1
	valueVar   = 2
)

// meta is the one record of the member "meta": what the table is and the
// parameters of its index.
type meta struct {
	Magic     [8]byte `npy:"magic"`
	Version   uint32  `npy:"version"`
	KeyKind   uint32  `npy:"key_kind"`
	ValueKind uint32  `npy:"value_kind"`
	_         uint32
	Seed      uint64 `npy:"seed"`
	Keys      uint64 `npy:"keys"`
	Parts     uint64 `npy:"parts"`
	Buckets   uint64 `npy:"buckets"`
	Slots     uint64 `npy:"slots"`
}

// The entry records, one per key in index order, by key and value kind:
// an integer key or the end of a string key's bytes in the member "keys",
// and a fixed-size value or the end of its bytes in the member "values"
// (an entry's bytes start where the previous entry's end, at 0 for the
// first).
type (
	entKV[K, V any] struct {
		Key   K `npy:"key"`
		Value V `npy:"value"`
	}
	entKB[K any] struct {
		Key      K      `npy:"key"`
		ValueEnd uint64 `npy:"value_end"`
	}
	entSV[V any] struct {
		KeyEnd uint64 `npy:"key_end"`
		Value  V      `npy:"value"`
	}
	entSB struct {
		KeyEnd   uint64 `npy:"key_end"`
		ValueEnd uint64 `npy:"value_end"`
	}
)

// Key is the constraint of a table's keys: integers of 64 bits and
// strings (look strings up by []byte with GetBytes).
type Key interface {
	~uint64 | ~int64 | ~string
}

// keyKind returns the kind of K.
func keyKind[K Key]() uint32 {
	switch reflect.TypeFor[K]().Kind() {
	case reflect.Uint64:
		return keyUint64
	case reflect.Int64:
		return keyInt64
	default:
		return keyBytes
	}
}

// isBytes reports whether V is []byte, the variable-length value form.
func isBytes[V any]() bool { return reflect.TypeFor[V]() == reflect.TypeFor[[]byte]() }

// keyHash returns the hash of k with seed, for a K of kind kind.
func keyHash[K Key](k K, kind uint32, seed uint64) uint64 {
	if kind == keyBytes {
		// SAFETY: K's kind is string (keyKind), so k is a string header.
		return hashBytes(*(*string)(unsafe.Pointer(&k)), seed)
	}
	// SAFETY: K's kind is uint64 or int64, 8 bytes, read as their bits.
	return hashUint(*(*uint64)(unsafe.Pointer(&k)), seed)
}

// keyString returns k, a K of kind keyBytes, as a string.
func keyString[K Key](k K) string {
	// SAFETY: the caller checked that K's kind is string.
	return *(*string)(unsafe.Pointer(&k))
}

// asValue returns b as a V, for V = []byte.
func asValue[V any](b []byte) V {
	// SAFETY: the caller checked that V is []byte (isBytes).
	return *(*V)(unsafe.Pointer(&b))
}

// valueBytes returns v, a V that is []byte, as a []byte.
func valueBytes[V any](v V) []byte {
	// SAFETY: the caller checked that V is []byte (isBytes).
	return *(*[]byte)(unsafe.Pointer(&v))
}
