package table_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap/publish"
	"github.com/gomemmap/memmap/record"
	"github.com/gomemmap/memmap/table"
)

// Example builds a table of uint64 keys and struct values, then looks
// keys up: one at a time, and in a batch.
func Example() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "users.table")

	type Feature struct {
		Age   int32
		Score float32
	}
	ids := []uint64{1001, 1002, 1003}
	feats := []Feature{{31, 0.5}, {42, 0.25}, {27, 0.75}}
	if err := table.Build(path, ids, feats, nil); err != nil {
		log.Fatal(err)
	}

	t, err := table.Open[uint64, Feature](path)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	f, ok := t.Get(1002)
	fmt.Println(f, ok)
	_, ok = t.Get(999)
	fmt.Println(ok)

	keys := []uint64{1003, 5, 1001}
	dst := make([]Feature, len(keys))
	found := make([]bool, len(keys))
	n, err := t.GetMany(keys, dst, found)
	fmt.Println(n, err, dst, found)
	// Output:
	// {42 0.25} true
	// false
	// 2 <nil> [{27 0.75} {0 0} {31 0.5}] [true false true]
}

// ExampleCreate writes a table of string keys and []byte values one
// entry at a time, then looks keys up by string and by []byte.
func ExampleCreate() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tokens.table")

	w, err := table.Create[string, []byte](path, &table.Options{Meta: []byte("vocab v3")})
	if err != nil {
		log.Fatal(err)
	}
	for _, word := range []string{"the", "cat", "sat"} {
		w.Add(word, []byte("<"+word+">"))
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	t, err := table.Open[string, []byte](path)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	v, ok := t.Get("cat")
	fmt.Printf("%s %v\n", v, ok)
	v, ok = t.GetBytes([]byte("sat"))
	fmt.Printf("%s %v %s %d\n", v, ok, t.Meta(), t.Len())
	// Output:
	// <cat> true
	// <sat> true vocab v3 3
}

// ExampleTable_All iterates over every entry (in the table's own order)
// and uses Ref to read a value in place.
func ExampleTable_All() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "squares.table")
	keys := []int64{-2, 3, 4}
	vals := []int64{4, 9, 16}
	if err := table.Build(path, keys, vals, nil); err != nil {
		log.Fatal(err)
	}
	t, err := table.Open[int64, int64](path)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	sum := int64(0)
	for k, v := range t.All() {
		sum += k * v
	}
	p, _ := t.Ref(3) // points into the map, valid until Close
	fmt.Println(sum, *p)
	// Output: 83 9
}

// ExampleBuildSeq builds a table from an iterator.
func ExampleBuildSeq() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "even.table")
	seq := func(yield func(uint64, bool) bool) {
		for i := uint64(0); i < 1000; i++ {
			if !yield(i, i%2 == 0) {
				return
			}
		}
	}
	if err := table.BuildSeq(path, seq, nil); err != nil {
		log.Fatal(err)
	}
	in, err := table.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(in.Keys, in.KeyKind, in.Value)
	// Output: 1000 uint64 '|b1'
}

// ExampleBuildFunc builds a table from a record file: the key is one
// field of each record, the value another.
func ExampleBuildFunc() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)

	type Event struct {
		User  uint64
		Score float32
		_     uint32
	}
	rf, err := record.Create[Event](filepath.Join(dir, "events.npy"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer rf.Close()
	rf.Append(Event{User: 7, Score: 0.5}, Event{User: 9, Score: 2}, Event{User: 3, Score: 1.25})
	rows, err := rf.Data() // a view of the mapped records
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "score.table")
	err = table.BuildFunc(path, len(rows),
		func(i int) uint64 { return rows[i].User },
		func(i int) float32 { return rows[i].Score }, nil)
	if err != nil {
		log.Fatal(err)
	}
	t, err := table.Open[uint64, float32](path)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Println(t.Get(9))
	// Output: 2 true
}

// Example_publish publishes versions of a table to a reader that keeps
// serving lookups while it switches (package publish): the reader's Ref
// keeps the version it holds mapped until Release.
func Example_publish() {
	dir, _ := os.MkdirTemp("", "table-example")
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "prices.table")
	build := func(price float64) func(path string) error {
		return func(path string) error {
			return table.Build(path, []uint64{1, 2}, []float64{price, 2 * price}, nil)
		}
	}
	if _, err := publish.Publish(name, build(10), nil); err != nil {
		log.Fatal(err)
	}

	h, err := publish.Open(name, table.Open[uint64, float64], nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	r, _ := h.Acquire()
	old := r.Value()

	if _, err := publish.Publish(name, build(11), nil); err != nil { // a new version
		log.Fatal(err)
	}
	h.Reload() // new Acquires get version 2; old stays mapped until r.Release

	r2, _ := h.Acquire()
	a, _ := old.Get(2)
	b, _ := r2.Value().Get(2)
	fmt.Println(r.Version(), a, r2.Version(), b)
	r.Release()
	r2.Release()
	// Output: 1 20 2 22
}
