package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/layout"
	"github.com/gomemmap/memmap/npz"
	"github.com/gomemmap/memmap/safetensors"
)

// Containers hold many arrays in one file: .npz archives (np.savez) and
// safetensors files. info lists their members, one line each; head prints
// the first rows of one of them, named after the file.

// container is an open container file.
type container interface {
	format() string                       // "npz" or "safetensors", for info
	members() []member                    // in the file's order
	others() []other                      // what is in the file but not an array; nil for safetensors
	metadata() map[string]string          // safetensors' __metadata__; nil for npz
	open(name string) (*array.Any, error) // a member, untyped
	close() error
}

// member is what info prints of one array of a container.
type member struct {
	name   string
	dtype  string // as the file names it: a descr, or "F32"
	goType string
	shape  []int64
	offset int64 // of the data in the file; -1 when it is not in the file (a deflated member)
	size   int64 // bytes of data
	note   string
}

// The formats a file may be in, as detect finds them from its first bytes.
const (
	fmtNPY         = "npy"
	fmtNPZ         = "npz"
	fmtSafetensors = "safetensors"
)

// npyMagic starts every .npy file.
const npyMagic = "\x93NUMPY"

// other is what info prints of a member of a container that is not an
// array it can open: an .npz member not named .npy, or named .npy but not
// a .npy file (np.load returns the bytes of both), or one that fails to
// open.
type other struct {
	name string // the member's name in the archive, with its .npy
	size int64  // its bytes (uncompressed); -1 if unknown
	why  string
}

// detect returns the format of the file at path from its first bytes:
// fmtNPY for the .npy magic (or a prefix of it: a .npy file cut short,
// which the header parser then reports), fmtNPZ for a zip archive,
// fmtSafetensors for an 8-byte length followed by '{'. A file in none of
// them is an error that says which formats were tried and points to
// array.OpenRaw for headerless files. The file is opened as the library
// opens it (memmap.Open): a FIFO, device or directory is refused at once,
// never waited on, and mapping it costs nothing in its size. Errors are
// *fileError values.
func detect(path string) (string, error) {
	if err := notDir(path); err != nil {
		return "", err
	}
	m, err := memmap.Open(path, memmap.ReadOnly, nil)
	if err != nil {
		return "", &fileError{path, err}
	}
	defer m.Close()
	var b [9]byte
	var n int
	err = m.Guard(func() error {
		n = copy(b[:], m.Bytes())
		return nil
	})
	if err != nil {
		return "", &fileError{path, err}
	}
	switch {
	case n > 0 && strings.HasPrefix(npyMagic, string(b[:min(n, len(npyMagic))])):
		return fmtNPY, nil
	case n >= 4 && string(b[:2]) == "PK" && (b[2] == 3 && b[3] == 4 || b[2] == 5 && b[3] == 6):
		return fmtNPZ, nil
	case n == 9 && b[8] == '{':
		return fmtSafetensors, nil
	}
	start := "it is empty"
	if n > 0 {
		start = fmt.Sprintf("it starts %q", b[:n])
	}
	return "", &fileError{path, fmt.Errorf("not a .npy, .npz or safetensors file (%s; .npy files start with the magic %q, .npz files "+
		"are zip archives (\"PK\\x03\\x04\"), safetensors files start with an 8-byte header length and '{'); a headerless "+
		"file of raw values opens with array.OpenRaw, given its dtype, offset and shape (as np.memmap)", start, npyMagic)}
}

// openContainer opens the container at path in the given format (fmtNPZ
// or fmtSafetensors, from detect).
func openContainer(path, format string) (container, error) {
	var c container
	var err error
	switch format {
	case fmtNPZ:
		c, err = openNPZ(path)
	case fmtSafetensors:
		c, err = openSafetensors(path)
	default:
		return nil, &fileError{path, fmt.Errorf("not a container: %s", format)} // unreachable
	}
	if err != nil {
		return nil, &fileError{path, err}
	}
	return c, nil
}

