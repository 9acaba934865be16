// Package pylit parses and writes the small subset of Python literals found
// in .npy headers: dicts, lists, tuples, str, int, True, False and None.
//
// Parse is a plain recursive-descent parser over the input text; it never
// evaluates anything, bounds its nesting depth (MaxDepth) and reports every
// malformed input as a *SyntaxError wrapping ErrSyntax. Quote is the inverse
// for strings: it returns exactly what Python 3's repr() returns for a str.
package pylit

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is the type of a parsed literal.
type Kind uint8

// The kinds of literal Parse understands.
const (
	None  Kind = iota // None
	Bool              // True or False
	Int               // a decimal integer that fits in an int64
	Str               // a string literal, decoded
	Tuple             // (…), including () and (x,)
	List              // […]
	Dict              // {key: value, …}
)

var kindNames = [...]string{"None", "bool", "int", "str", "tuple", "list", "dict"}

// String returns the Python name of the kind ("int", "tuple", …).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is one parsed literal.
type Value struct {
	Kind  Kind
	Bool  bool    // for Bool
	Int   int64   // for Int
	Str   string  // for Str: the decoded string
	Items []Value // Tuple and List elements; Dict values
	Keys  []Value // Dict keys, in source order (same length as Items); duplicates are kept
	// Off and End give the byte span [Off, End) of this literal in the
	// parsed input. A parenthesised expression such as "(1)" (which is the
	// int 1, not a tuple) spans its parentheses.
	Off, End int
}

// MaxDepth is the deepest nesting of tuples, lists and dicts (and
// parentheses) Parse accepts.
const MaxDepth = 64

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("pylit: invalid Python literal")

// SyntaxError reports where and why Parse rejected its input.
type SyntaxError struct {
	Off int    // byte offset in the input
	Msg string // what was expected or found
}

// Error returns "pylit: offset N: msg".
func (e *SyntaxError) Error() string {
	return "pylit: offset " + strconv.Itoa(e.Off) + ": " + e.Msg
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Parse parses s, which must hold exactly one literal, optionally surrounded
// by whitespace (space, tab, form feed, \r, \n).
//
// Accepted: dicts (keys must be hashable: not lists or dicts, nor tuples
// holding them), lists, tuples, parenthesised expressions, strings in single
// or double quotes with optional u/U prefix and Python's escapes (\\ \' \" \a
// \b \f \n \r \t \v, octal \ooo, \xhh, \uhhhh, \Uhhhhhhhh; an unknown escape
// such as \q stays as written, as in Python), decimal ints with an optional
// sign (whitespace allowed after it) and an optional Python 2 "L" suffix,
// True, False, None, and trailing commas. Ints outside int64 are rejected.
// Not accepted: floats, bytes, raw or triple-quoted strings, \N{name}
// escapes, sets, comments, expressions, implicit string concatenation.
func Parse(s string) (Value, error) {
	p := parser{s: s}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.space()
	if p.i != len(p.s) {
		return Value{}, p.errf(p.i, "expected end of input, found %s", p.found())
	}
	return v, nil
}

type parser struct {
	s string
	i int
}

func (p *parser) errf(off int, format string, args ...any) error {
	return &SyntaxError{Off: off, Msg: fmt.Sprintf(format, args...)}
}

// found describes the input at p.i for error messages.
func (p *parser) found() string {
	if p.i >= len(p.s) {
		return "end of input"
	}
	r, _ := utf8.DecodeRuneInString(p.s[p.i:])
	return strconv.QuoteRune(r)
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', '\f':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) (Value, error) {
	if p.i >= len(p.s) {
		return Value{}, p.errf(p.i, "expected a literal, found end of input")
	}
	switch c := p.s[p.i]; {
	case c == '(' || c == '[' || c == '{':
		if depth >= MaxDepth {
			return Value{}, p.errf(p.i, "nesting deeper than %d", MaxDepth)
		}
		switch c {
		case '(':
			return p.tuple(depth + 1)
		case '[':
			return p.list(depth + 1)
		default:
			return p.dict(depth + 1)
		}
	case c == '\'' || c == '"':
		return p.str(p.i, p.i)
	case (c == 'u' || c == 'U') && p.i+1 < len(p.s) && (p.s[p.i+1] == '\'' || p.s[p.i+1] == '"'):
		return p.str(p.i, p.i+1)
	case c == '-' || c == '+' || ('0' <= c && c <= '9'):
		return p.int()
	case isIdentStart(c):
		start := p.i
		for p.i < len(p.s) && isIdentByte(p.s[p.i]) {
			p.i++
		}
		switch name := p.s[start:p.i]; name {
		case "True", "False":
			return Value{Kind: Bool, Bool: name == "True", Off: start, End: p.i}, nil
		case "None":
			return Value{Kind: None, Off: start, End: p.i}, nil
		default:
			return Value{}, p.errf(start, "expected a literal, found name %q", name)
		}
	default:
		return Value{}, p.errf(p.i, "expected a literal, found %s", p.found())
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }

// int parses [+-] space* digits [lL].
func (p *parser) int() (Value, error) {
	start := p.i
	neg := false
	if c := p.s[p.i]; c == '-' || c == '+' {
		neg = c == '-'
		p.i++
		p.space()
	}
	ds := p.i
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
	}
	digits := p.s[ds:p.i]
	if digits == "" {
		return Value{}, p.errf(p.i, "expected a digit, found %s", p.found())
	}
	if len(digits) > 1 && digits[0] == '0' && strings.TrimLeft(digits, "0") != "" {
		return Value{}, p.errf(ds, "leading zeros in decimal integer %q", digits)
	}
	if p.i < len(p.s) && (p.s[p.i] == 'L' || p.s[p.i] == 'l') {
		p.i++ // Python 2 long suffix, as in "(3L,)"
	}
	if p.i < len(p.s) && (isIdentByte(p.s[p.i]) || p.s[p.i] == '.') {
		return Value{}, p.errf(p.i, "expected a decimal integer, found %s after %q", p.found(), digits)
	}
	text := digits
	if neg {
		text = "-" + digits
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return Value{}, p.errf(start, "integer %s out of int64 range", text)
	}
	return Value{Kind: Int, Int: n, Off: start, End: p.i}, nil
}

// seq parses comma-separated values up to close, after the opening byte.
// It reports whether a comma followed the last element.
func (p *parser) seq(depth int, close byte) (items []Value, comma bool, err error) {
	p.i++ // opening bracket
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == close {
			p.i++
			return items, comma, nil
		}
		if len(items) > 0 && !comma {
			return nil, false, p.errf(p.i, "expected ',' or %q, found %s", close, p.found())
		}
		v, err := p.value(depth)
		if err != nil {
			return nil, false, err
		}
		items = append(items, v)
		p.space()
		comma = p.i < len(p.s) && p.s[p.i] == ','
		if comma {
			p.i++
		}
	}
}

