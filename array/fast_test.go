package array_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/internal/npytest"
	"github.com/gomemmap/memmap/internal/testutil"
	"github.com/gomemmap/memmap/layout"
)

// fastCase opens an array of the given shape whose element at idx is
// val(idx), in one of the layouts that the fast views serve (host order,
// aligned, C order) or that take the slow paths.
type fastCase struct {
	name string
	open func(t *testing.T, shape []int) *array.Array[float64]
	ro   bool // Set must return ErrReadOnly
}

func fastCases() []fastCase {
	filled := func(t *testing.T, shape []int, opt *array.Options) *array.Array[float64] {
		t.Helper()
		a := mustCreate[float64](t, tempPath(t, "a.npy"), shape, opt)
		npytest.ForEach(shape, func(idx []int) {
			if err := a.Set(val(idx), idx...); err != nil {
				t.Fatal(err)
			}
		})
		return a
	}
	return []fastCase{
		{name: "host", open: func(t *testing.T, shape []int) *array.Array[float64] {
			return filled(t, shape, nil)
		}},
		{name: "swapped", open: func(t *testing.T, shape []int) *array.Array[float64] {
			return filled(t, shape, &array.Options{ByteOrder: otherOrder()})
		}},
		{name: "fortran", open: func(t *testing.T, shape []int) *array.Array[float64] {
			return filled(t, shape, &array.Options{FortranOrder: true})
		}},
		{name: "readonly", ro: true, open: func(t *testing.T, shape []int) *array.Array[float64] {
			a := filled(t, shape, nil)
			p := a.Path()
			mustClose(t, a)
			r, err := array.Open[float64](p, memmap.ReadOnly, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			return r
		}},
		{name: "misaligned", open: func(t *testing.T, shape []int) *array.Array[float64] {
			// A raw file whose data starts 3 bytes in: not aligned for
			// float64, so every access copies.
			n := 1
			for _, d := range shape {
				n *= d
			}
			b := make([]byte, 3+8*n)
			npytest.ForEach(shape, func(idx []int) {
				k := 0
				for ax, i := range idx {
					k = k*shape[ax] + i
				}
				binary.NativeEndian.PutUint64(b[3+8*k:], math.Float64bits(val(idx)))
			})
			a, err := array.OpenRaw[float64](testutil.WriteFile(t, b), memmap.ReadWrite, shape, &array.Options{Offset: 3})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			return a
		}},
		{name: "slice", open: func(t *testing.T, shape []int) *array.Array[float64] {
			// Rows [1, 1+shape[0]) of a longer array: the fast views of
			// a Slice start at its first row.
			big := append([]int{shape[0] + 2}, shape[1:]...)
			a := mustCreate[float64](t, tempPath(t, "a.npy"), big, nil)
			npytest.ForEach(big, func(idx []int) {
				j := append([]int{idx[0] - 1}, idx[1:]...)
				if err := a.Set(val(j), idx...); err != nil {
					t.Fatal(err)
				}
			})
			s, err := a.Slice(1, 1+shape[0])
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	}
}

// atN and setN call the fixed-rank form for len(idx) indexes: At1, At2,
// At3 (and the Set forms).
func atN(a *array.Array[float64], idx []int) float64 {
	switch len(idx) {
	case 1:
		return a.At1(idx[0])
	case 2:
		return a.At2(idx[0], idx[1])
	}
	return a.At3(idx[0], idx[1], idx[2])
}

func setN(a *array.Array[float64], v float64, idx []int) error {
	switch len(idx) {
	case 1:
		return a.Set1(v, idx[0])
	case 2:
		return a.Set2(v, idx[0], idx[1])
	}
	return a.Set3(v, idx[0], idx[1], idx[2])
}

// TestFastForms checks At, Get, Set and the forms of a fixed rank (At1,
// At2, At3, Set1, Set2, Set3) on arrays of rank 1 to 3 in every layout,
// fast or slow: the values, the panics and errors for indexes out of
// range, a wrong number of indexes, a ReadOnly array, and after Close.
func TestFastForms(t *testing.T) {
	for _, shape := range [][]int{{7}, {3, 5}, {2, 3, 4}} {
		for _, c := range fastCases() {
			t.Run(fmt.Sprintf("%v/%s", shape, c.name), func(t *testing.T) {
				a := c.open(t, shape)
				npytest.ForEach(shape, func(idx []int) {
					want := val(idx)
					if got := a.At(idx...); got != want {
						t.Errorf("At%v = %v, want %v", idx, got, want)
					}
					if got := atN(a, idx); got != want {
						t.Errorf("At%d%v = %v, want %v", len(idx), idx, got, want)
					}
					if got, err := a.Get(idx...); err != nil || got != want {
						t.Errorf("Get%v = %v, %v, want %v", idx, got, err, want)
					}
					for form, set := range map[string]func(float64) error{
						"Set":                       func(v float64) error { return a.Set(v, idx...) },
						fmt.Sprint("Set", len(idx)): func(v float64) error { return setN(a, v, idx) },
					} {
						err := set(-want)
						if c.ro {
							if !errors.Is(err, memmap.ErrReadOnly) {
								t.Errorf("%s%v on a ReadOnly array: %v, want ErrReadOnly", form, idx, err)
							}
							continue
						}
						if err != nil {
							t.Fatalf("%s%v: %v", form, idx, err)
						}
						if got, got2 := a.At(idx...), atN(a, idx); got != -want || got2 != -want {
							t.Errorf("after %s%v(%v): At %v, At%d %v", form, idx, -want, got, len(idx), got2)
						}
						if err := set(want); err != nil {
							t.Fatal(err)
						}
					}
				})

				// An index out of range on each axis, at each end.
				for ax := range shape {
					for _, bad := range []int{-1, shape[ax], math.MinInt, math.MaxInt} {
						idx := make([]int, len(shape))
						idx[ax] = bad
						msg := fmt.Sprintf("array: index %v out of range for shape %s", idx, pyShape(shape))
						checkErr(t, "At", idx, catch(func() { a.At(idx...) }), memmap.ErrRange, msg)
						checkErr(t, fmt.Sprint("At", len(idx)), idx, catch(func() { atN(a, idx) }), memmap.ErrRange, msg)
						checkErr(t, "Set", idx, returned(func() error { return a.Set(1, idx...) }), memmap.ErrRange, msg)
						checkErr(t, fmt.Sprint("Set", len(idx)), idx, returned(func() error { return setN(a, 1, idx) }), memmap.ErrRange, msg)
						_, err := a.Get(idx...)
						checkErr(t, "Get", idx, err, memmap.ErrRange, msg)
					}
				}

				// The forms of the other ranks, and At and Set with one
				// index too many or too few.
				for _, n := range []int{1, 2, 3} {
					if n == len(shape) {
						continue
					}
					idx := make([]int, n)
					msg := fmt.Sprintf("array: %d indexes %v for an array of rank %d, shape %s", n, idx, len(shape), pyShape(shape))
					checkErr(t, fmt.Sprint("At", n), idx, catch(func() { atN(a, idx) }), memmap.ErrShape, msg)
					checkErr(t, fmt.Sprint("Set", n), idx, returned(func() error { return setN(a, 1, idx) }), memmap.ErrShape, msg)
					checkErr(t, "At", idx, catch(func() { a.At(idx...) }), memmap.ErrShape, msg)
					checkErr(t, "Set", idx, returned(func() error { return a.Set(1, idx...) }), memmap.ErrShape, msg)
				}

				mustClose(t, a)
				idx := make([]int, len(shape))
				for _, v := range []any{
					catch(func() { a.At(idx...) }),
					catch(func() { atN(a, idx) }),
					returned(func() error { return a.Set(1, idx...) }),
					returned(func() error { return setN(a, 1, idx) }),
				} {
					if !isErr(v, memmap.ErrClosed) {
						t.Errorf("after Close: %v, want an error wrapping ErrClosed", v)
					}
				}
			})
		}
	}
}

// checkErr checks that v, a panic value or a returned error of form at
// idx, is an error wrapping want whose message ends with msg.
func checkErr(t *testing.T, form string, idx []int, v any, want error, msg string) {
	t.Helper()
	err, ok := v.(error)
	if !ok {
		t.Errorf("%s%v gave %#v, want an error wrapping %v", form, idx, v, want)
		return
	}
	if !errors.Is(err, want) || !strings.HasSuffix(err.Error(), msg) {
		t.Errorf("%s%v gave %q, want %q wrapping %v", form, idx, err, msg, want)
	}
}

// pyShape writes a shape as the error messages do: "(3, 5)", "(7,)".
func pyShape(shape []int) string {
	s := make([]string, len(shape))
	for i, d := range shape {
		s[i] = fmt.Sprint(d)
	}
	if len(s) == 1 {
		return "(" + s[0] + ",)"
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// TestFastFormsPacked: At2, At3, Set2 and Set3 of packed structs (10-byte
// items that a Go struct cannot lie over) convert field by field.
func TestFastFormsPacked(t *testing.T) {
	for _, shape := range [][]int{{3, 4}, {2, 3, 2}} {
		for _, big := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/big=%v", shape, big), func(t *testing.T) {
				n := 1
				for _, d := range shape {
					n *= d
				}
				// The bytes packedFileOf writes, with the shape.
				var bo binary.ByteOrder = binary.LittleEndian
				descr := "[('x', '<i2'), ('y', '<f8')]"
				if big {
					bo, descr = binary.BigEndian, strings.ReplaceAll(descr, "<", ">")
				}
				data := make([]byte, 10*n)
				for i := range n {
					v := pxyAt(i)
					bo.PutUint16(data[10*i:], uint16(v.X))
					bo.PutUint64(data[10*i+2:], math.Float64bits(v.Y))
				}
				path := testutil.WriteFile(t, npy(descr, pyShape(shape), data))
				a, err := array.Open[PXY](path, memmap.ReadWrite, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				k := 0
				npytest.ForEach(shape, func(idx []int) {
					want := pxyAt(k)
					k++
					var got PXY
					if len(idx) == 2 {
						got = a.At2(idx[0], idx[1])
					} else {
						got = a.At3(idx[0], idx[1], idx[2])
					}
					if got != want || a.At(idx...) != want {
						t.Errorf("At%d%v = %v, At %v, want %v", len(idx), idx, got, a.At(idx...), want)
					}
					w := PXY{X: -want.X, Y: -want.Y}
					if len(idx) == 2 {
						err = a.Set2(w, idx[0], idx[1])
					} else {
						err = a.Set3(w, idx[0], idx[1], idx[2])
					}
					if err != nil || a.At(idx...) != w {
						t.Errorf("Set%d%v: %v, then At %v, want %v", len(idx), idx, err, a.At(idx...), w)
					}
				})
				if _, err := a.Data(); !errors.Is(err, memmap.ErrPacked) {
					t.Errorf("Data of a packed array: %v, want ErrPacked", err)
				}
			})
		}
	}
}

// TestFastFormsGrow: the fast views of At3 and Set3 follow Append, which
// grows the file and moves the data to a new mapping.
func TestFastFormsGrow(t *testing.T) {
	a := mustCreate[float64](t, tempPath(t, "g.npy"), []int{1, 3, 4}, &array.Options{Reserve: -1})
	row := make([]float64, 12)
	for r := 1; r < 300; r++ {
		for x := range row {
			row[x] = float64(r*100 + x)
		}
		if _, err := a.Append(row...); err != nil {
			t.Fatal(err)
		}
		if got, want := a.At3(r, 2, 3), float64(r*100+11); got != want {
			t.Fatalf("At3(%d, 2, 3) = %v after Append, want %v", r, got, want)
		}
		if err := a.Set3(-1, r, 0, 0); err != nil || a.At(r, 0, 0) != -1 {
			t.Fatalf("Set3(-1, %d, 0, 0): %v, At %v", r, err, a.At(r, 0, 0))
		}
		if v := catch(func() { a.At3(r+1, 0, 0) }); !isErr(v, memmap.ErrRange) {
			t.Fatalf("At3(%d, 0, 0) past the end: %v, want ErrRange", r+1, v)
		}
	}
}

// TestFastFormsAllocs: the element accessors of every rank allocate
// nothing, on the fast views and off them (a file in the other byte
// order).
func TestFastFormsAllocs(t *testing.T) {
	for _, bo := range []layout.ByteOrder{layout.HostOrder(), otherOrder()} {
		a2 := mustCreate[float64](t, tempPath(t, "a2.npy"), []int{30, 40}, &array.Options{ByteOrder: bo})
		a3 := mustCreate[float64](t, tempPath(t, "a3.npy"), []int{5, 6, 7}, &array.Options{ByteOrder: bo})
		var s float64
		for name, fn := range map[string]func(){
			"At(i, j)":        func() { s += a2.At(3, 4) },
			"At2":             func() { s += a2.At2(3, 4) },
			"At(i, j, k)":     func() { s += a3.At(1, 2, 3) },
			"At3":             func() { s += a3.At3(1, 2, 3) },
			"Set(v, i, j)":    func() { _ = a2.Set(s, 3, 4) },
			"Set2":            func() { _ = a2.Set2(s, 3, 4) },
			"Set(v, i, j, k)": func() { _ = a3.Set(s, 1, 2, 3) },
			"Set3":            func() { _ = a3.Set3(s, 1, 2, 3) },
		} {
			if n := testing.AllocsPerRun(100, fn); n != 0 {
				t.Errorf("%s (%v): %v allocations, want 0", name, bo, n)
			}
		}
	}
}
