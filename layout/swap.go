package layout

import "encoding/binary"

// swapRun is one step of a swap plan: count scalars of size bytes (2, 4 or
// 8) back to back from off, each to be byte-reversed.
type swapRun struct {
	off, size, count int
}

// maxPlan bounds the length of a flat swap plan. A struct whose plan would
// be longer (a long subarray of structs) is swapped by walking its fields
// instead, so that a small descr cannot make us allocate a huge plan.
const maxPlan = 4096

// finish computes d's swap plan. The dtypes of d's fields are finished
// before d is (dtypes are built bottom-up).
func (d *DType) finish() {
	var plan []swapRun
	if d.appendPlan(&plan) {
		d.plan = plan
	} else {
		d.plan, d.deep = nil, true
	}
}

// appendPlan appends d's plan to p; it reports false when the plan would
// exceed maxPlan runs.
func (d *DType) appendPlan(p *[]swapRun) bool {
	if d.kind != Struct {
		switch {
		case d.order == NotApplicable:
		case d.kind == Complex:
			addRun(p, swapRun{0, d.size / 2, 2})
		default:
			addRun(p, swapRun{0, d.size, 1})
		}
		return true
	}
	for _, f := range d.fields {
		t := f.Type
		if t.deep {
			return false
		}
		if len(t.plan) == 0 {
			continue
		}
		n := shapeLen(f.Shape)
		if s := t.plan[0]; len(t.plan) == 1 && s.off == 0 && s.size*s.count == t.size {
			// The element is all one run (a scalar, or a struct of
			// same-size scalars packed together): so is the subarray.
			addRun(p, swapRun{f.Offset, s.size, s.count * n})
			continue
		}
		if n > (maxPlan-len(*p))/len(t.plan) {
			return false
		}
		for i := 0; i < n; i++ {
			base := f.Offset + i*t.size
			for _, s := range t.plan {
				addRun(p, swapRun{base + s.off, s.size, s.count})
			}
		}
	}
	return true
}

// addRun appends r to p, merging it into the last run when it continues
// it. Empty runs (of zero-size subarrays) are dropped, so that a dtype with
// nothing to swap has an empty plan and is skipped: walking a huge
// subarray of zero-size elements would otherwise cost time for nothing.
func addRun(p *[]swapRun, r swapRun) {
	if r.count == 0 {
		return
	}
	if k := len(*p) - 1; k >= 0 {
		last := &(*p)[k]
		if last.size == r.size && last.off+last.size*last.count == r.off {
			last.count += r.count
			return
		}
	}
	*p = append(*p, r)
}

// SwapBytes reverses, in place, the byte order of every multi-byte scalar
// in each whole element of b (len(b)/Size elements, back to back); bytes of
// a trailing partial element are left alone. It converts elements between
// a dtype and its Swapped twin, and allocates nothing.
func (d *DType) SwapBytes(b []byte) {
	if d.order == NotApplicable || d.size == 0 {
		return
	}
	for len(b) >= d.size {
		d.swapElem(b[:d.size])
		b = b[d.size:]
	}
}

// swapElem swaps one element; len(b) == d.size.
func (d *DType) swapElem(b []byte) {
	if !d.deep {
		for _, r := range d.plan {
			swapScalars(b[r.off:r.off+r.size*r.count], r.size)
		}
		return
	}
	for i := range d.fields {
		f := &d.fields[i]
		t := f.Type
		if !t.deep && len(t.plan) == 0 {
			continue // nothing to swap
		}
		n := shapeLen(f.Shape)
		for j := 0; j < n; j++ {
			off := f.Offset + j*t.size
			t.swapElem(b[off : off+t.size])
		}
	}
}

// swapScalars byte-reverses each size-byte scalar of b.
func swapScalars(b []byte, size int) {
	switch size {
	case 2:
		for i := 0; i+2 <= len(b); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	case 4:
		for i := 0; i+4 <= len(b); i += 4 {
			binary.BigEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(b[i:]))
		}
	case 8:
		for i := 0; i+8 <= len(b); i += 8 {
			binary.BigEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:]))
		}
	}
}
