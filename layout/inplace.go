package layout

import "sync"

// maxStackElem is the largest file element DecodeInPlace copies aside on
// the stack; bigger ones go through a buffer from elemPool.
const maxStackElem = 512

// elemPool holds buffers (*[]byte) for file elements bigger than
// maxStackElem.
var elemPool sync.Pool

// InPlaceOffset returns where in a buffer of n Go elements DecodeInPlace
// wants the n file elements: at n*(GoSize()-FileSize()), so that they end
// where the Go elements end. It needs FileSize() ≤ GoSize().
func (c *Converter) InPlaceOffset(n int) int { return n * (c.goSize - c.fileSize) }

// DecodeInPlace converts n file elements into n Go elements within one
// buffer: b holds the file elements one after the other from
// InPlaceOffset(n) (as a gather of the file's rows into that tail leaves
// them), and afterwards holds the Go elements from its start, as Decode
// into a separate buffer would leave them. It needs FileSize() ≤
// GoSize(), which packed structs have, and b to hold n Go elements;
// otherwise it converts nothing and returns 0 (use Decode with a
// separate buffer). It returns n.
//
// It converts from the first element to the last, as Decode does: Go
// element i ends at or before file element i+1 starts, so no element is
// overwritten before it is converted. Only the last few elements (those
// whose Go bytes overlap their own file bytes) are copied aside first. It
// allocates nothing for file elements of up to 512 bytes; bigger ones are
// copied aside through a buffer it reuses across calls. It is safe for
// concurrent use on distinct buffers.
func (c *Converter) DecodeInPlace(b []byte, n int) int {
	f, g := c.fileSize, c.goSize
	if n <= 0 || f == 0 || g == 0 || f > g || n > len(b)/g {
		return 0
	}
	off := c.InPlaceOffset(n)
	// Go element i ends at (i+1)*g, file element i starts at off+i*f:
	// the first k elements, those with (i+1)*g ≤ off+i*f, convert
	// straight from their file bytes.
	k := 0
	if d := g - f; d > 0 && off >= g {
		k = min(n, (off-g)/d+1)
	}
	convert(b[:k*g], b[off:off+k*f], g, f, c.runs, !c.covers)
	if k == n {
		return n
	}
	var stack [maxStackElem]byte
	tmp := stack[:]
	if f > len(stack) {
		p, _ := elemPool.Get().(*[]byte)
		if p == nil || cap(*p) < f {
			s := make([]byte, f)
			p = &s
		}
		defer elemPool.Put(p)
		tmp = *p
	}
	tmp = tmp[:f]
	for i := k; i < n; i++ {
		copy(tmp, b[off+i*f:off+(i+1)*f])
		convert(b[i*g:(i+1)*g], tmp, g, f, c.runs, !c.covers)
	}
	return n
}
