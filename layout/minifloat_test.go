package layout_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// bf16Ref is the usual bit trick for float32 to bfloat16 with round to
// nearest even (PyTorch's round_to_nearest_even), for non-NaN values: an
// oracle independent of the package's rounding code.
func bf16Ref(f float32) layout.BFloat16 {
	b := math.Float32bits(f)
	return layout.BFloat16((b + 0x7fff + (b>>16)&1) >> 16)
}

func TestBFloat16AllPatterns(t *testing.T) {
	for i := range 1 << 16 {
		b := layout.BFloat16(i)
		f := b.Float32()
		if got := math.Float32bits(f); got != uint32(i)<<16 {
			t.Fatalf("%#04x.Float32() bits = %#08x, want %#08x", i, got, uint32(i)<<16)
		}
		if got := layout.BFloat16From(f); got != b {
			t.Fatalf("BFloat16From(%#04x.Float32()) = %#04x", i, got)
		}
		if got := layout.BFloat16FromFloat64(b.Float64()); got != b {
			t.Fatalf("BFloat16FromFloat64(%#04x.Float64()) = %#04x", i, got)
		}
		if b.IsNaN() != (f != f) || b.IsInf(0) != math.IsInf(float64(f), 0) {
			t.Fatalf("%#04x: IsNaN %v IsInf %v, value %v", i, b.IsNaN(), b.IsInf(0), f)
		}
		if math.Float64bits(b.Float64()) != math.Float64bits(float64(f)) && !b.IsNaN() {
			t.Fatalf("%#04x.Float64() = %v, want %v", i, b.Float64(), f)
		}
		checkString(t, b.String(), f, b.IsNaN(), func(d float64) bool { return layout.BFloat16FromFloat64(d) == b })
	}
}

// checkString checks that s reads back as the value (through same), that
// it is the shortest such decimal (no decimal with one digit less reads
// back), and the specials.
func checkString(t *testing.T, s string, f float32, nan bool, same func(float64) bool) {
	t.Helper()
	if nan {
		if s != "NaN" {
			t.Fatalf("NaN prints %q", s)
		}
		return
	}
	d, err := strconv.ParseFloat(s, 64)
	if err != nil || !same(d) {
		t.Fatalf("value %v prints %q, which reads back as %v (%v)", f, s, d, err)
	}
	if math.IsInf(float64(f), 0) || f == 0 {
		return
	}
	digits := len(strconv.FormatFloat(d, 'e', -1, 64)) - len("e+00") - 1 // "d.ddd"
	if d < 0 {
		digits--
	}
	if digits <= 1 {
		return
	}
	prec := digits - 1 // one significant digit less: every candidate near f must miss
	e := strconv.FormatFloat(math.Abs(float64(f)), 'e', prec-1, 64)
	i := strings.IndexByte(e, 'e')
	m, err1 := strconv.ParseInt(strings.Replace(e[:i], ".", "", 1), 10, 64)
	x, err2 := strconv.Atoi(e[i+1:])
	if err1 != nil || err2 != nil {
		t.Fatalf("parsing %q", e)
	}
	for _, k := range []int64{m - 1, m, m + 1} {
		v, _ := strconv.ParseFloat(strconv.FormatInt(k, 10)+"e"+strconv.Itoa(x-(prec-1)), 64)
		v = math.Copysign(v, float64(f))
		if same(v) {
			t.Fatalf("value %v prints %q, but %v with fewer digits reads back too", f, s, v)
		}
	}
}

