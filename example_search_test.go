package memmap_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/gomemmap/memmap"
)

const exampleLog = `2026-11-22 03:00:01 INFO  server started
2026-11-22 03:00:02 WARN  disk 81% full
2026-11-22 03:00:05 ERROR request 17 failed: timeout
2026-11-22 03:00:09 INFO  request 18 done
2026-11-22 03:00:12 ERROR request 19 failed: refused
`

// openLog writes exampleLog to a temporary file and maps it read-only.
// The returned function closes the map and removes the file.
func openLog() (*memmap.Map, func()) {
	dir, err := os.MkdirTemp("", "memmap-search-example-")
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "server.log")
	if err := os.WriteFile(path, []byte(exampleLog), 0o644); err != nil {
		log.Fatal(err)
	}
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	return m, func() {
		m.Close()
		os.RemoveAll(dir)
	}
}

// Search a mapped file without reading it into memory.
func ExampleMap_Find() {
	m, done := openLog()
	defer done()

	first := m.Find([]byte("ERROR"))
	// Python's mm.find(sub, start, end): the next one after the first.
	second := m.FindRange([]byte("ERROR"), first+1, int64(m.Len()))
	last := m.RFind([]byte("ERROR"))
	fmt.Println(first, second, last == second)
	fmt.Println(m.Count([]byte("ERROR")), "errors,", m.Count([]byte("\n")), "lines")
	// Negative indexes count from the end, as in Python: the last 50 bytes.
	fmt.Println(m.CountRange([]byte("request"), -50, int64(m.Len())))
	fmt.Println(m.Find([]byte("FATAL")))
	// Output:
	// 101 196 true
	// 2 errors, 5 lines
	// 1
	// -1
}

// Iterate over the lines of a mapped file; the lines are slices of the
// map, not copies.
func ExampleMap_Lines() {
	m, done := openLog()
	defer done()

	for i, line := range m.Lines() {
		if bytes.Contains(line, []byte("ERROR")) {
			fmt.Printf("line %d: %s\n", i+1, line[20:])
		}
	}
	// Output:
	// line 3: ERROR request 17 failed: timeout
	// line 5: ERROR request 19 failed: refused
}

// Every offset of a byte string, found one at a time.
func ExampleMap_All() {
	m, done := openLog()
	defer done()

	for off := range m.All([]byte("failed")) {
		fmt.Println(off, string(m.Bytes()[off-11:off-1]))
	}
	// Output:
	// 118 request 17
	// 213 request 19
}

// Count and All skip over each match, like bytes.Count; CountOverlapping
// and AllOverlapping move on one byte after it, so matches that overlap
// are counted too.
func ExampleMap_AllOverlapping() {
	dir, err := os.MkdirTemp("", "memmap-overlap-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "runs")
	if err := os.WriteFile(path, []byte("aaaa-ab-aaaa"), 0o644); err != nil {
		log.Fatal(err)
	}
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	sub := []byte("aa")
	fmt.Println(m.Count(sub), m.CountOverlapping(sub))
	fmt.Println(slices.Collect(m.All(sub)))
	fmt.Println(slices.Collect(m.AllOverlapping(sub)))
	// Output:
	// 4 6
	// [0 2 8 10]
	// [0 1 2 8 9 10]
}

// Regular expressions run over the mapped bytes directly; AllRegexp
// yields the matches one at a time.
func ExampleMap_AllRegexp() {
	m, done := openLog()
	defer done()

	re := regexp.MustCompile(`request (\d+) failed: (\w+)`)
	for span := range m.AllRegexp(re) {
		match := m.Bytes()[span[0]:span[1]]
		sub := re.FindSubmatch(match)
		fmt.Printf("%d-%d: request %s, %s\n", span[0], span[1], sub[1], sub[2])
	}
	// The whole regexp API works on Bytes, without copies.
	fmt.Println(len(re.FindAllIndex(m.Bytes(), -1)))
	// Output:
	// 107-133: request 17, timeout
	// 202-228: request 19, refused
	// 2
}

// Read a mapped file line by line, like Python's mm.readline().
func ExampleMap_ReadLine() {
	m, done := openLog()
	defer done()

	// From the line of the first warning to the end of the file: the line
	// starts after the last '\n' before the warning.
	warn := m.Find([]byte("WARN"))
	start := m.RFindRange([]byte("\n"), 0, warn) + 1
	if _, err := m.Seek(start, io.SeekStart); err != nil {
		log.Fatal(err)
	}
	for {
		line, err := m.ReadLine() // with its '\n', as Python's readline
		if err == io.EOF {
			break
		}
		fmt.Printf("%q\n", line[20:])
	}
	// Output:
	// "WARN  disk 81% full\n"
	// "ERROR request 17 failed: timeout\n"
	// "INFO  request 18 done\n"
	// "ERROR request 19 failed: refused\n"
}

// Write a file through its map like a file: Write, Seek, WriteByte, Move.
func ExampleMap_Write() {
	dir, err := os.MkdirTemp("", "memmap-write-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "table")

	m, err := memmap.Create(path, 12, nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Write([]byte("abc,def")); err != nil {
		log.Fatal(err)
	}
	if err := m.WriteByte(','); err != nil {
		log.Fatal(err)
	}
	if err := m.Move(8, 0, 3); err != nil { // Python's mm.move(dest, src, count)
		log.Fatal(err)
	}
	// A Map never grows by writing: a write that does not fit writes nothing.
	_, err = m.Write([]byte("overflow"))
	fmt.Println(err)
	if err := m.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := m.Close(); err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", data)
	// Output:
	// memmap: Write: 8 bytes at position 8 do not fit in the 12-byte map
	// "abc,def,abc\x00"
}