// writeContainerInfo writes the info block of a container: the format,
// the metadata, and a line per member with its name, dtype, Go type,
// shape, data offset and size.
func writeContainerInfo(w io.Writer, path string, c container) {
	kv := func(key, format string, args ...any) {
		fmt.Fprintf(w, "  %-11s %s\n", key, fmt.Sprintf(format, args...))
	}
	fmt.Fprintln(w, path)
	kv("format", "%s", c.format())
	if md := c.metadata(); len(md) > 0 {
		keys := make([]string, 0, len(md))
		for k := range md {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			kv("metadata", "%q: %q", k, md[k])
		}
	}
	ms := c.members()
	oth := c.others()
	kv("arrays", "%d", len(ms))
	table := [][]string{{"name", "dtype", "go type", "shape", "offset", "bytes", ""}}
	for _, m := range ms {
		off := fmt.Sprint(m.offset)
		if m.offset < 0 {
			off = "-"
		}
		table = append(table, []string{m.name, m.dtype, m.goType, pyTuple(m.shape), off, fmt.Sprint(m.size), m.note})
	}
	writeColumns(w, table)
	if len(oth) == 0 {
		return
	}
	kv("other", "%s, not arrays memmap opens", plural(int64(len(oth)), "member"))
	table = [][]string{{"name", "bytes", ""}}
	for _, o := range oth {
		size := "-"
		if o.size >= 0 {
			size = fmt.Sprint(o.size)
		}
		table = append(table, []string{o.name, size, o.why})
	}
	writeColumns(w, table)
}