func TestBFloat16Rounding(t *testing.T) {
	for _, c := range []struct {
		in   uint32
		want layout.BFloat16
	}{
		{0x3f808000, 0x3f80}, // 1 + 2^-8: a tie, to even (down)
		{0x3f818000, 0x3f82}, // a tie, to even (up)
		{0x3f808001, 0x3f81}, // just above the tie
		{0x3f807fff, 0x3f80}, // just below
		{0x7f7f7fff, 0x7f7f}, // just below the tie at the top: the largest finite
		{0x7f7f8000, 0x7f80}, // the tie between the largest and 2^128: to even, +Inf
		{0xff7f8000, 0xff80},
		{0x7f7fffff, 0x7f80}, // the largest float32 rounds to +Inf
		{0x00008000, 0x0000}, // subnormal tie, to even (zero)
		{0x00018000, 0x0002}, // subnormal tie, to even (up)
		{0x80008001, 0x8001},
		{0x7f800000, 0x7f80}, // +Inf kept
		{0xff800000, 0xff80}, // -Inf kept
		{0x7fc00000, 0x7fc0}, // quiet NaN kept
		{0xffc12345, 0xffc1}, // sign and top payload kept
		{0x7f800001, 0x7f81}, // a NaN whose top payload bits are zero stays a NaN
		{0x7f810000, 0x7f81}, // a signalling NaN keeps its payload
	} {
		if got := layout.BFloat16From(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("BFloat16From(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
	// Random values against the bit trick, and float64 against float32.
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		f := math.Float32frombits(r.Uint32())
		if f != f {
			continue
		}
		if got, want := layout.BFloat16From(f), bf16Ref(f); got != want {
			t.Fatalf("BFloat16From(%#08x) = %#04x, want %#04x", math.Float32bits(f), got, want)
		}
		if got, want := layout.BFloat16FromFloat64(float64(f)), bf16Ref(f); got != want {
			t.Fatalf("BFloat16FromFloat64(%#08x) = %#04x, want %#04x", math.Float32bits(f), got, want)
		}
	}
	// Rounding a float64 once: 1 + 2^-8 + 2^-40 is above the tie, though
	// as a float32 it is the tie itself.
	if got := layout.BFloat16FromFloat64(1 + 0x1p-8 + 0x1p-40); got != 0x3f81 {
		t.Errorf("BFloat16FromFloat64(1+2^-8+2^-40) = %#04x, want 0x3f81", got)
	}
	for _, c := range []struct {
		b    layout.BFloat16
		want string
	}{
		{layout.BFloat16From(0.1), "0.1"}, {layout.BFloat16From(1), "1"}, {layout.BFloat16From(-2.5), "-2.5"},
		{0x7f7f, "3.39e+38"}, {0x0001, "9e-41"}, {0x7f80, "+Inf"}, {0xff80, "-Inf"}, {0x7fc0, "NaN"},
		{0x8000, "-0"}, {layout.BFloat16From(3.140625), "3.14"},
	} {
		if got := c.b.String(); got != c.want {
			t.Errorf("%#04x.String() = %q, want %q", uint16(c.b), got, c.want)
		}
	}
}

// fp8Format describes an FP8 format for the brute-force oracle.
type fp8Format struct {
	name      string
	from      func(float32) uint8
	from64    func(float64) uint8
	value     func(uint8) float32
	str       func(uint8) string
	isNaN     func(uint8) bool
	maxFinite uint8
	inf       uint8   // 0: none
	limit     float64 // the largest magnitude that rounds to maxFinite without saturating
}

var fp8Formats = []fp8Format{
	{
		name: "E4M3", maxFinite: 0x7e, limit: 464, // the tie with 480 goes to 448, the even one
		from:   func(f float32) uint8 { return uint8(layout.Float8E4M3From(f)) },
		from64: func(f float64) uint8 { return uint8(layout.Float8E4M3FromFloat64(f)) },
		value:  func(b uint8) float32 { return layout.Float8E4M3(b).Float32() },
		str:    func(b uint8) string { return layout.Float8E4M3(b).String() },
		isNaN:  func(b uint8) bool { return layout.Float8E4M3(b).IsNaN() },
	},
	{
		name: "E5M2", maxFinite: 0x7b, inf: 0x7c, limit: math.Nextafter(61440, 0), // the tie goes to 65536, the even one: overflow
		from:   func(f float32) uint8 { return uint8(layout.Float8E5M2From(f)) },
		from64: func(f float64) uint8 { return uint8(layout.Float8E5M2FromFloat64(f)) },
		value:  func(b uint8) float32 { return layout.Float8E5M2(b).Float32() },
		str:    func(b uint8) string { return layout.Float8E5M2(b).String() },
		isNaN:  func(b uint8) bool { return layout.Float8E5M2(b).IsNaN() },
	},
}

// nearest is the brute-force oracle: the finite pattern nearest to f
// (ties to the even pattern), saturating at the largest finite value,
// over the values the package computes for each pattern, which
// TestFloat8Values checks independently.
func (p *fp8Format) nearest(f float64) uint8 {
	best, bestD := -1, math.Inf(1)
	for i := range 256 {
		b := uint8(i)
		if p.isNaN(b) || (p.inf != 0 && b&0x7f == p.inf) {
			continue
		}
		v := float64(p.value(b))
		if v == 0 && math.Signbit(v) != math.Signbit(f) {
			continue // keep the sign of zero
		}
		d := math.Abs(v - f)
		if d < bestD || d == bestD && b&1 == 0 {
			best, bestD = i, d
		}
	}
	return uint8(best)
}

func TestFloat8Values(t *testing.T) {
	// Independent of the package: the definitions.
	e4m3 := func(b uint8) float64 {
		s := 1.0
		if b&0x80 != 0 {
			s = -1
		}
		e, m := int(b>>3&0xf), float64(b&7)
		if e == 0 {
			return s * m / 8 * math.Pow(2, -6)
		}
		return s * (1 + m/8) * math.Pow(2, float64(e-7))
	}
	e5m2 := func(b uint8) float64 {
		s := 1.0
		if b&0x80 != 0 {
			s = -1
		}
		e, m := int(b>>2&0x1f), float64(b&3)
		if e == 31 && m == 0 {
			return s * math.Inf(1)
		}
		if e == 0 {
			return s * m / 4 * math.Pow(2, -14)
		}
		return s * (1 + m/4) * math.Pow(2, float64(e-15))
	}
	for i := range 256 {
		b := uint8(i)
		x, y := layout.Float8E4M3(b), layout.Float8E5M2(b)
		if wantNaN := b&0x7f == 0x7f; x.IsNaN() != wantNaN {
			t.Errorf("E4M3 %#02x IsNaN = %v", b, x.IsNaN())
		} else if !wantNaN && (x.Float32() != float32(e4m3(b)) || math.Signbit(float64(x.Float32())) != (b&0x80 != 0)) {
			t.Errorf("E4M3 %#02x = %v, want %v", b, x.Float32(), e4m3(b))
		}
		if wantNaN := b&0x7c == 0x7c && b&3 != 0; y.IsNaN() != wantNaN {
			t.Errorf("E5M2 %#02x IsNaN = %v", b, y.IsNaN())
		} else if !wantNaN && (y.Float32() != float32(e5m2(b)) || math.Signbit(float64(y.Float32())) != (b&0x80 != 0)) {
			t.Errorf("E5M2 %#02x = %v, want %v", b, y.Float32(), e5m2(b))
		}
		if x.Float64() != float64(x.Float32()) && !x.IsNaN() || y.Float64() != float64(y.Float32()) && !y.IsNaN() {
			t.Errorf("%#02x: Float64 differs from Float32", b)
		}
	}
	for _, c := range []struct {
		got, want float32
	}{
		{layout.Float8E4M3(0x7e).Float32(), 448}, {layout.Float8E4M3(0x01).Float32(), 0x1p-9},
		{layout.Float8E4M3(0x08).Float32(), 0x1p-6}, {layout.Float8E4M3(0x38).Float32(), 1},
		{layout.Float8E5M2(0x7b).Float32(), 57344}, {layout.Float8E5M2(0x01).Float32(), 0x1p-16},
		{layout.Float8E5M2(0x3c).Float32(), 1}, {layout.Float8E5M2(0xfb).Float32(), -57344},
	} {
		if c.got != c.want {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
	if !layout.Float8E5M2(0x7c).IsInf(1) || !layout.Float8E5M2(0xfc).IsInf(-1) || layout.Float8E5M2(0x7c).IsInf(-1) {
		t.Error("E5M2 infinities")
	}
}

func TestFloat8AllPatterns(t *testing.T) {
	for _, p := range fp8Formats {
		t.Run(p.name, func(t *testing.T) {
			for i := range 256 {
				b := uint8(i)
				f := p.value(b)
				if p.isNaN(b) {
					if f == f {
						t.Fatalf("%#02x: NaN pattern has value %v", b, f)
					}
					if p.inf != 0 { // E5M2: payload kept both ways
						if got := p.from(f); got != b {
							t.Fatalf("from(%#02x as float32 %#08x) = %#02x", b, math.Float32bits(f), got)
						}
					} else if got := p.from(f); got != b&0x80|0x7f {
						t.Fatalf("from(NaN %#02x) = %#02x", b, got)
					}
				} else {
					if got := p.from(f); got != b {
						t.Fatalf("from(%#02x.Float32() = %v) = %#02x", b, f, got)
					}
					if got := p.from64(float64(f)); got != b {
						t.Fatalf("from64(%v) = %#02x, want %#02x", f, got, b)
					}
				}
				checkString(t, p.str(b), f, p.isNaN(b), func(d float64) bool {
					// Reads back without saturating.
					return p.from64(d) == b && (p.inf != 0 && b&0x7f == p.inf || math.Abs(d) <= p.limit)
				})
			}
		})
	}
}

func TestFloat8Rounding(t *testing.T) {
	for _, p := range fp8Formats {
		t.Run(p.name, func(t *testing.T) {
			// Every midpoint between neighbours, and just off it, and
			// random values in and beyond the range.
			var vals []float64
			for i := range 0x7f {
				a, b := float64(p.value(uint8(i))), float64(p.value(uint8(i+1)))
				if math.IsNaN(b) || math.IsInf(b, 0) {
					continue
				}
				m := (a + b) / 2
				vals = append(vals, m, math.Nextafter(m, 0), math.Nextafter(m, math.Inf(1)), a, -m, -a)
			}
			r := rand.New(rand.NewPCG(3, 4))
			for range 20000 {
				vals = append(vals, (r.Float64()*2-1)*math.Pow(2, float64(r.IntN(40)-24)))
			}
			for _, f := range vals {
				want := p.nearest(f)
				if got := p.from64(f); got != want {
					t.Fatalf("from64(%v) = %#02x (%v), want %#02x (%v)", f, got, p.value(got), want, p.value(want))
				}
				if f32 := float32(f); float64(f32) == f {
					if got := p.from(f32); got != want {
						t.Fatalf("from(%v) = %#02x, want %#02x", f, got, want)
					}
				}
			}
		})
	}
	e4 := func(f float32) layout.Float8E4M3 { return layout.Float8E4M3From(f) }
	e5 := func(f float32) layout.Float8E5M2 { return layout.Float8E5M2From(f) }
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	for _, c := range []struct {
		got, want uint8
		what      string
	}{
		{uint8(e4(449)), 0x7e, "E4M3 449 saturates"},
		{uint8(e4(464)), 0x7e, "E4M3 464, the tie above 448, saturates"},
		{uint8(e4(1e6)), 0x7e, "E4M3 1e6 saturates"},
		{uint8(e4(math.MaxFloat32)), 0x7e, "E4M3 MaxFloat32 saturates"},
		{uint8(e4(inf)), 0x7e, "E4M3 +Inf saturates"},
		{uint8(e4(-inf)), 0xfe, "E4M3 -Inf saturates"},
		{uint8(e4(nan)), 0x7f, "E4M3 NaN"},
		{uint8(e4(-nan)), 0xff, "E4M3 -NaN"},
		{uint8(e4(0x1p-10)), 0x00, "E4M3 half the smallest subnormal: tie to zero"},
		{uint8(e4(0x1.8p-10)), 0x01, "E4M3 3/4 of the smallest subnormal"},
		{uint8(e4(0x1.8p-9)), 0x02, "E4M3 subnormal tie to even"},
		{uint8(e4(float32(math.Copysign(0, -1)))), 0x80, "E4M3 -0"},
		{uint8(e4(1.0625)), 0x38, "E4M3 1+1/16 tie to even (down)"},
		{uint8(e4(1.1875)), 0x3a, "E4M3 1+3/16 tie to even (up)"},
		{uint8(e5(61440)), 0x7b, "E5M2 61440 (the tie above 57344) saturates"},
		{uint8(e5(1e9)), 0x7b, "E5M2 1e9 saturates"},
		{uint8(e5(-1e9)), 0xfb, "E5M2 -1e9 saturates"},
		{uint8(e5(inf)), 0x7c, "E5M2 +Inf kept"},
		{uint8(e5(-inf)), 0xfc, "E5M2 -Inf kept"},
		{uint8(e5(nan)), 0x7e, "E5M2 quiet NaN"},
		{uint8(e5(-nan)), 0xfe, "E5M2 -NaN"},
		{uint8(e5(math.Float32frombits(0x7f800001))), 0x7d, "E5M2 NaN with a low payload stays a NaN"},
		{uint8(e5(0x1p-17)), 0x00, "E5M2 half the smallest subnormal"},
		{uint8(e5(1.125)), 0x3c, "E5M2 1+1/8 tie to even (down)"},
		{uint8(e5(1.375)), 0x3e, "E5M2 1+3/8 tie to even (up)"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %#02x, want %#02x", c.what, c.got, c.want)
		}
	}
	for _, c := range []struct{ got, want string }{
		{layout.Float8E4M3(0x7e).String(), "450"}, {layout.Float8E4M3(0xfe).String(), "-450"},
		{layout.Float8E4M3(0x7f).String(), "NaN"}, {layout.Float8E4M3(0x38).String(), "1"},
		{layout.Float8E4M3(0x01).String(), "0.002"}, {layout.Float8E4M3From(0.1).String(), "0.1"},
		{layout.Float8E5M2(0x7b).String(), "60000"}, {layout.Float8E5M2(0x7c).String(), "+Inf"},
		{layout.Float8E5M2(0xfc).String(), "-Inf"}, {layout.Float8E5M2(0x80).String(), "-0"},
		{layout.Float8E5M2From(-3).String(), "-3"},
	} {
		if c.got != c.want {
			t.Errorf("String() = %q, want %q", c.got, c.want)
		}
	}
}

func TestMinifloatDTypes(t *testing.T) {
	bf, err := layout.Of[layout.BFloat16]()
	if err != nil {
		t.Fatal(err)
	}
	e4, _ := layout.Of[layout.Float8E4M3]()
	e5, _ := layout.Of[layout.Float8E5M2]()
	u16, _ := layout.Of[uint16]()
	f16, _ := layout.Of[layout.Float16]()
	u8, _ := layout.Of[uint8]()
	for _, c := range []struct {
		d          *layout.DType
		kind       layout.Kind
		name       string
		size, algn int
	}{
		{bf, layout.BFloat, "bfloat16", 2, 2},
		{e4, layout.FloatE4M3, "float8_e4m3fn", 1, 1},
		{e5, layout.FloatE5M2, "float8_e5m2", 1, 1},
	} {
		if c.d.Kind() != c.kind || c.d.Kind().String() != c.name || c.d.Size() != c.size || c.d.Align() != c.algn {
			t.Errorf("%s: kind %v size %d align %d", c.name, c.d.Kind(), c.d.Size(), c.d.Align())
		}
		if err := layout.Compatible(c.d, c.d); err != nil {
			t.Errorf("%s not compatible with itself: %v", c.name, err)
		}
		if err := c.d.CheckNumPy(); !errors.Is(err, layout.ErrDType) {
			t.Errorf("%s: CheckNumPy = %v", c.name, err)
		}
		if _, err := layout.ParseDescr(c.d.Descr()); err == nil {
			t.Errorf("ParseDescr(%s) parsed a dtype NumPy does not have", c.d.Descr())
		}
	}
	if bf.Order() != layout.HostOrder() || e4.Order() != layout.NotApplicable {
		t.Errorf("orders: %v %v", bf.Order(), e4.Order())
	}
	if bf.Str() != layout.HostOrder().String()+"bfloat16" || e4.Str() != "|float8_e4m3fn" {
		t.Errorf("Str: %q %q", bf.Str(), e4.Str())
	}
	// A BF16 file tensor needs BFloat16: not uint16, not Float16; and the
	// other way round.
	for _, c := range [][2]*layout.DType{{bf, u16}, {bf, f16}, {u16, bf}, {f16, bf}, {e4, u8}, {e4, e5}, {e5, e4}, {u8, e5}} {
		if err := layout.Compatible(c[0], c[1]); !errors.Is(err, layout.ErrDType) {
			t.Errorf("Compatible(%s, %s) = %v, want ErrDType", c[0], c[1], err)
		}
	}
	// Swapped BF16 is the other order; SwapBytes swaps it.
	if sw := bf.Swapped(); sw.Order() == bf.Order() || sw.Kind() != layout.BFloat {
		t.Errorf("Swapped: %s", sw)
	}
	if _, err := layout.NewConverter(bf.Swapped(), bf); err != nil {
		t.Errorf("NewConverter over swapped bfloat16: %v", err)
	}
}

func TestMinifloatNotInNpy(t *testing.T) {
	type rec struct {
		X float32
		W layout.BFloat16
	}
	for _, d := range []*layout.DType{
		must(layout.Of[layout.BFloat16]()), must(layout.Of[layout.Float8E4M3]()),
		must(layout.Of[layout.Float8E5M2]()), must(layout.Of[rec]()),
	} {
		h := header.Header{DType: d, Shape: []int64{3}}
		_, err := h.Encode()
		if !errors.Is(err, layout.ErrDType) {
			t.Errorf("Encode of %s: %v, want ErrDType", d, err)
			continue
		}
		t.Logf("%s: %v", d, err)
	}
	if err := must(layout.Of[rec]()).CheckNumPy(); err == nil || !contains(err.Error(), `field "W"`) || !contains(err.Error(), "uint16") {
		t.Errorf("CheckNumPy of a struct: %v", err)
	}
	if err := must(layout.Of[float32]()).CheckNumPy(); err != nil {
		t.Errorf("CheckNumPy(float32) = %v", err)
	}
}

func must(d *layout.DType, err error) *layout.DType {
	if err != nil {
		panic(err)
	}
	return d
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
