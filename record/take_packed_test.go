package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/seam"
	"github.com/gomemmap/memmap/internal/store"
	"github.com/gomemmap/memmap/layout"
)

// packedRec13File writes n rec13 records packed (13 bytes each, as
// NumPy's align=False writes them) in the given byte order, record i
// makeRec13(i), and returns its path.
func packedRec13File(t *testing.T, n int, big bool) string {
	t.Helper()
	var bo binary.ByteOrder = binary.LittleEndian
	c := "<"
	if big {
		bo, c = binary.BigEndian, ">"
	}
	data := make([]byte, 13*n)
	for i := range n {
		r := makeRec13(i)
		bo.PutUint64(data[13*i:], uint64(r.ID))
		bo.PutUint32(data[13*i+8:], math.Float32bits(r.Score))
		data[13*i+12] = r.Flag
	}
	return writeDescrFile(t, strings.ReplaceAll("[('id', '<i8'), ('score', '<f4'), ('flag', '|u1')]", "<", c), n, data)
}

// writeDescrFile writes a .npy file of n records of dtype descr, with
// data, and returns its path.
func writeDescrFile(t *testing.T, descr string, n int, data []byte) string {
	t.Helper()
	dt, err := layout.ParseDescr(descr)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, &header.Header{DType: dt, Shape: []int64{int64(n)}}, data)
}

// withTake runs fn with TakeRows forced to p.
func withTake(p store.TakePath, fn func()) {
	old := seam.TakePath.Swap(int32(p))
	defer seam.TakePath.Store(old)
	fn()
}

