//go:build unix

package sys

import (
	"fmt"
	"testing"
	"unsafe"
)

// TestReserveAligned: a reservation of 2 MiB or more starts at an address
// congruent to the file offset it is for modulo 2 MiB (so that Linux can
// map large page-cache folios with huge-page entries), is exactly as long
// as asked, and unmaps whole; a short one is simply page-aligned.
func TestReserveAligned(t *testing.T) {
	page := PageSize()
	for _, length := range []int{page, hugePage - page, hugePage, 3*hugePage + 5*page} {
		for _, off := range []int64{0, int64(page), hugePage, 3*hugePage + int64(7*page)} {
			t.Run(fmt.Sprintf("%d@%d", length, off), func(t *testing.T) {
				res, err := Reserve(length, off)
				if err != nil {
					t.Fatalf("Reserve: %v", err)
				}
				addr := uintptr(unsafe.Pointer(unsafe.SliceData(res)))
				if len(res) != length || cap(res) != length {
					t.Errorf("len %d, cap %d, want %d", len(res), cap(res), length)
				}
				if addr%uintptr(page) != 0 {
					t.Errorf("address %#x not page-aligned", addr)
				}
				if length >= hugePage && page < hugePage && addr%hugePage != uintptr(off%hugePage) {
					t.Errorf("address %#x is %#x into a 2 MiB page, want %#x (offset %d)", addr, addr%hugePage, off%hugePage, off)
				}
				if err := Unmap(res); err != nil {
					t.Errorf("Unmap: %v", err)
				}
			})
		}
	}
}
