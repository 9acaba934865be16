package mph

import (
	"fmt"
	"math"
	"math/bits"
)

// MaxKeys is the largest number of hashes an index holds: remap entries are
// unsigned 32-bit indexes, and 0xFFFFFFFF marks an unused one.
const MaxKeys = 1<<32 - 1

// The constants of the slot function (see the package doc).
const (
	pilotMul = 0x9E3779B97F4A7C15 // C: spreads a pilot over 64 bits
	slotMul  = 0xD6E8FEB86659FD93 // M: mixes the hash and the pilot
)

// Defaults of Options.
const (
	DefaultLambda   = 3.5     // hashes per bucket
	DefaultAlpha    = 0.99    // hashes per slot
	DefaultPartKeys = 3 << 16 // hashes per part (at least)
)

// unused marks a remap entry of a slot that no hash occupies.
const unused = math.MaxUint32

// maxInt is the largest length of a slice on this platform.
const maxInt = uint64(math.MaxInt)

// Options tune a build. A nil *Options, or a zero field, means the default.
type Options struct {
	// Lambda is the average number of hashes per bucket, in [0.5, 4]; the
	// pilots cost 8/Lambda bits per key. Larger is smaller and slower to
	// build. Default DefaultLambda. (Above 4, 256 pilots are too few: most
	// builds at Alpha 0.99 fail.) Parts of fewer than 3000 hashes get more
	// buckets (see the package doc).
	Lambda float64

	// Alpha is the load factor, hashes per slot, in [0.5, 1]; the remap
	// costs about 32*(1/Alpha-1) bits per key. Closer to 1 is smaller and
	// slower to build. Default DefaultAlpha.
	Alpha float64

	// PartKeys is the least number of hashes per part on average: a build
	// of fewer than 2*PartKeys hashes has one part. A part's build works in
	// memory proportional to its size; parts much smaller than the default
	// need more spare slots (see the package doc). At least 1. Default
	// DefaultPartKeys.
	PartKeys int
}

// Params describe an index: the number of hashes and the shape of its arrays.
// They are stored with the arrays; Lookup needs nothing else.
type Params struct {
	Keys    uint64 // N, the number of hashes
	Parts   uint64 // P, at least 1
	Buckets uint64 // B, buckets (pilots) per part, at least 1
	Slots   uint64 // S, slots per part, at least 1; P*S >= N
}

// NewParams chooses the Params of an index of n hashes. It returns an error
// wrapping ErrParams if n is above MaxKeys or an option is out of range.
func NewParams(n uint64, opt *Options) (Params, error) {
	lambda, alpha, partKeys := DefaultLambda, DefaultAlpha, DefaultPartKeys
	if opt != nil {
		if opt.Lambda != 0 {
			lambda = opt.Lambda
		}
		if opt.Alpha != 0 {
			alpha = opt.Alpha
		}
		if opt.PartKeys != 0 {
			partKeys = opt.PartKeys
		}
	}
	switch {
	case n > MaxKeys:
		return Params{}, fmt.Errorf("%w: %d keys, at most %d", ErrParams, n, uint64(MaxKeys))
	case !(lambda >= 0.5 && lambda <= 4):
		return Params{}, fmt.Errorf("%w: Lambda %v not in [0.5, 4]", ErrParams, lambda)
	case !(alpha >= 0.5 && alpha <= 1):
		return Params{}, fmt.Errorf("%w: Alpha %v not in [0.5, 1]", ErrParams, alpha)
	case partKeys < 1:
		return Params{}, fmt.Errorf("%w: PartKeys %d below 1", ErrParams, partKeys)
	}
	if n == 0 {
		return Params{Keys: 0, Parts: 1, Buckets: 1, Slots: 1}, nil
	}
	parts := n / uint64(partKeys)
	if parts == 0 {
		parts = 1
	}
	m := float64(n) / float64(parts)
	slots := uint64(math.Ceil(m / alpha))
	if parts > 1 {
		// The number of hashes in a part varies, by about sqrt(m): leave
		// room for 5 times that, or too many builds of small parts (those of
		// PartKeys below the default) would fail with a part too full.
		slots = max(slots, uint64(math.Ceil(m+5*math.Sqrt(m))))
	}
	if least := (n + parts - 1) / parts; slots < least {
		slots = least // rounding must not leave fewer slots than keys
	}
	buckets := uint64(math.Ceil(m / partLambda(m, lambda)))
	if buckets == 0 {
		buckets = 1
	}
	p := Params{Keys: n, Parts: parts, Buckets: buckets, Slots: slots}
	return p, p.Validate()
}

// Validate checks Params read from a possibly corrupt file: every count is at
// least 1 (Keys may be 0), Keys is at most MaxKeys, Parts*Buckets and
// Parts*Slots do not overflow, Parts*Slots >= Keys, and the byte lengths of
// both arrays (PilotsLen and 4*RemapLen) fit in an int on this platform. Its
// errors wrap ErrParams.
func (p Params) Validate() error {
	if p.Keys > MaxKeys {
		return fmt.Errorf("%w: %d keys, at most %d", ErrParams, p.Keys, uint64(MaxKeys))
	}
	if p.Parts == 0 || p.Buckets == 0 || p.Slots == 0 {
		return fmt.Errorf("%w: zero count in %+v", ErrParams, p)
	}
	hi, pilots := bits.Mul64(p.Parts, p.Buckets)
	if hi != 0 || pilots > maxInt {
		return fmt.Errorf("%w: %d parts × %d buckets too many", ErrParams, p.Parts, p.Buckets)
	}
	hi, slots := bits.Mul64(p.Parts, p.Slots)
	if hi != 0 || slots < p.Keys || slots-p.Keys > maxInt/4 {
		return fmt.Errorf("%w: %d parts × %d slots for %d keys", ErrParams, p.Parts, p.Slots, p.Keys)
	}
	return nil
}

