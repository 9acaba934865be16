package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"strconv"
	"strings"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
)

// cmdHead prints the first rows (along axis 0) of a .npy file, or of the
// named array of a container (.npz, safetensors), reading only the
// elements it prints; given a lookup table without a name, its first
// entries in index order (a name picks a member of the table's archive).
func cmdHead(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("head", flag.ContinueOnError)
	n := fs.Int64("n", 10, "rows to print")
	if err := parseFlags(fs, args, "head [-n N] FILE [NAME]"); err != nil {
		return err
	}
	switch {
	case fs.NArg() != 1 && fs.NArg() != 2:
		return fmt.Errorf("%w: head takes one file, and the name of an array for a container (.npz, safetensors)", errUsage)
	case *n < 0:
		return fmt.Errorf("%w: head: -n must not be negative", errUsage)
	}
	path := fs.Arg(0)
	format, err := detect(path)
	if err != nil {
		return err
	}
	var a *array.Any
	switch {
	case format != fmtNPY:
		c, err := openContainer(path, format)
		if err != nil {
			return err
		}
		defer c.close()
		if fs.NArg() != 2 {
			if isTable(c) {
				return headTable(stdout, path, *n)
			}
			return &fileError{path, fmt.Errorf("name one of its %s", arrayList(c))}
		}
		name := fs.Arg(1)
		a, err = c.open(name)
		if errors.Is(err, iofs.ErrNotExist) {
			return &fileError{path, fmt.Errorf("no array %q in the file; it holds %s", name, arrayList(c))}
		}
		if err != nil {
			return &fileError{path, err}
		}
	case fs.NArg() == 2:
		return fmt.Errorf("%w: head: %s is a .npy file, which holds one array: no name to give", errUsage, path)
	default:
		a, err = openAny(path)
		if err != nil {
			return err
		}
	}
	err = headFile(stdout, a, *n)
	if cerr := a.Close(); err == nil && cerr != nil {
		err = &fileError{a.Path(), cerr}
	}
	return err
}

// maxListed is the most array names a message lists.
const maxListed = 10

// arrayList names the arrays of c for a message: "2 arrays: emb, ids",
// the first maxListed of them and "... (memmap info lists them all)" when
// there are more.
func arrayList(c container) string {
	ms := c.members()
	var b strings.Builder
	b.WriteString(plural(int64(len(ms)), "array"))
	for i, m := range ms {
		if i == maxListed {
			b.WriteString(", ... (memmap info lists them all)")
			break
		}
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(m.name)
	}
	return b.String()
}

// headFile writes the first n rows of a to w. A fault while reading the
// map (another process truncated the file under it) is an error wrapping
// memmap.ErrFault, not a crash.
func headFile(w io.Writer, a *array.Any, n int64) error {
	bw := bufio.NewWriter(w)
	err := a.Guard(func() error {
		return writeHead(bw, a, n)
	})
	if err != nil {
		bw.Flush() // the rows read before the fault
		return &fileError{a.Path(), err}
	}
	return bw.Flush()
}

// writeHead writes the first n rows of a: for scalar dtypes one line per
// row, its index then its values (flattened and elided beyond 8 values in
// the middle); for structured dtypes a table with a line of field names and
// one line per record.
func writeHead(w io.Writer, a *array.Any, n int64) error {
	shape := a.Shape()
	// The elements of row i, flattened in C order over the axes after the
	// first; a zero dim anywhere means no elements at all.
	rows, rowLen := 1, 1
	if len(shape) > 0 {
		rows = int(min(n, int64(shape[0])))
		for _, dim := range shape[1:] {
			if dim == 0 {
				rowLen = 0
				break
			}
			rowLen *= dim // fits when shape[0] > 0 (the elements fit the map); unused otherwise
		}
	} else if n == 0 {
		rows = 0
	}
	idx := make([]int, len(shape))
	// at returns element j of row i, unravelling j over shape[1:] in C
	// order; idx is left holding its indexes.
	at := func(i, j int) (array.Value, error) {
		if len(idx) > 0 {
			idx[0] = i
		}
		for k := len(shape) - 1; k >= 1; k-- {
			idx[k] = j % shape[k]
			j /= shape[k]
		}
		return a.At(idx...)
	}
	label := func() string {
		var b strings.Builder
		for k, x := range idx {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(x))
		}
		return b.String()
	}

	if d := a.DType(); d.Kind() == layout.Struct {
		head := make([]string, 1, 1+d.NumField())
		for i := range d.NumField() {
			head = append(head, d.Field(i).Name)
		}
		table := [][]string{head}
		record := func(i, j int) error {
			v, err := at(i, j)
			if err != nil {
				return err
			}
			row := make([]string, 1, 1+v.NumField())
			row[0] = label()
			for k := range v.NumField() {
				row = append(row, v.Field(k).String())
			}
			table = append(table, row)
			return nil
		}
		for i := range rows {
			if len(shape) <= 1 {
				if err := record(i, 0); err != nil {
					return err
				}
				continue
			}
			for _, j := range elide(rowLen) {
				if j < 0 {
					table = append(table, []string{"..."})
					continue
				}
				if err := record(i, j); err != nil {
					return err
				}
			}
		}
		if len(shape) == 0 { // no index column
			for k := range table {
				table[k] = table[k][1:]
			}
		}
		writeTable(w, table)
		return nil
	}

	if len(shape) == 0 {
		if rows > 0 {
			v, err := at(0, 0)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "%s\n", v)
		}
		return nil
	}
	width := len(strconv.Itoa(max(rows-1, 0)))
	var line []byte
	for i := range rows {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		for len(line) < width {
			line = append(line, ' ')
		}
		line = append(line, ' ')
		js := []int{0}
		if len(shape) > 1 {
			js = elide(rowLen)
		}
		for _, j := range js {
			line = append(line, ' ')
			if j < 0 {
				line = append(line, "..."...)
				continue
			}
			v, err := at(i, j)
			if err != nil {
				return err
			}
			line, _ = v.AppendText(line)
		}
		line = append(bytes.TrimRight(line, " "), '\n')
		w.Write(line)
	}
	return nil
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
