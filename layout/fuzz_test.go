package layout_test

import (
	"testing"

	"github.com/gomemmap/memmap/layout"
)

// FuzzParseDescr checks that ParseDescr never panics, and that whatever
// it accepts re-encodes (Descr) to a text that parses back to an equal
// dtype and re-encodes to the same text; that the dtype is Compatible
// with itself and its byte-swapped twin; and that SwapBytes works on an
// element.
func FuzzParseDescr(f *testing.F) {
	for _, s := range descrCanonical {
		f.Add(s)
	}
	for _, tc := range descrNormalised {
		f.Add(tc.in)
	}
	for _, tc := range ofCases {
		if d, err := layout.TypeOf(tc.typ); err == nil {
			f.Add(d.Descr())
		}
	}
	for _, s := range []string{
		packedDescr, deepDescr, "'<U3'", "'|O'", "'<f16'", "[('a', '<i4', (-1,))]", "[('a', '<i4'), ('a', '<f4')]",
		"[(('t', 'a'), '<i4'), ('t', '<f8')]", "[('a', '|S1000', (1000, 1000, 3))]", "('<i4', (2,))", "[('a', '<i4'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := layout.ParseDescr(text)
		if err != nil {
			if d != nil {
				t.Fatalf("ParseDescr(%q) returned a dtype and an error", text)
			}
			return
		}
		out := d.Descr()
		e, err := layout.ParseDescr(out)
		if err != nil {
			t.Fatalf("ParseDescr(%q) = %s, which does not parse: %v", text, out, err)
		}
		if !e.Equal(d) {
			t.Fatalf("ParseDescr(%q) = %s, which parses to %s, not Equal", text, out, e.Descr())
		}
		if out2 := e.Descr(); out2 != out {
			t.Fatalf("Descr not stable: %s then %s", out, out2)
		}
		if err := layout.Compatible(d, e); err != nil {
			t.Fatalf("Compatible(%s, itself): %v", out, err)
		}
		s := d.Swapped()
		if err := layout.Compatible(s, d); err != nil {
			t.Fatalf("Compatible(%s, %s): %v", s.Descr(), out, err)
		}
		if !s.Swapped().Equal(d) {
			t.Fatalf("Swapped twice of %s is %s", out, s.Swapped().Descr())
		}
		if d.Size() <= 1<<16 {
			b := make([]byte, d.Size())
			for i := range b {
				b[i] = byte(i)
			}
			d.SwapBytes(b)
			s.SwapBytes(b)
			for i := range b {
				if b[i] != byte(i) {
					t.Fatalf("SwapBytes then the twin's SwapBytes changed byte %d of %s", i, out)
				}
			}
		}
	})
}
