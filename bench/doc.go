// Package bench holds the benchmarks of memmap against the ways Go programs
// read binary files today: os.File with encoding/binary, golang.org/x/exp/mmap,
// github.com/edsrzf/mmap-go, a heap copy, and NumPy (through cmd/report).
//
// It is a module of its own, so that the peers never enter the library's
// go.mod. The benchmarks run at small sizes by default (the CI smoke run);
// MEMMAP_BENCH_SIZE=full selects the sizes of RESULTS.md, which cmd/report
// runs and writes. See README.md.
package bench
