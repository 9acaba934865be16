package record

import "sync"

// takePool holds the buffers (*[]byte) through which Take converts the
// records of a file whose records are bigger than Ts.
var takePool sync.Pool

// takeChunk is the size of the buffers in takePool, unless a record is
// bigger.
const takeChunk = 64 << 10

// getTakeBuf returns a buffer from takePool that holds at least one
// record of size bytes.
func getTakeBuf(size int) *[]byte {
	p, _ := takePool.Get().(*[]byte)
	if p == nil || len(*p) < size {
		b := make([]byte, max(takeChunk, size))
		p = &b
	}
	return p
}
