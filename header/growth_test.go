package header_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/testutil"
)

// growthCase is a header whose growth span lands near a page boundary.
type growthCase struct {
	name  string
	h     header.Header
	max   int64 // the largest growth-axis length whose data size fits an int64
	moved bool  // NumPy's layout would straddle: Encode moved the shape
}

// spanOf finds the growth span of an encoded header by reading its text:
// the growth axis's number starts after the dims before it, and the dict
// ends at the last '}'.
func spanOf(t testing.TB, b []byte, h *header.Header) (lo, hi int) {
	t.Helper()
	ax := h.GrowthAxis()
	lo = bytes.LastIndex(b, []byte("'shape': (")) + len("'shape': (")
	for _, d := range h.Shape[:ax] {
		lo += len(strconv.FormatInt(d, 10)) + 2
	}
	if got := string(b[lo : lo+len(strconv.FormatInt(h.Shape[ax], 10))]); got != strconv.FormatInt(h.Shape[ax], 10) {
		t.Fatalf("spanOf: found %q at %d, want the growth axis %d", got, lo, h.Shape[ax])
	}
	hi = bytes.LastIndexByte(b, '}') + 1 + header.GrowthAxisMaxDigits - len(strconv.FormatInt(h.Shape[ax], 10))
	return lo, hi
}

// numpyHeader returns the version 1.0 header NumPy writes around text:
// it pads with 1 to 64 spaces and a newline.
func numpyHeader(text string) []byte {
	n := len(text) + 1
	n += 64 - (10+n)%64
	b := append([]byte(header.Magic), 1, 0, byte(n), byte(n>>8))
	b = append(b, text...)
	for len(b) < 10+n-1 {
		b = append(b, ' ')
	}
	return append(b, '\n')
}

func onePage(lo, hi int) bool { return lo/header.GrowthPageSize == (hi-1)/header.GrowthPageSize }

// growthCases returns headers of a struct dtype of one '|u1' field whose
// name length puts the growth axis's number at every offset from 40
// bytes before (more than a span's length) to 2 bytes after 4096 and 8192, in C and Fortran order,
// of ranks 1 to 3, with the other dims 1 (so that the growth axis can
// reach MaxInt64) or 7.
func growthCases(t testing.TB) []growthCase {
	t.Helper()
	var cs []growthCase
	for _, fortran := range []bool{false, true} {
		for rank := 1; rank <= 3; rank++ {
			for _, other := range []int64{1, 7} {
				if rank == 1 && other == 7 {
					continue
				}
				shape := make([]int64, rank)
				for i := range shape {
					shape[i] = other
				}
				ax := 0
				if fortran {
					ax = rank - 1
				}
				shape[ax] = 3
				max := int64(math.MaxInt64)
				for range rank - 1 {
					max /= other
				}
				// Where the number lands without moving, for a name of
				// 1 byte: the rest follows byte for byte.
				h := header.Header{DType: dt(t, "[('x', '|u1')]"), FortranOrder: fortran, Shape: shape}
				b, err := h.Encode()
				if err != nil {
					t.Fatal(err)
				}
				lo1, _ := spanOf(t, b, &h)
				for _, page := range []int{4096, 8192} {
					for lo := page - 40; lo <= page+2; lo++ {
						name := strings.Repeat("x", 1+lo-lo1)
						h := header.Header{DType: dt(t, "[('"+name+"', '|u1')]"), FortranOrder: fortran, Shape: slicesClone(shape)}
						cs = append(cs, growthCase{
							name: fmt.Sprintf("fortran=%v/shape=%v/at=%d", fortran, shape, lo),
							h:    h, max: max,
						})
					}
				}
			}
		}
	}
	return cs
}

func slicesClone(s []int64) []int64 { return append([]int64(nil), s...) }

// TestEncodeGrowthSpanInPage: whatever the descr length, the bytes a
// growth rewrite can change lie in one 4096-byte page, and rewriting the
// growth axis to any length from 0 to the largest changes only those
// (issue 14: a reader could see a half-written shape across a page).
func TestEncodeGrowthSpanInPage(t *testing.T) {
	moved := 0
	for _, c := range growthCases(t) {
		b, err := c.h.Encode()
		if err != nil {
			t.Fatalf("%s: Encode: %v", c.name, err)
		}
		lo, hi := spanOf(t, b, &c.h)
		if !onePage(lo, hi) {
			t.Errorf("%s: growth span [%d, %d) crosses a page boundary", c.name, lo, hi)
			continue
		}
		if glo, ghi, err := header.GrowthSpan(b, c.h.GrowthAxis()); err != nil || glo != lo || ghi != hi {
			t.Errorf("%s: GrowthSpan = %d, %d, %v; want %d, %d", c.name, glo, ghi, err, lo, hi)
		}
		if bytes.Contains(b, []byte(", 'shape'")) {
			// NumPy's layout, untouched.
		} else {
			moved++
			if lo%header.GrowthPageSize != 0 {
				t.Errorf("%s: shape moved, but its growth span starts at %d, not at a page", c.name, lo)
			}
		}
		h, err := header.Parse(b, nil)
		if err != nil {
			t.Fatalf("%s: Parse(Encode()): %v", c.name, err)
		}
		if !cmp.Equal(h.Shape, c.h.Shape) || h.FortranOrder != c.h.FortranOrder || !h.DType.Equal(c.h.DType) || h.DataOffset != int64(len(b)) || len(b)%header.Align != 0 {
			t.Errorf("%s: Parse(Encode()) = %+v", c.name, h)
		}
		checkRewrites(t, c, b, lo, hi)
	}
	if moved == 0 {
		t.Error("no case needed the shape moved: the cases do not reach a page boundary")
	}
	t.Logf("%d of %d headers had the shape moved to a page start", moved, len(growthCases(t)))
}

