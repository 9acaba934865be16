package layout_test

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/gomemmap/memmap/layout"
)

// small is 13 bytes packed in a file, 16 in Go; big is 802 bytes packed,
// 808 in Go (804 on 386): bigger than DecodeInPlace's stack copy.
type (
	small struct {
		ID    int64   `npy:"id"`
		Score float32 `npy:"score"`
		Flag  uint8   `npy:"flag"`
	}
	big struct {
		X int16       `npy:"x"`
		V [100]uint64 `npy:"v"`
	}
)

// TestDecodeInPlace checks DecodeInPlace against Decode into a separate
// buffer, for small and big packed elements in both byte orders and for
// every count up to a few elements past where Go elements stop
// overlapping their file elements; and that it refuses what it cannot do.
func TestDecodeInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name  string
		descr string
		gt    func() (*layout.DType, error)
	}{
		{"small", "[('id', '<i8'), ('score', '<f4'), ('flag', '|u1')]", layout.Of[small]},
		{"big", "[('x', '<i2'), ('v', '<u8', (100,))]", layout.Of[big]},
	} {
		for _, order := range []string{"<", ">"} {
			fd, err := layout.ParseDescr(string(bytes.ReplaceAll([]byte(tc.descr), []byte("<"), []byte(order))))
			if err != nil {
				t.Fatal(err)
			}
			gd, err := tc.gt()
			if err != nil {
				t.Fatal(err)
			}
			c, err := layout.NewConverter(fd, gd)
			if err != nil {
				t.Fatal(err)
			}
			f, g := c.FileSize(), c.GoSize()
			if f >= g {
				t.Fatalf("%s: file elements of %d bytes, Go %d: want packed", tc.name, f, g)
			}
			for n := 0; n <= f/(g-f)+3 && n < 300; n++ {
				file := make([]byte, n*f)
				for k := range file {
					file[k] = byte(r.Uint32())
				}
				want := make([]byte, n*g)
				c.Decode(want, file)
				b := make([]byte, n*g+5)
				copy(b[c.InPlaceOffset(n):], file)
				for k := n * g; k < len(b); k++ {
					b[k] = 0xEE
				}
				if got := c.DecodeInPlace(b, n); got != n {
					t.Fatalf("%s %s: DecodeInPlace(%d) = %d", tc.name, order, n, got)
				}
				if !bytes.Equal(b[:n*g], want) || !bytes.Equal(b[n*g:], bytes.Repeat([]byte{0xEE}, 5)) {
					t.Fatalf("%s %s: %d elements: DecodeInPlace differs from Decode, or wrote past them", tc.name, order, n)
				}
			}
			if got := c.DecodeInPlace(make([]byte, 3*g-1), 3); got != 0 {
				t.Errorf("%s: DecodeInPlace into a short buffer = %d, want 0", tc.name, got)
			}
			rev, err := layout.NewConverter(gd, fd) // Go elements bigger than the file's: refused
			if err == nil {
				if got := rev.DecodeInPlace(make([]byte, 10*g), 2); got != 0 {
					t.Errorf("%s: DecodeInPlace with file elements bigger than Go's = %d, want 0", tc.name, got)
				}
			}
		}
	}
}

// TestDecodeInPlaceAllocs: no allocation for small elements; big ones
// reuse a pooled buffer (not checked: the race detector drops pooled
// items at random).
func TestDecodeInPlaceAllocs(t *testing.T) {
	fd, _ := layout.ParseDescr("[('id', '<i8'), ('score', '<f4'), ('flag', '|u1')]")
	gd, _ := layout.Of[small]()
	c, err := layout.NewConverter(fd, gd)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 100*c.GoSize())
	if n := testing.AllocsPerRun(50, func() { c.DecodeInPlace(b, 100) }); n != 0 {
		t.Errorf("DecodeInPlace: %v allocations, want 0", n)
	}
}
