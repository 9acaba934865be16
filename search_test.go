package memmap

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// searchCase is a search with Python slice indices and its results, from
// CPython's mmap: find = mm.find(sub, start, end), rfind = mm.rfind(sub,
// start, end), count = mm[start:end].count(sub).
type searchCase struct {
	data, sub   string
	start, end  int64
	find, rfind int64
	count       int
}

// searchCases were computed with CPython 3.11's mmap; TestSearchCasesPython
// checks them against the Python at hand.
var searchCases = []searchCase{
	{"abcabcabca", "abc", 0, 10, 0, 6, 3},
	{"abcabcabca", "abc", 1, 10, 3, 6, 2},
	{"abcabcabca", "abc", 4, 10, 6, 6, 1},
	{"abcabcabca", "abc", 0, 3, 0, 0, 1},
	{"abcabcabca", "abc", 0, 2, -1, -1, 0},
	{"abcabcabca", "abc", -3, 10, -1, -1, 0},
	{"abcabcabca", "abc", -4, 10, 6, 6, 1},
	{"abcabcabca", "abc", -100, 100, 0, 6, 3},
	{"abcabcabca", "abc", 3, 1, -1, -1, 0},
	{"abcabcabca", "abc", 0, -1, 0, 6, 3},
	{"abcabcabca", "abc", 0, -4, 0, 3, 2},
	{"abcabcabca", "abc", -7, -1, 3, 6, 2},
	{"abcabcabca", "a", 9, 10, 9, 9, 1},
	{"abcabcabca", "a", 10, 10, -1, -1, 0},
	{"abcabcabca", "a", 11, 20, -1, -1, 0},
	{"abcabcabca", "bca", 0, 10, 1, 7, 3},
	{"abcabcabca", "xyz", 0, 10, -1, -1, 0},
	{"abcabcabca", "abcabcabcab", 0, 10, -1, -1, 0},
	{"abcabcabca", "", 0, 10, 0, 10, 11},
	{"abcabcabca", "", 4, 4, 4, 4, 1},
	{"abcabcabca", "", 20, 30, 10, 10, 1},
	{"abcabcabca", "", -3, -1, 7, 9, 3},
	{"abcabcabca", "", 5, 2, -1, -1, 1},   // CPython 3.11: 5, 2 (see isPython311Quirk)
	{"abcabcabca", "", -1, -5, -1, -1, 1}, // CPython 3.11: 9, 5
	{"abcabcabca", "c", -1, 10, -1, -1, 0},
	{"abcabcabca", "ca", 2, -1, 2, 5, 2},
	{"abcabcabca", "a", math.MinInt64, math.MaxInt64, 0, 9, 4},
	{"abcabcabca", "a", math.MaxInt64, math.MinInt64, -1, -1, 0},
	{"aaaa", "aa", 0, 4, 0, 2, 2},
	{"aaaa", "aa", 1, 4, 1, 2, 1},
	{"aaaa", "aa", 1, 3, 1, 1, 1},
	{"aaaa", "a", 0, 4, 0, 3, 4},
	{"aaaa", "aaa", 0, 4, 0, 1, 1},
	{"aaaa", "aaaaa", 0, 4, -1, -1, 0},
	{"aaaa", "", 0, 4, 0, 4, 5},
	{"aaaa", "aa", -2, 4, 2, 2, 1},
	{"aaaa", "aa", -3, -1, 1, 1, 1},
	{"hello world\nhello\n", "hello", 0, 18, 0, 12, 2},
	{"hello world\nhello\n", "hello", 1, 18, 12, 12, 1},
	{"hello world\nhello\n", "\n", 0, 18, 11, 17, 2},
	{"hello world\nhello\n", "\n", 12, 17, -1, -1, 0},
	{"hello world\nhello\n", "o", 5, -1, 7, 16, 2},
	{"hello world\nhello\n", "world\nh", 0, 18, 6, 6, 1},
	{"hello world\nhello\n", "l", -6, -2, 14, 15, 2},
	{"hello world\nhello\n", "hello\n", 0, 17, -1, -1, 0},
	// Python cannot map an empty file; these follow from the rules.
	{"", "", 0, 0, 0, 0, 1},
	{"", "", -5, 5, 0, 0, 1},
	{"", "a", 0, 0, -1, -1, 0},
	{"", "a", -1, 1, -1, -1, 0},
}

