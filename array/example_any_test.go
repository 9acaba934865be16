package array_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// Open a .npy file without knowing its dtype at compile time: Stat reads
// the header alone, OpenAny maps the data, and At gives each element as a
// Value that decodes itself, here a packed structured dtype (NumPy's
// default, which no Go struct can mirror) in big-endian byte order.
func ExampleOpenAny() {
	dir, err := os.MkdirTemp("", "array-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "points.npy")
	makePointsFile(path)

	info, err := array.Stat(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.DType, info.Shape, info.ByteOrder.Name())

	a, err := array.OpenAny(path, memmap.ReadOnly, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	for i := range a.Len() {
		v, err := a.At(i)
		if err != nil {
			log.Fatal(err)
		}
		name, _ := v.FieldByName("name")
		w, _ := v.FieldByName("w")
		x, _ := w.Float()
		fmt.Println(v, name.Interface(), x*2)
	}
	// Output:
	// [('name', '|S3'), ('w', '>f8')] [2] big-endian
	// {"ab" 1.5} [97 98] 3
	// {"xyz" -0.25} [120 121 122] -0.5
}

// makePointsFile writes what np.save(path, np.array([(b"ab", 1.5),
// (b"xyz", -0.25)], dtype=[("name", "S3"), ("w", ">f8")])) writes: 11-byte
// records, the float at offset 3.
func makePointsFile(path string) {
	dt, err := layout.ParseDescr("[('name', '|S3'), ('w', '>f8')]")
	if err != nil {
		log.Fatal(err)
	}
	h := header.Header{DType: dt, Shape: []int64{2}}
	b, err := h.Encode()
	if err != nil {
		log.Fatal(err)
	}
	b = append(b, 'a', 'b', 0, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)   // 1.5
	b = append(b, 'x', 'y', 'z', 0xbf, 0xd0, 0, 0, 0, 0, 0, 0) // -0.25
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
}
