package header

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

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
func (h *Header) Encode() ([]byte, error) {
	if h.DType == nil {
		return nil, &headerError{msg: "header: Encode of a Header without a DType", errs: []error{ErrFormat}}
	}
	if err := checkDims(h.Shape); err != nil {
		return nil, err
	}
	if _, err := h.DataSize(); err != nil {
		return nil, err
	}
	var sb strings.Builder
	sb.WriteString("{'descr': ")
	sb.WriteString(h.DType.Descr())
	sb.WriteString(", 'fortran_order': ")
	if h.FortranOrder {
		sb.WriteString("True")
	} else {
		sb.WriteString("False")
	}
	sb.WriteString(", 'shape': ")
	sb.WriteString(shapeRepr(h.Shape))
	sb.WriteString(", }")
	if ax := h.GrowthAxis(); ax >= 0 {
		n := GrowthAxisMaxDigits - len(strconv.FormatInt(h.Shape[ax], 10))
		sb.WriteString(strings.Repeat(" ", max(n, 0)))
	}
	return wrap(sb.String(), h.Version)
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
// When the growth axis of a header written by Encode or by NumPy >= 1.23
// changes, the result is exactly the header NumPy writes for the new shape.
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
