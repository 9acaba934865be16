package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gomemmap/memmap/table"
)

// Lookup tables (package table) are .npz archives whose member "meta"
// starts with the table magic: info describes the table as well as its
// members, get looks keys up, and head prints the first entries in index
// order. Any other .npz archive is listed as before.

// tableMagic opens the meta record of every table file (its field
// "magic", |S8), as package table's documentation of the format gives it.
const tableMagic = "mmtable\x00"

// isTable reports whether the open container c is a lookup table: an .npz
// archive with a member "meta" of at least one record whose field "magic"
// is the table magic. What else the file holds is for package table to
// check: a file with the magic that is not a well-formed table is an
// error, not an .npz listing.
func isTable(c container) bool {
	nc, ok := c.(npzContainer)
	if !ok {
		return false
	}
	m, err := nc.f.Any("meta")
	if err != nil {
		return false
	}
	defer m.Close()
	if m.Rank() != 1 || m.Len() < 1 {
		return false
	}
	found := false
	m.Guard(func() error {
		v, err := m.At(0)
		if err != nil {
			return err
		}
		f, ok := v.FieldByName("magic")
		found = ok && string(f.Bytes()) == tableMagic
		return nil
	})
	return found
}

// detectTable reports whether the file at path is a lookup table, by its
// format (from detect) and, for an .npz archive, its meta record.
func detectTable(path, format string) (bool, error) {
	if format != fmtNPZ {
		return false, nil
	}
	c, err := openContainer(path, format)
	if err != nil {
		return false, err
	}
	defer c.close()
	return isTable(c), nil
}

// openTable opens the lookup table at path, untyped (table.OpenAny).
// A file that is not one is an error that says what it is instead.
// Errors are *fileError values.
func openTable(path string) (*table.Any, error) {
	format, err := detect(path)
	if err != nil {
		return nil, err
	}
	ok, err := detectTable(path, format)
	if err != nil {
		return nil, err
	}
	if !ok {
		what := "an .npz archive without a table's member \"meta\""
		if format != fmtNPZ {
			what = "a ." + format + " file"
		}
		return nil, &fileError{path, fmt.Errorf("not a lookup table: %s (memmap info says what it holds)", what)}
	}
	t, err := table.OpenAny(path)
	if err != nil {
		return nil, &fileError{path, err}
	}
	return t, nil
}

// writeTableInfo writes the info block of a lookup table: what the table
// is (keys, values, index, seed, format version, user metadata), then a
// line per member of its archive (c) with its shape, offset, size and
// what it holds.
func writeTableInfo(w io.Writer, path string, in table.Info, c container) {
	kv := func(key, format string, args ...any) {
		fmt.Fprintf(w, "  %-11s %s\n", key, fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, path)
	kv("format", "lookup table, version %d (an .npz archive: np.load opens its members)", in.Version)
	kv("keys", "%d, %s", in.Keys, in.KeyKind)
	if in.Value == nil {
		kv("values", "[]byte, of any length (member values)")
	} else {
		descr := in.Value.Descr()
		if len(in.ValueShape) > 0 {
			descr += ", " + pyTupleInt(in.ValueShape)
		}
		var b strings.Builder
		appendArrayPrefix(&b, in.ValueShape)
		appendGoType(&b, in.Value)
		kv("values", "%s, go type %s", descr, b.String())
	}
	kv("index", "%.2f bits/key (%s: pilots and remap), %s, each of %s and %s",
		in.IndexBits, plural(in.IndexSize, "byte"), plural(int64(in.Parts), "part"),
		plural(int64(in.Buckets), "bucket"), plural(int64(in.Slots), "slot"))
	kv("seed", "%#x", in.Seed)
	user := "none"
	for _, m := range in.Members {
		if m.Name == "user" {
			user = plural(m.DataSize, "byte") + " (member user)"
		}
	}
	kv("metadata", "%s", user)
	// The members without their dtypes, which the lines above say in
	// words (memmap head FILE NAME prints a member).
	ms := c.members()
	kv("members", "%d", len(ms))
	rows := [][]string{{"name", "shape", "offset", "bytes", ""}}
	for _, m := range ms {
		off := fmt.Sprint(m.offset)
		if m.offset < 0 {
			off = "-"
		}
		note := tableMembers[m.name]
		if m.note != "" {
			note = join(note, m.note)
		}
		rows = append(rows, []string{m.name, pyTuple(m.shape), off, fmt.Sprint(m.size), note})
	}
	writeColumns(w, rows)
}

// tableMembers says what each member of a table file holds.
var tableMembers = map[string]string{
	"meta":    "the table's parameters",
	"pilots":  "the index: a pilot per bucket",
	"remap":   "the index: where the slots past the keys lead",
	"entries": "keys (or their ends) and values (or their ends), in index order",
	"keys":    "the string keys' bytes",
	"values":  "the []byte values' bytes",
	"user":    "the user's metadata",
}

// errNotFound is returned by get when a key is not in the table (each
// has had its line on stdout): run exits with status 1.
var errNotFound = errors.New("key not found")

// cmdGet looks each key up in the lookup table FILE and prints a line per
// key: the key and its value, or "not found". A key that cannot be read
// as the table's kind of key (text that is not a decimal integer of the
// table's kind) is reported on stderr and the others still print.
func cmdGet(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	if err := parseFlags(fs, args, getSynopsis); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return fmt.Errorf("%w: get takes a table file and at least one key", errUsage)
	}
	path := fs.Arg(0)
	t, err := openTable(path)
	if err != nil {
		return err
	}
	defer t.Close()
	in, err := t.Info()
	if err != nil {
		return &fileError{path, err}
	}
	rows := make([][]string, 0, fs.NArg()-1)
	failed, missing := false, false
	for _, key := range fs.Args()[1:] {
		e, ok, err := t.Get(key)
		label := key
		if in.KeyKind == "string" {
			label = strconv.Quote(key)
		}
		switch {
		case err != nil:
			fmt.Fprintf(stderr, "memmap: %v\n", keyError(path, key, in.KeyKind, err))
			failed = true
		case !ok:
			rows = append(rows, []string{label, "not found"})
			missing = true
		case in.Value == nil:
			rows = append(rows, []string{label, strconv.Quote(string(e.Bytes))})
		default:
			rows = append(rows, []string{label, e.Value.String()})
		}
	}
	bw := bufio.NewWriter(stdout)
	writeTable(bw, rows)
	if err := bw.Flush(); err != nil {
		return err
	}
	switch {
	case failed:
		return errReported
	case missing:
		return errNotFound
	}
	return nil
}

