package array_test

import (
	"encoding/binary"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// A container of many arrays in one file, in a format of one's own: a
// 16-byte header, then a (2, 3) float32 array and a (4,) big-endian int16
// array. The file is mapped once; each array is a Desc (dtype, shape,
// order, offset in the map) that View lays over the map, without copies.
// Package safetensors and npz open their tensors and members this way.
func ExampleView() {
	dir, err := os.MkdirTemp("", "array-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "pack.bin")
	b := make([]byte, 16+6*4+4*2)
	copy(b, "MYPACK v1")
	for i := range 6 {
		binary.LittleEndian.PutUint32(b[16+4*i:], math.Float32bits(float32(i)/2))
	}
	for i := range 4 {
		binary.BigEndian.PutUint16(b[40+2*i:], uint16(100*(i+1)))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}

	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close() // after the views: they live in m

	f32, err := layout.ParseDescr("'<f4'")
	if err != nil {
		log.Fatal(err)
	}
	w, err := array.View[float32](m, "pack.bin:w", array.Desc{DType: f32, Shape: []int{2, 3}, Offset: 16})
	if err != nil {
		log.Fatal(err)
	}
	i16, err := layout.ParseDescr("'>i2'")
	if err != nil {
		log.Fatal(err)
	}
	ids, err := array.View[int16](m, "pack.bin:ids", array.Desc{DType: i16, Shape: []int{4}, Offset: 40})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.Shape(), w.At(1, 2), ids.Len(), ids.At(3)) // ids.At swaps the bytes
	// Output:
	// [2 3] 2.5 4 400
}
