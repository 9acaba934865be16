package layout_test

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestFloat16String checks that a Float16 prints its value (fmt used to
// print its bits: 16384 for 2), with the shortest digits that read back as
// the same half, as NumPy's repr prints a float16.
func TestFloat16String(t *testing.T) {
	for _, tc := range []struct {
		h    layout.Float16
		want string
	}{
		{layout.Float16From(2), "2"},
		{layout.Float16From(-2.5), "-2.5"},
		{layout.Float16From(0.1), "0.1"},
		{layout.Float16From(1.0 / 3), "0.3333"},
		{layout.Float16From(65504), "65500"}, // as NumPy: no other half is nearer 65500
		{layout.Float16From(1e5), "+Inf"},
		{layout.Float16From(float32(math.Inf(-1))), "-Inf"},
		{layout.Float16From(float32(math.NaN())), "NaN"},
		{0, "0"},
		{0x8000, "-0"},
		{1, "6e-08"},          // the least subnormal, 2^-24
		{0x3c01, "1.001"},     // 1 + 2^-10
		{0x0400, "6.104e-05"}, // the least normal, 2^-14
		{0x7bff, "65500"},     // the greatest finite, 65504: 65500 is nearer it than any other half
		{layout.Float16From(1234), "1234"},
	} {
		if got := tc.h.String(); got != tc.want {
			t.Errorf("Float16(%#04x).String() = %q, want %q", uint16(tc.h), got, tc.want)
		}
	}
	if got := fmt.Sprint(layout.Float16From(2)); got != "2" {
		t.Errorf("fmt.Sprint(Float16From(2)) = %q, want \"2\"", got)
	}
}

// TestFloat16StringRoundTrip checks every finite half: its String reads
// back (through float64) as the same half. TestFloat16StringNumPy checks
// that the digits are the fewest.
func TestFloat16StringRoundTrip(t *testing.T) {
	for b := range 1 << 16 {
		h := layout.Float16(b)
		if h.IsNaN() || h.IsInf(0) {
			continue
		}
		s := h.String()
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("Float16(%#04x).String() = %q: %v", b, s, err)
		}
		if got := layout.Float16FromFloat64(f); got != h {
			t.Fatalf("Float16(%#04x).String() = %q reads back as %#04x", b, s, uint16(got))
		}
	}
}

// TestFloat16StringNumPy compares String with NumPy's str of every finite
// float16: the same digits (NumPy writes "2.0" where Go writes "2", so the
// two are compared as numbers).
func TestFloat16StringNumPy(t *testing.T) {
	out := testutil.RunPython(t, `
import numpy as np
h = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
print("\n".join(str(x) for x in h))
`)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1<<16 {
		t.Fatalf("NumPy printed %d halves, want %d", len(lines), 1<<16)
	}
	for b, want := range lines {
		h := layout.Float16(b)
		if h.IsNaN() {
			continue
		}
		got := h.String()
		g, err1 := strconv.ParseFloat(got, 64)
		w, err2 := strconv.ParseFloat(strings.Replace(want, "inf", "Inf", 1), 64)
		if err1 != nil || err2 != nil || g != w || math.Signbit(g) != math.Signbit(w) {
			t.Errorf("Float16(%#04x).String() = %q, NumPy prints %q", b, got, want)
		}
	}
}
