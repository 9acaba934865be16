package npz_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
)

// Write an archive of two arrays, as np.savez(path, emb=..., ids=...)
// would (np.load reads it), then open its members as arrays that are
// views of the archive's map.
func Example() {
	dir, err := os.MkdirTemp("", "npz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.npz")

	w, err := npz.Create(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	emb := []float32{0, 0.5, 1, 1.5, 2, 2.5} // shape (3, 2)
	if err := npz.Add(w, "emb", emb, []int{3, 2}, nil); err != nil {
		log.Fatal(err)
	}
	if err := npz.Add(w, "ids", []int64{10, 20, 30}, nil, nil); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // the archive appears at path now
		log.Fatal(err)
	}

	f, err := npz.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close() // the arrays below are valid until then
	fmt.Println(f.Names())
	a, err := npz.Array[float32](f, "emb")
	if err != nil {
		log.Fatal(err)
	}
	row, err := a.Row(1) // no copy: the archive's bytes
	if err != nil {
		log.Fatal(err)
	}
	in, err := f.Info("emb")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape(), row, a.At(2, 1), in.DataOffset%64 == 0, in.Compressed)
	// Output:
	// [emb ids]
	// [3 2] [1 1.5] 2.5 true false
}

// Open any member without knowing its dtype, as a tool would: Info says
// what it is, Any reads it.
func ExampleFile_Any() {
	dir, err := os.MkdirTemp("", "npz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := npz.Add(w, "arr_0", []uint16{7, 8, 9, 10}, []int{2, 2}, nil); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	f, err := npz.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, name := range f.Names() {
		in, err := f.Info(name)
		if err != nil {
			log.Fatal(err)
		}
		a, err := f.Any(name)
		if err != nil {
			log.Fatal(err)
		}
		v, err := a.At(1, 0)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(name, in.DType.Kind(), in.Shape, v)
	}
	// Output:
	// arr_0 uint [2 2] 9
}

// Stream a member bigger than memory: Writer.Create takes the header, and
// the data follows through the io.Writer it returns, in pieces.
func ExampleWriter_Create() {
	dir, err := os.MkdirTemp("", "npz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "stream.npz")
	w, err := npz.Create(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	dt, err := layout.Of[uint8]()
	if err != nil {
		log.Fatal(err)
	}
	mw, err := w.Create("bytes", &header.Header{DType: dt, Shape: []int64{4, 3}})
	if err != nil {
		log.Fatal(err)
	}
	for i := range 4 { // one row at a time, as it is produced
		if _, err := mw.Write([]byte{byte(i), byte(i + 1), byte(i + 2)}); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	f, err := npz.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	a, err := npz.Array[uint8](f, "bytes")
	if err != nil {
		log.Fatal(err)
	}
	d, err := a.Data()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Shape(), d, f.Verify("bytes"))
	// Output:
	// [4 3] [0 1 2 1 2 3 2 3 4 3 4 5] <nil>
}
