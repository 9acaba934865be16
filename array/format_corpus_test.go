package array_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// formatCorpusValues prints, for the files of the manifest that
// header/testdata/numpy_test_format.py wrote in argv[1] (the supported
// ones) and for the fixed-size legacy files of numpy/lib/tests/data, the
// leaves of their first elements (see numpyCorpus), as NumPy reads them.
const formatCorpusValues = `
import json, os, sys
import numpy as np
import numpy.lib.tests
d = sys.argv[1]
limit = int(sys.argv[2])
` + npytest.PyLeaves + `
m = json.load(open(os.path.join(d, 'manifest.json')))
paths = [os.path.join(d, f['name']) for f in m['files'] if not f['unsupported']]
legacy = os.path.join(os.path.dirname(numpy.lib.tests.__file__), 'data')
objects = []
for n in sorted(os.listdir(legacy)):
    if n.endswith('.npy'):
        p = os.path.join(legacy, n)
        a = np.load(p, mmap_mode=None, allow_pickle=True, encoding='latin1')
        (objects if a.dtype.hasobject else paths).append(p)
out = {'values': {}, 'objects': objects}
def load(p):
    try:  # NumPy >= 1.24 refuses headers over 10000 bytes by default
        return np.load(p, allow_pickle=False, max_header_size=1 << 30)
    except TypeError:
        return np.load(p, allow_pickle=False)
for p in paths:
    a = load(p)
    vals = []
    for idx in np.ndindex(a.shape):
        if len(vals) == limit:
            break
        vals.append(leaves(a[idx], a.dtype))
    out['values'][p] = vals
print(json.dumps(out))
`

// elemsPerFile bounds the elements compared per file: the 500-field
// version 2.0 array has 1000 records.
const elemsPerFile = 64

// TestNumPyFormatCorpusValues opens every array of NumPy's own format
// tests (numpy.lib.tests.test_format) and the legacy files of
// numpy/lib/tests/data untyped, with OpenAny, comparing the values of
// its elements with NumPy's. Files whose dtype the library cannot map
// (object) fail with a clear error (issue 15). TestNumPyFormatCorpusTyped
// opens some typed; cmd/memmap's TestSuggestedTypesOpen checks that the
// Go type memmap info suggests for each is one Open takes.
func TestNumPyFormatCorpusValues(t *testing.T) {
	dir := testutil.FormatCorpus(t)
	var got struct {
		Values  map[string][][]string
		Objects []string
	}
	if err := json.Unmarshal(testutil.RunPython(t, formatCorpusValues, dir, itoa(elemsPerFile)), &got); err != nil {
		t.Fatalf("python output: %v", err)
	}
	if len(got.Values) < 150 {
		t.Fatalf("%d files to compare; NumPy's tests define more", len(got.Values))
	}
	legacy := 0
	for path, want := range got.Values {
		if !strings.HasPrefix(path, dir) {
			legacy++
		}
		t.Run(filepath.Base(path), func(t *testing.T) {
			a, err := array.OpenAny(path, memmap.ReadOnly, nil)
			if err != nil {
				t.Fatalf("OpenAny: %v", err)
			}
			defer a.Close()
			n := 0
			npytest.ForEach(a.Shape(), func(idx []int) {
				if n >= len(want) {
					return
				}
				v, err := a.At(idx...)
				if err != nil {
					t.Fatalf("At%v: %v", idx, err)
				}
				l := npytest.Leaves(v)
				ok := len(l) == len(want[n])
				for i := 0; ok && i < len(l); i++ {
					ok = npytest.SameLeaf(l[i], want[n][i])
				}
				if !ok {
					t.Errorf("At%v: leaves %.200q, NumPy %.200q", idx, l, want[n])
				}
				n++
			})
			if n != len(want) {
				t.Errorf("compared %d elements, NumPy has %d", n, len(want))
			}

		})
	}
	if legacy < 2 {
		t.Errorf("%d legacy files of numpy/lib/tests/data compared, want python3.npy and win64python2.npy", legacy)
	}
	for _, p := range got.Objects {
		if _, err := array.OpenAny(p, memmap.ReadOnly, nil); !errors.Is(err, header.ErrFormat) || !errors.Is(err, layout.ErrDType) || !strings.Contains(err.Error(), "object") {
			t.Errorf("%s (object array): %v, want an error matching ErrFormat and ErrDType that says object", filepath.Base(p), err)
		}
	}
	t.Logf("%d files compared (%d legacy), %d object arrays refused", len(got.Values), legacy, len(got.Objects))
}

