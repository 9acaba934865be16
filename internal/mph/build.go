package mph

import (
	"fmt"
	"math/bits"
	"slices"
)

// none marks a slot without owner in a part's build.
const none = ^uint32(0)

// recentLen is how many of the last placed buckets an eviction leaves alone,
// so that two buckets do not evict each other in turn forever.
const recentLen = 16

// Builder builds an index part by part: BuildPart for every part, in any
// order, then Remap. It keeps one bit per slot of the whole index (and 8
// bytes per part) plus the work arrays of one part, reused from part to part:
// about 20 bytes per hash of the largest part (PartKeys to 2*PartKeys hashes
// at the defaults). A Builder is not safe for concurrent use.
type Builder struct {
	p      Params
	err    error    // from Params.Validate: every call returns it
	taken  []uint64 // one bit per slot, slot part*S+s at bit (part*S+s)%64 of word /64
	placed []int64  // hashes placed per part, -1 until the part is built

	// One part's work.
	bucket   []uint32          // bucket of each input hash
	start    []uint32          // bucket k's hashes are sorted[start[k]:start[k+1]]
	sorted   []uint64          // the part's hashes grouped by bucket
	order    []uint32          // buckets, largest first
	owner    []uint32          // bucket occupying each slot of the part, or none
	size     []uint8           // size of that bucket (at most 255), 0 if none
	heap     []uint64          // buckets to place again: size<<32 | ^bucket, largest first
	tmp      []uint64          // slots of the bucket being placed
	mark     []uint64          // one bit per slot of the part, zero between uses
	recent   [recentLen]uint32 // the last placed buckets, a ring
	recentAt uint32            // where the next goes
	rng      uint64            // splitmix64 state: where evictions start their search
}

// NewBuilder returns a Builder of an index of Params p. If p is not valid,
// every method of the Builder returns p.Validate's error.
func NewBuilder(p Params) *Builder {
	b := &Builder{p: p}
	if b.err = p.Validate(); b.err != nil {
		return b
	}
	if p.Buckets >= uint64(none) || p.Slots > maxInt {
		// A part's build numbers buckets by uint32 (none excluded) and
		// keeps an int-indexed array of its slots.
		b.err = fmt.Errorf("%w: %d buckets and %d slots per part, too many for a build", ErrParams, p.Buckets, p.Slots)
		return b
	}
	total := p.Parts * p.Slots // no overflow: Validate
	b.taken = make([]uint64, (total+63)/64)
	b.placed = make([]int64, p.Parts)
	for i := range b.placed {
		b.placed[i] = -1
	}
	return b
}

// BuildPart builds part number part from its hashes, exactly those h of the
// build set with Part(h) == part, and writes the part's Buckets pilots to
// pilots. It may reorder hashes. Building a part again replaces its earlier
// build. Errors: a *DuplicateError (ErrDuplicate) for two equal hashes,
// ErrRetry when the hashes cannot be placed (rehash with another seed),
// ErrInput for a part out of range, a hash of another part or a pilots slice
// of the wrong length.
func (b *Builder) BuildPart(part uint64, hashes []uint64, pilots []uint8) error {
	if b.err != nil {
		return b.err
	}
	p := b.p
	if part >= p.Parts {
		return fmt.Errorf("%w: part %d of %d", ErrInput, part, p.Parts)
	}
	if uint64(len(pilots)) != p.Buckets {
		return fmt.Errorf("%w: %d pilots for %d buckets", ErrInput, len(pilots), p.Buckets)
	}
	b.placed[part] = -1
	base := part * p.Slots
	b.clearRange(base, base+p.Slots)
	clear(pilots)
	m := uint64(len(hashes))
	if m > p.Slots {
		return fmt.Errorf("%w: part %d has %d hashes for %d slots", ErrRetry, part, m, p.Slots)
	}
	if err := b.group(part, hashes); err != nil {
		return err
	}
	if err := b.place(part, pilots); err != nil {
		return err
	}
	b.placed[part] = int64(m)
	return nil
}

