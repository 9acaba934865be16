package header

import (
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gomemmap/memmap/internal/pylit"
	"github.com/gomemmap/memmap/layout"
)

// Magic is the first six bytes of every .npy file.
const Magic = "\x93NUMPY"

// Align is the multiple of which Encode makes the data offset, as NumPy
// does (ARRAY_ALIGN). Readers accept any data offset.
const Align = 64

// GrowthAxisMaxDigits is the number of digits Encode leaves room for on the
// growth axis, as NumPy >= 1.23 does (GROWTH_AXIS_MAX_DIGITS): any int64
// fits, so RewriteShape can always rewrite that axis of a header it wrote.
const GrowthAxisMaxDigits = 21

// MaxDims is the largest number of dimensions Parse accepts and Encode and
// RewriteShape write: NumPy >= 2's NPY_MAXDIMS, the most np.load accepts.
// NumPy 1.x loads at most 32 dimensions (its NPY_MAXDIMS); keep to 32 for
// files that NumPy 1.x must read. A header with more dims gives an error
// matching ErrTooLarge (and ErrFormat).
const MaxDims = 64

// DefaultMaxHeaderLen is the default bound on the header length field
// (Options.MaxHeaderLen): 1 MiB, well above the 10000 characters NumPy
// accepts by default, so that the 2.0 headers NumPy writes for dtypes with
// thousands of fields open too.
const DefaultMaxHeaderLen = 1 << 20

// Version is a .npy format version. Only 1.0, 2.0 and 3.0 exist; the minor
// version is always 0.
type Version uint8

// The format versions.
const (
	// Auto, the zero Version, asks Encode to choose the version as NumPy
	// does: 1.0, or 2.0 when the header does not fit a uint16 length, or
	// 3.0 when the text cannot be written in latin-1.
	Auto Version = 0
	V1   Version = 1 // 1.0: uint16 header length, latin-1 text
	V2   Version = 2 // 2.0: uint32 header length, latin-1 text
	V3   Version = 3 // 3.0: uint32 header length, UTF-8 text
)

// String returns "1.0", "2.0", "3.0" or "auto".
func (v Version) String() string {
	if v == Auto {
		return "auto"
	}
	return strconv.Itoa(int(v)) + ".0"
}

// prefixLen returns the length of magic, version and length field.
func (v Version) prefixLen() int {
	if v == V1 {
		return 10
	}
	return 12
}

// Header is a decoded .npy header.
type Header struct {
	// Version is the format version. Parse sets it to the file's; Encode
	// writes it, or chooses one as NumPy does when it is Auto.
	Version Version

	// DType is the array's element type, from the header's descr.
	DType *layout.DType

	// FortranOrder reports column-major data (the last axis is the
	// growth axis); false is C order (row-major, growth on axis 0).
	FortranOrder bool

	// Shape is the array's shape; nil or empty for a 0-d array. Dims are
	// non-negative.
	Shape []int64

	// DataOffset is where the data starts: the total length of the header
	// in the file, magic included. Parse and Read set it; Encode ignores it.
	DataOffset int64
}

// Options tunes Parse and Read. A nil *Options means the defaults.
type Options struct {
	// MaxHeaderLen bounds the header length field (the bytes of header
	// text), checked before anything is allocated. Zero means
	// DefaultMaxHeaderLen.
	MaxHeaderLen int
}

func (o *Options) maxHeaderLen() int {
	if o == nil || o.MaxHeaderLen <= 0 {
		return DefaultMaxHeaderLen
	}
	return o.MaxHeaderLen
}

// Parse decodes the header at the start of b, which must hold the whole
// header and may hold more (the data). The returned Header's DataOffset is
// the header's length in b.
//
// Every malformed header gives an error matching ErrFormat; a b that ends
// inside the header also matches io.ErrUnexpectedEOF; a bad descr also
// matches layout.ErrDType; a shape of more than MaxDims dims also matches
// ErrTooLarge.
//
// Parse allocates in proportion to the header's length: one compact
// syntax tree of the text (the descr's is not built twice), the dtype
// and its fields.
func Parse(b []byte, opts *Options) (*Header, error) {
	r, err := parseRaw(b, opts.maxHeaderLen())
	if err != nil {
		return nil, err
	}
	return r.header()
}

