package layout

import (
	"math"
	"strconv"
	"strings"
)

// BFloat16 is a bfloat16 ("brain float") number, stored as its bits: the
// top half of a float32 (1 sign, 8 exponent and 7 fraction bits), the BF16
// dtype of safetensors and ml_dtypes.bfloat16. Convert with BFloat16From
// and BFloat16FromFloat64 and back with Float32 and Float64; the
// conversions to float32 and float64 are exact, the ones from them round
// to nearest, ties to even, with values beyond the largest bfloat16
// (about 3.39e38) becoming ±Inf, as IEEE rounding, PyTorch and ml_dtypes
// do.
//
// NumPy has no bfloat16 dtype, so no .npy file holds one: creating a .npy
// file of BFloat16 elements fails with ErrDType (see DType.CheckNumPy).
// Store the bits as uint16 in a .npy file, or use a safetensors file.
type BFloat16 uint16

// Float8E4M3 is an 8-bit float of the OCP FP8 E4M3 format (1 sign, 4
// exponent and 3 fraction bits, exponent bias 7), stored as its bits: the
// F8_E4M3 dtype of safetensors, ml_dtypes.float8_e4m3fn and
// torch.float8_e4m3fn. It has no infinities and one NaN per sign (the bits
// S.1111.111); its largest finite value is 448 and its smallest subnormal
// 2^-9.
//
// The conversions from float32 and float64 (Float8E4M3From,
// Float8E4M3FromFloat64) round to nearest, ties to even, and saturate:
// every value that rounds beyond ±448, ±Inf included, becomes ±448. A NaN
// becomes the NaN of its sign. (ml_dtypes' and PyTorch's plain casts give
// NaN instead for values from 464 up; they agree with these everywhere
// else.) The conversions to float32 and float64 are exact.
//
// NumPy has no such dtype (see BFloat16): store the bits as uint8 in a
// .npy file, or use a safetensors file.
type Float8E4M3 uint8

// Float8E5M2 is an 8-bit float of the OCP FP8 E5M2 format (1 sign, 5
// exponent and 2 fraction bits, exponent bias 15), stored as its bits: the
// F8_E5M2 dtype of safetensors, ml_dtypes.float8_e5m2 and
// torch.float8_e5m2. It is IEEE-like: ±Inf are S.11111.00 and NaNs
// S.11111.xx with xx not 00; its largest finite value is 57344 and its
// smallest subnormal 2^-16.
//
// The conversions from float32 and float64 (Float8E5M2From,
// Float8E5M2FromFloat64) round to nearest, ties to even, and saturate
// finite values: every finite value that rounds beyond ±57344 becomes
// ±57344. An infinity stays an infinity of its sign, and a NaN stays a NaN
// with its sign and the top bit of its payload (a quiet NaN stays quiet;
// a signalling one gets the lowest payload bit). (ml_dtypes' and PyTorch's
// plain casts give ±Inf instead for finite values from 61440 up.) The
// conversions to float32 and float64 are exact.
//
// NumPy has no such dtype (see BFloat16): store the bits as uint8 in a
// .npy file, or use a safetensors file.
type Float8E5M2 uint8

// minifloat describes a small binary float format for rounding to it.
type minifloat struct {
	mbits     int    // fraction bits
	bias      int    // exponent bias
	maxFinite uint16 // bits of the largest finite magnitude
	inf       uint16 // bits of +Inf, 0 when the format has none
	nanBase   uint16 // bits a NaN's payload is ORed into (its exponent field all ones)
	nanBits   int    // payload bits a NaN keeps from its source (0: fixed NaN)
	signBit   uint16 // the sign bit
	saturate  bool   // finite values beyond maxFinite become maxFinite, not inf
}

var (
	bf16Format = minifloat{mbits: 7, bias: 127, maxFinite: 0x7f7f, inf: 0x7f80, nanBase: 0x7f80, nanBits: 7, signBit: 0x8000}
	e4m3Format = minifloat{mbits: 3, bias: 7, maxFinite: 0x7e, nanBase: 0x7f, signBit: 0x80, saturate: true}
	e5m2Format = minifloat{mbits: 2, bias: 15, maxFinite: 0x7b, inf: 0x7c, nanBase: 0x7c, nanBits: 2, signBit: 0x80, saturate: true}
)

