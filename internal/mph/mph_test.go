package mph

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// splitmix returns the i-th number of the splitmix64 sequence, as
// testdata/lookup.py computes it.
func splitmix(i uint64) uint64 {
	z := i*0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// checkIndex builds hs and checks that Lookup, LookupMany and Bucket+Slot map
// them one to one onto [0, len(hs)).
func checkIndex(t *testing.T, hs []uint64, opt *Options) (Params, []uint8, []uint32) {
	t.Helper()
	orig := slices.Clone(hs)
	p, pilots, remap, err := Build(hs, opt)
	if err != nil {
		t.Fatalf("Build(%d hashes, %+v): %v", len(hs), opt, err)
	}
	if !slices.Equal(hs, orig) {
		t.Fatal("Build modified its input")
	}
	if p.Keys != uint64(len(hs)) || uint64(len(pilots)) != p.PilotsLen() || uint64(len(remap)) != p.RemapLen() {
		t.Fatalf("Params %+v with %d pilots and %d remap entries for %d hashes", p, len(pilots), len(remap), len(hs))
	}
	x, err := NewIndex(p, pilots, remap)
	if err != nil {
		t.Fatal(err)
	}
	if x.Params() != p {
		t.Fatalf("Params() = %+v, want %+v", x.Params(), p)
	}
	seen := make([]bool, len(hs))
	many := make([]uint64, len(hs))
	x.LookupMany(hs, many)
	for i, h := range hs {
		j := x.Lookup(h)
		if j >= uint64(len(hs)) {
			t.Fatalf("n=%d: Lookup(%#x) = %d, out of range", len(hs), h, j)
		}
		if seen[j] {
			t.Fatalf("n=%d: Lookup(%#x) = %d, given twice", len(hs), h, j)
		}
		seen[j] = true
		if many[i] != j {
			t.Fatalf("n=%d: LookupMany gives %d for %#x, Lookup %d", len(hs), many[i], h, j)
		}
		if k := x.Slot(h, x.Bucket(h)); k != j {
			t.Fatalf("n=%d: Slot(Bucket) gives %d for %#x, Lookup %d", len(hs), k, h, j)
		}
	}
	return p, pilots, remap
}

func TestBuildSizes(t *testing.T) {
	var sizes []int
	for n := range 101 {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 1000, 100_000, 1_000_000)
	for _, n := range sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			p, _, _ := checkIndex(t, randomHashes(n, 7), nil)
			if n >= 100_000 {
				if b := bitsPerKey(p); b > 2.7 {
					t.Errorf("%.3f bits/key at %d keys, want at most 2.7", b, n)
				}
			}
		})
	}
}

// TestBuildSeeds builds many small and middle sets, each of which must
// succeed at the defaults (ErrRetry is to be rare enough never to be seen).
func TestBuildSeeds(t *testing.T) {
	for seed := range uint64(200) {
		n := int(splitmix(seed) % 5000)
		checkIndex(t, randomHashes(n, 100+seed), nil)
	}
}

func TestBuildOptions(t *testing.T) {
	hs := randomHashes(20_000, 3)
	for _, opt := range []*Options{
		{PartKeys: 1000},               // 20 parts
		{PartKeys: 1},                  // one key per part on average
		{PartKeys: 7, Alpha: 0.9},      // small parts need room
		{Lambda: 4, Alpha: 0.995},      // denser
		{Lambda: 1, Alpha: 0.8},        // sparse
		{Lambda: 3, PartKeys: 1 << 30}, // one part
		{Alpha: 1, Lambda: 2},          // no spare slot, no remap
		{Lambda: 4, PartKeys: 100_000}, // large buckets
		{Alpha: 0.998},                 // nearly full
	} {
		t.Run(fmt.Sprintf("%+v", *opt), func(t *testing.T) {
			p, _, remap := checkIndex(t, hs, opt)
			if opt.Alpha == 1 && len(remap) != 0 {
				t.Errorf("Alpha 1: %d remap entries, Params %+v", len(remap), p)
			}
		})
	}
}

// TestDuplicateLargeBucket duplicates the smallest hash of a one-part build,
// which falls into the first and largest bucket.
func TestDuplicateLargeBucket(t *testing.T) {
	hs := randomHashes(100_000, 6)
	least := slices.Min(hs)
	hs = append(hs, least)
	_, _, _, err := Build(hs, nil)
	var dup *DuplicateError
	if !errors.As(err, &dup) || dup.Hash != least {
		t.Errorf("Build with a duplicate in the largest bucket: %v, want a DuplicateError naming %#x", err, least)
	}
}

