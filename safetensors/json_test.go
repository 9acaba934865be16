package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// headerJSON runs the JSON stage of parse on the header h (no validate):
// the tensors in the order of the header, and the metadata.
func headerJSON(h []byte) (*parser, error) {
	p := &parser{s: scanner{h: h}}
	return p, p.header()
}

// tokRaw is a tensor entry as tokParser reads it.
type tokRaw struct {
	name, dtype string
	shape       []uint64
	begin, end  uint64
	at          int64
}

// tokHeader runs tokParser on the header h.
func tokHeader(h []byte) ([]tokRaw, map[string]string, error) {
	p := &tokParser{dec: json.NewDecoder(bytes.NewReader(h))}
	p.dec.UseNumber()
	return p.header()
}

// headerSeeds are headers for the fuzz targets: valid ones, each rule
// broken, and strings with every kind of escape.
func headerSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	paths, _ := filepath.Glob(filepath.Join("testdata", "*.safetensors"))
	if len(paths) == 0 {
		tb.Fatalf("no reference samples in testdata (see testdata/README.md)")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		if len(b) >= 8 {
			if n := binary.LittleEndian.Uint64(b); n <= uint64(len(b)-8) {
				seeds = append(seeds, b[8:8+n])
			}
		}
	}
	const e = `{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}`
	for _, h := range []string{
		`{}`, " \t\r\n{ } \n", `{"t":` + e + `}`, `{"t":` + e + `}   `,
		`{"__metadata__":null}`, `{"__metadata__":{"a":"b","c":""}}`,
		`{"__metadata__":{"format":"pt"},"a":{"dtype":"F8_E4M3","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"C64","shape":[],"data_offsets":[3,11]}}`,
		`{"t":{"dtype":"U8","extra":{"x":[1,{"y":null}],"z":[true,false,-1.5e+3,"s"]},"shape":[1],"data_offsets":[0,1]}}`,
		`{"名前\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`,
		`{"\ud800":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"\udc00\ud800\u0041":{"dtype":"U8","shape":[0],"data_offsets":[1,1]}}`,
		`{"__metadata__":{"k\u0000":"v\ud83d","\uD83D\uDE00":"\u00"}}`,
		`{"t":{"dtype":"U8","shape":[18446744073709551615,18446744073709551616,0,-0,01,1.0,1e0,1E+0],"data_offsets":[0,1]}}`,
		`{"t":{"dtype":"U8","shape":[1],"data_offsets":[0]}}`, `{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`,
		`{"t":` + e + `,"t":` + e + `}`, `{"__metadata__":{},"__metadata__":{}}`, `{"__metadata__":{"a":"1","a":"2"}}`,
		`{"t":{"dtype":"I32","dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`,
		`{"__metadata__":{"a":1}}`, `{"__metadata__":["a"]}`, `{"t":[1]}`, `{"t":null}`, `{"t":{"dtype":4}}`,
		`{"t":{"x":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `,"dtype":"U8","shape":[],"data_offsets":[0,1]}}`,
		`{"t":{"x":` + strings.Repeat("[", 65) + strings.Repeat("]", 65) + `}}`,
		`{"a":1,}`, `{"a" 1}`, `{,}`, `[1,]`, `{} x`, `{}{}`, "{}\x00", `{"a":tru}`, `{"a":"\x"}`, "{\"a\x01\":1}",
	} {
		seeds = append(seeds, []byte(h))
	}
	return seeds
}

// checkAgainstJSON checks the new parser's verdict on h against
// encoding/json and against tokParser, the previous parser (built on
// encoding/json's Decoder.Token): they must accept the same headers and
// read the same tensors and metadata from them.
func checkAgainstJSON(t *testing.T, h []byte) {
	if !utf8.Valid(h) {
		// parse refuses it before reading the JSON.
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		if _, err := parse(append(b, h...)); !errors.Is(err, ErrFormat) {
			t.Fatalf("invalid UTF-8 accepted: %v", err)
		}
		return
	}
	p, err := headerJSON(h)
	valid := json.Valid(h)
	if errors.Is(err, errLimit) {
		// Valid JSON of the right shape over a bound of this package
		// (MaxRank, the metadata's), which encoding/json and the
		// previous parser do not have.
		if !valid {
			t.Fatalf("refused for a limit, but json.Valid refuses it: %v", err)
		}
		return
	}
	if err != nil {
		if !errors.Is(err, ErrFormat) {
			t.Fatalf("error not matching ErrFormat: %v", err)
		}
		if errors.Is(err, errSyntax) && valid {
			t.Fatalf("refused as invalid JSON, which encoding/json accepts: %v", err)
		}
	} else {
		if !valid {
			t.Fatalf("accepted, but json.Valid refuses it")
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(h, &top); err != nil {
			t.Fatalf("accepted, but encoding/json cannot read it as an object: %v", err)
		}
		n := len(p.raws)
		if m, ok := top[metadataKey]; ok {
			n++
			var meta map[string]string
			if err := json.Unmarshal(m, &meta); err != nil {
				t.Fatalf("metadata %s: %v", m, err)
			}
			if !maps.Equal(meta, p.meta) || (meta == nil) != (p.meta == nil) {
				t.Fatalf("metadata %q, encoding/json reads %q", p.meta, meta)
			}
		}
		if len(top) != n {
			t.Fatalf("%d keys, encoding/json reads %d", n, len(top))
		}
		for _, rt := range p.raws {
			var e map[string]json.RawMessage
			if err := json.Unmarshal(top[rt.name], &e); err != nil {
				t.Fatalf("tensor %q: %v", rt.name, err)
			}
			var dtype string
			var shape, offsets []uint64
			for k, v := range map[string]any{"dtype": &dtype, "shape": &shape, "data_offsets": &offsets} {
				if err := json.Unmarshal(e[k], v); err != nil {
					t.Fatalf("tensor %q: %s %s: %v", rt.name, k, e[k], err)
				}
			}
			if got := asUint64(rt.shape); dtype != rt.dt.name || !slices.Equal(shape, got) || !slices.Equal(offsets, []uint64{rt.begin, rt.end}) {
				t.Fatalf("tensor %q: %s %v [%d %d], encoding/json reads %s %v %v", rt.name, rt.dt.name, got, rt.begin, rt.end, dtype, shape, offsets)
			}
		}
	}

	// The previous parser.
	raws, meta, terr := tokHeader(h)
	if (err == nil) != (terr == nil) {
		t.Fatalf("the scanner says %v, the previous parser %v", err, terr)
	}
	if err != nil {
		return
	}
	if len(raws) != len(p.raws) || !maps.Equal(meta, p.meta) || (meta == nil) != (p.meta == nil) {
		t.Fatalf("%d tensors and metadata %q, the previous parser %d and %q", len(p.raws), p.meta, len(raws), meta)
	}
	for i, rt := range p.raws {
		o := raws[i]
		if rt.name != o.name || rt.dt.name != o.dtype || !slices.Equal(asUint64(rt.shape), o.shape) || rt.begin != o.begin || rt.end != o.end {
			t.Fatalf("tensor %d: %q %s %v [%d %d], the previous parser %q %s %v [%d %d]", i,
				rt.name, rt.dt.name, asUint64(rt.shape), rt.begin, rt.end, o.name, o.dtype, o.shape, o.begin, o.end)
		}
	}
}

// FuzzHeaderJSON: the header parser against encoding/json, on arbitrary
// headers. Whenever it accepts, json.Valid accepts the same bytes and
// encoding/json reads the same names, dtypes, shapes, offsets and
// metadata; whenever it calls the JSON invalid, json.Valid agrees; and it
// accepts exactly the headers that the previous parser, token by token
// with encoding/json's Decoder, accepted.
func FuzzHeaderJSON(f *testing.F) {
	for _, h := range headerSeeds(f) {
		f.Add(h)
	}
	f.Fuzz(checkAgainstJSON)
}

// TestHeaderJSON runs the checks of FuzzHeaderJSON on its seeds, and on
// every prefix of them.
func TestHeaderJSON(t *testing.T) {
	for _, h := range headerSeeds(t) {
		for i := range len(h) + 1 {
			checkAgainstJSON(t, h[:i])
		}
	}
}

// TestStrings: keys decode as encoding/json decodes them, escapes,
// surrogate pairs and lone surrogates (U+FFFD) included.
func TestStrings(t *testing.T) {
	for _, s := range []string{
		`""`, `"abc"`, `"a\"b"`, `"\\\/\b\f\n\r\t"`, `"\u0041\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\uD83D\uDE00x"`,
		`"\ud800"`, `"\udc00"`, `"\ud800x"`, `"\ud800\u0041"`, `"\ud800\ud800\udc00"`, `"\udc00\ud800"`, `"\ud800\n"`,
		`"名前"`, `"\u0000"`, "\"\x7f\"",
	} {
		var want string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		sc := scanner{h: []byte(s)}
		got, err := sc.str()
		if err != nil || string(got) != want || sc.i != len(s) {
			t.Errorf("%s: %q (to %d), %v; want %q", s, got, sc.i, err, want)
		}
	}
	for _, s := range []string{`"`, `"abc`, `"\`, `"\u12`, `"\u12"`, `"\x"`, "\"\x01\"", "\"a\nb\"", `"\ud800\u12"`, `"\ud800\uzzzz"`} {
		if json.Valid([]byte(s)) {
			t.Fatalf("%s is valid", s)
		}
		sc := scanner{h: []byte(s)}
		if got, err := sc.str(); !errors.Is(err, errSyntax) {
			t.Errorf("%s: %q, %v; want a syntax error", s, got, err)
		}
	}
}

// TestNumbers: the JSON number grammar, and which numbers are
// non-negative integers below 2^64 (those strconv.ParseUint reads).
func TestNumbers(t *testing.T) {
	for _, s := range []string{"0", "1", "-0", "-1", "10", "1.5", "0.0", "1e5", "1E+5", "1e-5", "-1.5e10",
		"18446744073709551615", "18446744073709551616", "99999999999999999999", "184467440737095516150"} {
		sc := scanner{h: []byte(s + "]")}
		x, num, ok, err := sc.uint()
		if err != nil || string(num) != s {
			t.Fatalf("%s: %q, %v", s, num, err)
		}
		want, perr := strconv.ParseUint(s, 10, 64)
		if ok != (perr == nil) || ok && x != want {
			t.Errorf("%s: %d %v, ParseUint %d %v", s, x, ok, want, perr)
		}
	}
	for _, s := range []string{"-", "01", "1.", ".5", "1e", "1e+", "+1", "-a", "1.e5"} {
		sc := scanner{h: []byte(s)}
		num, err := sc.number()
		if err == nil && sc.i == len(s) {
			t.Errorf("%s: read as %q", s, num)
		}
		if json.Valid([]byte(s)) {
			t.Errorf("%s is valid JSON", s)
		}
	}
}

// BenchmarkParse parses the header of 1,000 tensors of BenchmarkSafetensors
// (in package bench), without the map and the views.
func BenchmarkParse(b *testing.B) {
	var h strings.Builder
	h.WriteString(`{"__metadata__":{"format":"pt"}`)
	for i := range 1000 {
		fmt.Fprintf(&h, `,"layer.%d.weight":{"dtype":"F32","shape":[16,16],"data_offsets":[%d,%d]}`, i, i*1024, (i+1)*1024)
	}
	h.WriteString("}")
	file := binary.LittleEndian.AppendUint64(nil, uint64(h.Len()))
	file = append(file, h.String()...)
	file = append(file, make([]byte, 1000*1024)...)
	b.SetBytes(int64(h.Len()))
	b.ReportAllocs()
	for range b.N {
		if _, err := parse(file); err != nil {
			b.Fatal(err)
		}
	}
}

// tokParser is the previous header tokParser, kept as the oracle of
// FuzzHeaderJSON: it reads the header's JSON, token by token, so that duplicate keys
// are seen (encoding/json's Unmarshal keeps the last) and nothing is
// allocated for values that are not read.
type tokParser struct {
	dec *json.Decoder
}

// off returns the file offset of the tokParser's position.
func (p *tokParser) off() int64 { return 8 + p.dec.InputOffset() }

// token returns the next token; a syntax error matches ErrFormat.
func (p *tokParser) token() (json.Token, error) {
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
func tokDescribe(t json.Token) string {
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

// expect reads a token that must be the delimiter d.
func (p *tokParser) expect(d json.Delim, what string) error {
	at := p.off()
	t, err := p.token()
	if err != nil {
		return err
	}
	if t != d {
		return formatErr(nil, "offset %d: %s: expected %s, found %s", at, what, tokDescribe(d), tokDescribe(t))
	}
	return nil
}

// key reads an object key.
func (p *tokParser) key() (string, int64, error) {
	at := p.off()
	t, err := p.token()
	if err != nil {
		return "", at, err
	}
	s, ok := t.(string)
	if !ok { // unreachable: the decoder only gives strings as keys
		return "", at, formatErr(nil, "offset %d: expected a key, found %s", at, tokDescribe(t))
	}
	return s, at, nil
}

// header reads the top-level object.
func (p *tokParser) header() ([]tokRaw, map[string]string, error) {
	if err := p.expect('{', "the header"); err != nil {
		return nil, nil, err
	}
	var raws []tokRaw
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
			what = tokDescribe(t)
		}
		return nil, nil, formatErr(nil, "offset %d: %s after the header object (only spaces may follow it)", at, what)
	}
	return raws, meta, nil
}

// metadata reads the value of "__metadata__": null, or an object of
// strings.
func (p *tokParser) metadata() (map[string]string, error) {
	at := p.off()
	t, err := p.token()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, nil
	}
	if t != json.Delim('{') {
		return nil, formatErr(nil, "offset %d: %s: expected an object of strings, found %s", at, metadataKey, tokDescribe(t))
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
			return nil, formatErr(nil, "offset %d: %s: the value of %s is %s, not a string", vat, metadataKey, clip(k), tokDescribe(t))
		}
		meta[k] = v
	}
	return meta, p.expect('}', metadataKey)
}

// tensor reads a tensor entry.
func (p *tokParser) tensor(name string, at int64) (tokRaw, error) {
	rt := tokRaw{name: name, at: at}
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
				return rt, formatErr(nil, "offset %d: %s: dtype is %s, not a string", vat, what, tokDescribe(t))
			}
			rt.dtype = s
			if lookupDType(s) == nil {
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
	case rt.dtype == "":
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
func (p *tokParser) uints(what string, n int) ([]uint64, error) {
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
			return nil, formatErr(nil, "offset %d: %s: expected a non-negative integer, found %s", at, what, tokDescribe(t))
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
func (p *tokParser) skip(what string) error {
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
