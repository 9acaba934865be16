package layout_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// halfValue computes the value of the half h in float64 arithmetic,
// independently of the package (h must not be a NaN or Inf).
func halfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e, m := int(h>>10&0x1f), float64(h&0x3ff)
	if e == 0 {
		return sign * math.Ldexp(m, -24)
	}
	return sign * math.Ldexp(1+m/1024, e-15)
}

// halves holds the values of the finite non-negative halves 0 ... 0x7bff,
// in increasing order (their bits are in the same order), and last 2^16 at
// 0x7c00, the bits of +Inf: a value that rounds past the largest half
// rounds to it.
var halves = func() []float64 {
	v := make([]float64, 0x7c01)
	for i := range v {
		v[i] = halfValue(uint16(i))
	}
	return v
}()

// refHalf rounds x (not a NaN) to a half by searching the table of halves:
// the nearest one, ties to the one with an even significand; values from
// 65520 (halfway from the largest half, 65504, to 2^16) up are Inf.
func refHalf(x float64) uint16 {
	var sign uint16
	if math.Signbit(x) {
		sign, x = 0x8000, -x
	}
	if x >= 65536 {
		return sign | 0x7c00
	}
	i := sort.SearchFloat64s(halves, x) // first value >= x
	if halves[i] == x || i == 0 {
		return sign | uint16(i)
	}
	lo, hi := halves[i-1], halves[i]
	switch {
	case x-lo < hi-x:
		return sign | uint16(i-1)
	case x-lo > hi-x:
		return sign | uint16(i)
	case i%2 == 0:
		return sign | uint16(i)
	default:
		return sign | uint16(i-1)
	}
}

// TestFloat16AllValues converts every one of the 65536 halves to float32
// and float64 and back.
func TestFloat16AllValues(t *testing.T) {
	for i := range 1 << 16 {
		h := layout.Float16(i)
		f32, f64 := h.Float32(), h.Float64()
		exp, mant := i>>10&0x1f, i&0x3ff
		switch {
		case exp == 0x1f && mant != 0:
			if !h.IsNaN() || !math.IsNaN(float64(f32)) || !math.IsNaN(f64) {
				t.Fatalf("%#04x: NaN converts to %v, %v (IsNaN %v)", i, f32, f64, h.IsNaN())
			}
			if math.Signbit(float64(f32)) != (i&0x8000 != 0) || math.Signbit(f64) != (i&0x8000 != 0) {
				t.Fatalf("%#04x: NaN lost its sign", i)
			}
		case exp == 0x1f:
			if !h.IsInf(0) || !math.IsInf(float64(f32), 0) || !math.IsInf(f64, 0) || math.Signbit(f64) != (i&0x8000 != 0) {
				t.Fatalf("%#04x: Inf converts to %v, %v", i, f32, f64)
			}
		default:
			want := halfValue(uint16(i))
			if float64(f32) != want || f64 != want || math.Signbit(f64) != (i&0x8000 != 0) || h.IsNaN() || h.IsInf(0) {
				t.Fatalf("%#04x: Float32 %v, Float64 %v, want %v", i, f32, f64, want)
			}
		}
		// Back to the same bits, NaN payloads included.
		if g := layout.Float16From(f32); g != h {
			t.Fatalf("%#04x: Float16From(%v) = %#04x", i, f32, uint16(g))
		}
		if g := layout.Float16FromFloat64(f64); g != h {
			t.Fatalf("%#04x: Float16FromFloat64(%v) = %#04x", i, f64, uint16(g))
		}
	}
}

