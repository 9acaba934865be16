package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
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

// maxSkipDepth bounds the nesting of the values of unknown keys in a
// tensor entry, which are skipped: deeper JSON is refused rather than
// tracked.
const maxSkipDepth = 64

// metadataKey is the key of the optional string-to-string metadata.
const metadataKey = "__metadata__"

// TensorInfo describes one tensor of a file.
type TensorInfo struct {
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
	tensors []TensorInfo   // by offset, then name
	index   map[string]int // name -> index in tensors
	meta    map[string]string
}

// rawTensor is a tensor entry as the header states it.
type rawTensor struct {
	name       string
	dt         *dtypeInfo
	shape      []uint64
	begin, end uint64
	at         int64 // offset in the file of the entry, for messages
}

// parse checks and decodes the safetensors file b (all of it), as strictly
// as the reference implementation's SafeTensors::read_metadata, and a
// little more: duplicate keys are refused at every level.
func parse(b []byte) (*parsed, error) {
	if len(b) < 8 {
		return nil, formatErr([]error{io.ErrUnexpectedEOF}, "file of %d bytes: too short for the 8-byte header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeaderLen {
		return nil, formatErr(nil, "offset 0: header length %d exceeds the limit of %d bytes", n, MaxHeaderLen)
	}
	if n > uint64(len(b)-8) {
		return nil, formatErr([]error{io.ErrUnexpectedEOF}, "offset 0: header length %d, but the file has %d bytes after it", n, len(b)-8)
	}
	h := b[8 : 8+n]
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
	p := &parser{dec: json.NewDecoder(bytes.NewReader(h))}
	p.dec.UseNumber()
	raws, meta, err := p.header()
	if err != nil {
		return nil, err
	}
	return validate(raws, meta, int64(8+n), uint64(len(b))-8-n)
}

// parser reads the header's JSON, token by token, so that duplicate keys
// are seen (encoding/json's Unmarshal keeps the last) and nothing is
// allocated for values that are not read.
type parser struct {
	dec *json.Decoder
}

// off returns the file offset of the parser's position.
func (p *parser) off() int64 { return 8 + p.dec.InputOffset() }

// token returns the next token; a syntax error matches ErrFormat.
func (p *parser) token() (json.Token, error) {
	at := p.off()
	t, err := p.dec.Token()
	if err == io.EOF {
		return nil, formatErr(nil, "offset %d: the header ends inside its JSON", at)
	}
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			at = 8 + se.Offset
		}
		return nil, formatErr(nil, "offset %d: the header is not valid JSON: %v", at, strings.TrimPrefix(err.Error(), "json: "))
	}
	return t, nil
}

// describe names a token for messages.
func describe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return strconv.Quote(string(v))
	case string:
		return "the string " + clip(v)
	case json.Number:
		return "the number " + clip(string(v))
	case bool:
		return "the literal " + strconv.FormatBool(v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", t)
}

// clip quotes a string for a message, shortened.
func clip(s string) string {
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return strconv.Quote(s)
}

// expect reads a token that must be the delimiter d.
func (p *parser) expect(d json.Delim, what string) error {
	at := p.off()
	t, err := p.token()
	if err != nil {
		return err
	}
	if t != d {
		return formatErr(nil, "offset %d: %s: expected %s, found %s", at, what, describe(d), describe(t))
	}
	return nil
}

// key reads an object key.
func (p *parser) key() (string, int64, error) {
	at := p.off()
	t, err := p.token()
	if err != nil {
		return "", at, err
	}
	s, ok := t.(string)
	if !ok { // unreachable: the decoder only gives strings as keys
		return "", at, formatErr(nil, "offset %d: expected a key, found %s", at, describe(t))
	}
	return s, at, nil
}

