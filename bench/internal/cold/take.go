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
		n = min(n, j.WarmRows)
		d, err := a.Data()
		if err != nil {
			return err
		}
		touchF32(d[:n*EmbCols])
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
		n = min(n, j.WarmRows)
		s, err := f.Slice()
		if err != nil {
			return err
		}
		var x int64
		for i := 0; i < n; i += 64 {
			x += s[i].ID
		}
		sinkI += x
	}
	dst := make([]benchdata.Rec, j.Rows)
	return gatherLoop(j, r, n, 64,
		func(idx []int) error { return f.Take(idx, dst) },
		func(idx []int) error { return checkRecs(idx, dst) })
}

var sinkI int64

// touchF32 reads one element of every 4 KiB page of d, so that a warm
// gather is measured with its pages mapped, as the heap's are.
func touchF32(d []float32) {
	var s float32
	for i := 0; i < len(d); i += 1024 {
		s += d[i]
	}
	sinkI += int64(s)
}

func init() {
	register(Gather, "array.Take", gatherTakeEmb)
	register(Gather, "record.Take", gatherTakeRec)
	register(GatherWarm, "array.Take", gatherTakeEmb)
	register(GatherWarm, "record.Take", gatherTakeRec)
}
