package header

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GrowthPageSize is the page size whose boundaries Encode keeps the
// growth span (see GrowthSpan) away from: 4096 bytes, the smallest page
// of the systems the library runs on. The kernel copies a write into the
// page cache page by page, so bytes of one page change together for a
// reader of another process, while a write across a boundary can be seen
// half done.
const GrowthPageSize = 4096

// Encode returns the header NumPy writes for an array with h's dtype, order
// and shape, byte for byte (NumPy >= 1.23, numpy.lib.format.write_array):
//
//	{'descr': <descr>, 'fortran_order': <bool>, 'shape': <shape>, }
//
// with Python's repr spacing, "(n,)" for one dim and "()" for none, then
// GrowthAxisMaxDigits minus the digits of the growth axis in spaces (so that
// RewriteShape can later rewrite that axis to any int64), then spaces and
// "\n" up to a multiple of Align. The version is h.Version, or when that is
// Auto the one NumPy picks: 1.0, 2.0 when the text does not fit a uint16
// length, 3.0 when it cannot be written in latin-1. h.DataOffset is
// ignored; the data offset of the result is its length.
//
// One difference from NumPy: the growth span (see GrowthSpan), which is
// all that a later RewriteShape of the growth axis changes, is kept
// within one GrowthPageSize-aligned page of the file, so that a reader
// never sees a half-rewritten shape. When NumPy's header would put that
// span across a page boundary (only headers longer than a page, with
// long structured descrs, can), Encode inserts spaces before the 'shape'
// key to move it to the start of the next page. NumPy reads such headers
// (whitespace between dict items is Python syntax); all others are
// NumPy's bytes exactly.
//
// Encode refuses shapes of more than MaxDims dims and shapes whose data
// size overflows an int64, with errors matching ErrTooLarge, and dtypes
// NumPy has no dtype for (bfloat16 and the FP8 floats, layout.BFloat16,
// layout.Float8E4M3, layout.Float8E5M2, also as struct fields), with the
// error of layout.DType.CheckNumPy, which matches layout.ErrDType: no .npy
// file holds them.
func (h *Header) Encode() ([]byte, error) {
	if h.DType == nil {
		return nil, &headerError{msg: "header: Encode of a Header without a DType", errs: []error{ErrFormat}}
	}
	if err := h.DType.CheckNumPy(); err != nil {
		return nil, err
	}
	if err := checkDims(h.Shape); err != nil {
		return nil, err
	}
	if _, err := h.DataSize(); err != nil {
		return nil, err
	}
	descr := h.DType.Descr()
	ax := h.GrowthAxis()
	pad := 0 // spaces before the 'shape' key
	for try := 0; ; try++ {
		out, err := wrap(h.text(descr, pad), h.Version)
		if err != nil || ax < 0 {
			return out, err
		}
		lo, hi := h.encodedSpan(out, ax)
		if lo/GrowthPageSize == (hi-1)/GrowthPageSize {
			return out, nil
		}
		if try == 3 {
			// Unreachable: after one move the span starts a page (or
			// two bytes into it when the move changed the version), and
			// is far shorter than a page.
			return nil, &headerError{msg: "header: internal error keeping the growth span in one page", errs: []error{ErrFormat}}
		}
		pad += GrowthPageSize - lo%GrowthPageSize
	}
}

// text returns the header dict for Encode, with pad spaces before the
// 'shape' key and the spaces reserved for the growth axis after the dict.
func (h *Header) text(descr string, pad int) string {
	var sb strings.Builder
	sb.WriteString("{'descr': ")
	sb.WriteString(descr)
	sb.WriteString(", 'fortran_order': ")
	if h.FortranOrder {
		sb.WriteString("True")
	} else {
		sb.WriteString("False")
	}
	sb.WriteString(", ")
	for range pad {
		sb.WriteByte(' ')
	}
	sb.WriteString("'shape': ")
	sb.WriteString(shapeRepr(h.Shape))
	sb.WriteString(", }")
	if ax := h.GrowthAxis(); ax >= 0 {
		n := GrowthAxisMaxDigits - len(strconv.FormatInt(h.Shape[ax], 10))
		sb.WriteString(strings.Repeat(" ", max(n, 0)))
	}
	return sb.String()
}

