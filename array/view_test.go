package array_test

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"testing"
	"unsafe"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

func mustDescr(t *testing.T, d string) *layout.DType {
	t.Helper()
	dt, err := layout.ParseDescr(d)
	if err != nil {
		t.Fatal(err)
	}
	return dt
}

// TestView lays arrays over parts of one map, as a container of many
// arrays does: a (3, 4) float32 at 0, five big-endian int16 at 48 and a
// float64 at the odd offset 59. Each reads its values, the aligned one
// without copies; none can grow; Close of a view leaves the map, and the
// map's Close ends the views.
func TestView(t *testing.T) {
	b := make([]byte, 67)
	for i := range 12 {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(i)+0.5))
	}
	for i := range 5 {
		binary.BigEndian.PutUint16(b[48+2*i:], uint16(int16(i*1000-2000)))
	}
	binary.NativeEndian.PutUint64(b[59:], math.Float64bits(-1.25)) // host order: the view is refused for its alignment only
	path := testutil.WriteFile(t, b)
	m, err := memmap.Open(path, memmap.ReadWrite, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	f, err := array.View[float32](m, "c:f", array.Desc{DType: mustDescr(t, "'<f4'"), Shape: []int{3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if f.At(2, 3) != 11.5 || f.Len() != 3 {
		t.Errorf("f[2, 3] = %v, Len %d", f.At(2, 3), f.Len())
	}
	if layout.HostOrder() == layout.Little {
		d, err := f.Data()
		if err != nil || len(d) != 12 || unsafe.Pointer(&d[0]) != unsafe.Pointer(&m.Bytes()[0]) {
			t.Errorf("Data: %v (not the map's bytes)", err)
		}
	}
	f.Set(-7, 0, 1)
	if math.Float32frombits(binary.LittleEndian.Uint32(m.Bytes()[4:])) != -7 {
		t.Error("Set through a view of a ReadWrite map did not reach the map")
	}
	for name, err := range map[string]error{
		"Append": func() error { _, err := f.Append(make([]float32, 4)...); return err }(), "Grow": f.Grow(1), "Resize": f.Resize(1), "Truncate": f.Truncate(1),
	} {
		if !errors.Is(err, memmap.ErrShape) {
			t.Errorf("%s of a view: %v, want ErrShape", name, err)
		}
	}
	if err := f.Advise(memmap.Random); err != nil {
		t.Errorf("Advise: %v", err)
	}
	if err := f.Flush(); err != nil {
		t.Errorf("Flush: %v", err)
	}

	s, err := array.View[int16](m, "c:s", array.Desc{DType: mustDescr(t, "'>i2'"), Shape: []int{5}, Offset: 48})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 5)
	if n, err := s.CopyTo(out, 0); n != 5 || err != nil || out[0] != -2000 || out[4] != 2000 {
		t.Errorf("CopyTo of the big-endian view: %v, %d, %v", out, n, err)
	}

	odd, err := array.View[float64](m, "c:odd", array.Desc{DType: mustDescr(t, "'"+map[layout.ByteOrder]string{layout.Little: "<", layout.Big: ">"}[layout.HostOrder()]+"f8'"), Shape: []int{}, Offset: 59})
	if err != nil {
		t.Fatal(err)
	}
	if odd.At() != -1.25 {
		t.Errorf("misaligned view reads %v", odd.At())
	}
	if _, err := odd.Data(); !errors.Is(err, array.ErrAlign) {
		t.Errorf("Data of a misaligned view: %v, want ErrAlign", err)
	}

	u, err := array.ViewAny(m, "c:any", array.Desc{DType: mustDescr(t, "'>i2'"), Shape: []int{5}, Offset: 48})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := u.At(1); err != nil || v.String() != "-1000" {
		t.Errorf("ViewAny At(1) = %v, %v", v, err)
	}

	if _, err := array.View[float64](m, "c:past", array.Desc{DType: mustDescr(t, "'<f8'"), Shape: []int{2}, Offset: 59}); !errors.Is(err, header.ErrFormat) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("a view past the map's end: %v, want ErrFormat and ErrUnexpectedEOF", err)
	}
	if _, err := array.View[float32](m, "c:bad", array.Desc{DType: mustDescr(t, "'<i4'"), Shape: []int{1}}); !errors.Is(err, layout.ErrDType) {
		t.Errorf("a view of the wrong dtype: %v, want ErrDType", err)
	}
	if _, err := array.View[float32](m, "c:neg", array.Desc{DType: mustDescr(t, "'<f4'"), Shape: []int{1}, Offset: -4}); !errors.Is(err, memmap.ErrRange) {
		t.Errorf("a negative offset: %v, want ErrRange", err)
	}
	if _, err := array.View[float32](m, "c:negdim", array.Desc{DType: mustDescr(t, "'<f4'"), Shape: []int{2, -1}}); !errors.Is(err, memmap.ErrShape) {
		t.Errorf("a negative dimension: %v, want ErrShape", err)
	}
	if _, err := array.ViewAny(m, "c:nodtype", array.Desc{Shape: []int{1}}); !errors.Is(err, header.ErrFormat) {
		t.Errorf("no dtype: %v, want ErrFormat", err)
	}

	if err := s.Close(); err != nil || m.Closed() || f.At(0, 0) != 0.5 {
		t.Errorf("Close of a view: %v; the map and the other views must stay", err)
	}
	if _, err := s.CopyTo(out, 0); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("CopyTo after the view's Close: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Data(); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Data after the map's Close: %v, want ErrClosed", err)
	}
	if _, err := f.CopyTo(make([]float32, 1), 0); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("CopyTo after the map's Close: %v, want ErrClosed", err)
	}
	if _, err := u.At(0); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("Any.At after the map's Close: %v, want ErrClosed", err)
	}
	if _, err := array.View[float32](m, "c:late", array.Desc{DType: mustDescr(t, "'<f4'"), Shape: []int{1}}); !errors.Is(err, memmap.ErrClosed) {
		t.Errorf("View of a closed map: %v, want ErrClosed", err)
	}
	os.Remove(path)
}