// Read reads and decodes a header from r, which is left just past it, at
// the start of the data (no byte beyond the header is read). Errors are as
// for Parse; a failure of r itself is returned wrapped.
func Read(r io.Reader, opts *Options) (*Header, error) {
	var pre [12]byte
	if n, err := io.ReadFull(r, pre[:10]); err != nil {
		if merr := checkMagic(pre[:n]); merr != nil {
			return nil, merr
		}
		return nil, readErr(err, 0, "magic, version and header length", 10, n)
	}
	if err := checkMagic(pre[:10]); err != nil {
		return nil, err
	}
	v := Version(pre[6])
	plen := v.prefixLen()
	if plen > 10 {
		if n, err := io.ReadFull(r, pre[10:12]); err != nil {
			return nil, readErr(err, 10, "header length", 2, n)
		}
	}
	hlen, err := headerLen(pre[:plen], opts.maxHeaderLen())
	if err != nil {
		return nil, err
	}
	buf := make([]byte, plen+hlen)
	copy(buf, pre[:plen])
	if n, err := io.ReadFull(r, buf[plen:]); err != nil {
		return nil, readErr(err, int64(plen), "header text", hlen, n)
	}
	return Parse(buf, opts)
}

// readErr turns a short read into a truncation error and wraps any other
// failure of the reader.
func readErr(err error, off int64, what string, need, got int) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncatedErr(off+int64(got), what, need, got)
	}
	return &headerError{msg: "header: reading " + what + ": " + err.Error(), errs: []error{err}}
}

// checkMagic checks the magic and version bytes present in b, which may
// be shorter than 8 bytes (then only what is there is checked).
func checkMagic(b []byte) error {
	for i := 0; i < len(Magic) && i < len(b); i++ {
		if b[i] != Magic[i] {
			return formatErr(int64(i), nil, "expected the .npy magic %q, got %q", Magic, b[:min(len(b), len(Magic))])
		}
	}
	if len(b) > 6 && (b[6] < 1 || b[6] > 3) {
		return formatErr(6, []error{ErrVersion}, "expected format version 1.0, 2.0 or 3.0, got major version %d", b[6])
	}
	if len(b) > 7 && b[7] != 0 {
		return formatErr(7, []error{ErrVersion}, "expected format version %d.0, got %d.%d", b[6], b[6], b[7])
	}
	return nil
}

// headerLen decodes and bounds the length field of a checked prefix.
func headerLen(pre []byte, max int) (int, error) {
	var n uint64
	if len(pre) == 10 {
		n = uint64(binary.LittleEndian.Uint16(pre[8:10]))
	} else {
		n = uint64(binary.LittleEndian.Uint32(pre[8:12]))
	}
	if n > uint64(max) {
		return 0, formatErr(8, []error{ErrTooLarge}, "expected header length ≤ %d, got %d", max, n)
	}
	return int(n), nil
}

// raw is a header parsed down to text spans, before the descr is handed to
// package layout.
type raw struct {
	version Version
	prefix  int    // bytes of magic, version and length field
	hlen    int    // bytes of header text
	text    string // the header text, decoded to UTF-8
	latin1  bool   // text was decoded from latin-1 (offsets differ from the file's)

	dictEnd    int    // text offset just past the dict
	descrSpan  [2]int // text span of the descr value
	fortran    bool
	shape      []int64
	shapeSpan  [2]int   // text span of the shape value
	shapeItems [][2]int // text spans of the shape's items
}

// fileOff converts an offset in r.text to a byte offset in the file.
func (r *raw) fileOff(off int) int64 {
	if r.latin1 {
		off = utf8.RuneCountInString(r.text[:off])
	}
	return int64(r.prefix + off)
}