// float32Cases returns float32 inputs at and around every rounding
// boundary: each half, each halfway point between adjacent halves, the
// float32 neighbours of both, overflow and underflow thresholds, float32
// extremes, and random bit patterns.
func float32Cases(random int) []float32 {
	var cs []float32
	add := func(f float32) {
		cs = append(cs, f, math.Nextafter32(f, float32(math.Inf(1))), math.Nextafter32(f, float32(math.Inf(-1))))
	}
	for i := range len(halves) - 1 {
		add(float32(halves[i]))
		add(float32((halves[i] + halves[i+1]) / 2)) // exact in float32: 12 significant bits
	}
	add(65504)
	add(65520)
	add(65536)
	add(1e10)
	add(math.MaxFloat32)
	add(0x1p-24)
	add(0x1p-25)
	add(0x1p-25 * 1.5)
	add(0x1p-26)
	add(0x1p-126)
	add(0x1p-149)
	add(0x1p-14)
	add(0x1p-14 - 0x1p-25)
	r := rand.New(rand.NewPCG(1, 2))
	for range random {
		cs = append(cs, math.Float32frombits(r.Uint32()))
	}
	n := len(cs)
	for _, f := range cs[:n] {
		cs = append(cs, -f)
	}
	return cs
}

// TestFloat16FromRounding checks Float16From against the table reference
// on the boundary cases.
func TestFloat16FromRounding(t *testing.T) {
	cases := float32Cases(200000)
	for _, f := range cases {
		got := layout.Float16From(f)
		if math.IsNaN(float64(f)) {
			if !got.IsNaN() {
				t.Fatalf("Float16From(NaN %#08x) = %#04x, not a NaN", math.Float32bits(f), uint16(got))
			}
			continue
		}
		if want := refHalf(float64(f)); uint16(got) != want {
			t.Fatalf("Float16From(%v = %#08x) = %#04x, want %#04x", f, math.Float32bits(f), uint16(got), want)
		}
	}
	t.Logf("%d float32 values checked", len(cases))
}

// TestFloat16FromFloat64Rounding checks that Float16FromFloat64 rounds
// once: just above or below a halfway point, a float64 must not be
// rounded to the halfway float32 first.
func TestFloat16FromFloat64Rounding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var cases []float64
	for i := range len(halves) - 1 {
		mid := (halves[i] + halves[i+1]) / 2
		cases = append(cases, mid, math.Nextafter(mid, 1e9), math.Nextafter(mid, -1), halves[i])
	}
	for range 100000 {
		cases = append(cases, math.Float64frombits(r.Uint64()))
	}
	cases = append(cases, 65520, math.Nextafter(65520, 0), math.MaxFloat64, math.SmallestNonzeroFloat64, 0x1p-25, math.Nextafter(0x1p-25, 1))
	for _, f := range cases {
		for _, x := range []float64{f, -f} {
			got := layout.Float16FromFloat64(x)
			if math.IsNaN(x) {
				if !got.IsNaN() {
					t.Fatalf("Float16FromFloat64(NaN) = %#04x", uint16(got))
				}
				continue
			}
			if want := refHalf(x); uint16(got) != want {
				t.Fatalf("Float16FromFloat64(%v = %#016x) = %#04x, want %#04x", x, math.Float64bits(x), uint16(got), want)
			}
		}
	}
}

// TestFloat16Specials pins the special values.
func TestFloat16Specials(t *testing.T) {
	nan32 := func(bits uint32) float32 { return math.Float32frombits(bits) }
	for _, tc := range []struct {
		in   float32
		want uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},
		{65519.996, 0x7bff},
		{65520, 0x7c00}, // halfway to 2^16: ties to even is Inf
		{float32(math.Inf(1)), 0x7c00},
		{float32(math.Inf(-1)), 0xfc00},
		{0x1p-24, 0x0001},           // smallest subnormal
		{0x1p-25, 0x0000},           // halfway to it: ties to even, zero
		{0x1.000002p-25, 0x0001},    // just above halfway
		{0x1p-14, 0x0400},           // smallest normal
		{nan32(0x7fc00000), 0x7e00}, // quiet NaN stays quiet
		{nan32(0xffc00000), 0xfe00}, // with its sign
		{nan32(0x7f800001), 0x7c01}, // a signalling NaN whose payload is all in the low bits stays a NaN
		{nan32(0x7fa00000), 0x7d00}, // top payload bits are kept
		{1 + 0x1p-11, 0x3c00},       // halfway between 1 and the next half: even (down)
		{1 + 3*0x1p-11, 0x3c02},     // halfway, odd below: up
		{2048 + 1, 0x6800},          // ulp 2 at 2048: halfway, even down
		{2048 + 3, 0x6802},          // halfway, up to even
		{float32(math.MaxFloat32), 0x7c00},
	} {
		if got := layout.Float16From(tc.in); uint16(got) != tc.want {
			t.Errorf("Float16From(%v = %#08x) = %#04x, want %#04x", tc.in, math.Float32bits(tc.in), uint16(got), tc.want)
		}
	}
}