// writeColumns writes a table indented by two spaces, its columns
// left-aligned two spaces apart, the last one unpadded.
func writeColumns(w io.Writer, table [][]string) {
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	var b strings.Builder
	for _, row := range table {
		b.Reset()
		b.WriteString("  ")
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len(cell)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// npzContainer is an .npz archive.
type npzContainer struct {
	f    *npz.File
	path string
}

func openNPZ(path string) (container, error) {
	f, err := npz.Open(path)
	if err != nil {
		return nil, err
	}
	return npzContainer{f, path}, nil
}

func (c npzContainer) format() string                    { return "npz (zip of .npy files)" }
func (c npzContainer) metadata() map[string]string       { return nil }
func (c npzContainer) open(n string) (*array.Any, error) { return c.f.Any(n) }
func (c npzContainer) close() error                      { return c.f.Close() }

func (c npzContainer) members() []member {
	var ms []member
	for _, n := range c.f.Names() {
		in, err := c.f.Info(n)
		if err != nil {
			continue
		}
		m := member{name: n, dtype: in.DType.Descr(), goType: goType(in.DType), shape: in.Shape, offset: in.DataOffset, size: in.DataSize}
		if in.FortranOrder {
			m.note = "Fortran order"
		}
		m.note = join(m.note, layoutNote(in.DType))
		if in.Compressed {
			m.offset = -1 // in the decompressed copy, not in the file
			m.note = join(m.note, fmt.Sprintf("deflated (%d bytes in the archive; opens as a copy)", in.CompressedSize))
		} else if in.DataOffset%int64(max(in.DType.Align(), 1)) != 0 {
			m.note = join(m.note, "misaligned: no []T views (At and CopyTo copy)")
		}
		ms = append(ms, m)
	}
	return ms
}

// others lists the members np.load would return that are not arrays this
// library opens: those not named .npy and those named .npy that are not
// .npy files (np.load returns the bytes of both; package npz skips the
// first and refuses the second), and those that fail to open for another
// reason (a dtype it does not support). The archive's directory is read
// again with archive/zip, through a map of the file (the open never blocks),
// for the members package npz does not list and for the sizes; when
// archive/zip refuses the archive, the members npz lists that fail to open
// are listed without sizes.
func (c npzContainer) others() []other {
	var oth []other
	failed := map[string]error{} // .npy members that do not open, by key
	for _, n := range c.f.Names() {
		if _, err := c.f.Info(n); err != nil {
			failed[n] = err
		}
	}
	why := func(err error) string {
		return strings.TrimPrefix((&fileError{c.path, err}).Error(), c.path+": ")
	}
	m, err := memmap.Open(c.path, memmap.ReadOnly, nil)
	var zr *zip.Reader
	if err == nil {
		defer m.Close()
		err = m.Guard(func() error {
			var err error
			zr, err = zip.NewReader(m, int64(m.Len()))
			if errors.Is(err, zip.ErrInsecurePath) { // a name with "..": listed all the same
				err = nil
			}
			return err
		})
	}
	if err != nil || zr == nil {
		for _, n := range c.f.Names() {
			if err := failed[n]; err != nil {
				oth = append(oth, other{name: n + ".npy", size: -1, why: why(err)})
			}
		}
		return oth
	}
	for _, zf := range zr.File {
		key, isNPY := strings.CutSuffix(zf.Name, ".npy")
		switch {
		case strings.HasSuffix(zf.Name, "/"):
			// A directory entry: np.load does not list it either.
		case !isNPY:
			oth = append(oth, other{name: zf.Name, size: int64(zf.UncompressedSize64), why: "not named .npy: np.load returns its bytes"})
		case failed[key] != nil:
			o := other{name: zf.Name, size: int64(zf.UncompressedSize64), why: why(failed[key])}
			if !npyMagicAt(m, zf) {
				// What np.load checks: without the magic, it returns
				// the bytes.
				o.why = "not a .npy file: np.load returns its bytes"
			}
			oth = append(oth, o)
		}
	}
	return oth
}

// npyMagicAt reports whether the archive member zf, in the map m, starts
// with the .npy magic (or could not be read to tell).
func npyMagicAt(m *memmap.Map, zf *zip.File) bool {
	var b [len(npyMagic)]byte
	n := 0
	err := m.Guard(func() error {
		r, err := zf.Open()
		if err != nil {
			return err
		}
		defer r.Close()
		n, err = io.ReadFull(r, b[:])
		return err
	})
	if err != nil && n == 0 && !errors.Is(err, io.EOF) {
		return true // unreadable: the error of the open says what is wrong
	}
	return string(b[:n]) == npyMagic
}

// layoutNote says when a struct dtype has no Go struct to lie over it:
// packed (access copies) or a field with an empty name (no Go type).
func layoutNote(d *layout.DType) string {
	if d.Kind() != layout.Struct {
		return ""
	}
	if unnamed(d, "") != "" {
		return "a field has an empty name: no Go type (use array.OpenAny)"
	}
	if packed(d) != "" {
		return "packed: access copies field by field"
	}
	return ""
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// stContainer is a safetensors file.
type stContainer struct{ f *safetensors.File }

func openSafetensors(path string) (container, error) {
	f, err := safetensors.Open(path)
	if err != nil {
		return nil, err
	}
	return stContainer{f}, nil
}

func (c stContainer) format() string                       { return "safetensors" }
func (c stContainer) metadata() map[string]string          { return c.f.Metadata() }
func (c stContainer) open(name string) (*array.Any, error) { return c.f.Any(name) }
func (c stContainer) close() error                         { return c.f.Close() }
func (c stContainer) others() []other                      { return nil }

func (c stContainer) members() []member {
	var ms []member
	for _, t := range c.f.Tensors() {
		m := member{name: t.Name, dtype: t.DType, shape: t.Shape, offset: t.Offset, size: t.Size}
		switch {
		case t.Type == nil:
			m.goType = "-"
			m.note = "no Go type: raw bytes only (File.Bytes)"
		default:
			m.goType = goType(t.Type)
			if a := int64(max(t.Type.Align(), 1)); t.Offset%a != 0 {
				m.note = "misaligned: no []T views (At and CopyTo copy)"
			}
		}
		ms = append(ms, m)
	}
	return ms
}
