package record_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/record"
)

// Reading is one sensor reading: a fixed-size record.
type Reading struct {
	Time   int64
	Value  float64
	Sensor [8]byte `npy:"sensor"` // NumPy's 'S8'
}

// Create a record file, append readings, commit them, and read them back
// through a read-only open, as another process (or NumPy, with
// np.load(path, mmap_mode="r")) would.
func ExampleFile() {
	dir, err := os.MkdirTemp("", "record-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "readings.npy")

	f, err := record.Create[Reading](path, nil)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 3 {
		r := Reading{Time: 1000 + int64(i), Value: 20.5 + float64(i)}
		copy(r.Sensor[:], "kitchen")
		if _, err := f.Append(r); err != nil {
			log.Fatal(err)
		}
	}
	// Flush makes the records durable and visible to readers.
	if err := f.Flush(); err != nil {
		log.Fatal(err)
	}
	r, err := f.Row(1) // a pointer into the map, not a copy
	if err != nil {
		log.Fatal(err)
	}
	r.Value = 99 // in place, in the file; committed by Close
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}

	g, err := record.Open[Reading](path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	fmt.Print(g.Len(), " records; fields:")
	for _, fld := range g.DType().Fields() {
		fmt.Print(" ", fld.Name, " ", fld.Type.Str()[1:]) // the kind and size, without the byte order
	}
	fmt.Println()
	for i, r := range g.All() {
		fmt.Printf("%d: %d %s %.1f\n", i, r.Time, r.Sensor[:7], r.Value)
	}
	last, err := g.Get(g.Len() - 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("last:", last.Time)
	// Output:
	// 3 records; fields: Time i8 Value f8 sensor S8
	// 0: 1000 kitchen 20.5
	// 1: 1001 kitchen 99.0
	// 2: 1002 kitchen 22.5
	// last: 1002
}

// Rows gives records [i, j) as a slice over the map, and Row one record
// as a pointer: no copy, and writes through them are writes of the file.
// At and Get return copies instead.
func ExampleFile_Rows() {
	dir, err := os.MkdirTemp("", "record-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	f, err := record.Create[Reading](filepath.Join(dir, "readings.npy"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for i := range 5 {
		if _, err := f.Append(Reading{Time: int64(i), Value: float64(i) / 2}); err != nil {
			log.Fatal(err)
		}
	}
	window, err := f.Rows(1, 4) // records 1, 2 and 3
	if err != nil {
		log.Fatal(err)
	}
	sum := 0.0
	for _, r := range window {
		sum += r.Value
	}
	fmt.Println(len(window), "records, sum", sum)

	last, err := f.Row(f.Len() - 1)
	if err != nil {
		log.Fatal(err)
	}
	last.Value = 10 // in place, in the file
	fmt.Println("At(4):", f.At(4).Value)

	if _, err := f.Rows(3, 9); errors.Is(err, memmap.ErrRange) {
		fmt.Println("Rows(3, 9): out of range")
	}
	// Output:
	// 3 records, sum 3
	// At(4): 10
	// Rows(3, 9): out of range
}
