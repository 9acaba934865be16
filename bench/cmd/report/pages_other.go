//go:build !linux

package main

import "errors"

// pageFacts needs /proc/self/smaps: Linux only.
func pageFacts(path string) (pageInfo, error) {
	return pageInfo{}, errors.New("page facts need Linux's /proc/self/smaps")
}