// isPython311Quirk reports the case where CPython 3.11's mmap.find and
// rfind return an offset for an empty sub in a reversed window (end before
// start, after clamping); FindRange returns -1 as bytes.find does.
func isPython311Quirk(size int, sub string, start, end int64) bool {
	_, _, ok := window(size, start, end)
	return sub == "" && !ok
}

func TestSearchCases(t *testing.T) {
	for _, k := range mapKinds {
		for _, c := range searchCases {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(c.data), ReadOnly)
				sub := []byte(c.sub)
				if got := m.FindRange(sub, c.start, c.end); got != c.find {
					t.Errorf("%q.FindRange(%q, %d, %d) = %d, want %d", c.data, c.sub, c.start, c.end, got, c.find)
				}
				if got := m.RFindRange(sub, c.start, c.end); got != c.rfind {
					t.Errorf("%q.RFindRange(%q, %d, %d) = %d, want %d", c.data, c.sub, c.start, c.end, got, c.rfind)
				}
				if got := m.CountRange(sub, c.start, c.end); got != c.count {
					t.Errorf("%q.CountRange(%q, %d, %d) = %d, want %d", c.data, c.sub, c.start, c.end, got, c.count)
				}
				if m.Tell() != 0 {
					t.Errorf("search moved the position to %d", m.Tell())
				}
			})
		}
	}
}

// pySearch runs the searches of cases in CPython's mmap and returns
// [find, rfind, count] for each; cases on empty data are left out
// (Python cannot map them) and come back as nil.
func pySearch(t *testing.T, cases []searchCase) [][]int64 {
	t.Helper()
	py := python(t)
	const script = `
import json, mmap, sys
out = []
for data, sub, start, end in json.load(sys.stdin):
    data, sub = bytes.fromhex(data), bytes.fromhex(sub)
    if not data:
        out.append(None)
        continue
    m = mmap.mmap(-1, len(data))
    m.write(data)
    out.append([m.find(sub, start, end), m.rfind(sub, start, end), m[start:end].count(sub)])
    m.close()
json.dump(out, sys.stdout)
`
	in := make([][]any, len(cases))
	for i, c := range cases {
		in[i] = []any{hex.EncodeToString([]byte(c.data)), hex.EncodeToString([]byte(c.sub)), c.start, c.end}
	}
	stdin, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.Bytes())
	}
	var res [][]int64
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if len(res) != len(cases) {
		t.Fatalf("python returned %d results for %d cases", len(res), len(cases))
	}
	return res
}

// checkPython compares cases with CPython's results.
func checkPython(t *testing.T, cases []searchCase, res [][]int64) {
	t.Helper()
	for i, c := range cases {
		if res[i] == nil {
			continue
		}
		got := []int64{c.find, c.rfind, int64(c.count)}
		if isPython311Quirk(len(c.data), c.sub, c.start, c.end) {
			got[0], got[1] = res[i][0], res[i][1]
		}
		if diff := cmp.Diff(res[i], got); diff != "" {
			t.Errorf("%q find/rfind/count(%q, %d, %d) (-python +ours):\n%s", c.data, c.sub, c.start, c.end, diff)
		}
	}
}

func TestSearchCasesPython(t *testing.T) {
	checkPython(t, searchCases, pySearch(t, searchCases))
}

