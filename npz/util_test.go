package npz_test

import (
	"errors"
	"strconv"
	"unsafe"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func itoa(x int64) string { return strconv.FormatInt(x, 10) }

func strconvG(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// bytesOf returns the bytes of s (a copy).
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	n := len(s) * int(unsafe.Sizeof(s[0]))
	return append([]byte(nil), unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), n)...)
}
