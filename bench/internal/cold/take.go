//go:build linux

package cold

// The gathers with Array.Take and record.File.Take.

import (
	"fmt"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/record"
)

func gatherTakeEmb(j Job, r *Result) error {
	a, err := array.Open[float32](j.Path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer a.Close()
	if s := a.Shape(); len(s) != 2 || s[1] != EmbCols {
		return fmt.Errorf("shape %v, want (N, %d)", s, EmbCols)
	}
	n := a.Len()
	if j.WarmRows > 0 {
		// Warm through the element accessors, whose map Take reads (Data
		// comes from the scan map, whose page tables are its own).
		n = min(n, j.WarmRows)
		var x float32
		for i := 0; i < n; i += 4096 / (EmbCols * 4) {
			x += a.At2(i, 0)
		}
		sinkI += int64(x)
	}
	dst := make([]float32, j.Rows*EmbCols)
	return gatherLoop(j, r, n, EmbCols*4,
		func(idx []int) error { return a.Take(idx, dst) },
		func(idx []int) error { return checkEmb(idx, dst) })
}

func gatherTakeRec(j Job, r *Result) error {
	f, err := record.Open[benchdata.Rec](j.Path, memmap.ReadOnly, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	n := f.Len()
	if j.WarmRows > 0 {
		// Warm through Get, whose map Take reads (Slice comes from the
		// scan map, whose page tables are its own).
		n = min(n, j.WarmRows)
		var x int64
		for i := 0; i < n; i += 4096 / 64 {
			v, err := f.Get(i)
			if err != nil {
				return err
			}
			x += v.ID
		}
		sinkI += x
	}
	dst := make([]benchdata.Rec, j.Rows)
	return gatherLoop(j, r, n, 64,
		func(idx []int) error { return f.Take(idx, dst) },
		func(idx []int) error { return checkRecs(idx, dst) })
}

var sinkI int64

func init() {
	register(Gather, "array.Take", gatherTakeEmb)
	register(Gather, "record.Take", gatherTakeRec)
	register(GatherWarm, "array.Take", gatherTakeEmb)
	register(GatherWarm, "record.Take", gatherTakeRec)
}
