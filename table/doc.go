// Package table is a static keyed lookup table over a mapped file: built
// once from keys and values, then served read-only from a map, with a
// minimal perfect hash index, so that a lookup costs a hash, a load of
// the index, and the load of one entry that holds the key and its value
// (one page, for a table bigger than memory). An on-disk lookup table, a
// feature store's entity lookups, a token dictionary.
//
//	err := table.Build("users.table", ids, features, nil) // []uint64, []Feature
//	t, err := table.Open[uint64, Feature]("users.table")
//	defer t.Close()
//	f, ok := t.Get(42)                   // a copy; t.Ref(42) points into the map
//	n, err := t.GetMany(ids, dst, found) // batched: many loads (or reads) in flight
//
// Keys are uint64, int64 or string (or types defined on them; look string
// keys up by []byte with GetBytes). Values are a fixed-size type that
// package layout maps to a dtype, structs included (as for array.Array),
// or []byte for values of any length. Every entry stores its key, so a
// key that is not in the table is reported absent, never answered with
// another key's value.
//
// To publish new versions of a table to readers that keep serving
// lookups, build each version with package publish, which also follows
// them on the reader's side.
//
// # Building
//
// Build takes the keys and values as slices, which may be the views of
// mapped arrays bigger than memory (array.Array.Data, record.File.Data):
// it needs about 16 bytes per key on the heap at its peak (hashes and
// positions) and the index, whatever the size of the keys and values,
// and writes the file as it goes. BuildSeq and the Writer (Create, Add, Close) take the keys
// and values one at a time and hold them on the heap until the build. A
// key given twice is an error (ErrDuplicate) naming it. A table holds at
// most 2^32-1 keys. A build is deterministic: the same keys and values in
// the same order give the same file (with Options.Modified fixed). The
// file is written under a temporary name and renamed into place, as
// memmap.Create does.
//
// # The file format
//
// A table file is an .npz archive (a zip of stored .npy members, each
// member's data 64-byte aligned, as package npz writes them), so NumPy
// opens it: np.load("users.table")["entries"]["key"] is the keys, and
// ["entries"]["value"] the values. The members, all 1-d arrays in one
// byte order (the builder's host's by default, Options.ByteOrder):
//
//   - meta, one record: magic (|S8, "mmtable"), version (u4, 1), key_kind
//     (u4: 1 uint64, 2 int64, 3 string), value_kind (u4: 1 fixed-size, 2
//     bytes), 4 bytes of padding, seed (u8), then the index's parameters:
//     keys (u8, N), parts, buckets and slots (u8 each; per part).
//   - pilots (|u1, parts*buckets) and remap (u4, parts*slots-N): the
//     index, whose lookup arithmetic package internal/mph's documentation
//     gives exactly: for the hash h of a key, it yields the key's entry,
//     in [0, N) (a value >= N means absent).
//   - entries: N records in index order. For integer keys a field key
//     (i8 or u8), for string keys key_end (u8); for fixed-size values a
//     field value (the value's dtype), for byte values value_end (u8).
//   - keys (|u1): the string keys' bytes, end to end in index order; the
//     key of entry i is keys[key_end[i-1]:key_end[i]] (from 0 for entry 0).
//   - values (|u1): the byte values' bytes, likewise by value_end.
//   - user (|u1), optional: Options.Meta.
//
// Key hashes, with the meta record's seed; all arithmetic on unsigned
// 64-bit words, wrapping, with mum(a, b) = hi ^ lo of the 128-bit product
// a*b and le(b) the little-endian number in the bytes b:
//
//   - An integer key k (an int64's two's complement bits read as a
//     uint64), SplitMix64's finalizer of k XOR seed, a bijection (integer
//     keys never collide): z = k ^ seed; z = (z ^ z>>30) *
//     0xbf58476d1ce4e5b9; z = (z ^ z>>27) * 0x94d049bb133111eb; h = z ^
//     z>>31.
//   - A string key s of n bytes, in the manner of wyhash: h = seed ^ K0;
//     while more than 16 bytes are left, h = mum(le(s[0:8]) ^ K1,
//     le(s[8:16]) ^ h) and s = s[16:]; then, with m bytes left (0 to 16),
//     a, b = le(s[0:8]), le(s[m-8:m]) if m >= 8; le(s[0:4]), le(s[m-4:m])
//     if m >= 4; s[0]<<16 | s[m/2]<<8 | s[m-1], 0 if m > 0; else 0, 0;
//     and the hash is mum(K1 ^ n, mum(a ^ K2, b ^ h ^ K3)), with K0 =
//     0xa0761d6478bd642f, K1 = 0xe7037ed1a0b428db, K2 =
//     0x8ebc6af09c88c6e3, K3 = 0x589965cc75374cc3.
//
// The package's NumPy test runs a lookup written in Python from this
// description against tables of both key kinds.
//
// Checksums: every member has the zip archive's CRC-32, computed as it
// is written. Open reads no data and so checks none (it is O(1) in the
// number of keys); Verify checks every member's CRC-32, the offsets, and
// that every key's lookup leads to its own entry.
//
// # Caveats
//
// View lifetime. Ref's pointers, the []byte values of Get, and the string
// keys of All alias the table's map: valid until Close, after which
// touching them faults and kills the process. Package publish keeps a
// table open while any reader holds it.
//
// Concurrency. Get, GetBytes, Ref, GetMany, All and Info may be called
// from many goroutines at once; nothing may run concurrently with Close.
//
// SIGBUS. As for any map (see package memmap): a process that truncates
// or overwrites the file under a live Table makes touching its pages
// fatal. Never rewrite a table in place: build a new file (Build renames
// one into place, which readers that have the old one mapped do not see)
// or publish versions with package publish.
//
// Byte order. A table built on a host of the other byte order opens and
// answers the same; its entries are converted as they are read (ZeroCopy
// reports false, and Ref points to a copy).
//
// Errors. A file that is not a well-formed table gives an error matching
// ErrFormat, never a panic; keys of the wrong kind ErrKeyType, values of
// the wrong dtype layout.ErrDType.
package table