// PilotsLen is the length of the pilots array, Parts*Buckets bytes.
func (p Params) PilotsLen() uint64 { return p.Parts * p.Buckets }

// RemapLen is the length of the remap array, Parts*Slots-Keys entries.
func (p Params) RemapLen() uint64 { return p.Parts*p.Slots - p.Keys }

// Part returns the part of hash h, hi(h, Parts): a build hands each part its
// own hashes.
func (p Params) Part(h uint64) uint64 {
	part, _ := bits.Mul64(h, p.Parts)
	return part
}

// bucketIn returns the bucket inside its part of a hash whose position inside
// its part is x (lo(h, Parts)), for b buckets per part.
func bucketIn(x, b uint64) uint64 {
	xx, _ := bits.Mul64(x, x)
	c, _ := bits.Mul64(xx, x>>1|1<<63)
	y := c - c>>7 + x>>7
	bucket, _ := bits.Mul64(y, b)
	return bucket
}

// slotIn returns the slot inside its part of hash h with the pilot of its
// bucket, for s slots per part.
func slotIn(h uint64, pilot uint8, s uint64) uint64 {
	slot, _ := bits.Mul64((h^uint64(pilot)*pilotMul)*slotMul, s)
	return slot
}

// Index looks hashes up in built arrays. It holds the slices it is given and
// never writes them; it is safe for concurrent use.
type Index struct {
	keys, parts, buckets, slots uint64
	pilots                      []uint8
	remap                       []uint32
}

// NewIndex returns the index of Params p over pilots and remap, which must
// have p.PilotsLen() and p.RemapLen() entries. Its errors wrap ErrParams. The
// contents of the arrays are not checked: on corrupt arrays, Lookup returns
// wrong values but never panics.
func NewIndex(p Params, pilots []uint8, remap []uint32) (*Index, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if uint64(len(pilots)) != p.PilotsLen() || uint64(len(remap)) != p.RemapLen() {
		return nil, fmt.Errorf("%w: %d pilots and %d remap entries, want %d and %d",
			ErrParams, len(pilots), len(remap), p.PilotsLen(), p.RemapLen())
	}
	return &Index{keys: p.Keys, parts: p.Parts, buckets: p.Buckets, slots: p.Slots, pilots: pilots, remap: remap}, nil
}

// Params returns the Params of the index.
func (x *Index) Params() Params {
	return Params{Keys: x.keys, Parts: x.parts, Buckets: x.buckets, Slots: x.slots}
}

// Lookup returns the index in [0, N) of hash h if h was in the build set; for
// any other hash it returns some value, which may be N or more. It allocates
// nothing and loads one pilot and, for about 1% of the hashes, one remap entry.
// Lookup is a call; Slot(h, Bucket(h)), the same value, inlines in the caller.
func (x *Index) Lookup(h uint64) uint64 {
	part, frac := bits.Mul64(h, x.parts)
	s := part*x.slots + slotIn(h, x.pilots[part*x.buckets+bucketIn(frac, x.buckets)], x.slots)
	if s < x.keys {
		return s
	}
	return uint64(x.remap[s-x.keys])
}

// Bucket is the first step of Lookup: it returns the position of h's pilot
// (an index into the pilots array), computed without a memory access. Batched
// lookups compute it for many hashes before the loads of Slot.
func (x *Index) Bucket(h uint64) uint64 {
	part, frac := bits.Mul64(h, x.parts)
	return part*x.buckets + bucketIn(frac, x.buckets)
}

// Slot is the second step of Lookup: given h and Bucket(h) it loads the
// pilot and returns what Lookup returns. Another bucket below PilotsLen gives
// some value; one at or above PilotsLen panics as an index out of range does.
func (x *Index) Slot(h, bucket uint64) uint64 {
	part, _ := bits.Mul64(h, x.parts)
	s := part*x.slots + slotIn(h, x.pilots[bucket], x.slots)
	if s < x.keys {
		return s
	}
	return uint64(x.remap[s-x.keys])
}

// LookupMany sets out[i] to Lookup(hs[i]) for every i; out must be at least
// as long as hs. It computes the pilot positions of a batch of hashes before it
// loads their pilots, so that the cache misses of a batch overlap.
func (x *Index) LookupMany(hs []uint64, out []uint64) {
	out = out[:len(hs)]
	for i, h := range hs {
		out[i] = x.Bucket(h)
	}
	for i, h := range hs {
		out[i] = x.Slot(h, out[i])
	}
}

// smallPart is the part size below which NewParams gives a part more buckets
// than Lambda asks for.
const smallPart = 3000

// partLambda returns the hashes per bucket of a part of m hashes: lambda,
// or less for a small part. The skewed bucket function puts a share of about
// sqrt(2/B) of a small part's hashes into its first bucket; with too few
// buckets no pilot keeps them apart.
func partLambda(m, lambda float64) float64 {
	if m < smallPart {
		return min(lambda, 1+(lambda-1)*m/smallPart)
	}
	return lambda
}