// encodedSpan returns the growth span of out, a header Encode wrote for h
// (see GrowthSpan).
func (h *Header) encodedSpan(out []byte, ax int) (lo, hi int) {
	const key = "'shape': ("
	lo = bytes.LastIndex(out, []byte(key)) + len(key) // the shape is the last item
	for _, d := range h.Shape[:ax] {
		lo += len(strconv.FormatInt(d, 10)) + len(", ")
	}
	digits := len(strconv.FormatInt(h.Shape[ax], 10))
	hi = bytes.LastIndexByte(out, '}') + 1 + max(GrowthAxisMaxDigits-digits, 0)
	return lo, hi
}

// GrowthSpan returns the span [lo, hi) of byte offsets in the file that a
// RewriteShape of the given axis (the growth axis, Header.GrowthAxis) can
// change in the header at the start of raw, which must hold the whole
// header: from the first byte of that axis's number to the end of the
// dict when that number has GrowthAxisMaxDigits digits. The span does not
// move when the axis is rewritten.
//
// Encode keeps the span within one GrowthPageSize-aligned page; headers
// written by NumPy or others may not (lo/GrowthPageSize !=
// (hi-1)/GrowthPageSize), and a writer that must not let readers see a
// half-written shape has to handle those itself. Errors are those of
// Parse, and an error matching ErrFormat when the shape has no such axis.
func GrowthSpan(raw []byte, axis int) (lo, hi int, err error) {
	r, err := parseRaw(raw, len(raw))
	if err != nil {
		return 0, 0, err
	}
	if axis < 0 || axis >= len(r.shapeItems) {
		return 0, 0, formatErr(r.fileOff(r.shapeSpan[0]), nil, "expected a shape with an axis %d, got %s", axis, r.text[r.shapeSpan[0]:r.shapeSpan[1]])
	}
	it := r.shapeItems[axis]
	lo = int(r.fileOff(it[0]))
	hi = int(r.fileOff(r.dictEnd)) + max(GrowthAxisMaxDigits-(it[1]-it[0]), 0)
	return lo, hi, nil
}

// shapeRepr returns Python's repr of a shape tuple: "()", "(3,)", "(3, 4)".
func shapeRepr(shape []int64) string {
	b := make([]byte, 0, 2+len(shape)*8)
	b = append(b, '(')
	for i, d := range shape {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendInt(b, d, 10)
	}
	if len(shape) == 1 {
		b = append(b, ',')
	}
	return string(append(b, ')'))
}

// wrap encodes the header text in version v (choosing it as NumPy does
// when v is Auto) and adds the prefix, padding and final newline: NumPy's
// _wrap_header and _wrap_header_guess_version.
func wrap(text string, v Version) ([]byte, error) {
	isLatin1 := true
	for _, r := range text {
		if r > 0xff {
			isLatin1 = false
			break
		}
	}
	switch v {
	case Auto:
		switch {
		case !isLatin1:
			v = V3
		case paddedLen(V1, utf8.RuneCountInString(text)) <= math.MaxUint16:
			v = V1
		default:
			v = V2
		}
	case V1, V2:
		if !isLatin1 {
			return nil, &headerError{
				msg:  "header: format version " + v.String() + " needs latin-1 text, and the header has other characters (use 3.0 or Auto)",
				errs: []error{ErrVersion, ErrFormat},
			}
		}
	case V3:
	default:
		return nil, &headerError{msg: "header: cannot encode format version " + strconv.Itoa(int(v)), errs: []error{ErrVersion, ErrFormat}}
	}
	var body []byte
	if v == V3 {
		body = []byte(text)
	} else {
		body = make([]byte, 0, len(text))
		for _, r := range text {
			body = append(body, byte(r))
		}
	}
	total := paddedLen(v, len(body)) // header length field value
	limit := uint64(math.MaxUint32)
	if v == V1 {
		limit = math.MaxUint16
	}
	if uint64(total) > limit {
		return nil, &headerError{
			msg:  "header: header of " + strconv.Itoa(total) + " bytes too long for format version " + v.String(),
			errs: []error{ErrTooLarge, ErrFormat},
		}
	}
	plen := v.prefixLen()
	out := make([]byte, plen, plen+total)
	copy(out, Magic)
	out[6], out[7] = byte(v), 0
	if v == V1 {
		binary.LittleEndian.PutUint16(out[8:10], uint16(total))
	} else {
		binary.LittleEndian.PutUint32(out[8:12], uint32(total))
	}
	out = append(out, body...)
	for len(out) < plen+total-1 {
		out = append(out, ' ')
	}
	return append(out, '\n'), nil
}

