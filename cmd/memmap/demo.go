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

// cmdDemo walks through the library on files in a directory: a feature
// store (an embeddings array and a record file, grown by appends, read back
// zero-copy and searched, and a lookup table from the items' names to
// their rows), then the byte-level map (a log written through a
// growing map, searched without copies, changed copy-on-write) and
// anonymous shared memory. It ends with the NumPy one-liner that opens the
// same files.
func cmdDemo(args []string, w io.Writer) (err error) {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	rows := fs.Int("rows", 100000, "embeddings and item records to write")
	lines := fs.Int("lines", 100000, "log lines to write")
	keep := fs.Bool("keep", false, "keep the files of a demo in a new temp dir (given a DIR, the files are always kept)")
	if err := parseFlags(fs, args, "demo [-rows N] [-lines N] [-keep] [DIR]"); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return fmt.Errorf("%w: demo takes at most one directory", errUsage)
	}
	if *lines < 1 {
		return fmt.Errorf("%w: demo: -lines must be at least 1", errUsage)
	}
	if *rows < 1 {
		return fmt.Errorf("%w: demo: -rows must be at least 1", errUsage)
	}
	dir := fs.Arg(0)
	if dir == "" {
		if dir, err = os.MkdirTemp("", "memmap-demo-"); err != nil {
			return err
		}
		// The files take tens of megabytes: remove them unless asked to
		// keep them, and say where they are either way. (err is the
		// result: the demo's error, or the removal's.)
		defer func() {
			switch {
			case *keep:
				fmt.Fprintf(w, "\nThe files are kept in %s (remove it when done).\n", dir)
			case err != nil:
				os.RemoveAll(dir)
			default:
				if rerr := os.RemoveAll(dir); rerr != nil {
					err = fmt.Errorf("removing the demo's temp dir: %w", rerr)
					return
				}
				fmt.Fprintf(w, "\nRemoved %s and the files in it (run demo -keep, or give it a DIR, to keep them).\n", dir)
			}
		}()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	fmt.Fprintf(w, "memmap demo in %s (page size %d, allocation granularity %d)\n\n",
		dir, memmap.PageSize(), memmap.AllocationGranularity())

	embPath, itemsPath, err := featureStore(w, dir, *rows)
	if err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "2. The byte-level map under them, on a log file\n")
	if err := logDemo(&indenter{w: w, prefix: "   "}, dir, *lines); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nNumPy opens the same files:\n  python3 -c \"import numpy as np; e = np.load('%s', mmap_mode='r'); r = np.load('%s', mmap_mode='r'); print(e.shape, e.dtype, r.shape, r.dtype.names); print(e[%d, :3], r[%d])\"\n",
		embPath, itemsPath, 0, 0)
	return nil
}

// logDemo writes a log through a read-write map that grows as it fills,
// searches it read-only, changes it copy-on-write and shows anonymous
// shared memory.
func logDemo(w io.Writer, dir string, nlog int) error {
	lines := &nlog
	path := filepath.Join(dir, "app.log")
	// Write a log through a read-write map that grows as it fills.
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

	// Search it read-only, without copying a byte.
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

	// Copy-on-write: change the mapped bytes, leave the file alone.
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

	// Anonymous shared memory, the kind a child process can map too.
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

// indenter writes to w with prefix at the start of every line.
type indenter struct {
	w      io.Writer
	prefix string
	mid    bool // inside a line
}

func (d *indenter) Write(p []byte) (int, error) {
	var buf []byte
	for _, c := range p {
		if !d.mid {
			buf = append(buf, d.prefix...)
		}
		buf = append(buf, c)
		d.mid = c != '\n'
	}
	if _, err := d.w.Write(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
