// Package npytest holds the helpers that tests of several packages use to
// compare the elements the library reads with the values NumPy prints: a
// Python function that flattens an element into leaves, its Go twin over
// array.Value, and an odometer over a shape. It is imported by tests only.
package npytest

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// PyLeaves is the Python function leaves(x, dt), for scripts that import
// numpy as np: it flattens an element x of dtype dt into a list of
// strings, one per scalar, structs and subarrays flattened in order:
// integers and datetimes as decimal int64 counts, floats as "f:" and
// Python's repr (shortest round trip; float16 and float32 converted
// exactly), complex numbers as two floats, 'S' values as the hex of
// NumPy's bytes (trailing NULs stripped) and 'V' as the hex of every byte.
const PyLeaves = `
def leaves(x, dt):
    if dt.names is not None:
        out = []
        for n in dt.names:
            out += leaves(x[n], dt.fields[n][0])
        return out
    if dt.subdtype is not None:
        out = []
        for e in np.asarray(x).reshape(-1):
            out += leaves(e, dt.subdtype[0])
        return out
    k = dt.kind
    if k == 'b':
        return [str(int(bool(x)))]
    if k in 'iu':
        return [str(int(x))]
    if k == 'f':
        return ['f:' + repr(float(x))]
    if k == 'c':
        return ['f:' + repr(float(x.real)), 'f:' + repr(float(x.imag))]
    if k in 'mM':
        return [str(int(x.astype('int64')))]
    if k == 'S':
        return [bytes(x).hex()]
    return [x.tobytes().hex()]
`

// Leaves flattens v as PyLeaves does.
func Leaves(v array.Value) []string {
	if v.Shape() != nil {
		var out []string
		for i := range v.Len() {
			out = append(out, Leaves(v.Index(i))...)
		}
		return out
	}
	switch v.Kind() {
	case layout.Struct:
		var out []string
		for i := range v.NumField() {
			out = append(out, Leaves(v.Field(i))...)
		}
		return out
	case layout.Bool:
		x, _ := v.Bool()
		if x {
			return []string{"1"}
		}
		return []string{"0"}
	case layout.Int, layout.Datetime, layout.Timedelta:
		x, _ := v.Int()
		return []string{strconv.FormatInt(x, 10)}
	case layout.Uint:
		x, _ := v.Uint()
		return []string{strconv.FormatUint(x, 10)}
	case layout.Float:
		x, _ := v.Float()
		return []string{"f:" + strconv.FormatFloat(x, 'g', -1, 64)}
	case layout.Complex:
		x, _ := v.Complex()
		return []string{"f:" + strconv.FormatFloat(real(x), 'g', -1, 64), "f:" + strconv.FormatFloat(imag(x), 'g', -1, 64)}
	case layout.Bytes:
		return []string{hex.EncodeToString(v.Interface().([]byte))}
	}
	return []string{hex.EncodeToString(v.Bytes())}
}

// SameLeaf compares leaves: floats ("f:") by value, bit for bit (so -0 is
// not 0) with every NaN equal, the others as text.
func SameLeaf(got, want string) bool {
	if g, ok := strings.CutPrefix(got, "f:"); ok {
		w, ok := strings.CutPrefix(want, "f:")
		if !ok {
			return false
		}
		gf, err1 := strconv.ParseFloat(g, 64)
		wf, err2 := strconv.ParseFloat(w, 64)
		return err1 == nil && err2 == nil && (math.Float64bits(gf) == math.Float64bits(wf) || math.IsNaN(gf) && math.IsNaN(wf))
	}
	return got == want
}

// SameLeaves reports whether got and want have the same length and
// SameLeaf holds for each pair.
func SameLeaves(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !SameLeaf(got[i], want[i]) {
			return false
		}
	}
	return true
}

// ForEach calls fn with every index of shape, in C order (none when a
// dimension is 0; one, the empty index, for a 0-d shape). fn must not
// keep idx.
func ForEach(shape []int, fn func(idx []int)) {
	for _, d := range shape {
		if d == 0 {
			return
		}
	}
	idx := make([]int, len(shape))
	for {
		fn(idx)
		k := len(shape) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < shape[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}
