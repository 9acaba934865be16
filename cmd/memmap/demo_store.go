package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/gomemmap/memmap"
	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/record"
	"github.com/gomemmap/memmap/table"
)

// dim is the width of the demo's embeddings.
const dim = 64

// Item is a record of the demo's feature store: 32 bytes, no padding, so
// NumPy reads it as [('ID', '<i8'), ('Clicks', '<u4'), ('Score', '<f4'),
// ('Name', 'S16')].
type Item struct {
	ID     int64
	Clicks uint32
	Score  float32
	Name   [16]byte
}

// embedding returns item i's vector: reproducible pseudo-random values
// in [-1, 1), so that tests (and NumPy) can recompute them.
func embedding(i int, v []float32) {
	x := uint64(i)*0x9E3779B97F4A7C15 + 1
	for j := range v {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		v[j] = float32(x>>40)/float32(1<<23) - 1
	}
}

// item returns record i.
func item(i int) Item {
	it := Item{ID: int64(i), Clicks: uint32(i * 7 % 1000), Score: float32(i%100) / 100}
	copy(it.Name[:], fmt.Sprintf("item-%06d", i))
	return it
}

// featureStore builds an embeddings array and an items record file in
// dir, reads them back and searches them, and returns the two paths.
func featureStore(w io.Writer, dir string, rows int) (embPath, itemsPath string, err error) {
	embPath = filepath.Join(dir, "embeddings.npy")
	itemsPath = filepath.Join(dir, "items.npy")
	fmt.Fprintf(w, "1. A feature store: %d embeddings of %d float32s and %d item records\n", rows, dim, rows)

	// Write: both files grow by appends, in batches, from empty.
	start := time.Now()
	emb, err := array.Create[float32](embPath, []int{0, dim}, nil)
	if err != nil {
		return "", "", err
	}
	items, err := record.Create[Item](itemsPath, nil)
	if err != nil {
		return "", "", errors.Join(err, emb.Close())
	}
	closeBoth := func(err error) (string, string, error) {
		return "", "", errors.Join(err, emb.Close(), items.Close())
	}
	const batch = 1000
	buf := make([]float32, batch*dim)
	recs := make([]Item, 0, batch)
	for i := 0; i < rows; i += batch {
		n := min(batch, rows-i)
		recs = recs[:0]
		for k := range n {
			embedding(i+k, buf[k*dim:(k+1)*dim])
			recs = append(recs, item(i+k))
		}
		if _, err := emb.Append(buf[:n*dim]...); err != nil {
			return closeBoth(err)
		}
		if _, err := items.Append(recs...); err != nil {
			return closeBoth(err)
		}
	}
	capRows := emb.Cap()
	if err := emb.Close(); err != nil { // commits the length, trims the capacity
		return "", "", errors.Join(err, items.Close())
	}
	if err := items.Close(); err != nil {
		return "", "", err
	}
	fmt.Fprintf(w, "   appended in batches of %d and closed (capacity had grown to %d rows, trimmed at Close): %v\n",
		batch, capRows, since(start))

	// Read: open read-only, zero-copy, and search.
	start = time.Now()
	emb, err = array.Open[float32](embPath, memmap.ReadOnly, nil)
	if err != nil {
		return "", "", err
	}
	defer emb.Close()
	items, err = record.Open[Item](itemsPath, memmap.ReadOnly, nil)
	if err != nil {
		return "", "", err
	}
	defer items.Close()
	fmt.Fprintf(w, "   reopened read-only: shape %v, dtype %s; %d records, dtype %s: %v\n",
		emb.Shape(), emb.DType(), items.Len(), items.DType(), since(start))

	// Query: a noisy copy of one item's vector; the nearest neighbour by
	// dot product over every row, through the zero-copy []float32 view.
	target := rows * 2 / 3
	query := make([]float32, dim)
	embedding(target, query)
	for j := range query {
		query[j] += 0.05 * float32((j%5)-2)
	}
	data, err := emb.Data()
	if err != nil {
		return "", "", err // a big-endian host reading a little-endian file would say so here
	}
	start = time.Now()
	best, bestScore := -1, float32(0)
	for r := 0; r < emb.Len(); r++ {
		row := data[r*dim : (r+1)*dim]
		var s float32
		for j, q := range query {
			s += q * row[j]
		}
		if best < 0 || s > bestScore {
			best, bestScore = r, s
		}
	}
	took := time.Since(start)
	rec, err := items.Get(best)
	if err != nil {
		return "", "", err
	}
	fmt.Fprintf(w, "   nearest neighbour of a noisy copy of item %d: item %d (%s, dot %.3f), %d rows scanned in %v (%.0f MB/s, no copies)\n",
		target, best, cstring(rec.Name[:]), bestScore, emb.Len(), took.Round(time.Microsecond),
		float64(len(data)*4)/took.Seconds()/1e6)
	fmt.Fprintf(w, "   embeddings[%d][:3] = %v; items[%d] = {ID %d, Clicks %d, Score %.2f, Name %q}\n",
		best, []float32{emb.At2(best, 0), emb.At2(best, 1), emb.At2(best, 2)}, best, rec.ID, rec.Clicks, rec.Score, cstring(rec.Name[:]))
	if err := nameTable(w, dir, items, cstring(rec.Name[:])); err != nil {
		return "", "", err
	}
	return embPath, itemsPath, nil
}

// nameTable builds a lookup table from the items' names to their rows,
// looks name up in it, and a name that is not there.
func nameTable(w io.Writer, dir string, items *record.File[Item], name string) error {
	path := filepath.Join(dir, "names.table")
	start := time.Now()
	names := make([]string, items.Len())
	rows := make([]uint32, items.Len())
	for i, it := range items.All() {
		names[i], rows[i] = cstring(it.Name[:]), uint32(i)
	}
	if err := table.Build(path, names, rows, nil); err != nil {
		return err
	}
	t, err := table.Open[string, uint32](path)
	if err != nil {
		return err
	}
	defer t.Close()
	in, err := t.Info()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   a lookup table from name to row, %d keys (index %.2f bits/key): built and opened in %v\n",
		t.Len(), in.IndexBits, since(start))
	row, ok := t.Get(name)
	_, okNope := t.Get("no-such-item")
	fmt.Fprintf(w, "   names.table[%q] = %d (found %v); names.table[\"no-such-item\"] found %v; from the shell: memmap get %s %s\n",
		name, row, ok, okNope, path, name)
	return nil
}

// cstring returns b up to its first NUL.
func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func since(t time.Time) time.Duration { return time.Since(t).Round(time.Microsecond) }