func TestDuplicate(t *testing.T) {
	for _, n := range []int{2, 10, 1000, 600_000} {
		hs := randomHashes(n, 5)
		hs[n-1] = hs[n/3]
		_, _, _, err := Build(hs, nil)
		var dup *DuplicateError
		if !errors.Is(err, ErrDuplicate) || !errors.As(err, &dup) || dup.Hash != hs[n/3] {
			t.Errorf("n=%d: Build with a duplicate: %v, want a DuplicateError naming %#x", n, err, hs[n/3])
		}
	}
}

func TestDeterministic(t *testing.T) {
	hs := randomHashes(300_000, 11)
	p1, pilots1, remap1, err := Build(hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(hs), func(i, j int) { hs[i], hs[j] = hs[j], hs[i] })
	p2, pilots2, remap2, err := Build(hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 || !slices.Equal(pilots1, pilots2) || !slices.Equal(remap1, remap2) {
		t.Error("two builds of the same hashes in another order differ")
	}
}

// TestLookupGolden checks Lookup on fixed arrays against the values
// testdata/lookup.py computes from the package doc's arithmetic.
func TestLookupGolden(t *testing.T) {
	hs := []uint64{0, math.MaxUint64, 1 << 63, 1}
	for i := range uint64(40) {
		hs = append(hs, splitmix(i))
	}
	for _, c := range []struct {
		p    Params
		want []uint64
	}{
		{Params{Keys: 10, Parts: 3, Buckets: 5, Slots: 4}, []uint64{
			1, 8, 5, 1, 9, 4, 0, 3, 3, 1, 1, 8, 1, 9, 6, 0, 4, 5, 3, 5, 7, 3, 0, 9, 3, 4, 0, 2, 9, 7, 5, 2, 6, 8, 3, 0, 3, 0, 0, 5, 3, 1, 6, 2}},
		{Params{Keys: 1000, Parts: 3, Buckets: 97, Slots: 340}, []uint64{
			105, 826, 564, 160, 861, 361, 13, 894, 176, 300, 116, 911, 172, 721, 615, 722, 658, 465, 743, 510, 399, 817, 71, 876,
			4294967295, 567, 692, 34, 923, 646, 665, 5, 376, 739, 993, 110, 283, 16, 743, 397, 146, 289, 479, 267}},
	} {
		p := c.p
		pilots := make([]uint8, p.PilotsLen())
		for i := range pilots {
			pilots[i] = uint8(i*37 + 11)
		}
		remap := make([]uint32, p.RemapLen())
		for i := range remap {
			remap[i] = uint32(i * 13 % int(p.Keys))
			if i%3 == 2 {
				remap[i] = 0xFFFFFFFF
			}
		}
		x, err := NewIndex(p, pilots, remap)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hs {
			if got := x.Lookup(h); got != c.want[i] {
				t.Errorf("%+v: Lookup(%#x) = %d, want %d", p, h, got, c.want[i])
			}
		}
	}
}

// TestBuildGolden fixes the format: the Params, pilots and remap array of a
// fixed input, hashed, and the indexes of a few hashes. A change of the
// arithmetic or of the build fails it; so would a platform difference.
func TestBuildGolden(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		opt  *Options
		sum  string
		idx  [4]uint64
		want Params
	}{
		{5000, &Options{PartKeys: 1000},
			"8a84a3ca8cdd8122e983fa0056fde91a83844a46b5bdd58bbfb73ed03bd0b46b",
			[4]uint64{4806, 1404, 4407, 984},
			Params{Keys: 5000, Parts: 5, Buckets: 546, Slots: 1159}},
		{300_000, nil,
			"4f3bc455fa49f8df179ca52915b2243b4db0d49c2221d3669128a7455bd75827",
			[4]uint64{236427, 209659, 97457, 152534},
			Params{Keys: 300_000, Parts: 1, Buckets: 85715, Slots: 303031}},
	} {
		hs := make([]uint64, c.n)
		for i := range hs {
			hs[i] = splitmix(uint64(i))
		}
		p, pilots, remap, err := Build(hs, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.New()
		binary.Write(sum, binary.LittleEndian, p)
		sum.Write(pilots)
		binary.Write(sum, binary.LittleEndian, remap)
		x, err := NewIndex(p, pilots, remap)
		if err != nil {
			t.Fatal(err)
		}
		var idx [4]uint64
		for i := range idx {
			idx[i] = x.Lookup(hs[uint64(i)*c.n/4])
		}
		got := hex.EncodeToString(sum.Sum(nil))
		if got != c.sum || idx != c.idx || p != c.want {
			t.Errorf("n=%d %+v: Params %#v, sha256 %s, indexes %v; want %#v, %s, %v", c.n, c.opt, p, got, idx, c.want, c.sum, c.idx)
		}
	}
}

func TestNewParams(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		opt  *Options
		want Params
	}{
		{0, nil, Params{Keys: 0, Parts: 1, Buckets: 1, Slots: 1}},
		{1, nil, Params{Keys: 1, Parts: 1, Buckets: 1, Slots: 2}},
		{99, nil, Params{Keys: 99, Parts: 1, Buckets: 92, Slots: 100}},
		{1000, &Options{Alpha: 1, Lambda: 4}, Params{Keys: 1000, Parts: 1, Buckets: 500, Slots: 1000}},
		{1000, &Options{PartKeys: 300}, Params{Keys: 1000, Parts: 3, Buckets: 261, Slots: 425}},
		{5000, nil, Params{Keys: 5000, Parts: 1, Buckets: 1429, Slots: 5051}},
		{MaxKeys, nil, Params{Keys: MaxKeys, Parts: 21845, Buckets: 56175, Slots: 198829}},
	} {
		p, err := NewParams(c.n, c.opt)
		if err != nil || p != c.want {
			t.Errorf("NewParams(%d, %+v) = %+v, %v; want %+v", c.n, c.opt, p, err, c.want)
		}
		if err == nil && p.Parts*p.Slots < p.Keys {
			t.Errorf("NewParams(%d, %+v): %+v has fewer slots than keys", c.n, c.opt, p)
		}
	}
	for _, c := range []struct {
		n   uint64
		opt *Options
	}{
		{MaxKeys + 1, nil},
		{1 << 63, nil},
		{10, &Options{Lambda: -1}},
		{10, &Options{Lambda: 4.01}},
		{10, &Options{Lambda: math.NaN()}},
		{10, &Options{Alpha: 1.01}},
		{10, &Options{Alpha: 0.1}},
		{10, &Options{Alpha: math.Inf(1)}},
		{10, &Options{PartKeys: -1}},
	} {
		if _, err := NewParams(c.n, c.opt); !errors.Is(err, ErrParams) {
			t.Errorf("NewParams(%d, %+v): %v, want ErrParams", c.n, c.opt, err)
		}
	}
}

