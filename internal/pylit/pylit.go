// Package pylit parses and writes the small subset of Python literals found
// in .npy headers: dicts, lists, tuples, str, int, True, False and None.
//
// Parse is a plain recursive-descent parser over the input text; it never
// evaluates anything, bounds its nesting depth (MaxDepth) and reports every
// malformed input as a *SyntaxError wrapping ErrSyntax. Quote is the inverse
// for strings: it returns exactly what Python 3's repr() returns for a str.
//
// The parsed tree is compact, because a header may hold a million literals
// (NumPy writes dtypes of tens of thousands of fields): all its nodes live
// in one slice allocated once, 16 bytes each, and strings and ints are
// decoded from the input text when asked for (strings without escapes are
// substrings of the input, not copies). ParseTop parses as much but keeps
// only the top levels, for callers that hand the rest to another parser.
package pylit

import (
	"errors"
	"fmt"
	"iter"
	"math"
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

// MaxDepth is the deepest nesting of tuples, lists and dicts (and
// parentheses) Parse accepts.
const MaxDepth = 64

// MaxLen is the longest input Parse accepts, in bytes: offsets are kept in
// 32 bits.
const MaxLen = math.MaxInt32

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

// node is one literal of a parsed tree. The nodes of a tree are stored in
// pre-order: a container's items (for a dict: key, value, key, value, ...)
// follow it, each followed by its own items.
type node struct {
	kind Kind
	flag uint8 // Bool: 1 for True; Str: 1 when the string has escapes; containers: stored
	off  int32 // span [off, end) in the input, parentheses included
	end  int32
	// aux is, for scalars, the offset of the literal itself (past any
	// parentheses); for stored containers, the index of the node after
	// this one's items; for containers whose items are not stored, the
	// number of items. A node without stored items is followed by the
	// next one.
	aux int32
}

const stored = 1 // node.flag of a container whose items are in the tree

// next returns the index of the node after node i and its items.
func (t *tree) next(i int32) int32 {
	if n := &t.nodes[i]; n.kind >= Tuple && n.flag == stored {
		return n.aux
	}
	return i + 1
}

// tree is the result of one Parse.
type tree struct {
	src   string
	nodes []node
}

// Node is one literal of a parsed input: a cheap handle into the tree
// Parse built, passed by value. The methods of a Node of the wrong kind
// return zero values; so do those of the zero Node (which Index returns
// out of range), whose Kind is None and whose span is empty.
type Node struct {
	t *tree
	i int32
}

var zeroNode node

func (n Node) nd() *node {
	if n.t == nil {
		return &zeroNode
	}
	return &n.t.nodes[n.i]
}

// Kind returns the literal's kind.
func (n Node) Kind() Kind { return n.nd().kind }

// Off returns the byte offset of the literal's first byte in the input.
// A parenthesised expression such as "(1)" (which is the int 1, not a
// tuple) spans its parentheses.
func (n Node) Off() int { return int(n.nd().off) }

// End returns the byte offset just past the literal in the input.
func (n Node) End() int { return int(n.nd().end) }

// Source returns the literal's text in the input: input[Off:End].
func (n Node) Source() string {
	if n.t == nil {
		return ""
	}
	return n.t.src[n.nd().off:n.nd().end]
}

// Bool returns the value of a Bool.
func (n Node) Bool() bool { return n.nd().kind == Bool && n.nd().flag == 1 }

// Int returns the value of an Int.
func (n Node) Int() int64 {
	if n.nd().kind != Int {
		return 0
	}
	v, _ := intValue(n.t.src, int(n.nd().aux))
	return v
}

// Str returns the decoded value of a Str. A string without escapes is a
// substring of the input; one with escapes is decoded into a new string
// on each call.
func (n Node) Str() string {
	nd := n.nd()
	if nd.kind != Str {
		return ""
	}
	start := int(nd.aux)
	q := start
	if c := n.t.src[q]; c == 'u' || c == 'U' {
		q++
	}
	if nd.flag == 0 {
		end := strings.IndexByte(n.t.src[q+1:], n.t.src[q])
		return n.t.src[q+1 : q+1+end]
	}
	var b strings.Builder
	scanStr(n.t.src, start, q, &b)
	return b.String()
}

// Len returns the number of items of a Tuple or List, the number of
// key-value pairs of a Dict, and 0 for other kinds. It counts the stored
// items, so it costs a walk over them.
func (n Node) Len() int {
	nd := n.nd()
	if nd.kind < Tuple {
		return 0
	}
	if nd.flag != stored {
		return int(nd.aux)
	}
	k := 0
	for j := n.i + 1; j < nd.aux; j = n.t.next(j) {
		k++
	}
	if nd.kind == Dict {
		k /= 2
	}
	return k
}

// Stored reports whether the items of a container are in the tree: always
// for Parse, and for ParseTop only down to the level it keeps. Empty
// containers count as stored.
func (n Node) Stored() bool {
	nd := n.nd()
	return nd.kind >= Tuple && (nd.flag == stored || nd.aux == 0)
}

// Index returns the i'th item of a Tuple or List (for a Dict, the i'th of
// key, value, key, value, ...). It walks the items before it, so iterate
// with Items to visit them all. It returns the zero Node when i is out of
// range or the items are not stored.
func (n Node) Index(i int) Node {
	nd := n.nd()
	if i < 0 || nd.kind < Tuple || nd.flag != stored {
		return Node{}
	}
	j := n.i + 1
	for ; i > 0 && j < nd.aux; i-- {
		j = n.t.next(j)
	}
	if j >= nd.aux {
		return Node{}
	}
	return Node{n.t, j}
}

// Items iterates over the index and the value of each item of a stored
// Tuple or List, in order.
func (n Node) Items() iter.Seq2[int, Node] {
	return func(yield func(int, Node) bool) {
		nd := n.nd()
		if k := nd.kind; k != Tuple && k != List || nd.flag != stored {
			return
		}
		for i, j := 0, n.i+1; j < nd.aux; i, j = i+1, n.t.next(j) {
			if !yield(i, Node{n.t, j}) {
				return
			}
		}
	}
}

// Pairs iterates over the keys and values of a stored Dict in source
// order; repeated keys are all visited.
func (n Node) Pairs() iter.Seq2[Node, Node] {
	return func(yield func(Node, Node) bool) {
		nd := n.nd()
		if nd.kind != Dict || nd.flag != stored {
			return
		}
		for j := n.i + 1; j < nd.aux; {
			v := n.t.next(j)
			if !yield(Node{n.t, j}, Node{n.t, v}) {
				return
			}
			j = n.t.next(v)
		}
	}
}

// Parse parses s, which must hold exactly one literal, optionally surrounded
// by whitespace (space, tab, form feed, \r, \n), and returns its tree.
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
//
// The tree takes one allocation of 16 bytes per literal (and never more
// than 16 bytes per input byte), plus a small constant.
func Parse(s string) (Node, error) { return parse(s, MaxDepth) }

// ParseTop parses and checks s exactly as Parse does, but stores the items
// of containers only down to the keep'th level of nesting: with keep 1 the
// items of the top-level container are stored, and the containers among
// them are stored without their items (Stored reports false; Len still
// counts them). Parse their Source when needed. The tree then costs only
// the stored nodes, whatever the size of the input.
func ParseTop(s string, keep int) (Node, error) { return parse(s, max(keep, 0)) }

func parse(s string, keep int) (Node, error) {
	if len(s) > MaxLen {
		return Node{}, &SyntaxError{Off: 0, Msg: fmt.Sprintf("input of %d bytes is longer than %d", len(s), MaxLen)}
	}
	p := parser{s: s, keep: keep}
	if keep >= MaxDepth {
		p.nodes = make([]node, 0, countLiterals(s))
	}
	p.space()
	if _, err := p.value(0, true); err != nil {
		return Node{}, err
	}
	p.space()
	if p.i != len(p.s) {
		return Node{}, p.errf(p.i, "expected end of input, found %s", p.found())
	}
	return Node{&tree{src: s, nodes: p.nodes}, 0}, nil
}

// countLiterals returns an upper bound of the number of literals in s, at
// most len(s): the openers, string literals, runs of name or digit
// characters and signs outside strings, not counting past a nesting
// deeper than MaxDepth (where Parse fails).
func countLiterals(s string) int {
	n, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '(' || c == '[' || c == '{':
			if depth++; depth > MaxDepth {
				return n
			}
			n++
		case c == ')' || c == ']' || c == '}':
			depth--
		case c == '\'' || c == '"':
			n++
			for i++; i < len(s) && s[i] != c && s[i] != '\n'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case c == '+' || c == '-':
			n++
		case isIdentByte(c):
			n++
			for i+1 < len(s) && isIdentByte(s[i+1]) {
				i++
			}
		}
	}
	return n
}

