package main

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// ones returns the shape tuple (1, 1, ..., 1) of n dims as Python writes it.
func ones(n int) string {
	if n == 1 {
		return "(1,)"
	}
	return "(" + strings.TrimSuffix(strings.Repeat("1, ", n), ", ") + ")"
}

// nestedDescr returns a struct descr nested depth deep, each level a
// subarray field of dims dims and the next level.
func nestedDescr(depth, dims int) string {
	d := fmt.Sprintf("[('a', '<f4', %s)]", ones(dims))
	for range depth - 1 {
		d = fmt.Sprintf("[('a', '<f4', %s), ('s', %s)]", ones(dims), d)
	}
	return d
}

// TestInfoLinear prints the info of dtypes at the limits the parser
// allows (a subarray of layout.MaxSubarrayDims dims, plain and built of
// nested subarrays; structs nested as deep as allowed; thousands of
// fields) and checks that the bytes allocated stay within a small
// multiple of the bytes printed: the Go type names were built by
// concatenation, quadratic in the dims and in the nesting, and a 40 KB
// header of 13,000 dims took 2.4 s and a gigabyte (issue 18 item 12).
func TestInfoLinear(t *testing.T) {
	var many strings.Builder
	many.WriteByte('[')
	for i := range 4000 {
		fmt.Fprintf(&many, "('f%d', '<f4', (1, 1)), ", i)
	}
	many.WriteByte(']')
	// Names that all map to the Go name A__ (each rune after the 'a' is
	// not allowed in an identifier): numbering each from _2 again was
	// quadratic in their number.
	var same strings.Builder
	same.WriteByte('[')
	for i := range 3000 {
		fmt.Fprintf(&same, "('a%c%c', '<f4'), ", rune(0x2190+i%1000), rune(0x2190+i/1000))
	}
	same.WriteByte(']')
	for _, tc := range []struct{ name, descr string }{
		{"subarray", fmt.Sprintf("[('a', '<f4', %s)]", ones(layout.MaxSubarrayDims))},
		{"nested subarrays", fmt.Sprintf("[('a', (('<f4', %s), %s), %s)]", ones(16), ones(16), ones(32))},
		{"nested structs", nestedDescr(30, layout.MaxSubarrayDims)},
		{"many fields", many.String()},
		{"one Go name", same.String()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := layout.ParseDescr(tc.descr)
			if err != nil {
				t.Fatal(err)
			}
			// The Go type name alone: one builder, and per field a few
			// small allocations (its Go name, tag, and the parts).
			var name string
			alloc := allocated(func() { name = goType(d) })
			t.Logf("go type: %d bytes, %d allocated", len(name), alloc)
			if alloc > 16*uint64(len(name))+4096 {
				t.Errorf("go type: %d bytes, %d allocated, want at most 16 per byte", len(name), alloc)
			}
			// The whole info block, on its first print: that pays for
			// the Go type layout builds (reflect.StructOf, layout.TypeOf)
			// to tell a packed struct.
			in := &array.Info{Path: "x.npy", Version: header.V1, DType: d, Shape: []int64{1}, DataSize: int64(d.Size()), RowSize: int64(d.Size()), Rows: 1, Cap: 1}
			var w countWriter
			alloc = allocated(func() { writeInfo(&w, in) })
			t.Logf("info: %d bytes printed, %d allocated: %.1f per byte", w.n, alloc, float64(alloc)/float64(w.n))
			if alloc > maxAllocRatio*uint64(w.n)+reflectTypes {
				t.Errorf("info: %d bytes printed, %d allocated, want at most %d per byte", w.n, alloc, maxAllocRatio)
			}
		})
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// maxAllocRatio bounds the bytes writeInfo allocates per byte it prints,
// beyond reflectTypes.
const maxAllocRatio = 40

// reflectTypes bounds what reflect allocates once for the array types of
// a subarray field (reflect.ArrayOf names each of its up to
// MaxSubarrayDims levels): 64 levels cost about 90 KB.
const reflectTypes = 128 << 10