func TestSearchRandomPython(t *testing.T) {
	// Random short texts, subs and windows, our answers checked against
	// CPython's in one run of the interpreter.
	rng := rand.New(rand.NewPCG(1, 2))
	randString := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab\n"[rng.IntN(3)]
		}
		return string(b)
	}
	cases := make([]searchCase, 2000)
	for i := range cases {
		data := randString(1 + rng.IntN(20))
		m := newTestMap([]byte(data), ReadOnly)
		c := searchCase{data: data, sub: randString(rng.IntN(4)), start: rng.Int64N(51) - 25, end: rng.Int64N(51) - 25}
		c.find = m.FindRange([]byte(c.sub), c.start, c.end)
		c.rfind = m.RFindRange([]byte(c.sub), c.start, c.end)
		c.count = m.CountRange([]byte(c.sub), c.start, c.end)
		cases[i] = c
	}
	checkPython(t, cases, pySearch(t, cases))
}

func TestFindWhole(t *testing.T) {
	tests := []struct {
		data, sub   string
		find, rfind int64
		count       int
	}{
		{"abcabcabca", "abc", 0, 6, 3},
		{"abcabcabca", "a", 0, 9, 4},
		{"abcabcabca", "ca", 2, 8, 3},
		{"abcabcabca", "x", -1, -1, 0},
		{"abcabcabca", "", 0, 10, 11},
		{"aaaa", "aa", 0, 2, 2},
		{"\u00e9\u00e9", "", 0, 4, 5}, // bytes, not runes
		{"", "", 0, 0, 1},
		{"", "a", -1, -1, 0},
	}
	for _, k := range mapKinds {
		for _, tt := range tests {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(tt.data), ReadOnly)
				sub := []byte(tt.sub)
				if got := m.Find(sub); got != tt.find {
					t.Errorf("%q.Find(%q) = %d, want %d", tt.data, tt.sub, got, tt.find)
				}
				if got := m.RFind(sub); got != tt.rfind {
					t.Errorf("%q.RFind(%q) = %d, want %d", tt.data, tt.sub, got, tt.rfind)
				}
				if got := m.Count(sub); got != tt.count {
					t.Errorf("%q.Count(%q) = %d, want %d", tt.data, tt.sub, got, tt.count)
				}
				whole := []int64{m.FindRange(sub, 0, math.MaxInt64), m.RFindRange(sub, 0, math.MaxInt64), int64(m.CountRange(sub, 0, math.MaxInt64))}
				if diff := cmp.Diff([]int64{tt.find, tt.rfind, int64(tt.count)}, whole); diff != "" {
					t.Errorf("%q range forms over the whole map (-want +got):\n%s", tt.data, diff)
				}
			})
		}
	}
}

// collect returns the values of an iterator over int64.
func collectAll(m *Map, sub []byte) []int64 {
	got := []int64{}
	for off := range m.All(sub) {
		got = append(got, off)
	}
	return got
}

func TestAll(t *testing.T) {
	tests := []struct {
		data, sub string
		want      []int64
	}{
		{"abcabcabca", "abc", []int64{0, 3, 6}},
		{"abcabcabca", "a", []int64{0, 3, 6, 9}},
		{"abcabcabca", "x", []int64{}},
		{"aaaa", "aa", []int64{0, 2}},
		{"aaaaa", "aa", []int64{0, 2}},
		{"abc", "", []int64{0, 1, 2, 3}},
		{"", "", []int64{0}},
		{"", "a", []int64{}},
		{"a\nb\n", "\n", []int64{1, 3}},
	}
	for _, k := range mapKinds {
		for _, tt := range tests {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(tt.data), ReadOnly)
				got := collectAll(m, []byte(tt.sub))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%q.All(%q) (-want +got):\n%s", tt.data, tt.sub, diff)
				}
				if n := m.Count([]byte(tt.sub)); n != len(got) {
					t.Errorf("%q.Count(%q) = %d, All yields %d", tt.data, tt.sub, n, len(got))
				}
			})
		}
	}
	t.Run("break", func(t *testing.T) {
		m := newTestMap([]byte("abcabcabca"), ReadOnly)
		var got []int64
		for off := range m.All([]byte("a")) {
			got = append(got, off)
			if len(got) == 2 {
				break
			}
		}
		if diff := cmp.Diff([]int64{0, 3}, got); diff != "" {
			t.Errorf("All with break (-want +got):\n%s", diff)
		}
	})
	t.Run("close while iterating", func(t *testing.T) {
		// The step after Close panics: ending the loop quietly would pass
		// for "no more matches".
		m := newTestMap([]byte("abcabcabca"), ReadOnly)
		var got []int64
		err := closedPanic(func() {
			for off := range m.All([]byte("a")) {
				got = append(got, off)
				m.closed = true
			}
		})
		if !errors.Is(err, ErrClosed) {
			t.Errorf("All closed after the first match: recovered %v, want a panic with ErrClosed", err)
		}
		if diff := cmp.Diff([]int64{0}, got); diff != "" {
			t.Errorf("All closed after the first match (-want +got):\n%s", diff)
		}
	})
}

