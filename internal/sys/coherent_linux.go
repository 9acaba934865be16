package sys

// WriteCoherent reports whether write(2) to a file and the file's shared
// mappings see each other's bytes at once and are made durable together
// by Sync (msync MS_SYNC syncs the file range, however its pages were
// dirtied). Linux has one page cache for both.
const WriteCoherent = true
