//go:build !unix

package mph

import "time"

// processCPU reports false: no CPU time here.
func processCPU() (time.Duration, bool) { return 0, false }
