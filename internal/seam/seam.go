// Package seam holds the hooks through which the module's tests reach
// inside its write and open paths, in one place, and nothing else.
//
// Production code only reads them: each is nil (TakePath zero, "auto")
// unless a test sets it. A test that sets one restores it when it ends
// (t.Cleanup) and does not run in parallel with tests of its package that
// take the same path. Nothing outside the module can import this package,
// and the library never sets a hook itself.
package seam

import "sync/atomic"

// Fault runs before each step of a store's write path (internal/store:
// "grow", "pwrite data", "pwrite buffered rows", "msync data", "pwrite
// header", "msync header", "shrink"); an error it returns stands for the
// step's failing with it.
var Fault func(step string) error

// StoreOpen runs in the store's open after the file is mapped (for a
// writer, after its lock is taken), once per try: it can replace or change
// the file there.
var StoreOpen func(try int)

// Rewrite runs in the store's Rewrite between its first read of the file
// and its check that the file is unchanged.
var Rewrite func()

// Create runs in memmap.Create at its steps: "init" (the new file made
// and mapped, before init), "flushed" (init done and flushed), "rename"
// (before the rename into place).
var Create func(step string)

// Put runs in memmap.Map's bulk write between its size check and its
// pwrite: it can shrink the file there.
var Put func()

// SafetensorsOpen runs in safetensors.Open between the map's size and its
// reading of the header, with the file's name.
var SafetensorsOpen func(path string)

// TakePath, when not zero, makes every gather of rows (internal/store
// TakeRows) take one path: the value of a store.TakePath.
var TakePath atomic.Int32
