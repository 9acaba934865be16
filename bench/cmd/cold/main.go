// Command cold runs the cold benchmarks of issue 11 (package
// internal/cold) and prints one line per measured cell, "# cold: " and
// its JSON, then "# cold-info: " and what it found about the machine
// (the filesystem, the cgroups). cmd/report runs it (with -only cold, or
// as part of the full report) and renders the lines into RESULTS.md; run
// it by hand to see the cells as they are measured (on stderr):
//
//	cd bench && go run ./cmd/cold -file 1GiB -limit 128MiB
//
// It must run as root to make memory cgroups; otherwise the cold cells
// run without one (the report says so). The data files are made once in
// os.TempDir()/memmap-bench/cold and reused.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gomemmap/memmap/bench/internal/cold"
)

var (
	fileSize   = flag.String("file", "4GiB", "size of each data file read cold (2GiB to 8GiB for the report)")
	limit      = flag.String("limit", "256MiB", "memory cgroup limit of the readers (256MiB to 512MiB)")
	appendSize = flag.String("append", "", "bytes each append cell writes (default: -file)")
	budget     = flag.Duration("budget", 3*time.Second, "time per cell of the read scenarios")
	count      = flag.Int("count", 1, "rounds: every cell is measured this many times")
	gs         = flag.String("g", "1,4,16,64", "goroutines of the random reads")
	rows       = flag.Int("rows", 4096, "rows per gather")
	warm       = flag.String("warm", "256MiB", "how much of the embedding file the warm gather reads (it also holds a heap copy of it)")
	dir        = flag.String("dir", filepath.Join(os.TempDir(), "memmap-bench", "cold"), "where the data files are made and kept")
	scenarios  = flag.String("scenarios", "", "regexp: which scenarios to run (random, gather, gather-warm, scan, append, append-one)")
	maxOps     = flag.Int64("maxops", 0, "cap on reads per goroutine and gathers per cell (smoke runs)")
)

func main() {
	cold.MaybeChild()
	log.SetFlags(0)
	log.SetPrefix("cold: ")
	flag.Parse()
	cfg, err := config()
	if err != nil {
		log.Fatal(err)
	}
	info, err := cold.Run(cfg, func(r cold.Result) {
		b, _ := json.Marshal(r)
		fmt.Printf("# cold: %s\n", b)
	})
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.Marshal(info)
	fmt.Printf("# cold-info: %s\n", b)
}

func config() (cold.Config, error) {
	cfg := cold.Config{Dir: *dir, Budget: *budget, Count: *count, GatherRows: *rows, GatherG: 64, MaxOps: *maxOps,
		Log: func(format string, a ...any) { log.Printf(format, a...) }}
	var err error
	if cfg.FileBytes, err = ParseSize(*fileSize); err != nil {
		return cfg, err
	}
	if cfg.Limit, err = ParseSize(*limit); err != nil {
		return cfg, err
	}
	cfg.AppendBytes = cfg.FileBytes
	if *appendSize != "" {
		if cfg.AppendBytes, err = ParseSize(*appendSize); err != nil {
			return cfg, err
		}
	}
	if cfg.WarmBytes, err = ParseSize(*warm); err != nil {
		return cfg, err
	}
	cfg.WarmBytes = min(cfg.WarmBytes, cfg.FileBytes)
	for _, s := range strings.Split(*gs, ",") {
		g, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || g < 1 {
			return cfg, fmt.Errorf("-g %q: want a list of goroutine counts", *gs)
		}
		cfg.Goroutines = append(cfg.Goroutines, g)
	}
	if *scenarios != "" {
		re, err := regexp.Compile(*scenarios)
		if err != nil {
			return cfg, err
		}
		cfg.Scenarios = re
	}
	return cfg, nil
}

// ParseSize parses a size: a number of bytes, or one with the suffix
// KiB, MiB or GiB.
func ParseSize(s string) (int64, error) {
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
