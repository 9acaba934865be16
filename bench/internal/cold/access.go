//go:build linux

package cold

// Rows for array.Options.Access: random reads and scans with each value.

import (
	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
)

func init() {
	for _, acc := range Accesses {
		opt := &array.Options{Access: acc}
		register(Random, "array.At1 Access="+acc.String(), func(j Job, r *Result) error {
			a, err := array.Open[float64](j.Path, memmap.ReadOnly, opt)
			if err != nil {
				return err
			}
			defer a.Close()
			return randomReadsAt1(j, r, a)
		})
		register(Scan, "array.Data Access="+acc.String(), scanData(func(p string) (*array.Array[float64], error) {
			return array.Open[float64](p, memmap.ReadOnly, opt)
		}))
	}
}
