package safetensors

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The header's JSON is read by a small strict scanner for RFC 8259 JSON
// rather than by encoding/json, kept because it measured worth its code:
// BenchmarkOpenHeader (header_bench_test.go) parses the header of a
// 300-tensor language-model checkpoint and of 100,000 tensors with it,
// with encoding/json's Decoder.Token (as strict: duplicate keys refused)
// and with Unmarshal (which checks less), and the commit that added the
// benchmark has the figures. Decoder.Token allocates an interface value
// per token, Unmarshal a map, a RawMessage and a struct per tensor; the
// scanner works in place on the header's bytes: strings without escapes
// are returned as sub-slices of it, numbers as their text, and only what
// the parser keeps (names, metadata) is copied.

// errSyntax marks the errors of the header's JSON that are errors of
// JSON itself (as opposed to JSON of the wrong shape), for the tests.
var errSyntax = errors.New("invalid JSON")

// scanner reads JSON from h; i is the position, always at the start of a
// token or of whitespace before one.
type scanner struct {
	h   []byte
	i   int
	buf []byte // the decoded text of the last string with escapes
}

// off returns the file offset of position i of the header.
func off(i int) int64 { return 8 + int64(i) }

// eof is the error for JSON cut short by the end of the header.
func (s *scanner) eof() error {
	return formatErr([]error{errSyntax}, "offset %d: the header ends inside its JSON", off(len(s.h)))
}

// syntax is the error for the unexpected byte at position i, found
// while looking for what the context names (as encoding/json phrases
// it: "after object key", "in string literal", ...).
func (s *scanner) syntax(i int, context string) error {
	if i >= len(s.h) {
		return s.eof()
	}
	c := s.h[i]
	var ch string
	switch {
	case c == '\'':
		ch = `'\''`
	case c == '"':
		ch = `'"'`
	case c < 0x20 || c >= 0x7f:
		ch = strconv.QuoteRune(rune(c))
		if c >= 0x80 { // show the whole (valid, as checked) UTF-8 sequence
			r, _ := utf8.DecodeRune(s.h[i:])
			ch = strconv.QuoteRune(r)
		}
	default:
		ch = "'" + string(rune(c)) + "'"
	}
	return formatErr([]error{errSyntax}, "offset %d: the header is not valid JSON: invalid character %s %s", off(i), ch, context)
}

// peek skips whitespace and returns the next byte; at the end of the
// header it returns the error eof.
func (s *scanner) peek() (byte, error) {
	h, i := s.h, s.i
	for i < len(h) {
		switch c := h[i]; c {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			s.i = i
			return c, nil
		}
	}
	s.i = i
	return 0, s.eof()
}

// atEnd skips whitespace and reports whether nothing else follows.
func (s *scanner) atEnd() bool {
	_, err := s.peek()
	return err != nil
}

// more reads what follows the n-th element of the array or object
// (closed by end) being read, or its opening delimiter when n is 0, and
// reports whether another element follows: it consumes the comma before
// that element, or the closing delimiter. For objects, it checks that
// the next element starts with a key.
func (s *scanner) more(end byte, n int) (bool, error) {
	c, err := s.peek()
	if err != nil {
		return false, err
	}
	if c == end {
		s.i++
		return false, nil
	}
	if n > 0 {
		if c != ',' {
			if end == '}' {
				return false, s.syntax(s.i, "after object key:value pair")
			}
			return false, s.syntax(s.i, "after array element")
		}
		s.i++
		if c, err = s.peek(); err != nil {
			return false, err
		}
	}
	if end == '}' && c != '"' {
		return false, s.syntax(s.i, "looking for beginning of object key string")
	}
	if c == ']' { // [1,]
		return false, s.syntax(s.i, "looking for beginning of value")
	}
	return true, nil
}

// expect skips whitespace and checks that the next value starts with c
// ('{', '[' or '"'), without reading it. When it does not, it reads the
// value and returns its description (describe) as found; found is ""
// when the value starts with c. at is the value's position.
func (s *scanner) expect(c byte) (at int, found string, err error) {
	if i := s.i; i < len(s.h) && s.h[i] == c { // no whitespace before it
		return i, "", nil
	}
	b, err := s.peek()
	if err != nil {
		return 0, "", err
	}
	at = s.i
	if b == c {
		return at, "", nil
	}
	found, err = s.describe()
	return at, found, err
}

// key reads an object key and the colon after it, and returns the key
// (valid until the next string read) and its position.
func (s *scanner) key() ([]byte, int, error) {
	at := s.i
	k, err := s.str()
	if err != nil {
		return nil, at, err
	}
	c, err := s.peek()
	if err != nil {
		return nil, at, err
	}
	if c != ':' {
		return nil, at, s.syntax(s.i, "after object key")
	}
	s.i++
	return k, at, nil
}