// header reads the top-level object.
func (p *parser) header() ([]rawTensor, map[string]string, error) {
	if err := p.expect('{', "the header"); err != nil {
		return nil, nil, err
	}
	var raws []rawTensor
	var meta map[string]string
	seen := make(map[string]struct{})
	for p.dec.More() {
		name, at, err := p.key()
		if err != nil {
			return nil, nil, err
		}
		if _, dup := seen[name]; dup {
			return nil, nil, formatErr(nil, "offset %d: duplicate key %s in the header", at, clip(name))
		}
		seen[name] = struct{}{}
		if name == metadataKey {
			if meta, err = p.metadata(); err != nil {
				return nil, nil, err
			}
			continue
		}
		rt, err := p.tensor(name, at)
		if err != nil {
			return nil, nil, err
		}
		raws = append(raws, rt)
	}
	if err := p.expect('}', "the header"); err != nil {
		return nil, nil, err
	}
	at := p.off()
	if t, err := p.dec.Token(); err != io.EOF {
		what := "more JSON"
		if err == nil {
			what = describe(t)
		}
		return nil, nil, formatErr(nil, "offset %d: %s after the header object (only spaces may follow it)", at, what)
	}
	return raws, meta, nil
}

// metadata reads the value of "__metadata__": null, or an object of
// strings.
func (p *parser) metadata() (map[string]string, error) {
	at := p.off()
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('{') {
		return nil, formatErr(nil, "offset %d: %s: expected an object of strings, found %s", at, metadataKey, describe(t))
	}
	meta := make(map[string]string)
	for p.dec.More() {
		k, kat, err := p.key()
		if err != nil {
			return nil, err
		}
		if _, dup := meta[k]; dup {
			return nil, formatErr(nil, "offset %d: duplicate key %s in %s", kat, clip(k), metadataKey)
		}
		vat := p.off()
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		v, ok := t.(string)
		if !ok {
			return nil, formatErr(nil, "offset %d: %s: the value of %s is %s, not a string", vat, metadataKey, clip(k), describe(t))
		}
		meta[k] = v
	}
	return meta, p.expect('}', metadataKey)
}

// tensor reads a tensor entry.
func (p *parser) tensor(name string, at int64) (rawTensor, error) {
	rt := rawTensor{name: name, at: at}
	what := "tensor " + clip(name)
	if err := p.expect('{', what); err != nil {
		return rt, err
	}
	var haveShape, haveOffsets bool
	seen := 0
	for p.dec.More() {
		k, kat, err := p.key()
		if err != nil {
			return rt, err
		}
		var bit int
		switch k {
		case "dtype":
			bit = 1
		case "shape":
			bit = 2
		case "data_offsets":
			bit = 4
		}
		if bit != 0 && seen&bit != 0 {
			return rt, formatErr(nil, "offset %d: %s: duplicate key %q", kat, what, k)
		}
		seen |= bit
		switch k {
		case "dtype":
			vat := p.off()
			t, err := p.token()
			if err != nil {
				return rt, err
			}
			s, ok := t.(string)
			if !ok {
				return rt, formatErr(nil, "offset %d: %s: dtype is %s, not a string", vat, what, describe(t))
			}
			if rt.dt = lookupDType(s); rt.dt == nil {
				return rt, formatErr(nil, "offset %d: %s: unknown dtype %s (known: %s)", vat, what, clip(s), knownDTypes())
			}
		case "shape":
			if rt.shape, err = p.uints(what+": shape", -1); err != nil {
				return rt, err
			}
			haveShape = true
		case "data_offsets":
			o, err := p.uints(what+": data_offsets", 2)
			if err != nil {
				return rt, err
			}
			rt.begin, rt.end = o[0], o[1]
			haveOffsets = true
		default:
			// Unknown keys are ignored, as the reference does.
			if err := p.skip(what + ": key " + clip(k)); err != nil {
				return rt, err
			}
		}
	}
	if err := p.expect('}', what); err != nil {
		return rt, err
	}
	switch {
	case rt.dt == nil:
		return rt, formatErr(nil, "offset %d: %s: no dtype", at, what)
	case !haveShape:
		return rt, formatErr(nil, "offset %d: %s: no shape", at, what)
	case !haveOffsets:
		return rt, formatErr(nil, "offset %d: %s: no data_offsets", at, what)
	}
	return rt, nil
}

