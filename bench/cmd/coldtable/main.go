// Command coldtable measures cold single lookups in a lookup table bigger
// than memory (issue 20; the method of section 7, package cold): for each
// cell the table file is dropped from the page cache and the reader runs
// in a child process inside a memory cgroup smaller than the file. Cells:
// table.Get on random present keys, the same with the table's index read
// first (resident), and one pread of a random entry of the same file per
// lookup. It prints each result as a JSON line ("# cold: ...") and the
// run's facts ("# cold-info: ..."), as cmd/cold does; cmd/report -only
// table runs it for section 8. It must run as root on Linux (else the
// cells are reported as not measured, saying why).
//
//	cd bench && go run ./cmd/coldtable -file 1GiB -limit 128MiB -budget 3s
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/gomemmap/memmap/bench/internal/cold"
)

var (
	fileSize = flag.String("file", "1GiB", "size of the table file (16 bytes per key; the first build keeps 28 bytes per key on the heap)")
	limit    = flag.String("limit", "128MiB", "memory cgroup limit of the readers (at most half the file)")
	budget   = flag.Duration("budget", 3*time.Second, "time per cell")
	count    = flag.Int("count", 1, "rounds: every cell is measured this many times")
	dir      = flag.String("dir", cold.TableDir(), "where the table is made and kept")
	maxOps   = flag.Int64("maxops", 0, "cap on lookups per cell (smoke runs)")
	noCg     = flag.Bool("without-cgroup", false, "measure without a cgroup when none can be made (smoke runs; not cold)")
)

func main() {
	cold.MaybeChild()
	log.SetFlags(0)
	log.SetPrefix("coldtable: ")
	flag.Parse()
	size, err := parseSize(*fileSize)
	if err != nil {
		log.Fatal(err)
	}
	lim, err := parseSize(*limit)
	if err != nil {
		log.Fatal(err)
	}
	cfg := cold.Config{Dir: *dir, FileBytes: size, Limit: lim, Budget: *budget, Count: *count, MaxOps: *maxOps,
		WithoutCgroup: *noCg, Log: func(format string, a ...any) { log.Printf(format, a...) }}
	info, err := cold.RunTable(cfg, size, func(r cold.Result) {
		b, _ := json.Marshal(r)
		fmt.Printf("# cold: %s\n", b)
	})
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.Marshal(info)
	fmt.Printf("# cold-info: %s\n", b)
	if kb, err := readAheadKB(*dir); err == nil {
		fmt.Printf("# table-cold-readahead-kb: %d\n", kb)
	}
}

// parseSize parses a size in bytes, KiB, MiB or GiB.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if t, ok := strings.CutSuffix(s, suf); ok {
			s, mult = t, m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("size %q: want a positive number of bytes, KiB, MiB or GiB", s)
	}
	return n * mult, nil
}