// group sorts the part's hashes by bucket into b.sorted and b.start and
// orders the buckets largest first into b.order. (Equal hashes are found when
// their bucket cannot be placed. The order of a bucket's hashes does not
// matter: every step of the pilot search treats them as a set.)
func (b *Builder) group(part uint64, hashes []uint64) error {
	p := b.p
	m := len(hashes)
	nb := int(p.Buckets) // fits: Validate
	b.bucket = grow(b.bucket, m)
	b.sorted = grow(b.sorted, m)
	b.start = grow(b.start, nb+1)
	b.order = grow(b.order, nb)
	start := b.start
	clear(start)
	for i, h := range hashes {
		pt, x := bits.Mul64(h, p.Parts)
		if pt != part {
			return fmt.Errorf("%w: hash %#016x is in part %d, not %d", ErrInput, h, pt, part)
		}
		k := uint32(bucketIn(x, p.Buckets))
		b.bucket[i] = k
		start[k]++
	}
	// start[k] becomes the end of bucket k, then, filled from the back, its
	// beginning.
	var sum, largest uint32
	for k := range nb {
		c := start[k]
		largest = max(largest, c)
		sum += c
		start[k] = sum
	}
	start[nb] = sum
	for i := m - 1; i >= 0; i-- {
		k := b.bucket[i]
		start[k]--
		b.sorted[start[k]] = hashes[i]
	}
	// Buckets by decreasing size, equal sizes by increasing number: a counting
	// sort on the size.
	count := make([]uint32, largest+2)
	for k := range nb {
		count[largest-(start[k+1]-start[k])]++
	}
	var at uint32
	for i, c := range count {
		count[i] = at
		at += c
	}
	for k := range nb {
		i := largest - (start[k+1] - start[k])
		b.order[count[i]] = uint32(k)
		count[i]++
	}
	return nil
}

// place finds the pilots of the part's buckets.
func (b *Builder) place(part uint64, pilots []uint8) error {
	p := b.p
	b.owner = grow(b.owner, int(p.Slots))
	for i := range b.owner {
		b.owner[i] = none
	}
	b.size = grow(b.size, int(p.Slots))
	clear(b.size)
	for i := range b.recent {
		b.recent[i] = none
	}
	b.recentAt = 0
	b.heap = b.heap[:0]
	b.rng = 0x6A09E667F3BCC909 ^ part
	base := part * p.Slots
	// Evictions are rare at the defaults (a few per cent of the buckets); a
	// part that needs many more is too full to finish.
	budget := p.Buckets + 1000
	var evictions uint64
	for _, k := range b.order {
		if b.start[k+1] == b.start[k] {
			break // the rest are empty and keep pilot 0
		}
		if b.placeFree(k, pilots, base) {
			continue
		}
		b.push(k)
		for len(b.heap) > 0 {
			k := b.pop()
			if b.placeFree(k, pilots, base) {
				continue
			}
			evictions++
			if evictions > budget {
				return fmt.Errorf("%w: part %d: pilot search gave up after %d evictions", ErrRetry, part, evictions)
			}
			if err := b.evict(k, pilots, base); err != nil {
				// Two equal hashes fall into the same slot under every
				// pilot: this is where a duplicate shows.
				if h, ok := duplicate(b.sorted[b.start[k]:b.start[k+1]]); ok {
					return &DuplicateError{Hash: h}
				}
				return fmt.Errorf("%w: part %d: %w", ErrRetry, part, err)
			}
		}
	}
	return nil
}

// placeFree gives bucket k the first pilot whose slots are all free, if one
// is, and reports whether it did.
func (b *Builder) placeFree(k uint32, pilots []uint8, base uint64) bool {
	keys := b.sorted[b.start[k]:b.start[k+1]]
	S, taken := b.p.Slots, b.taken
	var pilot uint64
	var ok bool
	switch len(keys) {
	case 1:
		pilot, ok = free1(keys[0], taken, base, S)
	case 2:
		pilot, ok = free2(keys[0], keys[1], taken, base, S)
	case 3:
		pilot, ok = free3(keys[0], keys[1], keys[2], taken, base, S)
	default:
		b.tmp = grow(b.tmp, len(keys))
		for from := uint64(0); ; from = pilot + 1 {
			if pilot, ok = freeN(keys, taken, base, S, from); !ok {
				break
			}
			c := pilot * pilotMul
			for i, h := range keys {
				b.tmp[i], _ = bits.Mul64((h^c)*slotMul, S)
			}
			if b.distinct(b.tmp) {
				break
			}
		}
	}
	if !ok {
		return false
	}
	c := pilot * pilotMul
	for _, h := range keys {
		s, _ := bits.Mul64((h^c)*slotMul, S)
		b.take(k, s, base+s, len(keys))
	}
	pilots[k] = uint8(pilot)
	b.remember(k)
	return true
}

