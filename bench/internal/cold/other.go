//go:build !linux

package cold

import (
	"errors"
	"regexp"
	"time"
)

// Config sizes a cold run.
type Config struct {
	Dir           string
	FileBytes     int64
	Limit         int64
	Budget        time.Duration
	AppendBytes   int64
	Goroutines    []int
	GatherRows    int
	GatherG       int
	WarmBytes     int64
	Count         int
	MaxOps        int64
	WithoutCgroup bool
	Scenarios     *regexp.Regexp
	Log           func(format string, a ...any)
}

// MaybeChild does nothing off Linux.
func MaybeChild() {}

// Run needs Linux (cgroups, posix_fadvise, /proc).
func Run(cfg Config, emit func(Result)) (Info, error) {
	return Info{}, errors.New("the cold benchmarks need Linux (memory cgroups, posix_fadvise, mincore, /proc/self/io)")
}
