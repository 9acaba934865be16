package header_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/internal/pylit"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestNumPyTestFormatCorpus reads every array of NumPy's own format tests
// (numpy.lib.tests.test_format, written by testdata/numpy_test_format.py
// into a temporary directory): each header parses, its descr is written
// back byte for byte and the header re-encodes to NumPy's bytes, and the
// dtypes the library cannot map (object, unicode) give an error naming
// the field. Issue 15: record_arrays' [('c', ('<f8', (5,)), (2,))] failed.
func TestNumPyTestFormatCorpus(t *testing.T) {
	dir := testutil.FormatCorpus(t)
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		NumPyVersion string `json:"numpy_version"`
		Files        []struct {
			Name         string  `json:"name"`
			Descr        string  `json:"descr"`
			Shape        []int64 `json:"shape"`
			FortranOrder bool    `json:"fortran_order"`
			Unsupported  bool    `json:"unsupported"`
			Field        *string `json:"field"`
		} `json:"files"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Files) < 100 {
		t.Fatalf("the generator wrote %d files, fewer than NumPy's tests define", len(m.Files))
	}
	refused := 0
	for _, f := range m.Files {
		t.Run(f.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, f.Name))
			if err != nil {
				t.Fatal(err)
			}
			h, err := header.Parse(data, nil)
			if f.Unsupported {
				refused++
				if !errors.Is(err, header.ErrFormat) || !errors.Is(err, layout.ErrDType) {
					t.Fatalf("Parse: %v, want an error matching ErrFormat and layout.ErrDType", err)
				}
				if f.Field != nil && !strings.Contains(err.Error(), "("+pylit.Quote(*f.Field)+")") {
					t.Errorf("Parse: %v does not name the field %s", err, pylit.Quote(*f.Field))
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := h.DType.Descr(); got != f.Descr {
				t.Errorf("descr round trip (-NumPy +Descr):\n%s", cmp.Diff(f.Descr, got))
			}
			if !cmp.Equal(h.Shape, f.Shape, cmpopts.EquateEmpty()) || h.FortranOrder != f.FortranOrder {
				t.Errorf("shape %v fortran %v, NumPy wrote %v %v", h.Shape, h.FortranOrder, f.Shape, f.FortranOrder)
			}
			if err := h.Validate(int64(len(data))); err != nil {
				t.Errorf("Validate: %v", err)
			}
			enc, err := h.Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if ax := h.GrowthAxis(); ax >= 0 {
				if lo, hi, err := header.GrowthSpan(data, ax); err != nil || !onePage(lo, hi) {
					// NumPy's layout straddles a page: Encode moves the shape.
					t.Logf("NumPy's growth span [%d, %d) crosses a page (%v): not compared", lo, hi, err)
					return
				}
			}
			if !bytes.Equal(enc, data[:h.DataOffset]) {
				t.Errorf("Encode differs from NumPy's header:\n got %q\nwant %q", shorten(string(enc)), shorten(string(data[:h.DataOffset])))
			}
		})
	}
	if refused == 0 {
		t.Error("no dtype of the corpus was refused: expected NumPy's object and unicode arrays")
	}
	t.Logf("NumPy %s: %d files, %d refused (object or unicode)", m.NumPyVersion, len(m.Files), refused)
}