// The pilot searches: the first pilot whose slots are all free, checked
// without a branch per hash (whether a slot is taken is a coin toss until the
// part is nearly full). Each is a function of its own so that its loop keeps
// its values in registers.

// free1 is the pilot search of a bucket of one hash.
func free1(h uint64, taken []uint64, base, S uint64) (uint64, bool) {
	for pilot := range uint64(256) {
		s, _ := bits.Mul64((h^pilot*pilotMul)*slotMul, S)
		g := base + s
		if taken[g>>6]&(1<<(g&63)) == 0 {
			return pilot, true
		}
	}
	return 0, false
}

// free2 is the pilot search of a bucket of two hashes, which also keeps them
// apart.
func free2(h0, h1 uint64, taken []uint64, base, S uint64) (uint64, bool) {
	for pilot := range uint64(256) {
		c := pilot * pilotMul
		s0, _ := bits.Mul64((h0^c)*slotMul, S)
		s1, _ := bits.Mul64((h1^c)*slotMul, S)
		g0, g1 := base+s0, base+s1
		if (taken[g0>>6]>>(g0&63)|taken[g1>>6]>>(g1&63))&1 == 0 && s0 != s1 {
			return pilot, true
		}
	}
	return 0, false
}

// free3 is the pilot search of a bucket of three hashes, which also keeps
// them apart.
func free3(h0, h1, h2 uint64, taken []uint64, base, S uint64) (uint64, bool) {
	for pilot := range uint64(256) {
		c := pilot * pilotMul
		s0, _ := bits.Mul64((h0^c)*slotMul, S)
		s1, _ := bits.Mul64((h1^c)*slotMul, S)
		s2, _ := bits.Mul64((h2^c)*slotMul, S)
		g0, g1, g2 := base+s0, base+s1, base+s2
		hit := taken[g0>>6]>>(g0&63) | taken[g1>>6]>>(g1&63) | taken[g2>>6]>>(g2&63)
		if hit&1 == 0 && s0 != s1 && s0 != s2 && s1 != s2 {
			return pilot, true
		}
	}
	return 0, false
}

// freeN is the pilot search of a larger bucket, from pilot from on; it does
// not check that the bucket's own hashes fall apart. It branches once per 4
// hashes (4 slots are rarely all free), unrolled.
func freeN(keys, taken []uint64, base, S, from uint64) (uint64, bool) {
pilots:
	for pilot := from; pilot < 256; pilot++ {
		c := pilot * pilotMul
		i := 0
		for ; i+4 <= len(keys); i += 4 {
			k := keys[i : i+4 : i+4]
			s0, _ := bits.Mul64((k[0]^c)*slotMul, S)
			s1, _ := bits.Mul64((k[1]^c)*slotMul, S)
			s2, _ := bits.Mul64((k[2]^c)*slotMul, S)
			s3, _ := bits.Mul64((k[3]^c)*slotMul, S)
			g0, g1, g2, g3 := base+s0, base+s1, base+s2, base+s3
			hit := taken[g0>>6]>>(g0&63) | taken[g1>>6]>>(g1&63) |
				taken[g2>>6]>>(g2&63) | taken[g3>>6]>>(g3&63)
			if hit&1 != 0 {
				continue pilots
			}
		}
		var hit uint64
		for _, h := range keys[i:] {
			s, _ := bits.Mul64((h^c)*slotMul, S)
			g := base + s
			hit |= taken[g>>6] >> (g & 63)
		}
		if hit&1 == 0 {
			return pilot, true
		}
	}
	return 0, false
}

// take gives slot s (g in the whole index) to bucket k of n hashes.
func (b *Builder) take(k uint32, s, g uint64, n int) {
	b.taken[g>>6] |= 1 << (g & 63)
	b.owner[s] = k
	b.size[s] = uint8(min(n, 255))
}

