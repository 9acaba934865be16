//go:build !linux

package cold

import "errors"

// RunTable needs Linux (cgroups, posix_fadvise, /proc), as Run does.
func RunTable(cfg Config, tableBytes int64, emit func(Result)) (Info, error) {
	return Info{}, errors.New("the cold benchmarks need Linux (memory cgroups, posix_fadvise, mincore, /proc/self/io)")
}