// TestTakePacked checks Take on packed files of both byte orders, on
// every path of TakeRows: it equals a loop of Get, leaves the records
// past len(idx) alone, and allocates nothing when copying from the map.
func TestTakePacked(t *testing.T) {
	for _, big := range []bool{false, true} {
		path := packedRec13File(t, 3000, big)
		for _, mode := range []memmap.Mode{memmap.ReadOnly, memmap.ReadWrite, memmap.CopyOnWrite} {
			f, err := Open[rec13](path, mode, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Data(); !errors.Is(err, memmap.ErrPacked) {
				t.Fatalf("Data: %v, want ErrPacked (the test needs a packed file)", err)
			}
			idx := []int{2999, 0, 5, 5, 6, 7, 8, 1500, 1499, 1501, 12, 11, 10, 2999}
			r := rand.New(rand.NewPCG(3, 4))
			for range 500 {
				idx = append(idx, r.IntN(3000))
			}
			for _, p := range takePaths {
				withTake(p, func() {
					got := make([]rec13, len(idx)+1)
					got[len(idx)] = rec13{ID: 77}
					if err := f.Take(idx, got); err != nil {
						t.Fatalf("big=%v %v path %v: Take: %v", big, mode, p, err)
					}
					for k, i := range idx {
						if want, _ := f.Get(i); got[k] != want || want != makeRec13(i) {
							t.Fatalf("big=%v %v path %v: Take: record %d (idx[%d]) = %+v, want %+v", big, mode, p, i, k, got[k], makeRec13(i))
						}
					}
					if got[len(idx)] != (rec13{ID: 77}) {
						t.Errorf("big=%v %v path %v: Take wrote past len(idx) records", big, mode, p)
					}
					dst := make([]rec13, 3)
					if err := f.Take([]int{0, 1, 3000}, dst); !errors.Is(err, memmap.ErrRange) || dst[0] != (rec13{}) {
						t.Errorf("big=%v path %v: Take out of range: %v, dst %+v; want ErrRange, dst untouched", big, p, err, dst)
					}
				})
			}
			dst := make([]rec13, len(idx))
			withTake(store.TakeMap, func() {
				if n := testing.AllocsPerRun(50, func() {
					if err := f.Take(idx, dst); err != nil {
						t.Fatal(err)
					}
				}); n != 0 {
					t.Errorf("big=%v %v: Take: %v allocations, want 0", big, mode, n)
				}
			})
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// wideRec's file records hold 8 bytes that no field of it covers (24
// bytes in the file, 16 in Go): Take converts them through a pooled
// buffer, chunk by chunk.
type wideRec struct {
	A int64   `npy:"a"`
	B float64 `npy:"b"`
}

// TestTakeWide checks Take on a file whose records are bigger than Ts,
// over more than one chunk, in both byte orders and on every path: it
// equals a loop of Get; an index out of range past the first chunk leaves
// dst untouched; without the race detector (which drops pooled buffers)
// it allocates nothing.
func TestTakeWide(t *testing.T) {
	for _, big := range []bool{false, true} {
		var bo binary.ByteOrder = binary.LittleEndian
		c := "<"
		if big {
			bo, c = binary.BigEndian, ">"
		}
		const n = 10000
		data := make([]byte, 24*n)
		for i := range n {
			bo.PutUint64(data[24*i:], uint64(i)*3)
			data[24*i+8] = 0xAA
			bo.PutUint64(data[24*i+16:], math.Float64bits(float64(i)/4))
		}
		path := writeDescrFile(t, strings.ReplaceAll("[('a', '<i8'), ('', '|V8'), ('b', '<f8')]", "<", c), n, data)
		f, err := Open[wideRec](path, memmap.ReadOnly, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if f.isize != 24 || f.conv == nil {
			t.Fatalf("record size %d, conv %v: want 24 bytes, converted", f.isize, f.conv != nil)
		}
		idx := make([]int, 9000)
		for k := range idx {
			idx[k] = (k * 7919) % n
		}
		for _, p := range takePaths {
			withTake(p, func() {
				got := make([]wideRec, len(idx))
				if err := f.Take(idx, got); err != nil {
					t.Fatal(err)
				}
				for k, i := range idx {
					if got[k] != (wideRec{int64(i) * 3, float64(i) / 4}) {
						t.Fatalf("big=%v path %v: record %d (idx[%d]) = %+v", big, p, i, k, got[k])
					}
				}
				bad := append(idx[:len(idx):len(idx)], n)
				dst := make([]wideRec, len(bad))
				if err := f.Take(bad, dst); !errors.Is(err, memmap.ErrRange) || !strings.Contains(err.Error(), fmt.Sprint("idx[", len(idx), "]")) {
					t.Errorf("big=%v path %v: %v, want ErrRange naming the last index", big, p, err)
				}
				for k := range dst {
					if dst[k] != (wideRec{}) {
						t.Fatalf("big=%v path %v: failed Take changed dst[%d]", big, p, k)
					}
				}
			})
		}
		if !raceEnabled {
			dst := make([]wideRec, 100)
			withTake(store.TakeMap, func() {
				if a := testing.AllocsPerRun(50, func() { _ = f.Take(idx[:100], dst) }); a != 0 {
					t.Errorf("big=%v: Take: %v allocations, want 0", big, a)
				}
			})
		}
	}
}

// TestTakePackedConcurrent runs Takes of a packed file from several
// goroutines at once, with Get beside them (run it under -race).
func TestTakePackedConcurrent(t *testing.T) {
	for _, big := range []bool{false, true} {
		f, err := Open[rec13](packedRec13File(t, 2000, big), memmap.ReadOnly, nil)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(g), 5))
				idx := make([]int, 300)
				dst := make([]rec13, len(idx))
				for range 20 {
					for k := range idx {
						idx[k] = r.IntN(2000)
					}
					if err := f.Take(idx, dst); err != nil {
						errs <- err
						return
					}
					for k, i := range idx {
						if v, err := f.Get(i); dst[k] != makeRec13(i) || err != nil || v != dst[k] {
							errs <- fmt.Errorf("big=%v goroutine %d: record %d = %+v, want %+v", big, g, i, dst[k], makeRec13(i))
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		f.Close()
	}
}