// evict places bucket k with the pilot that displaces the least (the sum of
// the squared sizes of the buckets it evicts, none of them placed recently if
// possible) and queues the evicted buckets.
func (b *Builder) evict(k uint32, pilots []uint8, base uint64) error {
	keys := b.sorted[b.start[k]:b.start[k+1]]
	S := b.p.Slots
	// A pilot keeps the n hashes of a bucket in distinct slots with
	// probability about exp(-n²/2S); below exp(-32), none of 256 will.
	if n := uint64(len(keys)); n*n > 64*S {
		return fmt.Errorf("a bucket of %d hashes does not fit in %d slots", n, S)
	}
	b.tmp = grow(b.tmp, len(keys))
	slots := b.tmp
	best, bestScore := -1, uint64(1<<64-1)
	any, anyScore := -1, uint64(1<<64-1) // recent ones evicted too
	first := b.next() & 255
	for i := range uint64(256) {
		pilot := (first + i) & 255
		score := evictScore(keys, pilot*pilotMul, S, b.size, slots)
		if score >= anyScore && score >= bestScore || !b.distinct(slots) {
			continue
		}
		if score < anyScore {
			any, anyScore = int(pilot), score
		}
		if score >= bestScore || b.evictsRecent(slots) {
			continue
		}
		best, bestScore = int(pilot), score
		if score <= 1 {
			break
		}
	}
	if best < 0 {
		best = any
	}
	if best < 0 {
		return fmt.Errorf("no pilot keeps the %d hashes of a bucket apart", len(keys))
	}
	c := uint64(best) * pilotMul
	for _, h := range keys {
		s, _ := bits.Mul64((h^c)*slotMul, S)
		if o := b.owner[s]; o != none {
			b.unplace(o, pilots[o], base)
			b.push(o)
		}
		b.take(k, s, base+s, len(keys))
	}
	pilots[k] = uint8(best)
	b.remember(k)
	return nil
}

// evictScore returns the score of a pilot (c is its multiple of pilotMul)
// for the bucket of keys, and writes its slots to slots: the sum of the
// squares of the sizes of the buckets it would evict. It is a function of its
// own, not inlined, so that its loop keeps its values in registers instead of
// sharing them with evict's.
//
//go:noinline
func evictScore(keys []uint64, c, S uint64, size []uint8, slots []uint64) uint64 {
	slots = slots[:len(keys)]
	var score uint64
	for j, h := range keys {
		s, _ := bits.Mul64((h^c)*slotMul, S)
		slots[j] = s
		n := uint64(size[s])
		score += n * n
	}
	return score
}

// duplicate returns a hash that keys holds twice, if there is one.
func duplicate(keys []uint64) (uint64, bool) {
	s := slices.Clone(keys)
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return s[i], true
		}
	}
	return 0, false
}

// distinct reports whether slots holds no slot twice.
func (b *Builder) distinct(slots []uint64) bool {
	if len(slots) <= 16 {
		for j, s := range slots {
			for _, t := range slots[:j] {
				if t == s {
					return false
				}
			}
		}
		return true
	}
	// One bit per slot of the part, clear between calls.
	b.mark = grow(b.mark, int((b.p.Slots+63)/64))
	ok := true
	for _, s := range slots {
		if b.mark[s>>6]&(1<<(s&63)) != 0 {
			ok = false
			break
		}
		b.mark[s>>6] |= 1 << (s & 63)
	}
	for _, s := range slots {
		b.mark[s>>6] = 0
	}
	return ok
}

// evictsRecent reports whether a slot of slots is owned by a recently placed
// bucket.
func (b *Builder) evictsRecent(slots []uint64) bool {
	for _, s := range slots {
		o := b.owner[s]
		if o == none {
			continue
		}
		for _, r := range b.recent {
			if r == o {
				return true
			}
		}
	}
	return false
}

// unplace frees the slots of bucket k, placed with pilot.
func (b *Builder) unplace(k uint32, pilot uint8, base uint64) {
	c := uint64(pilot) * pilotMul
	for _, h := range b.sorted[b.start[k]:b.start[k+1]] {
		s, _ := bits.Mul64((h^c)*slotMul, b.p.Slots)
		b.owner[s] = none
		b.size[s] = 0
		g := base + s
		b.taken[g>>6] &^= 1 << (g & 63)
	}
}

// remember adds bucket k to the recently placed ones, in place of the
// oldest.
func (b *Builder) remember(k uint32) {
	b.recent[b.recentAt%recentLen] = k
	b.recentAt++
}

// next returns the next number of a splitmix64 sequence: the pilot an
// eviction's search starts from, deterministic per part.
func (b *Builder) next() uint64 {
	b.rng += 0x9E3779B97F4A7C15
	z := b.rng
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// push queues bucket k to be placed (again).
func (b *Builder) push(k uint32) {
	v := uint64(b.start[k+1]-b.start[k])<<32 | uint64(^k)
	h := append(b.heap, v)
	i := len(h) - 1
	for i > 0 {
		up := (i - 1) / 2
		if h[up] >= v {
			break
		}
		h[i] = h[up]
		i = up
	}
	h[i] = v
	b.heap = h
}

// pop returns the largest queued bucket (the lowest numbered of equal sizes).
func (b *Builder) pop() uint32 {
	h := b.heap
	top := h[0]
	v := h[len(h)-1]
	h = h[:len(h)-1]
	i := 0
	for {
		c := 2*i + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1] > h[c] {
			c++
		}
		if h[c] <= v {
			break
		}
		h[i] = h[c]
		i = c
	}
	if len(h) > 0 {
		h[i] = v
	}
	b.heap = h
	return ^uint32(top)
}

