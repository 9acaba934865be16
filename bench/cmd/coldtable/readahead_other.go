//go:build !linux

package main

import "errors"

// readAheadKB is known on Linux only.
func readAheadKB(path string) (int, error) { return 0, errors.New("read-ahead: Linux only") }