// regexpPatterns and regexpTexts are the cases for AllRegexp: patterns
// with and without look-behind assertions, empty matches, UTF-8.
var (
	regexpPatterns = []string{
		`a+`, `a*`, `x*`, `\d+`, `b|`, `a|b`, ``, `.`, `(?s).`, `[^\n]*`, `\w+`, `é`, `\p{L}+`,
		`(?i)HELLO`, `hello$`, `(?m)hello$`, `$`, `(?m)$`, `b\z`,
		`^a`, `^`, `(?m)^`, `(?m)^\w+`, `\Aab`, `\bhello\b`, `\B`, `\b`, `l\B`, `(x|^)a`,
	}
	regexpTexts = []string{
		"", "a", "aaa", "baaab", "xaaybaaa", "hello world\nhello\n", "abc\xffé\nb", "éé\n", "123 abc 45",
		"ab\nab\n\nab",
	}
)

func collectRegexp(m *Map, re *regexp.Regexp) [][2]int64 {
	got := [][2]int64{}
	for span := range m.AllRegexp(re) {
		got = append(got, span)
	}
	return got
}

func findAllSpans(re *regexp.Regexp, b []byte) [][2]int64 {
	want := [][2]int64{}
	for _, loc := range re.FindAllIndex(b, -1) {
		want = append(want, [2]int64{int64(loc[0]), int64(loc[1])})
	}
	return want
}

func TestAllRegexp(t *testing.T) {
	for _, k := range mapKinds {
		maps := make([]*Map, len(regexpTexts))
		for i, text := range regexpTexts {
			maps[i] = k.make(t, []byte(text), ReadOnly)
		}
		for _, p := range regexpPatterns {
			for _, longest := range []bool{false, true} {
				re := regexp.MustCompile(p)
				if longest {
					re.Longest()
				}
				for i, text := range regexpTexts {
					m := maps[i]
					want := findAllSpans(re, []byte(text))
					if diff := cmp.Diff(want, collectRegexp(m, re)); diff != "" {
						t.Errorf("%s: AllRegexp(%#q, longest %v) over %q (-FindAllIndex +got):\n%s", k.name, p, longest, text, diff)
					}
				}
			}
		}
	}
	t.Run("POSIX", func(t *testing.T) {
		for _, p := range []string{`a+`, `^a`, `a|ab`, `(a|ab)(c|bcd)`} {
			re := regexp.MustCompilePOSIX(p)
			for _, text := range []string{"abcd abcd", "a\na"} {
				m := newTestMap([]byte(text), ReadOnly)
				if diff := cmp.Diff(findAllSpans(re, []byte(text)), collectRegexp(m, re)); diff != "" {
					t.Errorf("AllRegexp(POSIX %#q) over %q (-FindAllIndex +got):\n%s", p, text, diff)
				}
			}
		}
	})
	t.Run("nil", func(t *testing.T) {
		m := newTestMap([]byte("abc"), ReadOnly)
		if got := collectRegexp(m, nil); len(got) != 0 {
			t.Errorf("AllRegexp(nil) = %v", got)
		}
	})
	t.Run("break", func(t *testing.T) {
		for _, p := range []string{`a`, `\ba`} {
			m := newTestMap([]byte("a a a a"), ReadOnly)
			n := 0
			for range m.AllRegexp(regexp.MustCompile(p)) {
				n++
				if n == 2 {
					break
				}
			}
			if n != 2 {
				t.Errorf("AllRegexp(%#q) with break ran %d times", p, n)
			}
		}
	})
	t.Run("close while iterating", func(t *testing.T) {
		for _, p := range []string{`a`, `\ba`} {
			m := newTestMap([]byte("a a a a"), ReadOnly)
			n := 0
			err := closedPanic(func() {
				for range m.AllRegexp(regexp.MustCompile(p)) {
					n++
					m.closed = true
				}
			})
			if n != 1 || !errors.Is(err, ErrClosed) {
				t.Errorf("AllRegexp(%#q) went on %d times after Close and recovered %v, want 1 time and a panic with ErrClosed", p, n, err)
			}
		}
	})
}