// clearRange clears the taken bits of slots lo..hi-1.
func (b *Builder) clearRange(lo, hi uint64) {
	for g := lo; g < hi; {
		if g&63 == 0 && hi-g >= 64 {
			b.taken[g>>6] = 0
			g += 64
			continue
		}
		b.taken[g>>6] &^= 1 << (g & 63)
		g++
	}
}

// Remap fills remap, of Params.RemapLen entries, once every part is built.
// Its errors wrap ErrInput: a part not built, a wrong number of hashes in
// all, a remap of the wrong length.
func (b *Builder) Remap(remap []uint32) error {
	if b.err != nil {
		return b.err
	}
	p := b.p
	if uint64(len(remap)) != p.RemapLen() {
		return fmt.Errorf("%w: %d remap entries, want %d", ErrInput, len(remap), p.RemapLen())
	}
	var sum uint64
	for part, n := range b.placed {
		if n < 0 {
			return fmt.Errorf("%w: part %d not built", ErrInput, part)
		}
		sum += uint64(n)
	}
	if sum != p.Keys {
		return fmt.Errorf("%w: %d hashes in all, want %d", ErrInput, sum, p.Keys)
	}
	n := p.Keys
	free := uint64(0) // the next slot below n to look at for a free one
	for i := range remap {
		g := n + uint64(i)
		if b.taken[g>>6]&(1<<(g&63)) == 0 {
			remap[i] = unused
			continue
		}
		free = b.nextFree(free)
		if free >= n {
			// Cannot happen: as many slots below n are free as slots from n
			// on are taken, since n of them are taken in all.
			return fmt.Errorf("%w: inconsistent build", ErrInput)
		}
		remap[i] = uint32(free)
		free++
	}
	return nil
}

// nextFree returns the first slot from g on whose bit is clear (or a value at
// least the bitmap's length).
func (b *Builder) nextFree(g uint64) uint64 {
	w := g >> 6
	if w >= uint64(len(b.taken)) {
		return g
	}
	if v := ^b.taken[w] >> (g & 63); v != 0 {
		return g + uint64(bits.TrailingZeros64(v))
	}
	for w++; w < uint64(len(b.taken)); w++ {
		if v := ^b.taken[w]; v != 0 {
			return w<<6 + uint64(bits.TrailingZeros64(v))
		}
	}
	return w << 6
}

// Build builds the index of hashes in memory: Params for opt, the pilots
// and the remap array. It does not modify hashes; it groups a copy of them by
// part with a counting sort (8 bytes per hash) and runs a Builder. Errors as
// BuildPart's and NewParams'.
func Build(hashes []uint64, opt *Options) (Params, []uint8, []uint32, error) {
	p, err := NewParams(uint64(len(hashes)), opt)
	if err != nil {
		return Params{}, nil, nil, err
	}
	// Group the hashes by part: a counting sort.
	off := make([]int, p.Parts+1)
	for _, h := range hashes {
		off[p.Part(h)+1]++
	}
	for i := 1; i < len(off); i++ {
		off[i] += off[i-1]
	}
	byPart := make([]uint64, len(hashes))
	at := append([]int(nil), off[:p.Parts]...)
	for _, h := range hashes {
		part := p.Part(h)
		byPart[at[part]] = h
		at[part]++
	}
	pilots := make([]uint8, p.PilotsLen())
	remap := make([]uint32, p.RemapLen())
	b := NewBuilder(p)
	for part := range p.Parts {
		pp := pilots[part*p.Buckets : (part+1)*p.Buckets]
		if err := b.BuildPart(part, byPart[off[part]:off[part+1]], pp); err != nil {
			return Params{}, nil, nil, err
		}
	}
	if err := b.Remap(remap); err != nil {
		return Params{}, nil, nil, err
	}
	return p, pilots, remap, nil
}

// grow returns s resliced to n elements, reallocated if its capacity is
// smaller.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