// TestFloat16NumPy compares Float16From and Float16FromFloat64 with
// NumPy's astype(np.float16) on boundary and random values.
func TestFloat16NumPy(t *testing.T) {
	testutil.NumPy(t)
	r := rand.New(rand.NewPCG(5, 6))
	var f32 []uint32
	for _, f := range float32Cases(0) {
		if r.IntN(60) == 0 { // a sample of the ~400000 boundary cases
			f32 = append(f32, math.Float32bits(f))
		}
	}
	for range 3000 {
		f32 = append(f32, r.Uint32())
	}
	f64 := make([]uint64, 0, 2000)
	for range 1000 {
		f64 = append(f64, r.Uint64())
		i := r.IntN(len(halves) - 1)
		mid := (halves[i] + halves[i+1]) / 2
		f64 = append(f64, math.Float64bits(math.Nextafter(mid, math.Inf(r.IntN(2)*2-1))))
	}
	// Two arguments: Linux bounds each one to 128 KiB.
	var in32, in64 strings.Builder
	for _, b := range f32 {
		fmt.Fprintf(&in32, "%x ", b)
	}
	for _, b := range f64 {
		fmt.Fprintf(&in64, "%x ", b)
	}
	out := testutil.RunPython(t, `
import sys, warnings
import numpy as np
warnings.simplefilter("ignore")
a, b = sys.argv[1], sys.argv[2]
x = np.array([int(v, 16) for v in a.split()], dtype=np.uint32).view(np.float32)
y = np.array([int(v, 16) for v in b.split()], dtype=np.uint64).view(np.float64)
print(" ".join("%x" % v for v in x.astype(np.float16).view(np.uint16)))
print(" ".join("%x" % v for v in y.astype(np.float16).view(np.uint16)))
`, in32.String(), in64.String())
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		t.Fatalf("python printed %d lines, want 2:\n%s", len(lines), out)
	}
	check := func(name string, i int, got layout.Float16, want string, in string) {
		t.Helper()
		w, err := strconv.ParseUint(want, 16, 16)
		if err != nil {
			t.Fatalf("bad python output %q", want)
		}
		wh := layout.Float16(w)
		if got.IsNaN() && wh.IsNaN() && got&0x8000 == wh&0x8000 {
			return // NumPy may quiet NaNs (hardware conversion); NaN and sign must match
		}
		if got != wh {
			t.Errorf("%s(%s) = %#04x, NumPy gives %#04x", name, in, uint16(got), w)
		}
	}
	g32, g64 := strings.Fields(lines[0]), strings.Fields(lines[1])
	if len(g32) != len(f32) || len(g64) != len(f64) {
		t.Fatalf("python printed %d and %d values, want %d and %d", len(g32), len(g64), len(f32), len(f64))
	}
	for i, b := range f32 {
		check("Float16From", i, layout.Float16From(math.Float32frombits(b)), g32[i], fmt.Sprintf("%#08x", b))
	}
	for i, b := range f64 {
		check("Float16FromFloat64", i, layout.Float16FromFloat64(math.Float64frombits(b)), g64[i], fmt.Sprintf("%#016x", b))
	}
	t.Logf("compared %d float32 and %d float64 values with NumPy", len(f32), len(f64))
}