// uints reads an array of non-negative integers, of length n unless n is
// negative.
func (p *parser) uints(what string, n int) ([]uint64, error) {
	if err := p.expect('[', what); err != nil {
		return nil, err
	}
	var v []uint64
	if n > 0 {
		v = make([]uint64, 0, n)
	}
	for p.dec.More() {
		at := p.off()
		t, err := p.token()
		if err != nil {
			return nil, err
		}
		num, ok := t.(json.Number)
		if !ok {
			return nil, formatErr(nil, "offset %d: %s: expected a non-negative integer, found %s", at, what, describe(t))
		}
		x, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, formatErr(nil, "offset %d: %s: expected a non-negative integer below 2^64, found %s", at, what, clip(string(num)))
		}
		if n >= 0 && len(v) == n {
			return nil, formatErr(nil, "offset %d: %s: more than %d numbers", at, what, n)
		}
		v = append(v, x)
	}
	if n >= 0 && len(v) != n {
		return nil, formatErr(nil, "offset %d: %s: %d numbers, expected %d", p.off(), what, len(v), n)
	}
	return v, p.expect(']', what)
}

// skip reads and drops one value, nested at most maxSkipDepth deep.
func (p *parser) skip(what string) error {
	depth := 0
	for {
		at := p.off()
		t, err := p.token()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('['), json.Delim('{'):
			if depth++; depth > maxSkipDepth {
				return formatErr(nil, "offset %d: %s: value nested more than %d deep", at, what, maxSkipDepth)
			}
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
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
func validate(raws []rawTensor, meta map[string]string, dataOff int64, dataLen uint64) (*parsed, error) {
	slices.SortStableFunc(raws, func(a, b rawTensor) int {
		if a.begin != b.begin {
			return cmpU(a.begin, b.begin)
		}
		if a.end != b.end {
			return cmpU(a.end, b.end)
		}
		return strings.Compare(a.name, b.name)
	})
	p := &parsed{dataOff: dataOff, meta: meta, tensors: make([]TensorInfo, 0, len(raws)), index: make(map[string]int, len(raws))}
	var start uint64
	for _, rt := range raws {
		what := "tensor " + clip(rt.name)
		if rt.begin != start || rt.end < rt.begin {
			return nil, formatErr(nil, "offset %d: %s: data_offsets [%d, %d]: expected it to begin at %d, where the data before it ends (tensors must fill the data area in order, without holes or overlaps)", rt.at, what, rt.begin, rt.end, start)
		}
		nel := uint64(1)
		shape := make([]int64, len(rt.shape))
		for i, d := range rt.shape {
			hi, lo := bits.Mul64(nel, d)
			if hi != 0 {
				return nil, formatErr(nil, "offset %d: %s: shape %s overflows", rt.at, what, shapeString(rt.shape))
			}
			if d > math.MaxInt64 {
				return nil, formatErr(nil, "offset %d: %s: dimension %d of shape %s exceeds 2^63-1", rt.at, what, d, shapeString(rt.shape))
			}
			nel = lo
			shape[i] = int64(d)
		}
		hi, nbits := bits.Mul64(nel, uint64(rt.dt.bits))
		if hi != 0 {
			return nil, formatErr(nil, "offset %d: %s: shape %s of %s overflows", rt.at, what, shapeString(rt.shape), rt.dt.name)
		}
		if nbits%8 != 0 {
			return nil, formatErr(nil, "offset %d: %s: %d elements of %d-bit %s do not fill whole bytes", rt.at, what, nel, rt.dt.bits, rt.dt.name)
		}
		if size := nbits / 8; rt.end-rt.begin != size {
			return nil, formatErr(nil, "offset %d: %s: data_offsets [%d, %d] hold %d bytes, but shape %s of %s needs %d", rt.at, what, rt.begin, rt.end, rt.end-rt.begin, shapeString(rt.shape), rt.dt.name, size)
		}
		if rt.end > dataLen {
			return nil, formatErr([]error{io.ErrUnexpectedEOF}, "offset %d: %s: data_offsets [%d, %d] end past the %d bytes of data the file holds", rt.at, what, rt.begin, rt.end, dataLen)
		}
		start = rt.end
		p.index[rt.name] = len(p.tensors)
		p.tensors = append(p.tensors, TensorInfo{
			Name:   rt.name,
			DType:  rt.dt.name,
			Type:   rt.dt.dt,
			Shape:  shape,
			Offset: dataOff + int64(rt.begin), // < the file's size, an int64
			Size:   int64(rt.end - rt.begin),
		})
	}
	if start != dataLen {
		return nil, formatErr(nil, "offset %d: the file has %d bytes after the header, but its tensors' data ends at %d (no bytes may follow the last tensor)", dataOff, dataLen, start)
	}
	return p, nil
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
