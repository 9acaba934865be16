package main

import (
	"fmt"
	"os"
	"strings"
)

// pageInfo is what mapping a file and touching every page cost, as
// measured by pageFacts.
type pageInfo struct {
	Faults int64 // minor page faults taken touching every page
	SizeKB int64 // the mapping's size
	PmdKB  int64 // the part of it mapped with 2 MiB (PMD) entries
}

// String is the form the raw output records and parsePageInfo reads.
func (p pageInfo) String() string {
	return fmt.Sprintf("%d %d %d", p.Faults, p.SizeKB, p.PmdKB)
}

func parsePageInfo(s string) (pageInfo, bool) {
	var p pageInfo
	_, err := fmt.Sscanf(s, "%d %d %d", &p.Faults, &p.SizeKB, &p.PmdKB)
	return p, err == nil
}

// thpMode is the transparent huge pages setting ("always", "madvise" or
// "never"), or "unknown".
func thpMode() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return "unknown"
	}
	s := string(b)
	if i := strings.Index(s, "["); i >= 0 {
		if j := strings.Index(s[i:], "]"); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return "unknown"
}
