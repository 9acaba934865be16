package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gomemmap/memmap/layout"
)

// MaxHeaderLen is the largest header length (the JSON text, in bytes) Open
// accepts and a Writer writes: 100,000,000, as the reference
// implementation (its MAX_HEADER_SIZE).
const MaxHeaderLen = 100_000_000

// MaxRank is the largest number of dimensions a tensor may have: 64, as
// NumPy's (NPY_MAXDIMS). Open refuses a tensor with more (the reference
// implementation has no limit, and a header of 100 MB could hold a shape
// of 50 million dimensions), and a Writer does not write one.
const MaxRank = 64

// MaxMetadataLen and MaxMetadataEntries bound the header's "__metadata__"
// that Open accepts: at most MaxMetadataEntries keys, and at most
// MaxMetadataLen bytes of keys and values in all (decoded, as Metadata
// returns them). Real files hold a few short strings ("format": "pt") or,
// from some training tools, a few dozen longer ones (training notes, tag
// counts, a thumbnail); the bounds leave them ample room and keep the cost
// of a hostile header, which could hold millions of empty entries, within
// a small multiple of its size. A Writer does not write more.
const (
	MaxMetadataLen     = 16 << 20
	MaxMetadataEntries = 1 << 16
)

// maxSkipDepth bounds the nesting of the values of unknown keys in a
// tensor entry, which are skipped: deeper JSON is refused rather than
// tracked.
const maxSkipDepth = 64

// metadataKey is the key of the optional string-to-string metadata.
const metadataKey = "__metadata__"

// Info describes one tensor of a file.
type Info struct {
	// Name is the tensor's name, its key in the header.
	Name string

	// DType is the dtype as the file names it: "F32", "BF16", "F8_E4M3",
	// ...
	DType string

	// Type is the element dtype in the file (little-endian), for
	// layout.Compatible and array.Value; nil for the dtypes that have no
	// Go element type here (F4, F6_E2M3, F6_E3M2, F8_E8M0, F8_E4M3FNUZ,
	// F8_E5M2FNUZ): such tensors are checked like the others, and read
	// with File.Bytes only.
	Type *layout.DType

	// Shape is the tensor's shape, C order; empty for a 0-d tensor.
	Shape []int64

	// Offset is where the tensor's data starts, from the start of the
	// file (the header's data_offsets are from the start of the data
	// area, at DataOffset).
	Offset int64

	// Size is the size of the tensor's data in bytes.
	Size int64
}

// parsed is a validated header.
type parsed struct {
	dataOff int64          // 8 + the header length
	tensors []Info         // by offset, then name
	index   map[string]int // name -> index in tensors
	meta    map[string]string
}

// rawTensor is a tensor entry as the header states it.
type rawTensor struct {
	name  string
	dt    *dtypeInfo
	shape []int64 // as the header states it: uint64 values, checked by validate to be at most 2^63-1
	begin uint64
	end   uint64
	at    int64 // offset in the file of the entry, for messages
}

// parse checks and decodes the safetensors file b (all of it), as strictly
// as the reference implementation's SafeTensors::read_metadata, and a
// little more: duplicate keys are refused at every level. Open does the
// same in two steps, headerLen and parseHeader, reading the header from
// the file rather than from its map.
func parse(b []byte) (*parsed, error) {
	n, err := headerLen(b[:min(len(b), 8)], int64(len(b)))
	if err != nil {
		return nil, err
	}
	return parseHeader(b[8:8+n], uint64(len(b))-8-n)
}

