// Package mph is a minimal perfect hash index of the PtrHash/PHOBIC family:
// given N distinct 64-bit hashes it builds a small array of 8-bit pilots and a
// remap array, after which [Index.Lookup] maps each of those hashes to its own
// index in [0, N), with one pilot load and, for about 1% of the hashes, one remap
// load. The package does no I/O: the table that uses it stores [Params], the
// pilots and the remap array in its file and hands them back as plain slices
// (for example views of a read-only map).
//
// The hashes must be uniformly distributed (the caller hashes its keys with a
// seed); a build that cannot place every hash fails with [ErrRetry] and the
// caller hashes again with another seed. Equal hashes fail with [ErrDuplicate].
//
// The ideas (pilots searched per bucket, a skewed bucket function, eviction of
// colliding buckets, parts small enough for the build to stay in cache, a remap
// of the slots at or above N) come from PtrHash (R. Groot Koerkamp, SEA 2025)
// and PTHash/PHOBIC (Pibiri, Trani, Hermann et al.); the code is this package's
// own.
//
// # Lookup arithmetic
//
// All arithmetic is on unsigned 64-bit integers, wrapping modulo 2^64.
// mul(a, b) is the 128-bit product of a and b; hi(a, b) is its upper 64 bits
// and lo(a, b) its lower 64 bits (a*b mod 2^64). The index is described by
// [Params] (Keys = N, Parts = P, Buckets = B per part, Slots = S per part), the
// pilots (P*B bytes) and the remap array (P*S-N unsigned 32-bit integers).
// For a hash h:
//
//	part   = hi(h, P)                                   // 0 <= part < P
//	x      = lo(h, P)                                   // h's position inside its part
//	c      = hi(hi(x, x), (x >> 1) | 1<<63)             // x²(1+x)/2, x read as a fraction of 2^64
//	y      = c - (c >> 7) + (x >> 7)                    // skew: (127/128)c + x/128
//	bucket = hi(y, B)                                   // 0 <= bucket < B
//	pilot  = pilots[part*B + bucket]                    // a byte, 0..255
//	z      = lo(h ^ lo(pilot, C), M)                    // C = 0x9E3779B97F4A7C15, M = 0xD6E8FEB86659FD93
//	slot   = part*S + hi(z, S)                          // 0 <= slot < P*S
//	index  = slot                     if slot < N
//	index  = remap[slot - N]          otherwise
//
// Every slot below N that no hash occupies receives, through the remap, one hash
// whose slot is at or above N: the build lists the occupied slots at or above N
// in increasing order and the free slots below N in increasing order, and maps
// the k-th of the first list to the k-th of the second. Slots at or above N
// that no hash occupies map to 0xFFFFFFFF, which is never a valid index.
//
// A hash that was not in the build set yields some value, possibly at or above
// N; so does any hash on an index whose arrays are corrupt. The caller checks
// the result against N and against the key or fingerprint it stores per index.
//
// # Parameters
//
// The stored Params are all that Lookup needs; how [NewParams] chooses them is
// not part of the format. For N > 0 hashes it takes P = max(1, floor(N /
// PartKeys)) parts, so that a part holds PartKeys to 2*PartKeys hashes on
// average, m = N/P, and per part
//
//	S = ceil(m / Alpha), and at least ceil(m + 5*sqrt(m)) when P > 1
//	B = ceil(m / L), L = Lambda, or min(Lambda, 1 + (Lambda-1)*m/3000) when m < 3000
//
// The second bound on S leaves room for the spread of the number of hashes in
// a part (a standard deviation of about sqrt(m)), so that a part overflows
// with a probability below 1e-6. The smaller L of small parts gives them more
// buckets: the skewed bucket function puts a share of about sqrt(2/B) of a
// part's hashes into its first bucket, which no pilot would place when B is
// small. For N = 0, Params are {0, 1, 1, 1}.
//
// At the defaults (Lambda 3.5, Alpha 0.99, PartKeys 196,608 = 3*2^16) an
// index of up to 393,215 hashes has one part and costs 8/3.5 + 32*(1/0.99-1)
// = 2.61 bits per key; a larger one has parts of 196,608 to 393,215 hashes
// whose spare slots are the larger 5*sqrt(m), up to 1.13%, and costs at most
// 8/3.5 + 32*0.0113 = 2.65 bits per key. The default part size is a
// trade: smaller parts build faster (a part's bitmap of taken slots stays in
// the L1 cache) but need more spare slots.
//
// # Build
//
// Hashes are grouped by part ([Params.Part]); each part is built on its own
// ([Builder.BuildPart]), and once every part is built, [Builder.Remap] fills the
// remap array. Inside a part, hashes are grouped by bucket, buckets are placed
// largest first, and each bucket takes the smallest pilot whose slots are all
// free; when no pilot is free, the pilot that evicts the least (the sum of the
// squared sizes of the buckets it displaces) is taken and the evicted buckets
// are placed again. The build is deterministic: the same hashes and Params give
// the same pilots and remap array, whatever the order of the hashes. A pilot
// search that gives up (a part with more hashes than slots, or too many
// evictions) fails with ErrRetry; at the defaults, with uniformly distributed
// hashes, that is not expected to happen. Hashes that are not uniform (for
// example small integers used as their own hash) fail that way: hash keys with
// a seeded mixing function first.
//
// # Batched lookups
//
// Lookup is [Index.Bucket] (arithmetic only: the position of the pilot) then
// [Index.Slot] (the pilot load, and the remap load for a slot at or above N).
// Both inline; a caller that looks many hashes up computes Bucket for all of
// them first, so that the loads of Slot are independent and their cache
// misses overlap. [Index.LookupMany] does that.
//
// # Caveats
//
// An Index only reads its slices; it may be used by many goroutines at once as
// long as nobody writes the slices. A Builder is not safe for concurrent use.
package mph
