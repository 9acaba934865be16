package layout

// A Converter copies elements between a file's dtype and a Go type whose
// fields match it by name, order, shape and kind (as Compatible requires)
// but sit at other offsets or in other byte orders: the packed structs
// NumPy writes by default (np.dtype([('x', '<f4'), ('y', '<f8')]) puts y
// at offset 4; Go puts it at 8), structs with explicit offsets, and dtypes
// that mix byte orders. Such a file cannot be read as a []T in place; the
// array and record packages read and write it through a Converter, field
// by field.
//
// A Converter is immutable and safe for concurrent use; Decode and Encode
// allocate nothing.
type Converter struct {
	runs     []convRun // file to Go (Decode)
	enc      []convRun // Go to file (Encode): runs with the sides swapped
	fileSize int
	goSize   int
	covers   bool // the runs write every byte of a Go element
}

// convRun copies n bytes from offset src of an element to offset dst of
// an element of the other side, byte-reversing each swap-byte scalar
// (swap is 0 when the bytes are copied as they are). In Converter.runs src
// is in a file element and dst in a Go element; in Converter.enc the
// other way.
type convRun struct {
	dst, src, n, swap int
}

// maxConvRuns bounds the runs of a Converter: a small descr (a long
// subarray of structs) must not make us allocate a huge plan.
const maxConvRuns = 1 << 16

// NewConverter returns the Converter between elements of file, a dtype
// read from a file, and elements of goType, the dtype of a Go type (Of or
// TypeOf): fields are matched in order and must have the same names,
// subarray shapes and kinds and sizes of scalars, as Compatible checks,
// but their offsets, the item sizes and the byte orders may differ. The
// error, when they do not match, wraps ErrDType and names the first field
// that differs.
func NewConverter(file, goType *DType) (*Converter, error) {
	if file == nil || goType == nil {
		return nil, dtypeErrorf("NewConverter: nil dtype")
	}
	c := &Converter{fileSize: file.size, goSize: goType.size}
	if err := c.add(file, goType, 0, 0, "", ""); err != nil {
		return nil, err
	}
	covered := 0
	c.enc = make([]convRun, len(c.runs))
	for i, r := range c.runs {
		covered += r.n
		c.enc[i] = convRun{r.src, r.dst, r.n, r.swap}
	}
	c.covers = covered == c.goSize
	return c, nil
}

// FileSize returns the size in bytes of a file element.
func (c *Converter) FileSize() int { return c.fileSize }

// GoSize returns the size in bytes of a Go element.
func (c *Converter) GoSize() int { return c.goSize }

// add appends the runs that convert f at file offset fo to g at Go offset
// gofs; ipath and npath name the field, as in compatible.
func (c *Converter) add(f, g *DType, fo, gofs int, ipath, npath string) error {
	err := matchFields(f, g, ipath, npath, func(ff, gf *Field, ip, np string) error {
		n := shapeLen(ff.Shape)
		if n < 0 {
			return dtypeErrorf("field %s %q: subarray shape %s overflows", ip, np, shapeString(ff.Shape))
		}
		for k := 0; k < n; k++ {
			if err := c.add(ff.Type, gf.Type, fo+ff.Offset+k*ff.Type.size, gofs+gf.Offset+k*gf.Type.size, ip, np); err != nil {
				return err
			}
			if k == 0 && n > 1 && len(c.runs) > maxConvRuns/n {
				return dtypeErrorf("field %s %q: too many fields to convert (a subarray of %d structs)", ip, np, n)
			}
		}
		return nil
	})
	if err != nil || (f.kind == Struct && g.kind == Struct) {
		return err
	}
	swap := 0 // scalars of one kind and size
	if f.kind != Struct && f.order != NotApplicable && f.order != HostOrder() {
		swap = f.size
		if f.kind == Complex {
			swap = f.size / 2
		}
	}
	return c.run(convRun{gofs, fo, f.size, swap})
}

// run appends r, merging it into the last run when it continues it.
func (c *Converter) run(r convRun) error {
	if r.n == 0 {
		return nil
	}
	if k := len(c.runs) - 1; k >= 0 {
		last := &c.runs[k]
		if last.swap == r.swap && last.src+last.n == r.src && last.dst+last.n == r.dst {
			last.n += r.n
			return nil
		}
	}
	if len(c.runs) >= maxConvRuns {
		return dtypeErrorf("too many fields to convert (more than %d)", maxConvRuns)
	}
	c.runs = append(c.runs, r)
	return nil
}

// Decode converts the file elements in src into Go elements in dst: n
// elements, n = min(len(src)/FileSize(), len(dst)/GoSize()). The Go
// elements' padding is zeroed. It returns n.
func (c *Converter) Decode(dst, src []byte) int {
	return convert(dst, src, c.goSize, c.fileSize, c.runs, !c.covers)
}

// Encode converts the Go elements in src into file elements in dst: n
// elements, n = min(len(src)/GoSize(), len(dst)/FileSize()). Bytes of dst
// that no field covers (the file's padding) are left as they were. It
// returns n.
func (c *Converter) Encode(dst, src []byte) int {
	return convert(dst, src, c.fileSize, c.goSize, c.enc, false)
}

// convert copies n elements of ssize bytes in src to elements of dsize
// bytes in dst by the runs, zeroing each element of dst first with
// zero; it returns n, as many as both hold.
func convert(dst, src []byte, dsize, ssize int, runs []convRun, zero bool) int {
	if dsize == 0 || ssize == 0 {
		return 0
	}
	n := min(len(dst)/dsize, len(src)/ssize)
	for i := 0; i < n; i++ {
		d := dst[i*dsize : (i+1)*dsize]
		s := src[i*ssize : (i+1)*ssize]
		if zero {
			clear(d)
		}
		for _, r := range runs {
			b := d[r.dst : r.dst+r.n]
			copy(b, s[r.src:r.src+r.n])
			if r.swap > 1 {
				swapScalars(b, r.swap)
			}
		}
	}
	return n
}