func TestValidate(t *testing.T) {
	const max = math.MaxUint64
	for _, p := range []Params{
		{Keys: 1, Parts: 0, Buckets: 1, Slots: 1},
		{Keys: 1, Parts: 1, Buckets: 0, Slots: 1},
		{Keys: 1, Parts: 1, Buckets: 1, Slots: 0},
		{Keys: 3, Parts: 1, Buckets: 1, Slots: 2},             // fewer slots than keys
		{Keys: MaxKeys + 1, Parts: 1, Buckets: 1, Slots: max}, // too many keys
		{Keys: 1, Parts: 1 << 32, Buckets: 1 << 32, Slots: 1}, // pilots overflow
		{Keys: 1, Parts: 1 << 33, Buckets: 1, Slots: 1 << 31}, // slots overflow
		{Keys: 1, Parts: 2, Buckets: 1, Slots: max / 2},       // remap too long
		{Keys: 1, Parts: 1, Buckets: max, Slots: 1},           // pilots too long
		{Keys: 0, Parts: 1, Buckets: 1, Slots: maxInt/4 + 1},  // remap bytes overflow an int
	} {
		if err := p.Validate(); !errors.Is(err, ErrParams) {
			t.Errorf("%+v.Validate() = %v, want ErrParams", p, err)
		}
		if _, err := NewIndex(p, nil, nil); !errors.Is(err, ErrParams) {
			t.Errorf("NewIndex(%+v) = %v, want ErrParams", p, err)
		}
		b := NewBuilder(p)
		if err := b.BuildPart(0, nil, nil); !errors.Is(err, ErrParams) {
			t.Errorf("NewBuilder(%+v).BuildPart = %v, want ErrParams", p, err)
		}
		if err := b.Remap(nil); !errors.Is(err, ErrParams) {
			t.Errorf("NewBuilder(%+v).Remap = %v, want ErrParams", p, err)
		}
	}
	good := Params{Keys: 10, Parts: 2, Buckets: 3, Slots: 6}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ pilots, remap int }{{5, 2}, {6, 1}, {6, 3}, {0, 0}} {
		if _, err := NewIndex(good, make([]uint8, c.pilots), make([]uint32, c.remap)); !errors.Is(err, ErrParams) {
			t.Errorf("NewIndex(%+v, %d pilots, %d remap) = %v, want ErrParams", good, c.pilots, c.remap, err)
		}
	}
}

