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

// Open a headerless raw file, as np.memmap(path, dtype="<f4", mode="r",
// offset=8).reshape(-1, 3) would: 8 bytes of the writer's own header,
// then little-endian float32 rows of 3. The -1 counts the rows from the
// file's size.
func ExampleOpenRaw() {
	dir, err := os.MkdirTemp("", "array-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "emb.f32")

	// A file such as another program writes: a header, then the rows.
	b := []byte("EMB3\x00\x00\x00\x00")
	for i := range 12 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(i)/4))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}

	a, err := array.OpenRaw[float32](path, memmap.ReadOnly, []int{-1, 3},
		&array.Options{Offset: 8, ByteOrder: layout.Little})
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	fmt.Println(a.Shape(), a.At(2, 1), a.At(3, 2))
	// Output:
	// [4 3] 1.75 2.75
}
