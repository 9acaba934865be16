package main

import (
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
	kv("arrays", "%d", len(ms))
	table := [][]string{{"name", "dtype", "go type", "shape", "offset", "bytes", ""}}
	for _, m := range ms {
		off := fmt.Sprint(m.offset)
		if m.offset < 0 {
			off = "-"
		}
		table = append(table, []string{m.name, m.dtype, m.goType, pyTuple(m.shape), off, fmt.Sprint(m.size), m.note})
	}
	widths := make([]int, len(table[0]))
	for _, row := range table {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, row := range table {
		line := "  "
		for i, cell := range row {
			if i == len(row)-1 {
				line += cell
				break
			}
			line += fmt.Sprintf("%-*s  ", widths[i], cell)
		}
		fmt.Fprintln(w, trimRight(line))
	}
}

func trimRight(s string) string {
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// npzContainer is an .npz archive.
type npzContainer struct{ f *npz.File }

func openNPZ(path string) (container, error) {
	f, err := npz.Open(path)
	if err != nil {
		return nil, err
	}
	return npzContainer{f}, nil
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
