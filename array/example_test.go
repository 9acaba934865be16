package array_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// An embeddings file: create it, append rows as they come, read them back.
// NumPy opens the result with np.load("emb.npy", mmap_mode="r").
func Example() {
	dir, err := os.MkdirTemp("", "array-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "emb.npy")

	a, err := array.Create[float32](path, []int{0, 4}, nil) // shape (0, 4)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 3 {
		v := float32(i)
		if _, err := a.Append(v, v+0.25, v+0.5, v+0.75); err != nil {
			log.Fatal(err)
		}
	}
	row, err := a.Row(1) // a[1], without copying
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape(), a.At(2, 3), row)
	if err := a.Close(); err != nil { // commits the shape to the header
		log.Fatal(err)
	}

	b, err := array.Open[float32](path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	fmt.Println(b.Shape(), b.DType().Kind(), b.At2(2, 1))
	// Output:
	// [3 4] 2.75 [1 1.25 1.5 1.75]
	// [3 4] float 2.25
}

// Open a file as NumPy writes it: here a Fortran-order int16 array in
// big-endian byte order, as np.save(path, np.asfortranarray(x.astype(">i2")))
// writes it. At swaps the bytes when the host is little-endian (Data
// would then return an error wrapping memmap.ErrByteOrder).
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "array-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.npy")
	makeNumPyFile(path)

	a, err := array.Open[int16](path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	fmt.Println("shape", a.Shape(), "dtype", a.DType(), "fortran", a.FortranOrder(), "strides", a.Strides())
	for i := range 2 {
		fmt.Println(a.At(i, 0), a.At(i, 1), a.At(i, 2))
	}
	// Output:
	// shape [2 3] dtype '>i2' fortran true strides [2 4]
	// 0 1 2
	// 10 11 12
}

// makeNumPyFile writes the file of ExampleOpen (as NumPy would).
func makeNumPyFile(path string) {
	a, err := array.Create[int16](path, []int{2, 3}, &array.Options{FortranOrder: true, ByteOrder: layout.Big})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 2 {
		for j := range 3 {
			if err := a.Set(int16(10*i+j), i, j); err != nil {
				log.Fatal(err)
			}
		}
	}
	if err := a.Close(); err != nil {
		log.Fatal(err)
	}
}

// An array in anonymous memory grows like a file-backed one.
func ExampleNew() {
	a, err := array.New[int64]([]int{0}, &array.Options{Capacity: 1000})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	for i := range 10 {
		if _, err := a.Append(int64(i * i)); err != nil {
			log.Fatal(err)
		}
	}
	d, err := a.Data()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Len(), a.Cap() >= 1000, d)
	// Output:
	// 10 true [0 1 4 9 16 25 36 49 64 81]
}

// Gather a batch of rows of an embedding matrix, as a training loop or a
// lookup service does: Take copies rows in any order, with repeats, into
// one buffer. On a file bigger than memory it keeps many reads in flight,
// where a loop of At would wait for each page in turn.
func ExampleArray_Take() {
	dir, err := os.MkdirTemp("", "array-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "emb.npy")

	a, err := array.Create[float32](path, []int{0, 3}, nil) // shape (0, 3)
	if err != nil {
		log.Fatal(err)
	}
	for i := range 100 {
		v := float32(i)
		if _, err := a.Append(v, v+0.5, -v); err != nil {
			log.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		log.Fatal(err)
	}

	emb, err := array.Open[float32](path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer emb.Close()
	batch := []int{42, 7, 99, 7}
	rows := make([]float32, len(batch)*3) // 3 elements a row
	if err := emb.Take(batch, rows); err != nil {
		log.Fatal(err)
	}
	for k := range batch {
		fmt.Println(batch[k], rows[3*k:3*k+3])
	}
	if err := emb.Take([]int{100}, rows); err != nil {
		fmt.Println(errors.Is(err, memmap.ErrRange))
	}
	// Output:
	// 42 [42 42.5 -42]
	// 7 [7 7.5 -7]
	// 99 [99 99.5 -99]
	// 7 [7 7.5 -7]
	// true
}
