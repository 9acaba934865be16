package array_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// TestTakeColdStores checks Take against a loop of Get on every path of
// TakeRows (the pread path is the one of rows not in memory) for every
// kind of store: a .npy file, raw files with an offset, and views over
// maps that start at an offset in their file (memmap.Options.Offset), one
// a multiple of the page size and one not. The bytes before the data are
// not zero, so that a read at the wrong file offset shows. Before issue
// 18 (item 10) the pread path read a view's rows at their offset in the
// map, taken as an offset in the file.
func TestTakeColdStores(t *testing.T) {
	const rows, cols = 600, 3
	vals := make([]int32, rows*cols)
	for i := range vals {
		vals[i] = int32(i*7 + 1)
	}
	le := make([]byte, 0, 4*len(vals))
	for _, v := range vals {
		le = binary.LittleEndian.AppendUint32(le, uint32(v))
	}
	junk := func(n int) []byte { return bytes.Repeat([]byte{0xa5}, n) }
	descr := "'<i4'" // swapped on a big-endian host

	stores := map[string]func(t *testing.T) *array.Array[int32]{
		"npy": func(t *testing.T) *array.Array[int32] {
			path := tempPath(t, "a.npy")
			if err := array.Save(path, vals, []int{rows, cols}, &array.Options{ByteOrder: layout.Little}); err != nil {
				t.Fatal(err)
			}
			return mustOpen[int32](t, path, memmap.ReadOnly)
		},
	}
	for _, off := range []int64{100, 8192} {
		stores[fmt.Sprint("raw offset ", off)] = func(t *testing.T) *array.Array[int32] {
			path := tempPath(t, "a.dat")
			if err := os.WriteFile(path, append(junk(int(off)), le...), 0o644); err != nil {
				t.Fatal(err)
			}
			a, err := array.OpenRaw[int32](path, memmap.ReadOnly, []int{rows, cols}, &array.Options{Offset: off, ByteOrder: layout.Little})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			return a
		}
		stores[fmt.Sprint("view of a map at offset ", off)] = func(t *testing.T) *array.Array[int32] {
			// The map starts at off; the view's data 36 bytes into it.
			path := tempPath(t, "c.bin")
			if err := os.WriteFile(path, append(junk(int(off)+36), le...), 0o644); err != nil {
				t.Fatal(err)
			}
			m, err := memmap.Open(path, memmap.ReadOnly, &memmap.Options{Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			a, err := array.View[int32](m, "c.bin:a", array.Desc{DType: mustDescr(t, descr), Shape: []int{rows, cols}, Offset: 36})
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
	}
	for name, open := range stores {
		for _, tp := range takePaths {
			t.Run(name+" "+tp.name, func(t *testing.T) {
				a := open(t)
				if v, err := a.Get(rows-1, cols-1); err != nil || v != vals[len(vals)-1] {
					t.Fatalf("Get(last) = %v, %v; want %v", v, err, vals[len(vals)-1])
				}
				withTakePath(t, tp.path, func() {
					for iname, idx := range takeIndexes(rows) {
						t.Run(iname, func(t *testing.T) { checkTake(t, a, idx) })
					}
				})
			})
		}
	}
}
