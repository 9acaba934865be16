package memmap_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
)

// Decode a binary file through a map: a header (magic, version, record
// count, a NUL-terminated name), then fixed-size records, without copying
// the file into memory.
func ExampleReader() {
	// A record as it lies in the file: Go's layout of Point, which has no
	// padding, in little-endian order.
	type Point struct {
		ID   uint32
		X, Y float32
	}

	// Write the file as another program would.
	dir, cleanup := tempDir()
	defer cleanup()
	path := filepath.Join(dir, "points.bin")
	var buf bytes.Buffer
	buf.WriteString("PNTS")
	binary.Write(&buf, binary.LittleEndian, uint16(1)) // version
	binary.Write(&buf, binary.LittleEndian, uint32(3)) // count
	buf.WriteString("triangle\x00")
	binary.Write(&buf, binary.LittleEndian, []Point{{1, 0, 0}, {2, 4, 0}, {3, 0, 3}})
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}

	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	r := m.NewReader(binary.LittleEndian)

	magic, err := r.Bytes(4)
	if err != nil || string(magic) != "PNTS" {
		log.Fatalf("not a points file: %q, %v", magic, err)
	}
	version, err := r.Uint16()
	if err != nil {
		log.Fatal(err)
	}
	count, err := r.Uint32()
	if err != nil {
		log.Fatal(err)
	}
	name, err := r.CString(64)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s v%d: %q, %d points\n", magic, version, name, count)

	for range count {
		p, err := memmap.Decode[Point](r)
		if err != nil {
			log.Fatal(err) // io.ErrUnexpectedEOF for a truncated file
		}
		fmt.Printf("%d: (%g, %g)\n", p.ID, p.X, p.Y)
	}
	_, err = r.Uint8()
	fmt.Println("then:", err)
	// Output:
	// PNTS v1: "triangle", 3 points
	// 1: (0, 0)
	// 2: (4, 0)
	// 3: (0, 3)
	// then: EOF
}