// round returns the bits of the value of the format nearest to f (ties to
// even), with the special cases of the format's documentation. Rounding
// from a float64 rounds once: a float32 converts to float64 exactly.
func (p *minifloat) round(f float64) uint16 {
	b, _ := p.roundFinite(f)
	return b
}

// roundFinite is round, which also reports whether f is a finite value
// within the format's range: one that rounds to a finite value without
// saturating (so String's digits never rely on saturation).
func (p *minifloat) roundFinite(f float64) (_ uint16, inRange bool) {
	b := math.Float64bits(f)
	var sign uint16
	if b>>63 != 0 {
		sign = p.signBit
	}
	exp := int(b>>52) & 0x7ff
	mant := b & (1<<52 - 1)
	switch exp {
	case 0x7ff:
		if mant != 0 { // NaN: keep the top payload bits, and keep it a NaN
			m := uint16(0)
			if p.nanBits > 0 {
				m = uint16(mant >> (52 - p.nanBits))
				if m == 0 {
					m = 1
				}
			}
			return sign | p.nanBase | m, false
		}
		if p.inf == 0 {
			return sign | p.maxFinite, false // no infinity: saturate
		}
		return sign | p.inf, false
	case 0:
		return sign, true // zero, or a float64 subnormal: far below every format's smallest subnormal
	}
	e := exp - 1023
	emin := 1 - p.bias
	if e > p.bias+1 {
		return sign | p.overflow(), false // at least twice the largest finite value
	}
	sig := mant | 1<<52
	// A normal result keeps mbits+1 significant bits; a subnormal one
	// counts units of 2^(emin-mbits).
	shift := 52 - p.mbits
	if e < emin {
		shift += emin - e
		if shift > 54 {
			return sign, true // below half the smallest subnormal
		}
	}
	q := sig >> shift
	rem := sig & (1<<shift - 1)
	half := uint64(1) << (shift - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	var m uint64
	if e < emin {
		// q counts units of the smallest subnormal; a carry into bit
		// mbits makes it the smallest normal, which has the same bits.
		m = q
	} else {
		// q holds the implicit bit at bit mbits, which adds one to the
		// biased exponent e-emin; a carry to the next bit adds one more.
		m = uint64(e-emin)<<p.mbits + q
	}
	if m > uint64(p.maxFinite) {
		return sign | p.overflow(), false
	}
	return sign | uint16(m), true
}

// round32 is round for a float32. A NaN keeps its payload from the
// float32's bits: converting a signalling NaN to float64 may set its quiet
// bit.
func (p *minifloat) round32(f float32) uint16 {
	if f == f {
		return p.round(float64(f))
	}
	b := math.Float32bits(f)
	var sign uint16
	if b>>31 != 0 {
		sign = p.signBit
	}
	m := uint16(0)
	if p.nanBits > 0 {
		m = uint16(b & 0x7fffff >> (23 - p.nanBits))
		if m == 0 {
			m = 1
		}
	}
	return sign | p.nanBase | m
}

// overflow returns the magnitude bits of a finite value too large for
// the format.
func (p *minifloat) overflow() uint16 {
	if p.saturate || p.inf == 0 {
		return p.maxFinite
	}
	return p.inf
}

// value returns the exact value of the bits of a finite or infinite
// magnitude m (NaNs are the caller's).
func (p *minifloat) value(m uint16) float64 {
	if p.inf != 0 && m == p.inf {
		return math.Inf(1)
	}
	e := int(m >> p.mbits)
	frac := int(m & (1<<p.mbits - 1))
	if e == 0 {
		return math.Ldexp(float64(frac), 1-p.bias-p.mbits)
	}
	return math.Ldexp(float64(frac|1<<p.mbits), e-p.bias-p.mbits)
}

// float8Table returns the float32 values of the 256 bit patterns of an FP8
// format, NaNs with their sign and payload in the top bits of the float32
// payload (the one NaN of E4M3 as a quiet float32 NaN).
func float8Table(p *minifloat, isNaN func(uint8) bool) *[256]float32 {
	var t [256]float32
	for i := range 256 {
		b := uint8(i)
		sign := uint32(b&0x80) << 24
		if isNaN(b) {
			payload := uint32(b&0x7f) &^ uint32(p.nanBase) // the fraction bits
			if p.nanBits == 0 {
				payload = 1 << (p.mbits - 1) // E4M3's one NaN: a quiet NaN
			}
			t[i] = math.Float32frombits(sign | 0x7f800000 | payload<<(23-p.mbits))
			continue
		}
		v := float32(p.value(uint16(b & 0x7f))) // exact: 4 significant bits at most
		t[i] = math.Float32frombits(sign | math.Float32bits(v))
	}
	return &t
}

var (
	e4m3Values = float8Table(&e4m3Format, func(b uint8) bool { return Float8E4M3(b).IsNaN() })
	e5m2Values = float8Table(&e5m2Format, func(b uint8) bool { return Float8E5M2(b).IsNaN() })
)

// BFloat16From returns the bfloat16 nearest to f (ties to even): values
// too large become ±Inf, values too small ±0 or a subnormal. A NaN stays a
// NaN with its sign and the top 7 bits of its payload (the lowest set if
// those are all zero, so that it stays a NaN), as Float16From does.
func BFloat16From(f float32) BFloat16 { return BFloat16(bf16Format.round32(f)) }

// BFloat16FromFloat64 returns the bfloat16 nearest to f (ties to even),
// rounding f once (not through float32, which could round twice).
// Special values are handled as by BFloat16From.
func BFloat16FromFloat64(f float64) BFloat16 { return BFloat16(bf16Format.round(f)) }

// Float32 returns b as a float32, exactly: its bits are the top half of
// the float32's.
func (b BFloat16) Float32() float32 { return math.Float32frombits(uint32(b) << 16) }

// Float64 returns b as a float64, exactly (a NaN keeps its sign and
// payload, as for Float32).
func (b BFloat16) Float64() float64 {
	if b.IsNaN() {
		return math.Float64frombits(uint64(b&0x8000)<<48 | 0x7ff<<52 | uint64(b&0x7f)<<45)
	}
	return float64(b.Float32())
}

// IsNaN reports whether b is a NaN.
func (b BFloat16) IsNaN() bool { return b&0x7f80 == 0x7f80 && b&0x7f != 0 }

// IsInf reports whether b is an infinity, according to sign: sign > 0
// tests for +Inf, sign < 0 for -Inf, sign == 0 for either.
func (b BFloat16) IsInf(sign int) bool {
	return b == 0x7f80 && sign >= 0 || b == 0xff80 && sign <= 0
}

// String returns b's value in decimal, with the fewest digits that read
// back as the same bfloat16 (the nearest to b's value among them), in
// strconv's 'g' format as fmt's %v formats floats: BFloat16From(0.1)
// prints "0.1", though its value is 0.10009765625; NaN, +Inf and -Inf
// print as such. Float32 converts exactly: format that to see every digit.
func (b BFloat16) String() string {
	return shortestFloat(b.Float64(), b.IsNaN() || b.IsInf(0), func(d float64) bool { r, ok := bf16Format.roundFinite(d); return ok && BFloat16(r) == b })
}

// Float8E4M3From returns the Float8E4M3 nearest to f (ties to even),
// saturating: see Float8E4M3.
func Float8E4M3From(f float32) Float8E4M3 { return Float8E4M3(e4m3Format.round32(f)) }

// Float8E4M3FromFloat64 is Float8E4M3From for a float64, rounding f once.
func Float8E4M3FromFloat64(f float64) Float8E4M3 { return Float8E4M3(e4m3Format.round(f)) }

// Float32 returns x as a float32, exactly (a NaN as a quiet float32 NaN
// of its sign).
func (x Float8E4M3) Float32() float32 { return e4m3Values[x] }

// Float64 returns x as a float64, exactly.
func (x Float8E4M3) Float64() float64 { return float64(e4m3Values[x]) }

// IsNaN reports whether x is a NaN (0x7f or 0xff).
func (x Float8E4M3) IsNaN() bool { return x&0x7f == 0x7f }

// String returns x's value in decimal with the fewest digits that read
// back as the same Float8E4M3 without saturating, as BFloat16.String
// does: the largest value, 448, prints "450" (not "500", which reads back
// as 448 only by saturation); "NaN".
func (x Float8E4M3) String() string {
	return shortestFloat(x.Float64(), x.IsNaN(), func(d float64) bool { r, ok := e4m3Format.roundFinite(d); return ok && Float8E4M3(r) == x })
}

// Float8E5M2From returns the Float8E5M2 nearest to f (ties to even),
// saturating finite values: see Float8E5M2.
func Float8E5M2From(f float32) Float8E5M2 { return Float8E5M2(e5m2Format.round32(f)) }

// Float8E5M2FromFloat64 is Float8E5M2From for a float64, rounding f once.
func Float8E5M2FromFloat64(f float64) Float8E5M2 { return Float8E5M2(e5m2Format.round(f)) }

// Float32 returns x as a float32, exactly (a NaN keeps its sign and its
// payload, in the top bits of a float32 quiet NaN's).
func (x Float8E5M2) Float32() float32 { return e5m2Values[x] }

// Float64 returns x as a float64, exactly (a NaN as Float32 does).
func (x Float8E5M2) Float64() float64 {
	if x.IsNaN() {
		return math.Float64frombits(uint64(x&0x80)<<56 | 0x7ff<<52 | uint64(x&3)<<50)
	}
	return float64(e5m2Values[x])
}

// IsNaN reports whether x is a NaN.
func (x Float8E5M2) IsNaN() bool { return x&0x7c == 0x7c && x&0x03 != 0 }

// IsInf reports whether x is an infinity, according to sign: sign > 0
// tests for +Inf, sign < 0 for -Inf, sign == 0 for either.
func (x Float8E5M2) IsInf(sign int) bool {
	return x == 0x7c && sign >= 0 || x == 0xfc && sign <= 0
}

// String returns x's value in decimal with the fewest digits that read
// back as the same Float8E5M2 without saturating, as BFloat16.String
// does: the largest value,
// 57344, prints "60000"; "-Inf", "NaN".
func (x Float8E5M2) String() string {
	return shortestFloat(x.Float64(), x.IsNaN() || x.IsInf(0), func(d float64) bool { r, ok := e5m2Format.roundFinite(d); return ok && Float8E5M2(r) == x })
}

// shortestFloat formats f, the exact value of a small float, with the
// fewest significant digits that read back as the same small float (same
// reports whether a float64 rounds to it), the nearest to f among those
// with that many digits, in strconv's 'g' format. Specials (NaN, ±Inf)
// and zeros print as strconv prints them.
func shortestFloat(f float64, special bool, same func(float64) bool) string {
	if special || f == 0 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	for prec := 1; prec <= 17; prec++ {
		if d, ok := nearestDecimal(f, prec, same); ok {
			return strconv.FormatFloat(d, 'g', -1, 64)
		}
	}
	return strconv.FormatFloat(f, 'g', -1, 64) // unreachable: 17 digits give f itself
}

// nearestDecimal returns the decimal of prec significant digits nearest to
// f that same accepts, if there is one. The decimal nearest to f may miss
// where the values below f are closer together than those above (f a power
// of two) while its neighbour on the other side does not, so both
// neighbours are tried too.
func nearestDecimal(f float64, prec int, same func(float64) bool) (float64, bool) {
	e := strconv.FormatFloat(f, 'e', prec-1, 64) // "-d.ddde±XX"
	i := strings.IndexByte(e, 'e')
	digits, err1 := strconv.ParseInt(strings.Replace(e[:i], ".", "", 1), 10, 64)
	exp, err2 := strconv.Atoi(e[i+1:])
	if err1 != nil || err2 != nil {
		return 0, false
	}
	best, found := 0.0, false
	for _, m := range [3]int64{digits, digits - 1, digits + 1} {
		d, err := strconv.ParseFloat(strconv.FormatInt(m, 10)+"e"+strconv.Itoa(exp-(prec-1)), 64)
		if err != nil || !same(d) {
			continue
		}
		if !found || math.Abs(d-f) < math.Abs(best-f) {
			best, found = d, true
		}
	}
	return best, found
}