// TestNumPyFormatCorpusTyped opens arrays of NumPy's format tests with
// Go types known at compile time: the subarray-of-subarray field of
// issue 15 ([('c', ('<f8', (5,)), (2,))] is [2][5]float64), and the
// scalar basic arrays, and compares them with the untyped values.
func TestNumPyFormatCorpusTyped(t *testing.T) {
	dir := testutil.FormatCorpus(t)
	type C struct {
		C [2][5]float64 `npy:"c"`
	}
	opened := 0
	for _, name := range []string{"record_4.npy", "record_5.npy", "record_6.npy", "record_7.npy"} {
		path := filepath.Join(dir, name)
		in, err := array.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if in.DType.NumField() != 1 || in.DType.Field(0).Name != "c" {
			continue
		}
		a, err := array.Open[C](path, memmap.ReadOnly, nil)
		if err != nil {
			t.Errorf("%s: Open[%T]: %v", name, C{}, err)
			continue
		}
		u, err := array.OpenAny(path, memmap.ReadOnly, nil)
		if err != nil {
			t.Fatal(err)
		}
		npytest.ForEach(a.Shape(), func(idx []int) {
			v, _ := u.At(idx...)
			want := npytest.Leaves(v)
			c := a.At(idx...)
			var got []string
			for _, row := range c.C {
				for _, x := range row {
					got = append(got, npytest.Leaves(valueOf(t, x))...)
				}
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("%s%v: typed %v, untyped %v", name, idx, got, want)
			}
		})
		opened++
		u.Close()
		a.Close()
	}
	if opened == 0 {
		t.Error("no record array of NumPy's tests has the field ('c', ('<f8', (5,)), (2,)) of issue 15")
	}
	// The scalar basic arrays, typed by their dtype.
	typed := 0
	for i := 0; ; i++ {
		path := filepath.Join(dir, "basic_"+itoa(i)+".npy")
		in, err := array.Stat(path)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			continue // unicode and object arrays: TestNumPyFormatCorpusValues
		}
		var ok bool
		switch in.DType.Str()[1:] {
		case "f8":
			ok = sameAsAny[float64](t, path)
		case "f4":
			ok = sameAsAny[float32](t, path)
		case "i8":
			ok = sameAsAny[int64](t, path)
		case "u1":
			ok = sameAsAny[uint8](t, path)
		case "c16":
			ok = sameAsAny[complex128](t, path)
		default:
			continue
		}
		if ok {
			typed++
		}
	}
	if typed < 10 {
		t.Errorf("%d scalar basic arrays opened typed, want at least 10", typed)
	}
}

// valueOf is x as a Value of its Go type's dtype (in host order).
func valueOf[T any](t *testing.T, x T) array.Value {
	t.Helper()
	dt, err := layout.Of[T]()
	if err != nil {
		t.Fatal(err)
	}
	// SAFETY: T is a pointer-free fixed-size type (layout.Of accepted
	// it); the slice covers x's bytes, and x outlives the Value's use.
	b := unsafe.Slice((*byte)(unsafe.Pointer(&x)), unsafe.Sizeof(x))
	v, err := array.NewValue(dt, b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sameAsAny opens path as an Array[T] and as an Any and compares every
// element's leaves; it reports whether the typed open worked.
func sameAsAny[T any](t *testing.T, path string) bool {
	t.Helper()
	a, err := array.Open[T](path, memmap.ReadOnly, nil)
	if err != nil {
		t.Errorf("%s: Open[%T]: %v", filepath.Base(path), *new(T), err)
		return false
	}
	defer a.Close()
	u, err := array.OpenAny(path, memmap.ReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	npytest.ForEach(a.Shape(), func(idx []int) {
		v, _ := u.At(idx...)
		if g, w := npytest.Leaves(valueOf(t, a.At(idx...))), npytest.Leaves(v); strings.Join(g, " ") != strings.Join(w, " ") {
			t.Errorf("%s%v: typed %v, untyped %v", filepath.Base(path), idx, g, w)
		}
	})
	return true
}
