# lookup.py computes the expected values of TestLookupGolden from the arithmetic
# the package doc states, independently of the Go code: python3 lookup.py
# Lookup as the package doc states it, in Python's big integers.
M64 = (1 << 64) - 1
def hi(a, b): return (a * b) >> 64
def lo(a, b): return (a * b) & M64
C, M = 0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93
def lookup(h, P, B, S, N, pilots, remap):
    part = hi(h, P)
    x = lo(h, P)
    c = hi(hi(x, x), (x >> 1) | 1 << 63)
    y = c - (c >> 7) + (x >> 7)
    bucket = hi(y, B)
    pilot = pilots[part * B + bucket]
    z = lo(h ^ lo(pilot, C), M)
    slot = part * S + hi(z, S)
    return slot if slot < N else remap[slot - N]
def splitmix(i):
    z = (i * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)
hs = [0, M64, 1 << 63, 1] + [splitmix(i) for i in range(40)]
for P, B, S, N in [(3, 5, 4, 10), (3, 97, 340, 1000)]:
    pilots = [(i * 37 + 11) & 255 for i in range(P * B)]
    remap = [0xFFFFFFFF if i % 3 == 2 else (i * 13) % N for i in range(P * S - N)]
    print(", ".join(str(lookup(h, P, B, S, N, pilots, remap)) for h in hs))