func (p *parser) tuple(depth int) (Value, error) {
	start := p.i
	items, comma, err := p.seq(depth, ')')
	if err != nil {
		return Value{}, err
	}
	if len(items) == 1 && !comma {
		v := items[0] // "(x)" is x
		v.Off, v.End = start, p.i
		return v, nil
	}
	return Value{Kind: Tuple, Items: items, Off: start, End: p.i}, nil
}

func (p *parser) list(depth int) (Value, error) {
	start := p.i
	items, _, err := p.seq(depth, ']')
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: List, Items: items, Off: start, End: p.i}, nil
}

func (p *parser) dict(depth int) (Value, error) {
	start := p.i
	p.i++ // '{'
	v := Value{Kind: Dict, Off: start}
	comma := false
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			v.End = p.i
			return v, nil
		}
		if len(v.Keys) > 0 && !comma {
			return Value{}, p.errf(p.i, "expected ',' or '}', found %s", p.found())
		}
		k, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		if !hashable(k) {
			return Value{}, p.errf(k.Off, "unhashable dict key of type %s", k.Kind)
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return Value{}, p.errf(p.i, "expected ':' after dict key, found %s", p.found())
		}
		p.i++
		p.space()
		val, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		v.Keys = append(v.Keys, k)
		v.Items = append(v.Items, val)
		p.space()
		comma = p.i < len(p.s) && p.s[p.i] == ','
		if comma {
			p.i++
		}
	}
}

func hashable(v Value) bool {
	switch v.Kind {
	case List, Dict:
		return false
	case Tuple:
		for _, it := range v.Items {
			if !hashable(it) {
				return false
			}
		}
	}
	return true
}