type parser struct {
	s     string
	i     int
	keep  int    // containers up to this depth store their items
	nodes []node // the tree, in pre-order
	lists int    // lists and dicts parsed so far
	last  Kind   // kind of the last literal parsed
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

// add appends a node when store is set and returns its index (-1 if not
// stored).
func (p *parser) add(store bool, n node) int {
	p.last = n.kind
	if !store {
		return -1
	}
	p.nodes = append(p.nodes, n)
	return len(p.nodes) - 1
}

// value parses one literal at p.i inside depth containers; when store is
// set it appends its node (and its items', down to p.keep) and returns its
// index.
func (p *parser) value(depth int, store bool) (int, error) {
	if p.i >= len(p.s) {
		return -1, p.errf(p.i, "expected a literal, found end of input")
	}
	start := p.i
	switch c := p.s[p.i]; {
	case c == '(' || c == '[' || c == '{':
		if depth >= MaxDepth {
			return -1, p.errf(p.i, "nesting deeper than %d", MaxDepth)
		}
		switch c {
		case '(':
			return p.tuple(depth+1, store)
		case '[':
			return p.seq(List, depth+1, store, ']')
		default:
			return p.seq(Dict, depth+1, store, '}')
		}
	case c == '\'' || c == '"':
		return p.str(start, start, store)
	case (c == 'u' || c == 'U') && p.i+1 < len(p.s) && (p.s[p.i+1] == '\'' || p.s[p.i+1] == '"'):
		return p.str(start, start+1, store)
	case c == '-' || c == '+' || ('0' <= c && c <= '9'):
		_, end, err := scanInt(p.s, start)
		if err != nil {
			return -1, err
		}
		p.i = end
		return p.add(store, node{kind: Int, off: int32(start), end: int32(end), aux: int32(start)}), nil
	case isIdentStart(c):
		for p.i < len(p.s) && isIdentByte(p.s[p.i]) {
			p.i++
		}
		n := node{off: int32(start), end: int32(p.i), aux: int32(start)}
		switch name := p.s[start:p.i]; name {
		case "True", "False":
			n.kind = Bool
			if name == "True" {
				n.flag = 1
			}
		case "None":
			n.kind = None
		default:
			return -1, p.errf(start, "expected a literal, found name %q", name)
		}
		return p.add(store, n), nil
	default:
		return -1, p.errf(p.i, "expected a literal, found %s", p.found())
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

func isIdentByte(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }

// scanInt parses [+-] space* digits [lL] at s[i:] and returns the value
// and the offset past it.
func scanInt(s string, i int) (int64, int, error) {
	start := i
	neg := false
	if c := s[i]; c == '-' || c == '+' {
		neg = c == '-'
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f') {
			i++
		}
	}
	ds := i
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	digits := s[ds:i]
	p := parser{s: s, i: i}
	if digits == "" {
		return 0, 0, p.errf(i, "expected a digit, found %s", p.found())
	}
	if len(digits) > 1 && digits[0] == '0' && strings.TrimLeft(digits, "0") != "" {
		return 0, 0, p.errf(ds, "leading zeros in decimal integer %q", digits)
	}
	if i < len(s) && (s[i] == 'L' || s[i] == 'l') {
		i++ // Python 2 long suffix, as in "(3L,)"
	}
	if i < len(s) && (isIdentByte(s[i]) || s[i] == '.') {
		p.i = i
		return 0, 0, p.errf(i, "expected a decimal integer, found %s after %q", p.found(), digits)
	}
	// Parse the digits with the sign without building "-" + digits.
	var n uint64
	for _, c := range []byte(strings.TrimLeft(digits, "0")) {
		if n > (math.MaxUint64-9)/10 {
			n = math.MaxUint64
			break
		}
		n = n*10 + uint64(c-'0')
	}
	switch {
	case !neg && n <= math.MaxInt64:
		return int64(n), i, nil
	case neg && n <= 1<<63:
		return int64(-n), i, nil // -(1<<63) wraps to MinInt64
	}
	sign := ""
	if neg {
		sign = "-"
	}
	return 0, 0, p.errf(start, "integer %s%s out of int64 range", sign, digits)
}

// intValue returns the value of the int literal at s[i:], which Parse
// checked.
func intValue(s string, i int) (int64, bool) {
	v, _, err := scanInt(s, i)
	return v, err == nil
}

// seq parses the items of a List or Dict (kind) up to close, after the
// opening byte.
func (p *parser) seq(kind Kind, depth int, store bool, close byte) (int, error) {
	start := p.i
	idx := p.add(store, node{kind: kind, off: int32(start)})
	keepItems := store && depth <= p.keep
	p.i++ // opening bracket
	n, comma := 0, false
	for {
		p.space()
		if p.i < len(p.s) && p.s[p.i] == close {
			p.i++
			break
		}
		if n > 0 && !comma {
			if kind == Dict {
				return -1, p.errf(p.i, "expected ',' or '}', found %s", p.found())
			}
			return -1, p.errf(p.i, "expected ',' or %q, found %s", close, p.found())
		}
		if kind == Dict {
			if err := p.pair(depth, keepItems); err != nil {
				return -1, err
			}
		} else if _, err := p.value(depth, keepItems); err != nil {
			return -1, err
		}
		n++
		p.space()
		comma = p.i < len(p.s) && p.s[p.i] == ','
		if comma {
			p.i++
		}
	}
	if kind != Tuple {
		p.lists++
	}
	if kind != Tuple || n != 1 || comma {
		p.last = kind // else "(x)", unstored: x's kind
	}
	if idx >= 0 {
		nd := &p.nodes[idx]
		nd.end, nd.aux = int32(p.i), int32(n)
		if keepItems {
			nd.flag, nd.aux = stored, int32(len(p.nodes))
		}
	}
	return idx, nil
}

// pair parses one "key: value" of a dict. The key must be hashable: not
// a list or dict, nor a tuple holding one (checked after parsing it, as
// Python does).
func (p *parser) pair(depth int, store bool) error {
	kstart, lists := p.i, p.lists
	if _, err := p.value(depth, store); err != nil {
		return err
	}
	if p.lists != lists {
		return p.errf(kstart, "unhashable dict key of type %s", p.last)
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return p.errf(p.i, "expected ':' after dict key, found %s", p.found())
	}
	p.i++
	p.space()
	_, err := p.value(depth, store)
	return err
}

// tuple parses "(...)": a tuple, or a parenthesised literal when it holds
// one item and no comma ("(x)" is x).
func (p *parser) tuple(depth int, store bool) (int, error) {
	start := p.i
	if !store {
		return p.seq(Tuple, depth, false, ')') // nothing to store: no need to know
	}
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] != ')' {
		// Look ahead (without storing, so in linear time): one item and
		// ')' make a parenthesised literal.
		first := p.i
		if _, err := p.value(depth, false); err != nil {
			return -1, err
		}
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ')' {
			p.i = first
			idx, err := p.value(depth, store)
			if err != nil {
				return -1, err
			}
			p.space()
			p.i++ // ')'
			if idx >= 0 {
				p.nodes[idx].off, p.nodes[idx].end = int32(start), int32(p.i)
			}
			return idx, nil
		}
	}
	p.i = start
	return p.seq(Tuple, depth, store, ')')
}

// str parses a quoted string; start is the literal's first byte (a prefix
// or the quote), q the index of the opening quote.
func (p *parser) str(start, q int, store bool) (int, error) {
	end, esc, err := scanStr(p.s, start, q, nil)
	if err != nil {
		return -1, err
	}
	p.i = end
	n := node{kind: Str, off: int32(start), end: int32(end), aux: int32(start)}
	if esc {
		n.flag = 1
	}
	return p.add(store, n), nil
}

// scanStr scans the string literal starting at s[start] (a u/U prefix or
// the quote), whose opening quote is at s[q], and
// returns the offset past its closing quote and whether it has escapes.
// With b non-nil it writes the decoded string to b.
func scanStr(s string, start, q int, b *strings.Builder) (end int, esc bool, err error) {
	quote := s[q]
	i := q + 1
	for {
		// The run of plain bytes.
		j := i
		for j < len(s) && s[j] != quote && s[j] != '\\' && s[j] != '\n' && s[j] != '\r' {
			j++
		}
		if !utf8.ValidString(s[i:j]) {
			return 0, false, &SyntaxError{Off: start, Msg: "string is not valid UTF-8"}
		}
		if b != nil {
			b.WriteString(s[i:j])
		}
		i = j
		if i >= len(s) || s[i] == '\n' || s[i] == '\r' {
			return 0, false, &SyntaxError{Off: i, Msg: fmt.Sprintf("unterminated string starting at offset %d", start)}
		}
		if s[i] == quote {
			return i + 1, esc, nil
		}
		esc = true
		if i, err = escape(s, i, b); err != nil {
			return 0, false, err
		}
	}
}

// escape decodes the backslash escape at s[at] into b (when not nil) and
// returns the offset past it. Every escape writes whole UTF-8 sequences,
// so a string is valid UTF-8 when its runs of plain bytes are.
func escape(s string, at int, b *strings.Builder) (int, error) {
	i := at + 1 // past the backslash
	if i >= len(s) {
		return 0, &SyntaxError{Off: at, Msg: "unterminated escape"}
	}
	c := s[i]
	i++
	var r rune = -1 // the rune to write, if any
	switch c {
	case '\\', '\'', '"':
		r = rune(c)
	case 'a':
		r = '\a'
	case 'b':
		r = '\b'
	case 'f':
		r = '\f'
	case 'n':
		r = '\n'
	case 'r':
		r = '\r'
	case 't':
		r = '\t'
	case 'v':
		r = '\v'
	case '\n':
		// line continuation: nothing
	case '\r':
		if i < len(s) && s[i] == '\n' {
			i++
		}
	case '0', '1', '2', '3', '4', '5', '6', '7':
		r = rune(c - '0')
		for k := 0; k < 2 && i < len(s) && '0' <= s[i] && s[i] <= '7'; k++ {
			r = r*8 + rune(s[i]-'0')
			i++
		}
	case 'x', 'u', 'U':
		width := 2
		if c == 'u' {
			width = 4
		} else if c == 'U' {
			width = 8
		}
		if i+width > len(s) {
			return 0, &SyntaxError{Off: at, Msg: fmt.Sprintf("truncated \\%c escape", c)}
		}
		n, err := strconv.ParseUint(s[i:i+width], 16, 32)
		if err != nil {
			return 0, &SyntaxError{Off: at, Msg: fmt.Sprintf("invalid \\%c escape %q", c, s[at:i+width])}
		}
		r = rune(n)
		if r > unicode.MaxRune || (0xD800 <= r && r < 0xE000) {
			return 0, &SyntaxError{Off: at, Msg: fmt.Sprintf("escape %q is not a valid Unicode character", s[at:i+width])}
		}
		i += width
	case 'N':
		// \N{name} needs the Unicode name database; .npy headers never
		// hold it (repr does not write it).
		return 0, &SyntaxError{Off: at, Msg: "\\N{...} escapes are not supported"}
	default:
		// Python keeps unknown escapes as written.
		i--
		r = '\\'
	}
	if b != nil && r >= 0 {
		b.WriteRune(r)
	}
	return i, nil
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