func parseRaw(b []byte, max int) (*raw, error) {
	if err := checkMagic(b); err != nil {
		return nil, err
	}
	if len(b) < 10 {
		return nil, truncatedErr(int64(len(b)), "magic, version and header length", 10, len(b))
	}
	r := &raw{version: Version(b[6])}
	r.prefix = r.version.prefixLen()
	if len(b) < r.prefix {
		return nil, truncatedErr(int64(len(b)), "header length", r.prefix, len(b))
	}
	hlen, err := headerLen(b[:r.prefix], max)
	if err != nil {
		return nil, err
	}
	r.hlen = hlen
	if len(b)-r.prefix < hlen {
		return nil, truncatedErr(int64(len(b)), "header text", hlen, len(b)-r.prefix)
	}
	tb := b[r.prefix : r.prefix+hlen]
	if r.version == V3 {
		if !utf8.Valid(tb) {
			i := 0
			for i < len(tb) {
				c, n := utf8.DecodeRune(tb[i:])
				if c == utf8.RuneError && n == 1 {
					break
				}
				i += n
			}
			return nil, formatErr(int64(r.prefix+i), nil, "expected UTF-8 header text (format 3.0), got byte %#02x", tb[i])
		}
		r.text = string(tb)
	} else {
		r.text, r.latin1 = latin1(tb)
	}
	if err := r.parseDict(); err != nil {
		return nil, err
	}
	return r, nil
}

// latin1 decodes latin-1 bytes to a UTF-8 string and reports whether any
// byte was not ASCII.
func latin1(b []byte) (string, bool) {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), false
	}
	buf := make([]byte, 0, len(b)*2)
	for _, c := range b {
		buf = utf8.AppendRune(buf, rune(c))
	}
	return string(buf), true
}

// parseDict parses r.text as the header dict and checks its keys and the
// fortran_order and shape values. The descr is checked for syntax only
// here; header hands its text to package layout, so that no part of the
// text is turned into a syntax tree twice.
func (r *raw) parseDict() error {
	d, err := pylit.ParseTop(r.text, 1)
	if err != nil {
		return r.syntaxErr(0, err)
	}
	if d.Kind() != pylit.Dict {
		return formatErr(r.fileOff(d.Off()), nil, "expected a dict, got a %s", d.Kind())
	}
	r.dictEnd = d.End()
	var seen [3]bool
	var vals [3]pylit.Node
	for k, v := range d.Pairs() {
		j := -1
		if k.Kind() == pylit.Str {
			switch k.Str() {
			case "descr":
				j = 0
			case "fortran_order":
				j = 1
			case "shape":
				j = 2
			}
		}
		if j < 0 {
			return formatErr(r.fileOff(k.Off()), nil, "expected only the keys 'descr', 'fortran_order' and 'shape', got %s",
				shorten(k.Source()))
		}
		// A repeated key overrides the earlier one, as in Python.
		seen[j], vals[j] = true, v
	}
	for j, name := range []string{"descr", "fortran_order", "shape"} {
		if !seen[j] {
			return formatErr(r.fileOff(d.End()-1), nil, "expected the key '%s' in the header dict", name)
		}
	}
	r.descrSpan = [2]int{vals[0].Off(), vals[0].End()}

	fo := vals[1]
	if fo.Kind() != pylit.Bool {
		return formatErr(r.fileOff(fo.Off()), nil, "expected fortran_order True or False, got %s", shorten(fo.Source()))
	}
	r.fortran = fo.Bool()

	sh := vals[2]
	if sh.Kind() != pylit.Tuple {
		return formatErr(r.fileOff(sh.Off()), nil, "expected shape to be a tuple of ints, got %s", shorten(sh.Source()))
	}
	if sh.Len() > MaxDims {
		return formatErr(r.fileOff(sh.Off()), []error{ErrTooLarge}, "expected a shape of at most %d dims (MaxDims: NumPy loads no more; NumPy 1.x: 32), got %d", MaxDims, sh.Len())
	}
	r.shapeSpan = [2]int{sh.Off(), sh.End()}
	// The tuple's items were not kept by ParseTop: parse its text.
	sh, err = pylit.Parse(sh.Source())
	if err != nil {
		return r.syntaxErr(r.shapeSpan[0], err) // unreachable: it parsed above
	}
	r.shape = make([]int64, sh.Len())
	r.shapeItems = make([][2]int, sh.Len())
	for i, it := range sh.Items() {
		off := r.shapeSpan[0] + it.Off()
		r.shapeItems[i] = [2]int{off, r.shapeSpan[0] + it.End()}
		if it.Kind() != pylit.Int {
			return formatErr(r.fileOff(off), nil, "expected shape[%d] to be an int, got %s", i, shorten(it.Source()))
		}
		if it.Int() < 0 {
			return formatErr(r.fileOff(off), nil, "expected shape[%d] ≥ 0, got %d", i, it.Int())
		}
		r.shape[i] = it.Int()
	}
	return nil
}

