package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// TestSuggestedTypesOpen: for every array of NumPy's own format tests
// (numpy.lib.tests.test_format, written by
// header/testdata/numpy_test_format.py) that the library maps, the Go
// type memmap info suggests is one array.Open and record.Open accept:
// laid over the data (layout.Compatible) or, for packed layouts, converted
// field by field (layout.NewConverter). Issue 15.
func TestSuggestedTypesOpen(t *testing.T) {
	dir := testutil.FormatCorpus(t)
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Files []struct {
			Name        string
			Unsupported bool
		}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	checked, converted, noName := 0, 0, 0
	for _, f := range m.Files {
		if f.Unsupported {
			continue
		}
		in, err := array.Stat(filepath.Join(dir, f.Name))
		if err != nil {
			t.Errorf("%s: Stat: %v", f.Name, err)
			continue
		}
		typ, ok := goReflectType(in.DType)
		if !ok && in.DType.Kind() == layout.Struct && unnamed(in.DType, "") != "" {
			// NumPy's dt4 has a field named '': no Go type can say it,
			// and info says so (TestInfo checks the line).
			noName++
			continue
		}
		if !ok {
			t.Errorf("%s: no Go type for %s (info suggests %s)", f.Name, in.DType.Descr(), goType(in.DType))
			continue
		}
		g, err := layout.TypeOf(typ)
		if err != nil {
			t.Errorf("%s: the suggested type %s has no dtype: %v", f.Name, goType(in.DType), err)
			continue
		}
		checked++
		if layout.Compatible(in.DType, g) == nil {
			continue
		}
		if _, err := layout.NewConverter(in.DType, g); err != nil {
			t.Errorf("%s: the suggested type %s neither lies over %s nor converts: %v", f.Name, goType(in.DType), in.DType.Descr(), err)
			continue
		}
		converted++
	}
	if checked < 150 {
		t.Errorf("checked %d files; NumPy's tests define more", checked)
	}
	if noName != 1 {
		t.Errorf("%d dtypes with an unnamed field, want 1 (dt4)", noName)
	}
	t.Logf("%d suggested types open (%d of them by conversion); %d with an unnamed field have none", checked, converted, noName)
}