func TestLookBehind(t *testing.T) {
	for p, want := range map[string]bool{
		`a+`: false, `a$`: false, `(?m)a$`: false, `\z`: false, `[\^]`: false, `\\b`: false,
		`^a`: true, `(?m)^a`: true, `\Aa`: true, `\ba`: true, `a\B`: true, `x|(y|^)`: true,
	} {
		if got := lookBehind(regexp.MustCompile(p)); got != want {
			t.Errorf("lookBehind(%#q) = %v, want %v", p, got, want)
		}
	}
}

// scanLines returns the lines bufio.Scanner splits text into.
func scanLines(text string) []string {
	lines := []string{}
	s := bufio.NewScanner(strings.NewReader(text))
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	return lines
}

func TestLines(t *testing.T) {
	for _, k := range mapKinds {
		for _, text := range lineTexts {
			t.Run(k.name, func(t *testing.T) {
				m := k.make(t, []byte(text), ReadOnly)
				got := []string{}
				for i, line := range m.Lines() {
					if i != len(got) {
						t.Errorf("line index %d, want %d", i, len(got))
					}
					if cap(line) != len(line) {
						t.Errorf("line %q has capacity %d, want capped", line, cap(line))
					}
					got = append(got, string(line))
				}
				if diff := cmp.Diff(scanLines(text), got); diff != "" {
					t.Errorf("Lines of %q (-bufio.Scanner +got):\n%s", text, diff)
				}
				if m.Tell() != 0 {
					t.Errorf("Lines moved the position to %d", m.Tell())
				}
			})
		}
	}
	t.Run("aliases the map", func(t *testing.T) {
		m := newTestMap([]byte("ab\ncd\n"), ReadWrite)
		for i, line := range m.Lines() {
			if i == 1 {
				line[0] = 'X'
			}
		}
		if got := string(m.data); got != "ab\nXd\n" {
			t.Errorf("map after writing through a line = %q", got)
		}
	})
	t.Run("break", func(t *testing.T) {
		m := newTestMap([]byte("a\nb\nc\n"), ReadOnly)
		n := 0
		for i := range m.Lines() {
			n++
			if i == 1 {
				break
			}
		}
		if n != 2 {
			t.Errorf("Lines with break ran %d times", n)
		}
	})
	t.Run("close while iterating", func(t *testing.T) {
		m := newTestMap([]byte("a\nb\nc\n"), ReadOnly)
		n := 0
		err := closedPanic(func() {
			for range m.Lines() {
				n++
				m.closed = true
			}
		})
		if n != 1 || !errors.Is(err, ErrClosed) {
			t.Errorf("Lines went on %d times after Close and recovered %v, want 1 time and a panic with ErrClosed", n, err)
		}
	})
}