// paddedLen returns the header length field NumPy writes for n bytes of
// text in version v: n plus the newline plus 1 to Align spaces (NumPy pads
// a full Align when the rest is already aligned).
func paddedLen(v Version, n int) int {
	hlen := n + 1
	pad := Align - (v.prefixLen()+hlen)%Align
	return hlen + pad
}

// RewriteShape rewrites, in place, the shape in the header at the start of
// hdr (which must hold the whole header and may hold more) without
// changing the header's length: the new shape's text replaces the old and
// the padding spaces after the dict absorb the difference. Only the bytes
// from the shape's first byte to the end of the padding spaces change.
//
// When the growth axis of a header written by Encode changes, the result
// is exactly the header Encode writes for the new shape (which is NumPy's
// header, see Encode), and only bytes inside GrowthSpan change; the same
// holds for headers written by NumPy >= 1.23.
// Any other shape whose text fits is accepted too (the result is NumPy's
// header for it, modulo the amount of padding). It returns an error matching
// ErrNoRoom when the text does not fit (old files written without growth
// room), and the errors of Parse for a malformed hdr or a new shape with a
// negative dim or an overflowing size. On error hdr is unchanged.
func RewriteShape(hdr []byte, shape []int64) error {
	r, err := parseRaw(hdr, len(hdr))
	if err != nil {
		return err
	}
	h, err := r.header()
	if err != nil {
		return err
	}
	nh := *h
	nh.Shape = shape
	if err := checkDims(shape); err != nil {
		return err
	}
	if _, err := nh.DataSize(); err != nil {
		return err
	}
	repr := shapeRepr(shape)
	so, se := r.fileOff(r.shapeSpan[0]), r.fileOff(r.shapeSpan[1])
	de := r.fileOff(r.dictEnd)
	end := int64(r.prefix + r.hlen)
	sp := int64(0) // padding spaces right after the dict
	for de+sp < end && hdr[de+sp] == ' ' {
		sp++
	}
	delta := int64(len(repr)) - (se - so)
	if delta > sp {
		return &headerError{
			msg: "header: no room for shape " + repr + ": it needs " + strconv.FormatInt(delta, 10) +
				" more bytes and the header has " + strconv.FormatInt(sp, 10) + " spare (file written without growth room?)",
			errs: []error{ErrNoRoom},
		}
	}
	region := make([]byte, 0, de+sp-so)
	region = append(region, repr...)
	region = append(region, hdr[se:de]...)
	for int64(len(region)) < de+sp-so {
		region = append(region, ' ')
	}
	old := append([]byte(nil), hdr[so:de+sp]...)
	copy(hdr[so:], region)
	// Check the result parses to the new shape; restore hdr if not (which
	// would be a bug here, not in the input).
	if r2, err := parseRaw(hdr, len(hdr)); err != nil || shapeRepr(r2.shape) != repr {
		copy(hdr[so:], old)
		return &headerError{msg: "header: internal error rewriting the shape to " + repr, errs: []error{ErrFormat}}
	}
	return nil
}
