package bench

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/bench/internal/benchdata"
	"github.com/gomemmap/memmap/record"
)

// appendPeers are the writers of scenario 3. Each writes n 64-byte
// records (benchdata.MakeRec(i), or the same 64 bytes as a row of 8
// uint64) to a new file at path and returns how many times the file's
// capacity grew (only record and array do). When durable is set, the
// records are on the disk when it returns (record's and array's Close
// flush and commit; the others Sync), and done is called by the harness;
// otherwise the writer calls done once the records are written (to the
// page cache: before record's and array's Close, after the bufio.Writer's
// Flush), which stops the timer before the file is closed.
var appendPeers = []struct {
	name  string
	write func(b *testing.B, path string, n int, durable bool, done func()) int
}{
	{"record.Append", func(b *testing.B, path string, n int, durable bool, done func()) int {
		f, err := record.Create[benchdata.Rec](path, nil)
		must(b, err)
		grows, c := 0, f.Cap()
		for i := range n {
			if _, err := f.Append(benchdata.MakeRec(i)); err != nil {
				b.Fatal(err)
			}
			if sampleCap(i) && f.Cap() != c {
				grows, c = grows+1, f.Cap()
			}
		}
		if !durable {
			done()
		}
		must(b, f.Close())
		return grows
	}},
	{"record.Append_batch1024", func(b *testing.B, path string, n int, durable bool, done func()) int {
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
			done()
		}
		must(b, f.Close())
		return grows
	}},
	{"array.Append", func(b *testing.B, path string, n int, durable bool, done func()) int {
		a, err := array.Create[uint64](path, []int{0, 8}, nil)
		must(b, err)
		var row [8]uint64
		grows, c := 0, a.Cap()
		for i := range n {
			row = recRow(benchdata.MakeRec(i))
			if _, err := a.Append(row[:]...); err != nil {
				b.Fatal(err)
			}
			if sampleCap(i) && a.Cap() != c {
				grows, c = grows+1, a.Cap()
			}
		}
		if !durable {
			done()
		}
		must(b, a.Close())
		return grows
	}},
	{"array.Append_batch1024", func(b *testing.B, path string, n int, durable bool, done func()) int {
		a, err := array.Create[uint64](path, []int{0, 8}, nil)
		must(b, err)
		batch := make([]uint64, 1024*8)
		grows, c := 0, a.Cap()
		for i := 0; i < n; i += 1024 {
			k := min(1024, n-i)
			for j := range k {
				r := recRow(benchdata.MakeRec(i + j))
				copy(batch[j*8:], r[:])
			}
			if _, err := a.Append(batch[:k*8]...); err != nil {
				b.Fatal(err)
			}
			if a.Cap() != c {
				grows, c = grows+1, a.Cap()
			}
		}
		if !durable {
			done()
		}
		must(b, a.Close())
		return grows
	}},
	{"bufio+binary.Write", func(b *testing.B, path string, n int, durable bool, done func()) int {
		return writeBufio(b, path, n, durable, done, func(w *bufio.Writer, r benchdata.Rec) error {
			return binary.Write(w, binary.LittleEndian, &r)
		})
	}},
	{"bufio+hand-written", func(b *testing.B, path string, n int, durable bool, done func()) int {
		var p [64]byte
		return writeBufio(b, path, n, durable, done, func(w *bufio.Writer, r benchdata.Rec) error {
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

// sampleCap reports whether a single-append loop looks at the capacity
// after record i: after each of the first 4096, then every 4096th, so that
// the count of grows costs the writer almost nothing per call. It misses
// no grow: the capacity at least doubles, so a grow at length L >= 4096
// is followed by at least L records before the next.
func sampleCap(i int) bool { return i < 4096 || i&4095 == 0 }

// recRow returns the record r as a row of 8 uint64: its fields' bits,
// and its tag read little-endian, so that a little-endian file of these
// rows holds the bytes of a little-endian file of the records.
func recRow(r benchdata.Rec) [8]uint64 {
	return [8]uint64{uint64(r.ID), uint64(r.Time), math.Float64bits(r.Price), math.Float64bits(r.Qty),
		math.Float64bits(r.Bid), math.Float64bits(r.Ask), r.Flags, binary.LittleEndian.Uint64(r.Tag[:])}
}

// writeBufio writes n records with enc through a bufio.Writer on a new
// file at path.
func writeBufio(b *testing.B, path string, n int, durable bool, done func(), enc func(*bufio.Writer, benchdata.Rec) error) int {
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
		done()
	}
	must(b, f.Close())
	return 0
}

// BenchmarkAppend is scenario 3: appending 64-byte records (8Mi at full
// size) to a new file, until they are on the disk (record's and array's
// Close flush the data and commit the length in the header; the peers
// Flush and Sync). One op writes the whole file. grows/op is how many
// times record or array grew the file and its mapping; over the timed
// part of the op: faults/op the minor page faults of the process,
// syscw/op its write system calls (/proc/self/io), usr-ns/rec and
// sys-ns/rec its user and system CPU time per record (getrusage): the
// measured reasons of a gap between the writers.
func BenchmarkAppend(b *testing.B) { benchAppend(b, true) }

// BenchmarkAppendNoSync is BenchmarkAppend with the timer stopped once the
// records are in the page cache: before record's and array's Close, after
// the peers' Flush.
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
			m := newOpMeter()
			done := func() { m.stop(b) }
			b.StopTimer()
			for range b.N {
				b.StartTimer()
				m.start()
				grows += p.write(b, path, n, durable, done)
				done()
				fi, err := os.Stat(path)
				must(b, err)
				if fi.Size() < int64(n)*64 || fi.Size() > int64(n)*64+4096 {
					b.Fatalf("file of %d bytes for %d records", fi.Size(), n)
				}
				must(b, os.Remove(path))
			}
			b.ReportMetric(float64(grows)/float64(b.N), "grows/op")
			m.report(b, n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/rec")
		})
	}
}