// getSynopsis is get's line of the usage.
const getSynopsis = "get FILE KEY [KEY...]"

// keyError words the error of a lookup: for key text that is not a
// decimal integer of the table's kind (kind), why not; otherwise the
// error as is.
func keyError(path, key, kind string, err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		why := "not a decimal " + kind
		if errors.Is(ne.Err, strconv.ErrRange) {
			why = "out of the range of " + kind
		}
		return &fileError{path, fmt.Errorf("key %q: %s: %w", key, why, ne.Err)}
	}
	return &fileError{path, err}
}

// maxShownBytes is the most bytes of a []byte value head prints; a longer
// one is cut, with its length.
const maxShownBytes = 64

// headTable writes the first n entries of the lookup table at path, in
// index order: a line of column names (key, then value or the fields of a
// struct value), then a line per entry with its index, key and value.
// String keys and []byte values are Go-quoted; []byte values longer than
// maxShownBytes are cut. The entries are read with table.Any.Entry, under
// its Guard (a file truncated under the map gives an error, not SIGBUS).
func headTable(w io.Writer, path string, n int64) error {
	t, err := table.OpenAny(path)
	if err != nil {
		return &fileError{path, err}
	}
	defer t.Close()
	in, err := t.Info()
	if err != nil {
		return &fileError{path, err}
	}
	bw := bufio.NewWriter(w)
	err = t.Guard(func() error {
		return writeTableHead(bw, t, in, int(min(n, int64(in.Keys))))
	})
	if err != nil {
		bw.Flush() // the entries read before the problem
		return &fileError{path, err}
	}
	return bw.Flush()
}

// writeTableHead writes the first n entries of the table t.
func writeTableHead(w io.Writer, t *table.Any, in table.Info, n int) error {
	head := []string{"", "key", "value"}
	structValue := in.Value != nil && len(in.ValueShape) == 0 && in.Value.NumField() > 0
	if structValue {
		head = head[:2]
		for _, f := range in.Value.Fields() {
			head = append(head, f.Name)
		}
	}
	rows := [][]string{head}
	for i := range n {
		e, err := t.Entry(i)
		if err != nil {
			return err
		}
		row := []string{strconv.Itoa(i)}
		if in.KeyKind == "string" {
			row = append(row, strconv.Quote(string(e.KeyBytes)))
		} else {
			row = append(row, e.Key.String())
		}
		switch {
		case in.Value == nil:
			row = append(row, quoteCut(e.Bytes))
		case !structValue:
			row = append(row, e.Value.String())
		default:
			for k := range e.Value.NumField() {
				row = append(row, e.Value.Field(k).String())
			}
		}
		rows = append(rows, row)
	}
	writeTable(w, rows)
	return nil
}

// quoteCut returns b Go-quoted, cut to its first maxShownBytes with its
// length when it is longer.
func quoteCut(b []byte) string {
	if len(b) <= maxShownBytes {
		return strconv.Quote(string(b))
	}
	return strconv.Quote(string(b[:maxShownBytes])) + "... (" + plural(int64(len(b)), "byte") + ")"
}
