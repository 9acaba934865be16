package cold

import (
	"os"
	"path/filepath"
)

// TableRandom is the scenario of cold single lookups in a table bigger
// than the cgroup (issue 20): random present keys, one goroutine, each
// lookup checked.
const TableRandom = "table-random"

// The implementations of TableRandom.
const (
	TableGet         = "table.Get"                 // open, then Get
	TableGetResident = "table.Get, index resident" // the index read first
	TablePread       = "pread entry"               // one pread of a random entry of the same file
)

// tableEntry is the size of an entry of a uint64 -> uint64 table.
const tableEntry = 16

// TableKeys returns the number of keys of a table file of about size
// bytes (16.3 bytes per key).
func TableKeys(size int64) int { return int(size / tableEntry) }

// TableDir is where RunTable's callers keep the table by default.
func TableDir() string { return filepath.Join(os.TempDir(), "memmap-bench", "cold") }