// syntaxErr reports a pylit error in the text that starts at offset base
// of the header text.
func (r *raw) syntaxErr(base int, err error) error {
	var se *pylit.SyntaxError
	if errors.As(err, &se) {
		return formatErr(r.fileOff(base+se.Off), []error{err}, "header text is not a Python literal: %s", se.Msg)
	}
	return formatErr(r.fileOff(base), []error{err}, "header text is not a Python literal: %s", err.Error())
}

// header finishes decoding: the descr through package layout, then the
// data size check.
func (r *raw) header() (*Header, error) {
	descr := r.text[r.descrSpan[0]:r.descrSpan[1]]
	dt, err := layout.ParseDescr(descr)
	if err != nil {
		return nil, formatErr(r.fileOff(r.descrSpan[0]), []error{err}, "bad descr %s: %s", shorten(descr), err.Error())
	}
	h := &Header{
		Version:      r.version,
		DType:        dt,
		FortranOrder: r.fortran,
		Shape:        r.shape,
		DataOffset:   int64(r.prefix + r.hlen),
	}
	if _, err := h.DataSize(); err != nil {
		return nil, formatErr(r.fileOff(r.shapeSpan[0]), []error{ErrTooLarge}, "shape %s: %s", r.text[r.shapeSpan[0]:r.shapeSpan[1]], strings.TrimPrefix(err.Error(), "header: "))
	}
	return h, nil
}

// shorten trims a long descr for error messages.
func shorten(s string) string {
	if len(s) <= 80 {
		return s
	}
	i := 60
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…(" + strconv.Itoa(len(s)) + " bytes)"
}

// DataSize returns the size of the array data in bytes: the product of the
// shape times the item size, with overflow checks. A shape with a zero dim
// has size 0.
func (h *Header) DataSize() (int64, error) {
	n, err := h.Count()
	if err != nil {
		return 0, err
	}
	size := int64(0)
	if h.DType != nil {
		size = int64(h.DType.Size())
	}
	if n != 0 && size > math.MaxInt64/n {
		return 0, &headerError{
			msg:  "header: data size " + strconv.FormatInt(n, 10) + " × " + strconv.FormatInt(size, 10) + " bytes overflows int64",
			errs: []error{ErrTooLarge, ErrFormat},
		}
	}
	return n * size, nil
}

// checkDims refuses shapes of more than MaxDims dims.
func checkDims(shape []int64) error {
	if len(shape) > MaxDims {
		return &headerError{
			msg:  "header: shape of " + strconv.Itoa(len(shape)) + " dims: NumPy loads at most " + strconv.Itoa(MaxDims) + " (MaxDims; NumPy 1.x: 32)",
			errs: []error{ErrTooLarge, ErrFormat},
		}
	}
	return nil
}

// Count returns the number of elements: the product of the shape (1 for a
// 0-d array, 0 when any dim is 0), with overflow checks.
func (h *Header) Count() (int64, error) {
	n := int64(1)
	for _, d := range h.Shape {
		if d < 0 {
			return 0, &headerError{msg: "header: negative dim " + strconv.FormatInt(d, 10) + " in shape", errs: []error{ErrFormat}}
		}
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range h.Shape {
		if d > math.MaxInt64/n {
			return 0, &headerError{msg: "header: element count of shape " + shapeRepr(h.Shape) + " overflows int64", errs: []error{ErrTooLarge, ErrFormat}}
		}
		n *= d
	}
	return n, nil
}

// GrowthAxis returns the axis an append grows: 0 in C order, the last in
// Fortran order, and -1 for a 0-d array.
func (h *Header) GrowthAxis() int {
	if len(h.Shape) == 0 {
		return -1
	}
	if h.FortranOrder {
		return len(h.Shape) - 1
	}
	return 0
}
