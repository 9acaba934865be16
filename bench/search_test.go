package bench

import (
	"bufio"
	"bytes"
	"os"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
)

// logSetup opens the log file of scenario 6 as a Map (pages touched) and
// returns it with its heap copy.
func logSetup(b *testing.B) (benchdata.LogInfo, *memmap.Map, []byte) {
	b.Helper()
	info, err := benchdata.LogFile(sizes.LogBytes)
	must(b, err)
	m, err := memmap.Open(info.Path, memmap.ReadOnly, nil)
	must(b, err)
	b.Cleanup(func() { m.Close() })
	touch(m.Bytes())
	return info, m, heapBytes(b, info.Path)
}

// scanFile runs fn on every line of the file at path, read by a
// bufio.Scanner.
func scanFile(b *testing.B, path string, fn func([]byte)) {
	f, err := os.Open(path)
	must(b, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fn(sc.Bytes())
	}
	must(b, sc.Err())
}

// BenchmarkCount is scenario 6, counting the lines of a log file: one op
// counts the '\n' of the whole file.
func BenchmarkCount(b *testing.B) {
	info, m, heap := logSetup(b)
	nl := []byte("\n")
	run := func(name string, count func() int) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(info.Size)
			b.ReportAllocs()
			for range b.N {
				if got := count(); got != info.Lines {
					b.Fatalf("counted %d lines, want %d", got, info.Lines)
				}
			}
		})
	}
	run("Map.Count", func() int { return m.Count(nl) })
	run("heap_bytes.Count", func() int { return bytes.Count(heap, nl) })
	run("bufio.Scanner", func() int {
		n := 0
		scanFile(b, info.Path, func([]byte) { n++ })
		return n
	})
}

// BenchmarkFind is scenario 6, finding a string that occurs once, on the
// last line: one op scans the whole file.
func BenchmarkFind(b *testing.B) {
	info, m, heap := logSetup(b)
	needle := []byte(benchdata.Needle)
	run := func(name string, find func() int64) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(info.Size)
			b.ReportAllocs()
			for range b.N {
				if got := find(); got != info.At {
					b.Fatalf("found at %d, want %d", got, info.At)
				}
			}
		})
	}
	run("Map.Find", func() int64 { return m.Find(needle) })
	run("heap_bytes.Index", func() int64 { return int64(bytes.Index(heap, needle)) })
	run("bufio.Scanner", func() int64 {
		off, at := int64(0), int64(-1)
		scanFile(b, info.Path, func(line []byte) {
			if at < 0 {
				if i := bytes.Index(line, needle); i >= 0 {
					at = off + int64(i)
				}
			}
			off += int64(len(line)) + 1
		})
		return at
	})
}

// BenchmarkLines is scenario 6, iterating over the lines of the file and
// looking at each (its length): one op visits every line.
func BenchmarkLines(b *testing.B) {
	info, m, heap := logSetup(b)
	want := int(info.Size) - info.Lines // bytes without the '\n'
	run := func(name string, lines func() int) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(info.Size)
			b.ReportAllocs()
			for range b.N {
				if got := lines(); got != want {
					b.Fatalf("lines hold %d bytes, want %d", got, want)
				}
			}
		})
	}
	run("Map.Lines", func() int {
		n := 0
		for _, line := range m.Lines() {
			n += len(line)
		}
		return n
	})
	run("bufio.Scanner", func() int {
		n := 0
		scanFile(b, info.Path, func(line []byte) { n += len(line) })
		return n
	})
	run("heap_bufio.Scanner", func() int {
		n := 0
		sc := bufio.NewScanner(bytes.NewReader(heap))
		for sc.Scan() {
			n += len(sc.Bytes())
		}
		return n
	})
}
