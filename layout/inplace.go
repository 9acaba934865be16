package layout

import "sync"

// maxStackElem is the largest file element DecodeInPlace copies aside on
// the stack; bigger ones go through a buffer from elemPool.
const maxStackElem = 512

// elemPool holds buffers (*[]byte) for file elements bigger than
// maxStackElem.
var elemPool sync.Pool

// DecodeInPlace converts n file elements into n Go elements within one
// buffer: b holds the file elements one after the other from its start
// (as a gather of the file's rows leaves them), and afterwards holds the
// Go elements from its start, as Decode into a separate buffer would
// leave them. It needs FileSize() ≤ GoSize(), which packed structs have,
// and b to hold n Go elements; otherwise it converts nothing and returns
// 0 (use Decode with a separate buffer). It returns n.
//
// It works from the last element to the first, so that no element is
// overwritten before it is converted, copying an element aside only when
// its Go element overlaps it. It allocates nothing for file elements of
// up to 512 bytes; bigger ones are copied aside through a buffer it
// reuses across calls. It is safe for concurrent use on distinct buffers.
func (c *Converter) DecodeInPlace(b []byte, n int) int {
	f, g := c.fileSize, c.goSize
	if n <= 0 || f == 0 || g == 0 || f > g || n > len(b)/g {
		return 0
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
	for i := n - 1; i >= 0; i-- {
		src := b[i*f : (i+1)*f]
		dst := b[i*g : (i+1)*g]
		if i*g < (i+1)*f { // dst overlaps src: elements before i end at i*f ≤ i*g
			copy(tmp, src)
			src = tmp
		}
		convert(dst, src, g, f, c.runs, !c.covers)
	}
	return n
}