// headerLen checks the header length that the first 8 bytes of a file of
// size bytes state (prefix holds them, or the whole file when it is
// shorter), and returns it: at most MaxHeaderLen and size-8.
func headerLen(prefix []byte, size int64) (uint64, error) {
	if size < 8 || len(prefix) < 8 {
		return 0, formatErr([]error{io.ErrUnexpectedEOF}, "file of %d bytes: too short for the 8-byte header length", size)
	}
	n := binary.LittleEndian.Uint64(prefix)
	if n > MaxHeaderLen {
		return 0, formatErr(nil, "offset 0: header length %d exceeds the limit of %d bytes", n, MaxHeaderLen)
	}
	if n > uint64(size-8) {
		return 0, formatErr([]error{io.ErrUnexpectedEOF}, "offset 0: header length %d, but the file has %d bytes after it", n, size-8)
	}
	return n, nil
}

// parseHeader checks and decodes the header h (the JSON text, at offset
// 8 of the file), of a file with dataLen bytes after it.
func parseHeader(h []byte, dataLen uint64) (*parsed, error) {
	if !utf8.Valid(h) {
		i := 0
		for i < len(h) {
			r, size := utf8.DecodeRune(h[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			i += size
		}
		return nil, formatErr(nil, "offset %d: the header is not valid UTF-8", 8+i)
	}
	p := &parser{s: scanner{h: h}}
	if err := p.header(); err != nil {
		return nil, err
	}
	return validate(p.raws, p.index, p.meta, int64(8+len(h)), dataLen)
}

// minEntryLen is the length of the shortest tensor entry there can be,
// with its comma: `"":{"dtype":"U8","shape":[],"data_offsets":[0,0]},`.
const minEntryLen = 50

// errLimit marks the errors of headers that are valid JSON of the right
// shape but exceed a bound of this package (MaxRank, the metadata's), for
// the tests.
var errLimit = errors.New("over a limit")

// parser reads the header's JSON with a scanner, refusing duplicate keys
// (which encoding/json's Unmarshal would accept, keeping the last).
type parser struct {
	s        scanner
	raws     []rawTensor
	dims     []int64        // the chunk the shapes of raws are cut from
	index    map[string]int // tensor name -> index in raws
	meta     map[string]string
	metaLen  int             // bytes of keys and values in meta
	shapeBuf [MaxRank]uint64 // the shape being read
}

// maxDimsChunk is the most dimensions parser.shape allocates at once.
const maxDimsChunk = 4096

// shape stores the shape v in p's current chunk of dimensions, allocating
// a new chunk (twice the previous, up to maxDimsChunk) when it is full,
// and returns it, capped. Shapes are cut from chunks, rather than
// allocated one by one or appended to one slice: one allocation per 4096
// dimensions, and no slice twice the size of the shapes while it grows.
func (p *parser) shape(v []uint64) []int64 {
	if len(p.dims)+len(v) > cap(p.dims) {
		p.dims = make([]int64, 0, max(min(2*cap(p.dims), maxDimsChunk), 16, len(v)))
	}
	lo := len(p.dims)
	for _, d := range v {
		p.dims = append(p.dims, int64(d)) // a value over 2^63-1 wraps; validate refuses it
	}
	return p.dims[lo:len(p.dims):len(p.dims)]
}

// clip quotes a string for a message, shortened.
func clip(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

// tensorWhat names a tensor for messages.
func tensorWhat(name string) string { return "tensor " + clip(name) }

// header reads the top-level object.
func (p *parser) header() error {
	s := &p.s
	at, found, err := s.expect('{')
	if err != nil {
		return err
	}
	if found != "" {
		return formatErr(nil, "offset %d: the header: expected an object, found %s", off(at), found)
	}
	s.i++
	// Room for as many tensors as there can be: no more than there are
	// objects (a quick count), nor than the shortest entries would fill.
	// No room is wasted for real headers, and a hostile one does not
	// make the slice and map grow by copies.
	hint := min(bytes.Count(s.h, []byte{'{'}), len(s.h)/minEntryLen+1)
	p.raws = make([]rawTensor, 0, hint)
	p.index = make(map[string]int, hint)
	haveMeta := false
	for n := 0; ; n++ {
		more, err := s.more('}', n)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		k, kat, err := s.key()
		if err != nil {
			return err
		}
		if string(k) == metadataKey {
			if haveMeta {
				return formatErr(nil, "offset %d: duplicate key %s in the header", off(kat), clip(metadataKey))
			}
			haveMeta = true
			if err := p.metadata(); err != nil {
				return err
			}
			continue
		}
		if _, dup := p.index[string(k)]; dup {
			return formatErr(nil, "offset %d: duplicate key %s in the header", off(kat), clip(string(k)))
		}
		name := string(k)
		p.index[name] = len(p.raws)
		if err := p.tensor(name, off(kat)); err != nil {
			return err
		}
	}
	at = s.i
	if s.atEnd() {
		return nil
	}
	what, err := s.describe()
	if err != nil {
		what = "more JSON"
	}
	return formatErr(nil, "offset %d: %s after the header object (only spaces may follow it)", off(at), what)
}

// metadata reads the value of "__metadata__": null, or an object of
// strings.
func (p *parser) metadata() error {
	s := &p.s
	at, found, err := s.expect('{')
	if err != nil || found == "null" {
		return err
	}
	if found != "" {
		return formatErr(nil, "offset %d: %s: expected an object of strings, found %s", off(at), metadataKey, found)
	}
	s.i++
	p.meta = make(map[string]string)
	for n := 0; ; n++ {
		more, err := s.more('}', n)
		if err != nil || !more {
			return err
		}
		kb, kat, err := s.key()
		if err != nil {
			return err
		}
		if _, dup := p.meta[string(kb)]; dup {
			return formatErr(nil, "offset %d: duplicate key %s in %s", off(kat), clip(string(kb)), metadataKey)
		}
		if n == MaxMetadataEntries {
			return formatErr([]error{errLimit}, "offset %d: %s has more than %d keys", off(kat), metadataKey, MaxMetadataEntries)
		}
		k := string(kb)
		vat, found, err := s.expect('"')
		if err != nil {
			return err
		}
		if found != "" {
			return formatErr(nil, "offset %d: %s: the value of %s is %s, not a string", off(vat), metadataKey, clip(k), found)
		}
		v, err := s.str()
		if err != nil {
			return err
		}
		if p.metaLen += len(k) + len(v); p.metaLen > MaxMetadataLen {
			return formatErr([]error{errLimit}, "offset %d: %s holds more than %d bytes of keys and values", off(vat), metadataKey, MaxMetadataLen)
		}
		p.meta[k] = string(v)
	}
}

// tensor reads a tensor entry, of the tensor called name whose key is at
// file offset at, and appends it to p.raws.
func (p *parser) tensor(name string, at int64) error {
	s := &p.s
	rt := rawTensor{name: name, at: at}
	vat, found, err := s.expect('{')
	if err != nil {
		return err
	}
	if found != "" {
		return formatErr(nil, "offset %d: %s: expected an object, found %s", off(vat), tensorWhat(name), found)
	}
	s.i++
	var haveShape, haveOffsets bool
	seen := 0
	for n := 0; ; n++ {
		more, err := s.more('}', n)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		k, kat, err := s.key()
		if err != nil {
			return err
		}
		var bit int
		switch string(k) {
		case "dtype":
			bit = 1
		case "shape":
			bit = 2
		case "data_offsets":
			bit = 4
		}
		if bit != 0 && seen&bit != 0 {
			return formatErr(nil, "offset %d: %s: duplicate key %q", off(kat), tensorWhat(name), k)
		}
		seen |= bit
		switch bit {
		case 1:
			if err := p.dtype(&rt); err != nil {
				return err
			}
		case 2:
			v, err := p.uints(p.shapeBuf[:0], name, "shape", -1)
			if err != nil {
				return err
			}
			rt.shape = p.shape(v)
			haveShape = true
		case 4:
			var o [2]uint64
			v, err := p.uints(o[:0], name, "data_offsets", 2)
			if err != nil {
				return err
			}
			rt.begin, rt.end = v[0], v[1]
			haveOffsets = true
		default:
			// Unknown keys are ignored, as the reference does.
			key := string(k) // for messages
			if err := s.skip(0, func() string { return tensorWhat(name) + ": key " + clip(key) }); err != nil {
				return err
			}
		}
	}
	switch {
	case rt.dt == nil:
		return formatErr(nil, "offset %d: %s: no dtype", at, tensorWhat(name))
	case !haveShape:
		return formatErr(nil, "offset %d: %s: no shape", at, tensorWhat(name))
	case !haveOffsets:
		return formatErr(nil, "offset %d: %s: no data_offsets", at, tensorWhat(name))
	}
	p.raws = append(p.raws, rt)
	return nil
}

// dtype reads the value of a tensor's "dtype".
func (p *parser) dtype(rt *rawTensor) error {
	s := &p.s
	vat, found, err := s.expect('"')
	if err != nil {
		return err
	}
	if found != "" {
		return formatErr(nil, "offset %d: %s: dtype is %s, not a string", off(vat), tensorWhat(rt.name), found)
	}
	v, err := s.str()
	if err != nil {
		return err
	}
	for i := range dtypes {
		if dtypes[i].name == string(v) {
			rt.dt = &dtypes[i]
			return nil
		}
	}
	return formatErr(nil, "offset %d: %s: unknown dtype %s (known: %s)", off(vat), tensorWhat(rt.name), clip(string(v)), knownDTypes())
}

// uints reads an array of non-negative integers, of length n unless n is
// negative, and appends them to v; key names the array in messages, of
// the tensor called name. A shape (n negative) of more than MaxRank
// numbers is refused, after it is read to the end (to count them) without
// storing them.
func (p *parser) uints(v []uint64, name, key string, n int) ([]uint64, error) {
	s := &p.s
	what := func() string { return tensorWhat(name) + ": " + key }
	start, found, err := s.expect('[')
	if err != nil {
		return nil, err
	}
	if found != "" {
		return nil, formatErr(nil, "offset %d: %s: expected an array, found %s", off(start), what(), found)
	}
	s.i++
	count := 0
	for ; ; count++ {
		more, err := s.more(']', count)
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		at := s.i
		if c := s.h[at]; c != '-' && (c < '0' || c > '9') {
			d, err := s.describe()
			if err != nil {
				return nil, err
			}
			return nil, formatErr(nil, "offset %d: %s: expected a non-negative integer, found %s", off(at), what(), d)
		}
		x, num, ok, err := s.uint()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, formatErr(nil, "offset %d: %s: expected a non-negative integer below 2^64, found %s", off(at), what(), clip(string(num)))
		}
		if n >= 0 && count == n {
			return nil, formatErr(nil, "offset %d: %s: more than %d numbers", off(at), what(), n)
		}
		if n < 0 && count >= MaxRank {
			continue // counted, not kept
		}
		v = append(v, x)
	}
	if n < 0 && count > MaxRank {
		return nil, formatErr([]error{errLimit}, "offset %d: %s has %d dimensions, more than the %d this package reads (NumPy's limit)", off(start), what(), count, MaxRank)
	}
	if n >= 0 && count != n {
		return nil, formatErr(nil, "offset %d: %s: %d numbers, expected %d", off(s.i-1), what(), count, n)
	}
	return v, nil
}

func knownDTypes() string {
	names := make([]string, len(dtypes))
	for i := range dtypes {
		names[i] = dtypes[i].name
	}
	return strings.Join(names, " ")
}

// validate checks the tensors as the reference's Metadata::validate does:
// sorted by data_offsets, they must cover the data area (of dataLen bytes,
// at dataOff in the file) from 0 to its end without holes or overlaps,
// each holding exactly the bytes of its shape and dtype.
//
// index maps the names of raws to their indices in it, and becomes the
// parsed header's index; the shape of raws[i] is
// dims[raws[i].dims[0]:raws[i].dims[1]].
func validate(raws []rawTensor, index map[string]int, meta map[string]string, dataOff int64, dataLen uint64) (*parsed, error) {
	slices.SortStableFunc(raws, func(a, b rawTensor) int {
		if a.begin != b.begin {
			return cmpU(a.begin, b.begin)
		}
		if a.end != b.end {
			return cmpU(a.end, b.end)
		}
		return strings.Compare(a.name, b.name)
	})
	p := &parsed{dataOff: dataOff, meta: meta, tensors: make([]Info, 0, len(raws)), index: index}
	var start uint64
	for i := range raws {
		rt := &raws[i]
		what := func() string { return tensorWhat(rt.name) }
		rawShape := func() string { return shapeString(asUint64(rt.shape)) } // for messages
		if rt.begin != start || rt.end < rt.begin {
			return nil, formatErr(nil, "offset %d: %s: data_offsets [%d, %d]: expected it to begin at %d, where the data before it ends (tensors must fill the data area in order, without holes or overlaps)", rt.at, what(), rt.begin, rt.end, start)
		}
		nel := uint64(1)
		for _, v := range rt.shape {
			d := uint64(v) // as the header states it
			hi, lo := bits.Mul64(nel, d)
			if hi != 0 {
				return nil, formatErr(nil, "offset %d: %s: shape %s overflows", rt.at, what(), rawShape())
			}
			if d > math.MaxInt64 {
				return nil, formatErr(nil, "offset %d: %s: dimension %d of shape %s exceeds 2^63-1", rt.at, what(), d, rawShape())
			}
			nel = lo
		}
		hi, nbits := bits.Mul64(nel, uint64(rt.dt.bits))
		if hi != 0 {
			return nil, formatErr(nil, "offset %d: %s: shape %s of %s overflows", rt.at, what(), rawShape(), rt.dt.name)
		}
		if nbits%8 != 0 {
			return nil, formatErr(nil, "offset %d: %s: %d elements of %d-bit %s do not fill whole bytes", rt.at, what(), nel, rt.dt.bits, rt.dt.name)
		}
		if size := nbits / 8; rt.end-rt.begin != size {
			return nil, formatErr(nil, "offset %d: %s: data_offsets [%d, %d] hold %d bytes, but shape %s of %s needs %d", rt.at, what(), rt.begin, rt.end, rt.end-rt.begin, rawShape(), rt.dt.name, size)
		}
		if rt.end > dataLen {
			return nil, formatErr([]error{io.ErrUnexpectedEOF}, "offset %d: %s: data_offsets [%d, %d] end past the %d bytes of data the file holds", rt.at, what(), rt.begin, rt.end, dataLen)
		}
		start = rt.end
		index[rt.name] = len(p.tensors)
		p.tensors = append(p.tensors, Info{
			Name:   rt.name,
			DType:  rt.dt.name,
			Type:   rt.dt.dt,
			Shape:  rt.shape,                  // checked: no dimension over 2^63-1
			Offset: dataOff + int64(rt.begin), // < the file's size, an int64
			Size:   int64(rt.end - rt.begin),
		})
	}
	if start != dataLen {
		return nil, formatErr(nil, "offset %d: the file has %d bytes after the header, but its tensors' data ends at %d (no bytes may follow the last tensor)", dataOff, dataLen, start)
	}
	return p, nil
}

// asUint64 returns the dimensions of a shape as the header states them
// (rawTensor.shape), for messages.
func asUint64(shape []int64) []uint64 {
	u := make([]uint64, len(shape))
	for i, d := range shape {
		u[i] = uint64(d)
	}
	return u
}

func cmpU(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// shapeString writes a shape as Python does: "(3,)", "(2, 3)", "()".
func shapeString[D int | int64 | uint64](shape []D) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, n := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, n)
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}
