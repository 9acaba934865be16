package layout_test

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/layout"
)

// packed is a struct without Go padding, so that encoding/binary writes
// it with exactly the layout of packedDescr (its _ fields are the padding
// entries).
type packed struct {
	A int32
	B float64
	C [3]byte
	D complex64
	E [3]uint16
	F bool
	_ [2]byte
	G struct {
		H int16
		I [2]complex128
	}
	J layout.Float16
	K int8
}

const packedDescr = "[('A', '<i4'), ('B', '<f8'), ('C', '|S3'), ('D', '<c8'), ('E', '<u2', (3,)), ('F', '|b1'), ('', '|V2'), ('G', [('H', '<i2'), ('I', '<c16', (2,))]), ('J', '<f2'), ('K', '|i1')]"

// deepDescr has a swap plan too long to flatten (2 runs per element of a
// 5000-element subarray of structs), so SwapBytes walks its fields.
const deepDescr = "[('S', [('A', '<i4'), ('B', '|u1'), ('C', '<i2')], (5000,))]"

type deepElem struct {
	A int32
	B uint8
	C int16
}

func randomPacked(r *rand.Rand) packed {
	var p packed
	p.A = int32(r.Uint32())
	p.B = r.Float64()
	p.C = [3]byte{1, 2, 3}
	p.D = complex(r.Float32(), r.Float32())
	p.E = [3]uint16{uint16(r.Uint32()), 0x1234, 0xff00}
	p.F = true
	p.G.H = int16(r.Uint32())
	p.G.I = [2]complex128{complex(r.Float64(), r.Float64()), complex(-1, 2)}
	p.J = layout.Float16(r.Uint32())
	p.K = -5
	return p
}

func encode(t *testing.T, order binary.ByteOrder, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := binary.Write(&b, order, v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSwapBytes checks that SwapBytes turns the little-endian encoding of
// values into their big-endian encoding and back, for a flat swap plan
// and for a dtype too large for one.
func TestSwapBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var ps [4]packed
	for i := range ps {
		ps[i] = randomPacked(r)
	}
	var deep [2][5000]deepElem
	for i := range deep {
		for j := range deep[i] {
			deep[i][j] = deepElem{int32(r.Uint32()), uint8(r.Uint32()), int16(r.Uint32())}
		}
	}
	for _, tc := range []struct {
		name  string
		descr string
		v     any
	}{
		{"flat", packedDescr, ps},
		{"deep", deepDescr, deep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := layout.ParseDescr(tc.descr)
			if err != nil {
				t.Fatal(err)
			}
			le, be := encode(t, binary.LittleEndian, tc.v), encode(t, binary.BigEndian, tc.v)
			if len(le)%d.Size() != 0 {
				t.Fatalf("encoded %d bytes, not a multiple of the item size %d", len(le), d.Size())
			}
			b := bytes.Clone(le)
			d.SwapBytes(b)
			if !bytes.Equal(b, be) {
				t.Errorf("SwapBytes(little-endian) is not the big-endian encoding")
			}
			d.Swapped().SwapBytes(b)
			if !bytes.Equal(b, le) {
				t.Errorf("SwapBytes twice did not give the bytes back")
			}
			// A trailing partial element is left alone.
			b = append(bytes.Clone(le[:d.Size()]), 1, 2)
			d.SwapBytes(b)
			if !bytes.Equal(b[:d.Size()], be[:d.Size()]) || b[d.Size()] != 1 || b[d.Size()+1] != 2 {
				t.Errorf("SwapBytes with a partial element")
			}
			if n := testing.AllocsPerRun(100, func() { d.SwapBytes(b) }); n != 0 {
				t.Errorf("SwapBytes allocates %v times per call, want 0", n)
			}
		})
	}
}

func TestSwapBytesScalars(t *testing.T) {
	for _, tc := range []struct {
		descr    string
		in, want []byte
	}{
		{"'<i2'", []byte{1, 2, 3, 4}, []byte{2, 1, 4, 3}},
		{"'>u4'", []byte{1, 2, 3, 4}, []byte{4, 3, 2, 1}},
		{"'<f8'", []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{8, 7, 6, 5, 4, 3, 2, 1}},
		{"'<c8'", []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{4, 3, 2, 1, 8, 7, 6, 5}},
		{"'<M8[ns]'", []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{8, 7, 6, 5, 4, 3, 2, 1}},
		{"'|u1'", []byte{1, 2}, []byte{1, 2}},
		{"'|S2'", []byte{1, 2}, []byte{1, 2}},
		{"'|V2'", []byte{1, 2}, []byte{1, 2}},
		{"[]", []byte{1, 2}, []byte{1, 2}},
	} {
		d, err := layout.ParseDescr(tc.descr)
		if err != nil {
			t.Fatal(err)
		}
		b := bytes.Clone(tc.in)
		d.SwapBytes(b)
		if diff := cmp.Diff(tc.want, b); diff != "" {
			t.Errorf("%s: SwapBytes (-want +got):\n%s", tc.descr, diff)
		}
	}
}

func TestByteOrderTwins(t *testing.T) {
	d, err := layout.Of[Rec]()
	if err != nil {
		t.Fatal(err)
	}
	other := layout.Big
	if layout.HostOrder() == layout.Big {
		other = layout.Little
	}
	s := d.Swapped()
	if s.Order() != other || s.InHostOrder() || !s.Equal(d.WithByteOrder(other)) || s.GoType() != d.GoType() {
		t.Errorf("Swapped() = %s (order %v)", s.Descr(), s.Order())
	}
	if !s.Swapped().Equal(d) || s.Equal(d) {
		t.Errorf("Swapped twice is not the original, or once is")
	}
	if err := layout.Compatible(s, d); err != nil {
		t.Errorf("Compatible ignores byte order, but: %v", err)
	}
	want := "[('ID', '>i4'), ('Pos', '>f4', (3,)), ('Name', '|S8'), ('In', [('P', '|u1'), ('', '|V3'), ('Q', '>i4')]), ('Grid', '>i2', (2, 3)), ('Tags', [('P', '|u1'), ('', '|V3'), ('Q', '>i4')], (2,)), ('', '|V4'), ('Score', '>f8')]"
	if is64 {
		if diff := cmp.Diff(want, d.WithByteOrder(layout.Big).Descr()); diff != "" {
			t.Errorf("WithByteOrder(Big) (-want +got):\n%s", diff)
		}
	}
	if d.WithByteOrder(layout.Mixed) != d || d.WithByteOrder(layout.NotApplicable) != d || d.WithByteOrder(d.Order()) != d {
		t.Error("WithByteOrder of Mixed, NotApplicable or the same order should return d")
	}
	m, _ := layout.ParseDescr("[('a', '<i2'), ('b', '>i4'), ('c', '|u1')]")
	if got := m.WithByteOrder(layout.Little).Descr(); got != "[('a', '<i2'), ('b', '<i4'), ('c', '|u1')]" || m.WithByteOrder(layout.Little).Order() != layout.Little {
		t.Errorf("mixed WithByteOrder(Little) = %s", got)
	}
	if got := m.Swapped().Descr(); got != "[('a', '>i2'), ('b', '<i4'), ('c', '|u1')]" {
		t.Errorf("mixed Swapped() = %s", got)
	}
	u, _ := layout.ParseDescr("'|S3'")
	if u.Swapped() != u || u.WithByteOrder(layout.Big) != u {
		t.Error("a dtype without byte order should be its own twin")
	}
}