func TestBuilderErrors(t *testing.T) {
	hs := randomHashes(3000, 9)
	p, err := NewParams(uint64(len(hs)), &Options{PartKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byPart := make([][]uint64, p.Parts)
	for _, h := range hs {
		byPart[p.Part(h)] = append(byPart[p.Part(h)], h)
	}
	b := NewBuilder(p)
	pilots := make([]uint8, p.PilotsLen())
	remap := make([]uint32, p.RemapLen())
	part := func(i uint64) []uint8 { return pilots[i*p.Buckets : (i+1)*p.Buckets] }
	check := func(what string, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", what, err, want)
		}
	}
	check("part out of range", b.BuildPart(p.Parts, nil, part(0)), ErrInput)
	check("short pilots", b.BuildPart(0, byPart[0], part(0)[1:]), ErrInput)
	check("hash of another part", b.BuildPart(0, byPart[1], part(0)), ErrInput)
	check("Remap before the parts", b.Remap(remap), ErrInput)
	over := make([]uint64, p.Slots+1)
	check("part too full", b.BuildPart(0, over, part(0)), ErrRetry)
	for i := range p.Parts {
		check(fmt.Sprint("part ", i), b.BuildPart(i, byPart[i], part(i)), nil)
	}
	check("short remap", b.Remap(remap[1:]), ErrInput)
	// A part built again with a hash less: one hash short in all.
	check("part 0 again", b.BuildPart(0, byPart[0][1:], part(0)), nil)
	check("Remap, a hash short", b.Remap(remap), ErrInput)
	check("part 0 again", b.BuildPart(0, byPart[0], part(0)), nil)
	check("Remap", b.Remap(remap), nil)
	x, err := NewIndex(p, pilots, remap)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[uint64]bool)
	for _, h := range hs {
		i := x.Lookup(h)
		if i >= p.Keys || seen[i] {
			t.Fatalf("Lookup(%#x) = %d after a rebuild of a part", h, i)
		}
		seen[i] = true
	}
}

// TestRetry builds a part denser than any pilot search can finish.
func TestRetry(t *testing.T) {
	// Alpha 1 and few large buckets: slots are short, placement runs out of
	// pilots.
	hs := randomHashes(50_000, 4)
	_, _, _, err := Build(hs, &Options{Alpha: 1, Lambda: 4})
	if err != nil && !errors.Is(err, ErrRetry) {
		t.Fatalf("Build: %v, want nil or ErrRetry", err)
	}
	if err == nil {
		t.Log("the dense build succeeded: nothing to check")
	}
}

func TestLookupAllocs(t *testing.T) {
	hs := randomHashes(10_000, 1)
	p, pilots, remap, err := Build(hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	x, err := NewIndex(p, pilots, remap)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]uint64, 100)
	var sum uint64
	if n := testing.AllocsPerRun(100, func() {
		for _, h := range hs[:100] {
			sum += x.Lookup(h)
		}
		x.LookupMany(hs[:100], out)
	}); n != 0 {
		t.Errorf("Lookup and LookupMany allocate %v times", n)
	}
	sink = sum
}

// TestNearFullPart builds a part 4.5 standard deviations fuller than the
// average, at the defaults: a load above 0.998, which one part in about
// 300,000 reaches.
func TestNearFullPart(t *testing.T) {
	p, err := NewParams(2*DefaultPartKeys, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := float64(DefaultPartKeys)
	want := int(m + 4.5*math.Sqrt(m))
	var hs []uint64
	for i := uint64(0); len(hs) < want; i++ {
		if h := splitmix(i); p.Part(h) == 0 {
			hs = append(hs, h)
		}
	}
	t.Logf("%d hashes in %d slots: load %.4f", len(hs), p.Slots, float64(len(hs))/float64(p.Slots))
	b := NewBuilder(p)
	pilots := make([]uint8, p.Buckets)
	if err := b.BuildPart(0, hs, pilots); err != nil {
		t.Fatal(err)
	}
}