func TestSearchClosed(t *testing.T) {
	for _, m := range []*Map{newClosedMap(), {data: []byte("abc\n"), closed: true, path: "p"}} {
		sub := []byte("a")
		// The searches panic: -1 or 0 would pass for "not found".
		for name, fn := range map[string]func(){
			"Find": func() { m.Find(sub) }, "RFind": func() { m.RFind(sub) },
			"FindRange": func() { m.FindRange(sub, 0, 3) }, "RFindRange": func() { m.RFindRange(sub, 0, 3) },
			"Find empty": func() { m.Find(nil) }, "RFindRange empty": func() { m.RFindRange(nil, 0, 3) },
			"Count": func() { m.Count(sub) }, "CountRange": func() { m.CountRange(sub, 0, 3) },
			"Count empty": func() { m.Count(nil) }, "CountRange empty": func() { m.CountRange(nil, 0, 3) },
			"CountOverlapping": func() { m.CountOverlapping(sub) }, "CountOverlapping empty": func() { m.CountOverlapping(nil) },
			// The iterators panic at their first step, for the same reason.
			"All": func() { drain(m.All(sub)) }, "All empty": func() { drain(m.All(nil)) },
			"AllOverlapping": func() { drain(m.AllOverlapping(sub)) }, "AllOverlapping empty": func() { drain(m.AllOverlapping(nil)) },
			"AllRegexp":            func() { drain(m.AllRegexp(regexp.MustCompile(`a`))) },
			"AllRegexp lookbehind": func() { drain(m.AllRegexp(regexp.MustCompile(`^a`))) },
			"Lines":                func() { drain2(m.Lines()) },
		} {
			func() {
				defer func() {
					err, _ := recover().(error)
					if !errors.Is(err, ErrClosed) {
						t.Errorf("%s after Close: recovered %v, want a panic with ErrClosed", name, err)
					}
				}()
				fn()
			}()
		}
	}
}

func TestSearchAllocs(t *testing.T) {
	text := bytes.Repeat([]byte("the quick brown fox\n"), 100)
	sub := []byte("fox")
	for _, k := range mapKinds {
		m := k.make(t, text, ReadOnly)
		tests := map[string]func(){
			"Find":       func() { _ = m.Find(sub) },
			"RFind":      func() { _ = m.RFind(sub) },
			"FindRange":  func() { _ = m.FindRange(sub, 10, -10) },
			"RFindRange": func() { _ = m.RFindRange(sub, 10, -10) },
			"Count":      func() { _ = m.Count(sub) },
			"Count byte": func() { _ = m.Count(sub[:1]) },
			"CountRange": func() { _ = m.CountRange(sub, 10, -10) },
		}
		for name, f := range tests {
			if got := testing.AllocsPerRun(100, f); got != 0 {
				t.Errorf("%s: %s allocates %v times a call, want 0", k.name, name, got)
			}
		}
	}
	m := newTestMap(text, ReadOnly)
	// The iterators allocate at most their closures, not per match.
	for name, f := range map[string]func(*Map){
		"All": func(m *Map) {
			for range m.All(sub) {
			}
		},
		"Lines": func(m *Map) {
			for range m.Lines() {
			}
		},
	} {
		one := testing.AllocsPerRun(20, func() { f(newTestMapNoAlloc(sub)) })
		many := testing.AllocsPerRun(20, func() { f(m) })
		if many > one || many > 2 {
			t.Errorf("%s over 100 matches allocates %v times, over 1 match %v: want the same, at most 2", name, many, one)
		}
	}
}

var oneLineMap = newTestMap([]byte("fox\n"), ReadOnly)

// newTestMapNoAlloc returns a Map made up front, so that making it does not
// count in AllocsPerRun.
func newTestMapNoAlloc([]byte) *Map { return oneLineMap }

// Reference implementations for the fuzz tests: plain loops over the
// window that Python's slice indices select.

func refWindow(size int, start, end int64) (lo, hi int) {
	norm := func(i int64) int {
		if i < 0 {
			i = max(i+int64(size), 0)
		}
		return int(min(i, int64(size)))
	}
	return norm(start), norm(end)
}

func refFind(d, sub []byte, start, end int64) int64 {
	lo, hi := refWindow(len(d), start, end)
	for i := lo; i+len(sub) <= hi; i++ {
		if string(d[i:i+len(sub)]) == string(sub) {
			return int64(i)
		}
	}
	return -1
}

