package array_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gomemmap/memmap"
)

// TestAppendFirst: Append returns the index of the first row it appends
// (the length before it), also when it appends nothing or fails.
func TestAppendFirst(t *testing.T) {
	a := mustCreate[int16](t, tempPath(t, "a.npy"), []int{2, 3}, nil)
	for _, tc := range []struct {
		rows  []int16
		first int
		ok    bool
	}{
		{[]int16{1, 2, 3}, 2, true},
		{[]int16{4, 5, 6, 7, 8, 9}, 3, true},
		{nil, 5, true},
		{[]int16{1, 2}, 5, false}, // not whole rows
		{[]int16{1, 2, 3}, 5, true},
	} {
		first, err := a.Append(tc.rows...)
		if first != tc.first || (err == nil) != tc.ok {
			t.Errorf("Append(%v) = %d, %v; want %d, ok %v", tc.rows, first, err, tc.first, tc.ok)
		}
	}
	if a.Len() != 6 {
		t.Errorf("Len %d after appending 4 rows to 2, want 6", a.Len())
	}
	if r, _ := a.Row(5); !slices.Equal(r, []int16{1, 2, 3}) {
		t.Errorf("Row(5) = %v, want [1 2 3]", r)
	}
	mustClose(t, a)
	if first, err := a.Append(1, 2, 3); first != 6 || !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Append after Close = %d, %v; want 6, ErrClosed", first, err)
	}
}
