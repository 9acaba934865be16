package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gomemmap/memmap/layout"
)

// cmdHead prints the first rows (along axis 0) of a .npy file, reading
// only the elements it prints.
func cmdHead(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("head", flag.ContinueOnError)
	n := fs.Int64("n", 10, "rows to print")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 1:
		return fmt.Errorf("%w: head takes one file", errUsage)
	case *n < 0:
		return fmt.Errorf("%w: head: -n must not be negative", errUsage)
	}
	f, err := openNPY(fs.Arg(0))
	if err != nil {
		return err
	}
	err = headFile(stdout, f, *n)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// headFile writes the first n rows of f to w. A fault while reading the
// map (another process truncated the file under it) is an error wrapping
// memmap.ErrFault, not a crash.
func headFile(w io.Writer, f *npyFile, n int64) error {
	bw := bufio.NewWriter(w)
	err := f.m.Guard(func() error {
		writeHead(bw, f, n)
		return nil
	})
	if err != nil {
		bw.Flush() // the rows read before the fault
		return &fileError{f.path, err}
	}
	return bw.Flush()
}

// writeHead writes the first n rows of f: for scalar dtypes one line per
// row, its index then its values (flattened and elided beyond 8 values in
// the middle); for structured dtypes a table with a line of field names and
// one line per record.
func writeHead(w io.Writer, f *npyFile, n int64) {
	h, d := f.h, f.h.DType
	shape := h.Shape
	strides := make([]int64, len(shape))
	size := int64(d.Size())
	if h.FortranOrder {
		for k := range shape {
			strides[k] = size
			size *= shape[k]
		}
	} else {
		for k := len(shape) - 1; k >= 0; k-- {
			strides[k] = size
			size *= shape[k]
		}
	}
	// The elements of row i, flattened in C order over the axes after the
	// first; a zero dim anywhere means no elements at all (and strides
	// that may have overflowed, never used).
	rows, rowLen := int64(1), int64(1)
	if len(shape) > 0 {
		rows = min(n, shape[0])
		for _, dim := range shape[1:] {
			if dim == 0 {
				rowLen = 0
				break
			}
			rowLen *= dim // fits when shape[0] > 0 (Validate checked the whole product); unused otherwise
		}
	} else if n == 0 {
		rows = 0
	}
	idx := make([]int64, len(shape))
	offset := func(i, j int64) int64 {
		// unravel j over shape[1:] in C order, then dot with the strides.
		idx[0] = i
		for k := len(shape) - 1; k >= 1; k-- {
			idx[k] = j % shape[k]
			j /= shape[k]
		}
		var off int64
		for k, x := range idx {
			off += x * strides[k]
		}
		return off
	}
	label := func(i, j int64) string {
		offset(i, j) // sets idx
		var b strings.Builder
		for k, x := range idx {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(x, 10))
		}
		return b.String()
	}

	if d.Kind() == layout.Struct {
		fields := d.Fields()
		head := make([]string, 1, 1+len(fields))
		for _, fl := range fields {
			head = append(head, fl.Name)
		}
		table := [][]string{head}
		record := func(lab string, off int64) []string {
			row := make([]string, 1, 1+len(fields))
			row[0] = lab
			rec := f.data[off:]
			for _, fl := range fields {
				row = append(row, string(appendField(nil, rec, fl)))
			}
			return row
		}
		switch {
		case len(shape) == 0:
			if rows > 0 {
				table = append(table, record("", 0))
			}
		case len(shape) == 1:
			for i := int64(0); i < rows; i++ {
				table = append(table, record(strconv.FormatInt(i, 10), offset(i, 0)))
			}
		default:
			for i := int64(0); i < rows; i++ {
				for _, j := range elide(rowLen) {
					if j < 0 {
						table = append(table, []string{"..."})
						continue
					}
					table = append(table, record(label(i, j), offset(i, j)))
				}
			}
		}
		if len(shape) == 0 { // no index column
			for k := range table {
				table[k] = table[k][1:]
			}
		}
		writeTable(w, table)
		return
	}

	if len(shape) == 0 {
		if rows > 0 {
			fmt.Fprintf(w, "%s\n", appendValue(nil, f.data, d))
		}
		return
	}
	width := len(strconv.FormatInt(max(rows-1, 0), 10))
	var line []byte
	for i := int64(0); i < rows; i++ {
		line = strconv.AppendInt(line[:0], i, 10)
		for len(line) < width {
			line = append(line, ' ')
		}
		line = append(line, ' ')
		if len(shape) == 1 {
			line = append(line, ' ')
			line = appendValue(line, f.data[offset(i, 0):], d)
		} else {
			for _, j := range elide(rowLen) {
				line = append(line, ' ')
				if j < 0 {
					line = append(line, "..."...)
					continue
				}
				line = appendValue(line, f.data[offset(i, j):], d)
			}
		}
		line = append(bytes.TrimRight(line, " "), '\n')
		w.Write(line)
	}
}

// writeTable writes rows of cells in left-aligned columns two spaces
// apart, without trailing spaces.
func writeTable(w io.Writer, table [][]string) {
	var widths []int
	for _, row := range table {
		for c, cell := range row {
			if c == len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], len(cell))
		}
	}
	var line []byte
	for _, row := range table {
		line = line[:0]
		for c, cell := range row {
			if c > 0 {
				line = append(line, "  "...)
			}
			line = append(line, cell...)
			if c < len(row)-1 {
				for k := len(cell); k < widths[c]; k++ {
					line = append(line, ' ')
				}
			}
		}
		line = append(bytes.TrimRight(line, " "), '\n')
		w.Write(line)
	}
}
