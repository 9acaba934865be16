//go:build !linux

package sys

// WriteCoherent reports whether write(2) to a file and the file's shared
// mappings see each other's bytes at once and are made durable together
// by Sync. Outside Linux the library does not rely on it.
const WriteCoherent = false
