package bench

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/record"
)

// appendPeers are the writers of scenario 3. Each writes n records to a
// new file at path and returns how many times the file's capacity grew
// (only record does). When durable is set, the records are on the disk
// when it returns (record's Close flushes; the others Sync); otherwise
// stop is called once the records are written (to the page cache), to
// stop the timer before the file is closed.
var appendPeers = []struct {
	name  string
	write func(b *testing.B, path string, n int, durable bool) int
}{
	{"record.Append", func(b *testing.B, path string, n int, durable bool) int {
		f, err := record.Create[benchdata.Rec](path, nil)
		must(b, err)
		grows, c := 0, f.Cap()
		for i := range n {
			if _, err := f.Append(benchdata.MakeRec(i)); err != nil {
				b.Fatal(err)
			}
			if f.Cap() != c {
				grows, c = grows+1, f.Cap()
			}
		}
		if !durable {
			b.StopTimer()
		}
		must(b, f.Close())
		return grows
	}},
	{"record.Append_batch1024", func(b *testing.B, path string, n int, durable bool) int {
		f, err := record.Create[benchdata.Rec](path, nil)
		must(b, err)
		batch := make([]benchdata.Rec, 1024)
		grows, c := 0, f.Cap()
		for i := 0; i < n; i += len(batch) {
			k := min(len(batch), n-i)
			for j := range k {
				batch[j] = benchdata.MakeRec(i + j)
			}
			if _, err := f.Append(batch[:k]...); err != nil {
				b.Fatal(err)
			}
			if f.Cap() != c {
				grows, c = grows+1, f.Cap()
			}
		}
		if !durable {
			b.StopTimer()
		}
		must(b, f.Close())
		return grows
	}},
	{"bufio+binary.Write", func(b *testing.B, path string, n int, durable bool) int {
		return writeBufio(b, path, n, durable, func(w *bufio.Writer, r benchdata.Rec) error {
			return binary.Write(w, binary.LittleEndian, &r)
		})
	}},
	{"bufio+hand-written", func(b *testing.B, path string, n int, durable bool) int {
		var p [64]byte
		return writeBufio(b, path, n, durable, func(w *bufio.Writer, r benchdata.Rec) error {
			binary.LittleEndian.PutUint64(p[0:], uint64(r.ID))
			binary.LittleEndian.PutUint64(p[8:], uint64(r.Time))
			binary.LittleEndian.PutUint64(p[16:], math.Float64bits(r.Price))
			binary.LittleEndian.PutUint64(p[24:], math.Float64bits(r.Qty))
			binary.LittleEndian.PutUint64(p[32:], math.Float64bits(r.Bid))
			binary.LittleEndian.PutUint64(p[40:], math.Float64bits(r.Ask))
			binary.LittleEndian.PutUint64(p[48:], r.Flags)
			copy(p[56:], r.Tag[:])
			_, err := w.Write(p[:])
			return err
		})
	}},
}

// writeBufio writes n records with enc through a bufio.Writer on a new
// file at path.
func writeBufio(b *testing.B, path string, n int, durable bool, enc func(*bufio.Writer, benchdata.Rec) error) int {
	f, err := os.Create(path)
	must(b, err)
	w := bufio.NewWriterSize(f, 64<<10)
	for i := range n {
		if err := enc(w, benchdata.MakeRec(i)); err != nil {
			b.Fatal(err)
		}
	}
	must(b, w.Flush())
	if durable {
		must(b, f.Sync())
	} else {
		b.StopTimer()
	}
	must(b, f.Close())
	return 0
}

// BenchmarkAppend is scenario 3: appending 64-byte records (10M at full
// size) to a new file, until they are on the disk (record's Close flushes
// the map and commits the length; the peers Flush and Sync). One op writes
// the whole file; grows/op is how many times record grew the file and its
// mapping, faults/op how many minor page faults the process took.
func BenchmarkAppend(b *testing.B) { benchAppend(b, true) }

// BenchmarkAppendNoSync is BenchmarkAppend with the timer stopped once the
// records are in the page cache: before record's Close, after the peers'
// Flush.
func BenchmarkAppendNoSync(b *testing.B) { benchAppend(b, false) }

func benchAppend(b *testing.B, durable bool) {
	n := sizes.Records
	for _, p := range appendPeers {
		b.Run(p.name, func(b *testing.B) {
			dir, err := os.MkdirTemp("", "memmap-bench-append")
			must(b, err)
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "recs.npy")
			b.SetBytes(int64(n) * 64)
			b.ReportAllocs()
			grows := 0
			faults := benchdata.MinorFaults()
			for range b.N {
				grows += p.write(b, path, n, durable)
				b.StopTimer()
				fi, err := os.Stat(path)
				must(b, err)
				if fi.Size() < int64(n)*64 || fi.Size() > int64(n)*64+4096 {
					b.Fatalf("file of %d bytes for %d records", fi.Size(), n)
				}
				must(b, os.Remove(path))
				b.StartTimer()
			}
			b.ReportMetric(float64(grows)/float64(b.N), "grows/op")
			if f := benchdata.MinorFaults(); faults >= 0 && f >= 0 {
				b.ReportMetric(float64(f-faults)/float64(b.N), "faults/op")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/rec")
		})
	}
}