// str reads the string at the position (a '"'), and returns its decoded
// bytes: a sub-slice of the header when it has no escapes, else of
// s.buf, valid until the next call. Escapes decode as encoding/json
// decodes them, a \u escape of half a surrogate pair not followed by the
// other half giving U+FFFD. (The header is valid UTF-8, checked before.)
func (s *scanner) str() ([]byte, error) {
	h := s.h
	start := s.i + 1
	i := start
	for ; i < len(h); i++ {
		c := h[i]
		if c == '"' {
			s.i = i + 1
			return h[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, s.syntax(i, "in string literal")
		}
	}
	buf := append(s.buf[:0], h[start:i]...)
	for {
		if i >= len(h) {
			return nil, s.eof()
		}
		c := h[i]
		switch {
		case c == '"':
			s.i = i + 1
			s.buf = buf
			return buf, nil
		case c < 0x20:
			return nil, s.syntax(i, "in string literal")
		case c != '\\':
			buf = append(buf, c)
			i++
			continue
		}
		i++ // the escape
		if i >= len(h) {
			return nil, s.eof()
		}
		switch e := h[i]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := s.hex4(i + 1)
			if err != nil {
				return nil, err
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 < len(h) && h[i+1] == '\\' && h[i+2] == 'u' {
					r2, _ = s.hex4(i + 3) // an error shows when the escape is read on its own
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return nil, s.syntax(i, "in string escape code")
		}
		i++
	}
}

// hex4 decodes the 4 hex digits of a \u escape at position i.
func (s *scanner) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(s.h) {
			return -1, s.eof()
		}
		c := s.h[j]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1, s.syntax(j, `in \u hexadecimal character escape`)
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// number reads the JSON number at the position and returns its text.
func (s *scanner) number() ([]byte, error) {
	h := s.h
	start, i := s.i, s.i
	digits := func(context string) error {
		if i >= len(h) {
			return s.eof()
		}
		if h[i] < '0' || h[i] > '9' {
			return s.syntax(i, context)
		}
		for i < len(h) && '0' <= h[i] && h[i] <= '9' {
			i++
		}
		return nil
	}
	if i < len(h) && h[i] == '-' {
		i++
	}
	if i < len(h) && h[i] == '0' {
		i++
	} else if err := digits("in numeric literal"); err != nil {
		return nil, err
	}
	if i < len(h) && h[i] == '.' {
		i++
		if err := digits("after decimal point in numeric literal"); err != nil {
			return nil, err
		}
	}
	if i < len(h) && (h[i] == 'e' || h[i] == 'E') {
		i++
		if i < len(h) && (h[i] == '+' || h[i] == '-') {
			i++
		}
		if err := digits("in exponent of numeric literal"); err != nil {
			return nil, err
		}
	}
	s.i = i
	return h[start:i], nil
}

// literal reads true, false or null, whose first letter is at the
// position.
func (s *scanner) literal() (string, error) {
	var lit string
	switch s.h[s.i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	default:
		lit = "null"
	}
	for j := 1; j < len(lit); j++ {
		i := s.i + j
		if i >= len(s.h) {
			return "", s.eof()
		}
		if s.h[i] != lit[j] {
			return "", s.syntax(i, fmt.Sprintf("in literal %s (expecting %q)", lit, lit[j]))
		}
	}
	s.i += len(lit)
	return lit, nil
}

// uint reads a JSON number that must be a non-negative integer below
// 2^64, as strconv.ParseUint reads it; ok is false (and err nil) for any
// other number, whose text is then num.
func (s *scanner) uint() (x uint64, num []byte, ok bool, err error) {
	if num, err = s.number(); err != nil {
		return 0, nil, false, err
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return 0, num, false, nil
		}
		if x > (1<<64-1)/10 {
			return 0, num, false, nil
		}
		x *= 10
		if x+uint64(c-'0') < x {
			return 0, num, false, nil
		}
		x += uint64(c - '0')
	}
	return x, num, true, nil
}

// describe reads the value at the position, which is not what was
// expected, and names it for a message ("an object", "the number 1.5",
// ...), or returns the syntax error it makes.
func (s *scanner) describe() (string, error) {
	c, err := s.peek()
	if err != nil {
		return "", err
	}
	switch {
	case c == '{':
		return "an object", nil
	case c == '[':
		return "an array", nil
	case c == '"':
		b, err := s.str()
		if err != nil {
			return "", err
		}
		return "the string " + clip(string(b)), nil
	case c == '-' || '0' <= c && c <= '9':
		num, err := s.number()
		if err != nil {
			return "", err
		}
		return "the number " + clip(string(num)), nil
	case c == 't' || c == 'f':
		lit, err := s.literal()
		if err != nil {
			return "", err
		}
		return "the literal " + lit, nil
	case c == 'n':
		if _, err := s.literal(); err != nil {
			return "", err
		}
		return "null", nil
	}
	return "", s.syntax(s.i, "looking for beginning of value")
}

// skip reads and drops one value, nested at most maxSkipDepth deep; depth
// is the nesting of the value's container, what names it in messages.
func (s *scanner) skip(depth int, what func() string) error {
	c, err := s.peek()
	if err != nil {
		return err
	}
	switch {
	case c == '{' || c == '[':
		if depth++; depth > maxSkipDepth {
			return formatErr(nil, "offset %d: %s: value nested more than %d deep", off(s.i), what(), maxSkipDepth)
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.i++
		for n := 0; ; n++ {
			more, err := s.more(end, n)
			if err != nil || !more {
				return err
			}
			if end == '}' {
				if _, _, err := s.key(); err != nil {
					return err
				}
			}
			if err := s.skip(depth, what); err != nil {
				return err
			}
		}
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || '0' <= c && c <= '9':
		_, err := s.number()
		return err
	case c == 't' || c == 'f' || c == 'n':
		_, err := s.literal()
		return err
	}
	return s.syntax(s.i, "looking for beginning of value")
}
