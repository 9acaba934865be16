package array_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// PXY is the Go type for NumPy's packed np.dtype([('x', '<i2'), ('y',
// '<f8')]): Go puts Y at offset 8 (4 on 386), the file at 2.
type PXY struct {
	X int16   `npy:"x"`
	Y float64 `npy:"y"`
}

func pxyAt(i int) PXY { return PXY{X: int16(i - 50), Y: float64(i)*1e12 - 0.5} }

// packedFile writes n PXY records packed (10 bytes each) in the given
// byte order, as NumPy saves them.
func packedFile(t *testing.T, n int, big bool) string {
	t.Helper()
	vs := make([]PXY, n)
	for i := range vs {
		vs[i] = pxyAt(i)
	}
	return packedFileOf(t, vs, big)
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestPackedStructs opens packed files of both byte orders as Array[PXY]:
// the accessors that copy convert field by field, in both directions,
// and the zero-copy views refuse with ErrPacked, saying what to use.
func TestPackedStructs(t *testing.T) {
	for _, big := range []bool{false, true} {
		path := packedFile(t, 5, big)
		a := mustOpen[PXY](t, path, memmap.ReadWrite)
		if a.DType().Size() != 10 {
			t.Fatalf("item size %d, want 10", a.DType().Size())
		}
		for i := range 5 {
			if v := a.At(i); v != pxyAt(i) {
				t.Fatalf("big %v: At(%d) = %+v, want %+v", big, i, v, pxyAt(i))
			}
		}
		for name, err := range map[string]error{
			"Data": second(a.Data()),
			"Row":  second(a.Row(0)),
			"Rows": second(a.Rows(0, 2)),
		} {
			if !errors.Is(err, memmap.ErrPacked) || !strings.Contains(err.Error(), "CopyTo") {
				t.Errorf("big %v: %s: %v, want ErrPacked naming CopyTo", big, name, err)
			}
		}
		a.Set(pxyAt(100), 1)
		if _, err := a.Append([]PXY{pxyAt(5), pxyAt(6), pxyAt(7)}...); err != nil {
			t.Fatal(err)
		}
		take := make([]PXY, 3)
		if err := a.Take([]int{7, 1, 0}, take); err != nil || take[0] != pxyAt(7) || take[1] != pxyAt(100) || take[2] != pxyAt(0) {
			t.Errorf("big %v: Take: %+v, %v", big, take, err)
		}
		mustClose(t, a)

		// The data region holds exactly the packed bytes of the values.
		vs := []PXY{pxyAt(0), pxyAt(100)}
		for i := 2; i < 8; i++ {
			vs = append(vs, pxyAt(i))
		}
		want := readFile(t, packedFileOf(t, vs, big))
		got := readFile(t, path)
		if len(got) < 80 || string(got[len(got)-80:]) != string(want[len(want)-80:]) {
			t.Errorf("big %v: data region\n% x\nwant\n% x", big, got[max(len(got)-80, 0):], want[len(want)-80:])
		}
		r := mustOpen[PXY](t, path, memmap.ReadOnly)
		if v := r.At(1); v != pxyAt(100) {
			t.Errorf("big %v: reopened At(1) = %+v", big, v)
		}
		mustClose(t, r)
	}
}

func packedFileOf(t *testing.T, vs []PXY, big bool) string {
	t.Helper()
	var bo binary.ByteOrder = binary.LittleEndian
	c := "<"
	if big {
		bo, c = binary.BigEndian, ">"
	}
	data := make([]byte, 10*len(vs))
	for i, v := range vs {
		bo.PutUint16(data[10*i:], uint16(v.X))
		bo.PutUint64(data[10*i+2:], math.Float64bits(v.Y))
	}
	descr := strings.ReplaceAll("[('x', '<i2'), ('y', '<f8')]", "<", c)
	return testutil.WriteFile(t, npy(descr, "("+itoa(len(vs))+",)", data))
}

func second[V any](_ V, err error) error { return err }

// TestMixedByteOrder: a struct whose fields mix byte orders opens (it
// used to be refused) and converts; its views refuse with ErrByteOrder.
func TestMixedByteOrder(t *testing.T) {
	data := make([]byte, 16)
	binary.LittleEndian.PutUint32(data, math.Float32bits(1.5))
	binary.BigEndian.PutUint32(data[4:], math.Float32bits(-2))
	binary.LittleEndian.PutUint32(data[8:], math.Float32bits(3))
	binary.BigEndian.PutUint32(data[12:], math.Float32bits(4.5))
	path := testutil.WriteFile(t, npy("[('x', '<f4'), ('y', '>f4')]", "(2,)", data))
	a := mustOpen[XY](t, path, memmap.ReadWrite)
	if a.At(0) != (XY{1.5, -2}) || a.At(1) != (XY{3, 4.5}) {
		t.Errorf("At: %+v %+v", a.At(0), a.At(1))
	}
	if _, err := a.Data(); !errors.Is(err, memmap.ErrByteOrder) || !strings.Contains(err.Error(), "mixes") {
		t.Errorf("Data: %v, want ErrByteOrder", err)
	}
	a.Set(XY{-1, 7}, 1)
	mustClose(t, a)
	got := readFile(t, path)
	tail := got[len(got)-8:]
	if math.Float32frombits(binary.LittleEndian.Uint32(tail)) != -1 || math.Float32frombits(binary.BigEndian.Uint32(tail[4:])) != 7 {
		t.Errorf("Set wrote % x", tail)
	}
}

// TestNumPyPacked: NumPy saves packed structs (its default, align=False)
// in both byte orders; Go opens them with the Go types, reads every value,
// sets one and appends two; NumPy reads back exactly those values. An
// align=True struct stays zero-copy.
func TestNumPyPacked(t *testing.T) {
	testutil.NumPy(t)
	type Rec13 struct {
		ID    int64   `npy:"id"`
		Score float32 `npy:"score"`
		Flag  uint8   `npy:"flag"`
	}
	rec := func(i int) Rec13 { return Rec13{int64(i)*1e9 - 7, float32(i) / 8, uint8(i * 3)} }
	for _, order := range []string{"<", ">"} {
		dir := testutil.TempDir(t)
		testutil.RunPython(t, `
import sys
import numpy as np
d, o = sys.argv[1], sys.argv[2]
n = 100
i = np.arange(n)
xy = np.zeros(n, dtype=np.dtype([('x', o+'i2'), ('y', o+'f8')]))
xy['x'] = i - 50; xy['y'] = i * 1e12 - 0.5
np.save(d + '/xy.npy', xy)
r = np.zeros(n, dtype=np.dtype([('id', o+'i8'), ('score', o+'f4'), ('flag', 'u1')]))
r['id'] = i * 10**9 - 7; r['score'] = i / 8; r['flag'] = (i * 3) % 256
np.save(d + '/r13.npy', r)
al = np.zeros(n, dtype=np.dtype([('id', o+'i8'), ('score', o+'f4'), ('flag', 'u1')], align=True))
al[:] = r
np.save(d + '/aligned.npy', al)
`, dir, order)
		a := mustOpen[PXY](t, dir+"/xy.npy", memmap.ReadWrite)
		for i := range 100 {
			if v := a.At(i); v != pxyAt(i) {
				t.Fatalf("%s xy[%d] = %+v, want %+v", order, i, v, pxyAt(i))
			}
		}
		a.Set(pxyAt(1000), 3)
		if _, err := a.Append([]PXY{pxyAt(100), pxyAt(101)}...); err != nil {
			t.Fatal(err)
		}
		mustClose(t, a)

		b := mustOpen[Rec13](t, dir+"/r13.npy", memmap.ReadWrite)
		if _, err := b.Data(); !errors.Is(err, memmap.ErrPacked) {
			t.Errorf("%s r13 Data: %v, want ErrPacked", order, err)
		}
		all := make([]Rec13, 100)
		if n, err := b.CopyTo(all, 0); n != 100 || err != nil {
			t.Fatalf("CopyTo: %d, %v", n, err)
		}
		for i, v := range all {
			if v != rec(i) {
				t.Fatalf("%s r13[%d] = %+v, want %+v", order, i, v, rec(i))
			}
		}
		if n, err := b.CopyFrom([]Rec13{rec(500), rec(501)}, 10); n != 2 || err != nil {
			t.Fatalf("CopyFrom: %d, %v", n, err)
		}
		if _, err := b.Append([]Rec13{rec(100), rec(101)}...); err != nil {
			t.Fatal(err)
		}
		mustClose(t, b)

		c := mustOpen[Rec13](t, dir+"/aligned.npy", memmap.ReadOnly)
		if order == map[layout.ByteOrder]string{layout.Little: "<", layout.Big: ">"}[layout.HostOrder()] {
			d, err := c.Data()
			if err != nil || len(d) != 100 || d[42] != rec(42) {
				t.Errorf("aligned Data: %v (len %d)", err, len(d))
			}
		}
		mustClose(t, c)

		out := testutil.RunPython(t, `
import sys, json
import numpy as np
d = sys.argv[1]
xy = np.load(d + '/xy.npy'); r = np.load(d + '/r13.npy')
i = np.arange(102)
ex = np.zeros(102, dtype=xy.dtype); ex['x'] = i - 50; ex['y'] = i * 1e12 - 0.5
ex[3] = (950, 1000 * 1e12 - 0.5)
er = np.zeros(102, dtype=r.dtype); er['id'] = i * 10**9 - 7; er['score'] = i / 8; er['flag'] = (i * 3) % 256
for k, j in ((10, 500), (11, 501)):
    er[k] = (j * 10**9 - 7, j / 8, (j * 3) % 256)
print(json.dumps({"xy": xy.dtype.descr == ex.dtype.descr and xy.dtype.itemsize == 10 and bool((xy == ex).all()),
                  "r": r.dtype.itemsize == 13 and bool((r == er).all()), "n": [len(xy), len(r)]}))
`, dir)
		var got struct {
			XY, R bool
			N     []int
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("python output %q: %v", out, err)
		}
		if !got.XY || !got.R || len(got.N) != 2 || got.N[0] != 102 || got.N[1] != 102 {
			t.Errorf("%s: NumPy reads back %+v, want both equal with 102 rows", order, got)
		}
	}
}
