package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPageFacts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := pageFacts(path)
	if err != nil {
		t.Fatal(err)
	}
	// The map covers the file (smaps rounds up to pages); touching a fresh
	// map faults at least once; PMD-mapped bytes are part of the map.
	if p.SizeKB < 1024 || p.Faults < 1 || p.PmdKB < 0 || p.PmdKB > p.SizeKB {
		t.Errorf("pageFacts(1 MiB file) = %+v", p)
	}
	if _, _, err := smapsOf(0); err == nil {
		t.Error("smapsOf(0) found a mapping at address 0")
	}
}
