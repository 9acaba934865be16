package record_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/record"
)

// Score is the Go type for NumPy's packed
// np.dtype([('id', '<i8'), ('score', '<f4'), ('flag', 'u1')]): 13 bytes a
// record in the file, 16 in Go.
type Score struct {
	ID    int64   `npy:"id"`
	Score float32 `npy:"score"`
	Flag  uint8   `npy:"flag"`
}

// Open a file of packed records, as NumPy saves structured arrays by
// default (align=False): Get, Set, Append and All convert each record;
// Data and Row, which would need Go's layout in the file, say so.
func ExampleOpen_packed() {
	dir, err := os.MkdirTemp("", "record-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "scores.npy")

	// The file NumPy writes for
	// np.save(path, np.array([(1, 0.5, 1), (2, 0.25, 0)], dtype=dt)).
	dt, err := layout.ParseDescr("[('id', '<i8'), ('score', '<f4'), ('flag', '|u1')]")
	if err != nil {
		log.Fatal(err)
	}
	raw, err := (&header.Header{DType: dt, Shape: []int64{2}}).Encode()
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range []Score{{1, 0.5, 1}, {2, 0.25, 0}} {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(r.ID))
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(r.Score))
		raw = append(raw, r.Flag)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		log.Fatal(err)
	}

	f, err := record.Open[Score](path, memmap.ReadWrite, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Append(Score{3, 0.125, 1}); err != nil {
		log.Fatal(err)
	}
	for i, r := range f.All() {
		fmt.Println(i, *r)
	}
	_, err = f.Data()
	fmt.Println("Data:", errors.Is(err, memmap.ErrPacked), f.DType().Size(), "bytes a record")
	// Output:
	// 0 {1 0.5 1}
	// 1 {2 0.25 0}
	// 2 {3 0.125 1}
	// Data: true 13 bytes a record
}
