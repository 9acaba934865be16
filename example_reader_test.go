package memmap_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
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

// Decode fixed-size records in batches: DecodeSlice fills a buffer with
// as many records as remain, up to its length, and reports the end with
// io.EOF (io.ErrUnexpectedEOF if a partial record is left).
func ExampleDecodeSlice() {
	type Sample struct {
		T     int64
		Value float32
		Code  uint16
		Flags uint16
	}
	var file bytes.Buffer // a big-endian file written by another program
	for i := range 5 {
		binary.Write(&file, binary.BigEndian, Sample{T: int64(i) * 10, Value: float32(i) / 4, Code: 7})
	}

	r := memmap.NewReader(file.Bytes(), binary.BigEndian)
	buf := make([]Sample, 2)
	for {
		n, err := memmap.DecodeSlice(r, buf)
		for _, s := range buf[:n] {
			fmt.Printf("t=%d value=%g code=%d\n", s.T, s.Value, s.Code)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// t=0 value=0 code=7
	// t=10 value=0.25 code=7
	// t=20 value=0.5 code=7
	// t=30 value=0.75 code=7
	// t=40 value=1 code=7
}
