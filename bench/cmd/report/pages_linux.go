package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
)

// pageFacts maps path read-only, reads one byte of every 4 KiB page and
// returns what that cost the kernel: the minor page faults taken, and the
// mapping's size and the part of it mapped with PMD (2 MiB) entries, in
// kB, from /proc/self/smaps. The notes quote them to explain why a first
// pass over mapped pages costs so little, and why mapped pages can be
// read faster than the heap's.
func pageFacts(path string) (pageInfo, error) {
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		return pageInfo{}, err
	}
	defer m.Close()
	b := m.Bytes()
	if len(b) == 0 {
		return pageInfo{}, fmt.Errorf("%s is empty", path)
	}
	before := benchdata.MinorFaults()
	var x byte
	for i := 0; i < len(b); i += 4096 {
		x += b[i]
	}
	sink = x
	after := benchdata.MinorFaults()
	// SAFETY: only the address is used, to find the mapping in smaps.
	start := uintptr(unsafe.Pointer(&b[0]))
	size, pmd, err := smapsOf(start)
	if err != nil {
		return pageInfo{}, err
	}
	return pageInfo{Faults: after - before, SizeKB: size, PmdKB: pmd}, nil
}

var sink byte

// smapsOf returns the Size and FilePmdMapped fields, in kB, of the mapping
// of this process that contains addr.
func smapsOf(addr uintptr) (size, pmd int64, err error) {
	f, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(f))
	in, found := false, false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && !strings.HasSuffix(fields[0], ":") {
			a, err1 := strconv.ParseUint(lo, 16, 64)
			z, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 == nil && err2 == nil {
				if found && in {
					break
				}
				in = uint64(addr) >= a && uint64(addr) < z
				found = found || in
				continue
			}
		}
		if !in || len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "Size:":
			size = v
		case "FilePmdMapped:":
			pmd = v
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("no mapping at %#x in /proc/self/smaps", addr)
	}
	return size, pmd, sc.Err()
}