// str parses a quoted string; start is the literal's first byte (a prefix
// or the quote), q the index of the opening quote.
func (p *parser) str(start, q int) (Value, error) {
	quote := p.s[q]
	p.i = q + 1
	// Fast path: no escapes, the decoded string is a substring of the input.
	j := p.i
	for j < len(p.s) && p.s[j] != quote && p.s[j] != '\\' && p.s[j] != '\n' && p.s[j] != '\r' {
		j++
	}
	if j < len(p.s) && p.s[j] == quote {
		s := p.s[p.i:j]
		if !utf8.ValidString(s) {
			return Value{}, p.errf(start, "string is not valid UTF-8")
		}
		p.i = j + 1
		return Value{Kind: Str, Str: s, Off: start, End: p.i}, nil
	}
	var b strings.Builder
	for {
		// Copy the run of plain bytes.
		j := p.i
		for j < len(p.s) && p.s[j] != quote && p.s[j] != '\\' && p.s[j] != '\n' && p.s[j] != '\r' {
			j++
		}
		b.WriteString(p.s[p.i:j])
		p.i = j
		if p.i >= len(p.s) || p.s[p.i] == '\n' || p.s[p.i] == '\r' {
			return Value{}, p.errf(p.i, "unterminated string starting at offset %d", start)
		}
		if p.s[p.i] == quote {
			p.i++
			s := b.String()
			if !utf8.ValidString(s) {
				return Value{}, p.errf(start, "string is not valid UTF-8")
			}
			return Value{Kind: Str, Str: s, Off: start, End: p.i}, nil
		}
		if err := p.escape(&b); err != nil {
			return Value{}, err
		}
	}
}

// escape decodes one backslash escape at p.i.
func (p *parser) escape(b *strings.Builder) error {
	at := p.i
	p.i++ // backslash
	if p.i >= len(p.s) {
		return p.errf(at, "unterminated escape")
	}
	c := p.s[p.i]
	p.i++
	switch c {
	case '\\', '\'', '"':
		b.WriteByte(c)
	case 'a':
		b.WriteByte('\a')
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'v':
		b.WriteByte('\v')
	case '\n':
		// line continuation: nothing
	case '\r':
		if p.i < len(p.s) && p.s[p.i] == '\n' {
			p.i++
		}
	case '0', '1', '2', '3', '4', '5', '6', '7':
		n := rune(c - '0')
		for k := 0; k < 2 && p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '7'; k++ {
			n = n*8 + rune(p.s[p.i]-'0')
			p.i++
		}
		b.WriteRune(n)
	case 'x', 'u', 'U':
		width := 2
		if c == 'u' {
			width = 4
		} else if c == 'U' {
			width = 8
		}
		if p.i+width > len(p.s) {
			return p.errf(at, "truncated \\%c escape", c)
		}
		n, err := strconv.ParseUint(p.s[p.i:p.i+width], 16, 32)
		if err != nil {
			return p.errf(at, "invalid \\%c escape %q", c, p.s[at:p.i+width])
		}
		r := rune(n)
		if r > unicode.MaxRune || (0xD800 <= r && r < 0xE000) {
			return p.errf(at, "escape %q is not a valid Unicode character", p.s[at:p.i+width])
		}
		p.i += width
		b.WriteRune(r)
	case 'N':
		// \N{name} needs the Unicode name database; .npy headers never
		// hold it (repr does not write it).
		return p.errf(at, "\\N{...} escapes are not supported")
	default:
		// Python keeps unknown escapes as written.
		b.WriteByte('\\')
		p.i--
	}
	return nil
}

// Quote returns Python 3's repr() of s: single quotes unless s contains a
// single quote and no double quote; \\, the quote, \t, \n and \r escaped;
// other control characters and non-printable characters as \xhh, \uhhhh or
// \Uhhhhhhhh; printable non-ASCII characters kept as they are.
// Printability follows Go's unicode tables (unicode.IsPrint), which match
// Python's str.isprintable except for characters assigned in a Unicode
// version one of them does not know yet. Invalid UTF-8 bytes, which a
// Python str cannot hold, are written as \xhh.
func Quote(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 0, len(s)+2)
	b = append(b, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == quote || c == '\\':
				b = append(b, '\\', c)
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < ' ' || c == 0x7f:
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			i++
			continue
		}
		switch {
		case unicode.IsPrint(r):
			b = append(b, s[i:i+n]...)
		case r <= 0xff:
			b = append(b, '\\', 'x', hex[r>>4], hex[r&15])
		case r <= 0xffff:
			b = append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		default:
			b = append(b, '\\', 'U')
			for sh := 28; sh >= 0; sh -= 4 {
				b = append(b, hex[r>>uint(sh)&15])
			}
		}
		i += n
	}
	b = append(b, quote)
	return string(b)
}
