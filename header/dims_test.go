package header_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// npyHeader returns a version 2.0 .npy header with the dict text given.
func npyHeader(dict string) []byte {
	n := 12 + len(dict) + 1
	pad := (64 - n%64) % 64
	b := []byte("\x93NUMPY\x02\x00")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(dict)+pad+1))
	b = append(b, dict...)
	b = append(b, strings.Repeat(" ", pad)...)
	return append(b, '\n')
}

// TestParseSubarrayDims: a header whose descr has a subarray of more dims
// than NumPy allows (64) is malformed, as np.load finds it ("invalid
// shape in fixed-type tuple"); Parse accepted up to 200,000, and a 40 KB
// header of 13,000 dims made `memmap info` allocate a gigabyte (issue 18
// item 12). Array shapes were already capped at MaxDims.
func TestParseSubarrayDims(t *testing.T) {
	ones := func(n int) string { return "(" + strings.Repeat("1, ", n) + ")" }
	for _, tc := range []struct {
		dims int
		ok   bool
	}{{64, true}, {65, false}, {13000, false}} {
		dict := fmt.Sprintf("{'descr': [('a', '<f4', %s)], 'fortran_order': False, 'shape': (1,), }", ones(tc.dims))
		h, err := header.Parse(npyHeader(dict), nil)
		switch {
		case tc.ok && err != nil:
			t.Errorf("%d dims: %v", tc.dims, err)
		case tc.ok && len(h.DType.Field(0).Shape) != tc.dims:
			t.Errorf("%d dims: the field has %d", tc.dims, len(h.DType.Field(0).Shape))
		case !tc.ok && (!errors.Is(err, header.ErrFormat) || !errors.Is(err, layout.ErrDType)):
			t.Errorf("%d dims: Parse = %v, want ErrFormat and layout.ErrDType", tc.dims, err)
		}
	}
	// And the array's shape, as before.
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': %s, }", ones(header.MaxDims+1))
	if _, err := header.Parse(npyHeader(dict), nil); !errors.Is(err, header.ErrFormat) {
		t.Errorf("%d dims of shape: Parse = %v, want ErrFormat", header.MaxDims+1, err)
	}
}
