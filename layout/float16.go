package layout

import (
	"math"
)

// Float16 is an IEEE-754 binary16 ("half precision") number, NumPy's
// float16 ('<f2'), stored as its bits. Convert with Float16From and
// Float16FromFloat64 and back with Float32 and Float64; the conversions to
// float32 and float64 are exact, the ones from them round to nearest, ties
// to even, as NumPy does.
type Float16 uint16

// Float16From returns the half nearest to f (ties to even): values too
// large for a half become ±Inf, values too small become ±0 or a subnormal
// half. A NaN stays a NaN with its sign and the top 10 bits of its
// payload (so a quiet NaN stays quiet), and the lowest payload bit set if
// those are all zero; NumPy does the same.
func Float16From(f float32) Float16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := uint64(b & 0x7fffff)
	switch exp {
	case 0xff:
		return nanOrInf(sign, mant, 23)
	case 0:
		return Float16(sign) // zero, or a float32 subnormal (< 2^-126): rounds to zero
	}
	return round16(sign, exp-127, mant|1<<23, 23)
}

// Float16FromFloat64 returns the half nearest to f (ties to even), rounding
// f once (not through float32, which could round twice). Special values
// are handled as by Float16From.
func Float16FromFloat64(f float64) Float16 {
	b := math.Float64bits(f)
	sign := uint16(b>>48) & 0x8000
	exp := int(b>>52) & 0x7ff
	mant := b & (1<<52 - 1)
	switch exp {
	case 0x7ff:
		return nanOrInf(sign, mant, 52)
	case 0:
		return Float16(sign)
	}
	return round16(sign, exp-1023, mant|1<<52, 52)
}

// nanOrInf converts an Inf (mant == 0) or a NaN with a fracBits-bit
// payload.
func nanOrInf(sign uint16, mant uint64, fracBits int) Float16 {
	if mant == 0 {
		return Float16(sign | 0x7c00)
	}
	m := uint16(mant >> (fracBits - 10))
	if m == 0 {
		m = 1 // keep it a NaN
	}
	return Float16(sign | 0x7c00 | m)
}

// round16 rounds the finite non-zero value sig * 2^(e-fracBits) (sig with
// its leading bit at fracBits) to a half, ties to even.
func round16(sign uint16, e int, sig uint64, fracBits int) Float16 {
	if e >= 16 {
		return Float16(sign | 0x7c00) // >= 2^16: beyond the largest half, 65504
	}
	// A normal half keeps 11 significant bits; a subnormal one counts
	// units of 2^-24.
	shift := fracBits - 10
	if e < -14 {
		shift = fracBits - 24 - e
		if shift > fracBits+1 {
			return Float16(sign) // below half the smallest subnormal
		}
	}
	q := sig >> shift
	rem := sig & (1<<shift - 1)
	half := uint64(1) << (shift - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	if e < -14 {
		// q counts units of 2^-24; a carry into bit 10 makes it the
		// smallest normal, which has the same bits.
		return Float16(sign | uint16(q))
	}
	// q holds the implicit bit at bit 10, which adds one to the biased
	// exponent e+14; a carry to bit 11 adds one more (up to Inf, 0x7c00).
	return Float16(sign + uint16(e+14)<<10 + uint16(q))
}

// Float32 returns h as a float32, exactly. A NaN keeps its sign and
// payload (in the top bits of the float32 payload).
func (h Float16) Float32() float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// A subnormal, mant * 2^-24: normalise it.
		e := uint32(127 - 14)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// Float64 returns h as a float64, exactly, like Float32.
func (h Float16) Float64() float64 {
	sign := uint64(h&0x8000) << 48
	if h&0x7c00 == 0x7c00 {
		return math.Float64frombits(sign | 0x7ff<<52 | uint64(h&0x3ff)<<42)
	}
	return float64(h.Float32())
}

// IsNaN reports whether h is a NaN.
func (h Float16) IsNaN() bool { return h&0x7c00 == 0x7c00 && h&0x3ff != 0 }

// IsInf reports whether h is an infinity, according to sign: sign > 0
// tests for +Inf, sign < 0 for -Inf, sign == 0 for either.
func (h Float16) IsInf(sign int) bool {
	return h == 0x7c00 && sign >= 0 || h == 0xfc00 && sign <= 0
}

// String returns h's value in decimal, formatted as fmt's %v formats a
// float32 or float64 (strconv's 'g' format with the shortest digits):
// Float16From(2) prints "2", not its bits 16384, and Float16From(1e5)
// "+Inf". The digits are the fewest that read back as the same half (the
// nearest to h's value among them), as Go chooses them for each float type
// and NumPy's repr chooses them for a float16: the half nearest 0.1 prints
// "0.1" though its value is 0.0999755859375, and the greatest half, 65504,
// prints "65500". Float32 and Float64 convert exactly: format those to see
// every digit. fmt uses String for the verbs %v and %s; for %f, %e or %g
// format Float32().
func (h Float16) String() string {
	return shortestFloat(h.Float64(), h.IsNaN() || h.IsInf(0), func(d float64) bool { return Float16FromFloat64(d) == h })
}
