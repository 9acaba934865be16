package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/gomemmap/memmap"
)

// cmdDemo walks through the byte-level map on files in a directory: it
// writes a log through a growing read-write map, searches it without
// copies, changes it copy-on-write, and shares anonymous memory.
func cmdDemo(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	lines := fs.Int("lines", 100000, "log lines to write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: demo takes at most one directory", errUsage)
	}
	if *lines < 1 {
		return fmt.Errorf("%w: demo: -lines must be at least 1", errUsage)
	}
	dir := fs.Arg(0)
	if dir == "" {
		d, err := os.MkdirTemp("", "memmap-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "app.log")
	fmt.Fprintf(w, "memmap demo in %s (page size %d, allocation granularity %d)\n\n",
		dir, memmap.PageSize(), memmap.AllocationGranularity())

	// 1. Write a log through a read-write map that grows as it fills.
	start := time.Now()
	m, err := memmap.Create(path, 4096, nil)
	if err != nil {
		return err
	}
	first := m.Bytes() // a view taken before any growth
	var line []byte
	off := int64(0)
	for i := 0; i < *lines; i++ {
		line = fmt.Appendf(line[:0], "%08d %s request served in %dms\n", i, level(i), i%97)
		if need := off + int64(len(line)); need > int64(m.Len()) {
			if err := m.Resize(max(2*int64(m.Len()), need)); err != nil {
				m.Close()
				return err
			}
		}
		if _, err := m.WriteAt(line, off); err != nil {
			m.Close()
			return err
		}
		off += int64(len(line))
	}
	grown := m.Len()
	if err := m.Resize(off); err != nil { // trim the slack
		m.Close()
		return err
	}
	if err := m.Flush(); err != nil {
		m.Close()
		return err
	}
	fmt.Fprintf(w, "wrote %d lines (%d bytes) through a growing map (4 KiB -> %d bytes, then trimmed) and flushed it: %v\n",
		*lines, off, grown, time.Since(start).Round(time.Microsecond))
	// The view taken at 4 KiB still aliases the start of the file.
	first[0] = '#'
	fmt.Fprintf(w, "a view taken before the map grew still writes the file: first byte now %q\n", m.Bytes()[0])
	first[0] = '0'
	if err := m.Close(); err != nil {
		return err
	}

	// 2. Search it read-only, without copying a byte.
	start = time.Now()
	r, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := r.Advise(memmap.Sequential); err != nil {
		return err
	}
	nlines := r.Count([]byte("\n"))
	nerr := r.Count([]byte("ERROR"))
	firstErr := r.Find([]byte("ERROR"))
	lastErr := r.RFind([]byte("ERROR"))
	slow := 0
	re := regexp.MustCompile(`served in 9[0-6]ms`)
	for range r.AllRegexp(re) {
		slow++
	}
	fmt.Fprintf(w, "searched the map: %d lines, %d ERROR lines (first at byte %d, last at byte %d), %d requests over 89ms: %v\n",
		nlines, nerr, firstErr, lastErr, slow, time.Since(start).Round(time.Microsecond))
	for i, l := range r.Lines() {
		if i == 3 {
			break
		}
		fmt.Fprintf(w, "  line %d: %s\n", i, l)
	}
	if _, err := r.WriteAt([]byte("x"), 0); err != nil {
		fmt.Fprintf(w, "a write to the read-only map is refused: %v\n", err)
	}

	// 3. Copy-on-write: change the mapped bytes, leave the file alone.
	c, err := memmap.Open(path, memmap.CopyOnWrite, nil)
	if err != nil {
		return err
	}
	copy(c.Bytes(), "REDACTED")
	onDisk := make([]byte, 8)
	if _, err := r.ReadAt(onDisk, 0); err != nil {
		c.Close()
		return err
	}
	fmt.Fprintf(w, "copy-on-write map reads %q, the file still reads %q\n", c.Bytes()[:8], onDisk)
	if err := c.Close(); err != nil {
		return err
	}

	// 4. Anonymous shared memory, the kind a child process can map too.
	a, err := memmap.Anonymous(1<<20, nil)
	if err != nil {
		return err
	}
	n, err := io.Copy(a, bytes.NewReader(r.Bytes()[:min(r.Len(), a.Len())]))
	if err != nil {
		a.Close()
		return err
	}
	fmt.Fprintf(w, "anonymous map of %d bytes (shareable through its descriptor %q): copied in %d bytes, position %d\n",
		a.Len(), a.File().Name(), n, a.Tell())
	if err := a.Close(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nPython opens the same file the same way:\n  python3 -c \"import mmap; f=open('%s','rb'); m=mmap.mmap(f.fileno(),0,access=mmap.ACCESS_READ); print(m.size(), m.find(b'ERROR'))\"\n", path)
	return nil
}

// level returns the log level of line i: one line in 50 is an error.
func level(i int) string {
	switch {
	case i%50 == 7:
		return "ERROR"
	case i%10 == 3:
		return "WARN "
	}
	return "INFO "
}
