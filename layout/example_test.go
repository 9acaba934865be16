package layout_test

import (
	"errors"
	"fmt"

	"github.com/gomemmap/memmap/layout"
)

// A Go struct laid out as a NumPy structured dtype, with the padding Go
// inserts written as NumPy's align=True writes it.
func ExampleOf() {
	type Point struct {
		ID    int64      `npy:"id"`
		XYZ   [3]float32 `npy:"xyz"`
		Label [5]byte    `npy:"label"`
		Valid bool       `npy:"valid"`
		Score float32    `npy:"score"`
	}
	d, err := layout.Of[Point]()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.WithByteOrder(layout.Little).Descr()) // the host order; '<' on most machines
	fmt.Println(d.Size(), d.NumField())
	// Output:
	// [('id', '<i8'), ('xyz', '<f4', (3,)), ('label', '|S5'), ('valid', '|b1'), ('', '|V2'), ('score', '<f4')]
	// 32 5
}

// Go types that have no fixed size are refused, naming the field.
func ExampleOf_refused() {
	type Record struct {
		Name string
	}
	_, err := layout.Of[Record]()
	fmt.Println(errors.Is(err, layout.ErrType))
	fmt.Println(err)
	// Output:
	// true
	// layout: Record.Name: string is not fixed-size; use [N]byte
}

// Reading the descr of a .npy header and checking it against a Go type.
func ExampleCompatible() {
	type Row struct {
		ID    int64   `npy:"id"`
		Score float32 `npy:"score"`
	}
	file, err := layout.ParseDescr("[('id', '<i8'), ('score', '<f8')]")
	if err != nil {
		fmt.Println(err)
		return
	}
	row, _ := layout.Of[Row]()
	fmt.Println(file.Order(), file.Size())
	// Byte order is not compared (swap with SwapBytes when it differs);
	// fix it here so that the message is the same on every host.
	fmt.Println(layout.Compatible(file, row.WithByteOrder(layout.Little)))
	// Output:
	// < 16
	// layout: field 1 "score": file has '<f8', Go type has float32 ('<f4')
}

func ExampleFloat16From() {
	h := layout.Float16From(0.1)
	fmt.Printf("%#04x %v\n", uint16(h), h.Float32())
	// Output: 0x2e66 0.099975586
}
