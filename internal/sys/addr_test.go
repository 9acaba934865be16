package sys

import "unsafe"

// addrOfByte returns the address of b's first byte.
func addrOfByte(b []byte) uintptr {
	// SAFETY: only the address is taken, for comparisons in tests.
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))
}
