package store

import "sync"

// scratchPool holds the buffers (*[]byte) of Scratch.
var scratchPool sync.Pool

// scratchChunk is the size of Scratch's buffers, unless an item is
// bigger.
const scratchChunk = 64 << 10

// Scratch returns a pooled buffer of at least 64 KiB that holds at least
// size bytes, for array's and record's conversions of rows that do not
// fit where they go (Take and CopyFrom of a file whose items are bigger
// than Ts), chunk by chunk, without an allocation per call. Give it back
// with PutScratch. It is safe for concurrent use.
func Scratch(size int) *[]byte {
	p, _ := scratchPool.Get().(*[]byte)
	if p == nil || len(*p) < size {
		b := make([]byte, max(scratchChunk, size))
		p = &b
	}
	return p
}

// PutScratch gives back a buffer from Scratch.
func PutScratch(p *[]byte) { scratchPool.Put(p) }