// checkRewrites rewrites the growth axis of b through lengths of every
// number of digits and checks that only bytes in [lo, hi) change and that
// the result is what Encode writes for the new shape.
func checkRewrites(t *testing.T, c growthCase, b []byte, lo, hi int) {
	t.Helper()
	vals := []int64{0}
	for p := int64(1); p <= c.max/10; p *= 10 {
		vals = append(vals, p) // every number of digits
	}
	vals = append(vals, c.max, 99, 3)
	buf := bytes.Clone(b)
	ax := c.h.GrowthAxis()
	for _, v := range vals {
		prev := bytes.Clone(buf)
		nh := c.h
		nh.Shape = slicesClone(c.h.Shape)
		nh.Shape[ax] = v
		if err := header.RewriteShape(buf, nh.Shape); err != nil {
			t.Fatalf("%s: RewriteShape to %d: %v", c.name, v, err)
		}
		for i := range buf {
			if buf[i] != prev[i] && (i < lo || i >= hi) {
				t.Fatalf("%s: RewriteShape to %d changed byte %d, outside the growth span [%d, %d)", c.name, v, i, lo, hi)
			}
		}
		if v != c.max && v != 3 {
			continue
		}
		if enc, err := nh.Encode(); err != nil || !bytes.Equal(enc, buf) {
			t.Fatalf("%s: RewriteShape to %d differs from Encode (%v)", c.name, v, err)
		}
	}
}

// TestGrowthSpanNumPyLayout: GrowthSpan reports the span of a header in
// NumPy's layout that crosses a page boundary, and Encode moves it.
func TestGrowthSpanNumPyLayout(t *testing.T) {
	for _, c := range growthCases(t) {
		if c.h.FortranOrder || len(c.h.Shape) != 1 {
			continue
		}
		descr := c.h.DType.Descr()
		text := "{'descr': " + descr + ", 'fortran_order': False, 'shape': (3,), }" + strings.Repeat(" ", header.GrowthAxisMaxDigits-1)
		b := numpyHeader(text)
		lo := bytes.Index(b, []byte("(3,)")) + 1
		hi := bytes.LastIndexByte(b, '}') + 1 + header.GrowthAxisMaxDigits - 1
		glo, ghi, err := header.GrowthSpan(b, 0)
		if err != nil || glo != lo || ghi != hi {
			t.Fatalf("%s: GrowthSpan = %d, %d, %v; want %d, %d", c.name, glo, ghi, err, lo, hi)
		}
		enc, err := c.h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if onePage(lo, hi) != bytes.Equal(enc, b) {
			t.Errorf("%s: NumPy's span [%d, %d) in one page: %v, but Encode equal to NumPy's header: %v", c.name, lo, hi, onePage(lo, hi), bytes.Equal(enc, b))
		}
	}
	b := mk(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }")
	for _, ax := range []int{-1, 2} {
		if _, _, err := header.GrowthSpan(b, ax); !errors.Is(err, header.ErrFormat) {
			t.Errorf("GrowthSpan(axis %d of 2): %v, want ErrFormat", ax, err)
		}
	}
}

// TestGrowthSpanNumPyLoads writes files whose headers had the shape moved
// to a page start, grows them with RewriteShape, and has NumPy load them
// (np.load and numpy.lib.format's header reader) and compare the values.
func TestGrowthSpanNumPyLoads(t *testing.T) {
	testutil.NumPy(t)
	dir := testutil.TempDir(t)
	var args, want []string
	seen := map[string]bool{}
	for _, c := range growthCases(t) {
		b, err := c.h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		key := fmt.Sprint(c.h.FortranOrder, c.h.Shape, len(b) > 8192)
		if bytes.Contains(b, []byte(", 'shape'")) || seen[key] {
			continue // one moved header per order, shape and page
		}
		seen[key] = true
		for _, grow := range []int64{3, 1000} {
			h := c.h
			h.Shape = slicesClone(c.h.Shape)
			h.Shape[h.GrowthAxis()] = grow
			hdr := bytes.Clone(b)
			if err := header.RewriteShape(hdr, h.Shape); err != nil {
				t.Fatal(err)
			}
			n, _ := h.Count()
			data := make([]byte, n)
			for i := range data {
				data[i] = byte(i % 251)
			}
			p := filepath.Join(dir, fmt.Sprintf("f%d.npy", len(args)))
			if err := os.WriteFile(p, append(hdr, data...), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, p)
			shape := strings.Trim(strings.ReplaceAll(fmt.Sprint(h.Shape), " ", ", "), "[]")
			if len(h.Shape) == 1 {
				shape += ","
			}
			py := map[bool]string{false: "False", true: "True"}
			want = append(want, fmt.Sprintf("(%s) %s (%s) %s %s", shape, h.DType.Descr(), shape, py[h.FortranOrder], hex.EncodeToString(data)))
		}
	}
	if len(args) == 0 {
		t.Fatal("no header had its shape moved")
	}
	out := testutil.RunPython(t, `
import sys, numpy as np, numpy.lib.format as fmt
for p in sys.argv[1:]:
    a = np.load(p, mmap_mode="r")
    with open(p, "rb") as f:
        v = fmt.read_magic(f)
        read = fmt.read_array_header_1_0 if v == (1, 0) else fmt.read_array_header_2_0
        shape, fortran, dtype = read(f)
    # The values, in file order.
    print(a.shape, repr(fmt.dtype_to_descr(a.dtype)), shape, fortran, a.tobytes(order="F" if fortran else "C").hex())
`, args...)
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NumPy reads (-want +got):\n%s", diff)
	}
}
