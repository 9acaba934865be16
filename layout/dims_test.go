package layout_test

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/layout"
)

// ones returns the shape tuple (1, 1, ..., 1) of n dims.
func ones(n int) string {
	if n == 1 {
		return "(1,)"
	}
	return "(" + strings.TrimSuffix(strings.Repeat("1, ", n), ", ") + ")"
}

// TestSubarrayDims: a field's subarray may have at most MaxSubarrayDims
// dims, nested subarrays joined, as NumPy allows ("invalid shape in
// fixed-type tuple" past NPY_MAXDIMS). ParseDescr accepted 200,000, and
// printing the Go type of such a field took gigabytes (issue 18 item 12).
func TestSubarrayDims(t *testing.T) {
	const max = layout.MaxSubarrayDims
	for _, tc := range []struct {
		name, descr string
		ok          bool
	}{
		{"at the limit", fmt.Sprintf("[('a', '<f4', %s)]", ones(max)), true},
		{"nested at the limit", fmt.Sprintf("[('a', ('<f4', %s), %s)]", ones(max/2), ones(max/2)), true},
		{"nested tuple at the limit", fmt.Sprintf("[('a', (('<f4', %s), %s))]", ones(max-1), ones(1)), true},
		{"one over", fmt.Sprintf("[('a', '<f4', %s)]", ones(max+1)), false},
		{"one over in a tuple", fmt.Sprintf("[('a', ('<f4', %s))]", ones(max+1)), false},
		{"nested one over", fmt.Sprintf("[('a', ('<f4', %s), %s)]", ones(max/2), ones(max/2+1)), false},
		{"nested tuples one over", fmt.Sprintf("[('a', (('<f4', %s), %s))]", ones(max), ones(1)), false},
		{"in a nested struct", fmt.Sprintf("[('s', [('a', '<f4', %s)])]", ones(max+1)), false},
		{"200,000 dims", fmt.Sprintf("[('a', '<f4', %s)]", ones(200000)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := layout.ParseDescr(tc.descr)
			if tc.ok {
				if err != nil {
					t.Fatalf("ParseDescr: %v", err)
				}
				if got := len(d.Field(0).Shape); got != max {
					t.Errorf("the field has %d dims, want %d", got, max)
				}
				return
			}
			if !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), "at most 64") {
				t.Errorf("ParseDescr = %v, want ErrDType saying at most 64 dims", err)
			}
		})
	}

	// Go types: an array field of more dims is refused too, since NumPy
	// could not read the descr it makes.
	typ := reflect.TypeFor[float32]()
	for range max {
		typ = reflect.ArrayOf(1, typ)
	}
	ok := reflect.StructOf([]reflect.StructField{{Name: "A", Type: typ}})
	if _, err := layout.TypeOf(ok); err != nil {
		t.Errorf("TypeOf(%d dims): %v", max, err)
	}
	over := reflect.StructOf([]reflect.StructField{{Name: "A", Type: reflect.ArrayOf(1, typ)}})
	if _, err := layout.TypeOf(over); !errors.Is(err, layout.ErrType) {
		t.Errorf("TypeOf(%d dims) = %v, want ErrType", max+1, err)
	}
}

// TestTypeOfManyFields: the field paths of an unnamed struct type start
// with a short form of its name, not the whole struct literal, which made
// TypeOf of a struct of n fields allocate O(n²) bytes (4,000 fields: 560
// MB) (issue 18 item 12).
func TestTypeOfManyFields(t *testing.T) {
	const n = 4000
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{Name: fmt.Sprintf("Field%04d", i), Type: reflect.TypeFor[float32](), Tag: reflect.StructTag(fmt.Sprintf(`npy:"f%d"`, i))}
	}
	typ := reflect.StructOf(fields)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	d, err := layout.TypeOf(typ) // the first call: TypeOf caches its result
	runtime.ReadMemStats(&after)
	if err != nil || d.NumField() != n {
		t.Fatalf("TypeOf: %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4096*n {
		t.Errorf("TypeOf of a struct of %d fields allocated %d bytes, want at most %d per field", n, alloc, 4096)
	}
}

// TestNestingDepth: struct descrs nest at most 32 deep (the Python
// literal parser stops at 64 levels of brackets, a struct level takes
// two), and a descr nested far deeper is refused without recursing into
// it or allocating in proportion to its depth squared (issue 18 item 12).
func TestNestingDepth(t *testing.T) {
	nested := func(depth int) string {
		return strings.Repeat("[('a', ", depth-1) + "[('a', '<f4')]" + strings.Repeat(")]", depth-1)
	}
	if _, err := layout.ParseDescr(nested(32)); err != nil {
		t.Errorf("32 deep: %v", err)
	}
	for _, depth := range []int{33, 100000} {
		text := nested(depth)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := layout.ParseDescr(text)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, layout.ErrDType) {
			t.Errorf("%d deep: ParseDescr = %v, want ErrDType", depth, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4*uint64(len(text))+64<<10 {
			t.Errorf("%d deep (%d bytes): ParseDescr allocated %d bytes", depth, len(text), alloc)
		}
	}
}
