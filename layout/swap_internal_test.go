package layout

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSwapPlan pins the flat plans (runs merged) and the fallback to a
// field walk for plans longer than maxPlan.
func TestSwapPlan(t *testing.T) {
	for _, tc := range []struct {
		descr string
		plan  []swapRun
		deep  bool
	}{
		{"'<f8'", []swapRun{{0, 8, 1}}, false},
		{"'<c16'", []swapRun{{0, 8, 2}}, false},
		{"'|S4'", nil, false},
		{"[('a', '<i4'), ('b', '<f4'), ('c', '|u1'), ('', '|V1'), ('d', '<i2', (3,))]", []swapRun{{0, 4, 2}, {10, 2, 3}}, false},
		{"[('a', [('x', '<i2'), ('y', '<i2')], (100,))]", []swapRun{{0, 2, 200}}, false},
		{"[('a', [('x', '<i4'), ('y', '|u1')], (4097,))]", nil, true},
		{"[('a', [('x', '<i4'), ('y', '|u1')], (4096,))]", nil, false},
	} {
		d, err := ParseDescr(tc.descr)
		if err != nil {
			t.Fatal(err)
		}
		if d.deep != tc.deep {
			t.Errorf("%s: deep = %v", tc.descr, d.deep)
		}
		if tc.plan != nil || tc.deep {
			if diff := cmp.Diff(tc.plan, d.plan, cmp.AllowUnexported(swapRun{})); diff != "" {
				t.Errorf("%s: plan (-want +got):\n%s", tc.descr, diff)
			}
		}
	}
}

// TestSwapZeroSize checks that zero-size subarrays give no swap work, even
// inside a huge subarray (which must not be walked element by element).
func TestSwapZeroSize(t *testing.T) {
	d, err := ParseDescr("[('b', '<i4'), ('a', [('x', '<i4', (0,)), ('y', '<i2', (0,))], (2147483647,))]")
	if err != nil {
		t.Fatal(err)
	}
	if d.deep || len(d.plan) != 1 {
		t.Errorf("deep %v plan %v, want one run", d.deep, d.plan)
	}
	b := []byte{1, 2, 3, 4}
	d.SwapBytes(b)
	if string(b) != "\x04\x03\x02\x01" {
		t.Errorf("SwapBytes = %v", b)
	}
}
