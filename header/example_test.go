package header_test

import (
	"fmt"
	"os"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// Read the header of a .npy file written by NumPy.
func ExampleRead() {
	f, err := os.Open("testdata/golden/struct_aligned.npy")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	h, err := header.Read(f, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fi, err := f.Stat()
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := h.Validate(fi.Size()); err != nil {
		fmt.Println(err)
		return
	}
	size, _ := h.DataSize()
	fmt.Println("version:", h.Version)
	fmt.Println("descr:", h.DType.Descr())
	fmt.Println("shape:", h.Shape, "fortran:", h.FortranOrder)
	fmt.Println("data:", size, "bytes at offset", h.DataOffset)
	// Output:
	// version: 1.0
	// descr: [('a', '|u1'), ('', '|V7'), ('b', '<f8'), ('c', '<i2'), ('', '|V6')]
	// shape: [3] fortran: false
	// data: 72 bytes at offset 192
}

// Encode the header NumPy would write, then grow the array in place.
func ExampleHeader_Encode() {
	dt, err := layout.ParseDescr("'<f4'")
	if err != nil {
		fmt.Println(err)
		return
	}
	h := header.Header{DType: dt, Shape: []int64{1000, 64}}
	b, err := h.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes: %q\n", len(b), b[10:73])
	if err := header.RewriteShape(b, []int64{3000, 64}); err != nil {
		fmt.Println(err)
		return
	}
	h2, err := header.Parse(b, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("shape after the rewrite:", h2.Shape, "data offset:", h2.DataOffset)
	// Output:
	// 128 bytes: "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 64), }"
	// shape after the rewrite: [3000 64] data offset: 128
}