func refRFind(d, sub []byte, start, end int64) int64 {
	lo, hi := refWindow(len(d), start, end)
	for i := hi - len(sub); i >= lo; i-- {
		if string(d[i:i+len(sub)]) == string(sub) {
			return int64(i)
		}
	}
	return -1
}

// refAll returns the offsets of the non-overlapping matches in the window
// (Python's count: an empty window, even a reversed one, holds one empty
// match).
func refAll(d, sub []byte, start, end int64) []int64 {
	lo, hi := refWindow(len(d), start, end)
	hi = max(hi, lo)
	offs := []int64{}
	for i := lo; i+len(sub) <= hi; {
		if string(d[i:i+len(sub)]) == string(sub) {
			offs = append(offs, int64(i))
			i += max(len(sub), 1)
		} else {
			i++
		}
	}
	return offs
}

func FuzzSearch(f *testing.F) {
	for _, c := range searchCases {
		f.Add([]byte(c.data), []byte(c.sub), c.start, c.end)
	}
	f.Fuzz(func(t *testing.T, data, sub []byte, start, end int64) {
		m := newTestMap(data, ReadOnly)
		if got, want := m.FindRange(sub, start, end), refFind(data, sub, start, end); got != want {
			t.Errorf("FindRange(%q, %d, %d) = %d, want %d", sub, start, end, got, want)
		}
		if got, want := m.RFindRange(sub, start, end), refRFind(data, sub, start, end); got != want {
			t.Errorf("RFindRange(%q, %d, %d) = %d, want %d", sub, start, end, got, want)
		}
		if got, want := m.CountRange(sub, start, end), len(refAll(data, sub, start, end)); got != want {
			t.Errorf("CountRange(%q, %d, %d) = %d, want %d", sub, start, end, got, want)
		}
		const whole = math.MaxInt64
		if got, want := m.Find(sub), refFind(data, sub, 0, whole); got != want {
			t.Errorf("Find(%q) = %d, want %d", sub, got, want)
		}
		if got, want := m.RFind(sub), refRFind(data, sub, 0, whole); got != want {
			t.Errorf("RFind(%q) = %d, want %d", sub, got, want)
		}
		want := refAll(data, sub, 0, whole)
		if got := m.Count(sub); got != len(want) {
			t.Errorf("Count(%q) = %d, want %d", sub, got, len(want))
		}
		if diff := cmp.Diff(want, collectAll(m, sub)); diff != "" {
			t.Errorf("All(%q) (-want +got):\n%s", sub, diff)
		}
	})
}

func FuzzAllRegexp(f *testing.F) {
	for i, p := range regexpPatterns {
		f.Add(p, []byte(regexpTexts[i%len(regexpTexts)]))
	}
	f.Fuzz(func(t *testing.T, pattern string, data []byte) {
		if len(pattern) > 64 || len(data) > 4096 {
			return
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		m := newTestMap(data, ReadOnly)
		if diff := cmp.Diff(findAllSpans(re, data), collectRegexp(m, re)); diff != "" {
			t.Errorf("AllRegexp(%#q) over %q (-FindAllIndex +got):\n%s", pattern, data, diff)
		}
	})
}

func FuzzLines(f *testing.F) {
	for _, text := range lineTexts {
		f.Add([]byte(text))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > bufio.MaxScanTokenSize {
			return
		}
		m := newTestMap(data, ReadOnly)
		got := []string{}
		for _, line := range m.Lines() {
			got = append(got, string(line))
		}
		if diff := cmp.Diff(scanLines(string(data)), got); diff != "" {
			t.Errorf("Lines of %q (-bufio.Scanner +got):\n%s", data, diff)
		}
		var rl []byte
		for {
			line, err := m.ReadLine()
			if err != nil {
				break
			}
			rl = append(rl, line...)
		}
		if !bytes.Equal(rl, data) {
			t.Errorf("ReadLine lines joined = %q, want %q", rl, data)
		}
	})
}
