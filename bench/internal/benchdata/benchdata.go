// Package benchdata generates the files the benchmarks of package bench read,
// at the size MEMMAP_BENCH_SIZE asks for, and caches them across runs.
//
// Files live in a cache directory under os.TempDir() (memmap-bench/<size>),
// reused by every run at that size: the full-size files take tens of seconds
// to write and every `go test` process of a report run would otherwise write
// them again. Each file is written under a temporary name and renamed when
// complete, so an interrupted run leaves no half file behind; a file of the
// wrong size is written anew. Remove the directory to reclaim the space
// (about 2.2 GiB at full size; the 64 GiB file is sparse).
//
// Nothing is generated in the repository.
package benchdata

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/gomemmap/memmap/array"
	"github.com/gomemmap/memmap/header"
	"github.com/gomemmap/memmap/layout"
)

// EnvSize is the environment variable that selects the data sizes: "full"
// for the sizes of the issue (cmd/report sets it), anything else (or unset)
// for the small sizes of the CI smoke run.
const EnvSize = "MEMMAP_BENCH_SIZE"

// Sizes are the data sizes of one run.
type Sizes struct {
	// Name is "small" or "full"; it names the cache directory.
	Name string
	// ArrayElems is the number of float64 elements of the array of
	// scenarios 1, 2 and 4 (1 GiB at full size).
	ArrayElems int
	// Indexes is the number of random indexes scenario 1 cycles through.
	Indexes int
	// Records is the number of 64-byte records scenario 3 appends.
	Records int
	// OpenSmall is the data size in bytes of scenario 4's small file;
	// OpenSparse that of its sparse file (the middle one is the array).
	OpenSmall, OpenSparse int64
	// Structs is the number of 24-byte structs scenario 5 decodes.
	Structs int
	// LogBytes is the approximate size of scenario 6's log file.
	LogBytes int64
}

// Current returns the sizes MEMMAP_BENCH_SIZE selects.
func Current() Sizes {
	if os.Getenv(EnvSize) == "full" {
		return Sizes{
			Name:       "full",
			ArrayElems: 1 << 27, // 1 GiB of float64
			Indexes:    1 << 22,
			Records:    8 << 20, // 8Mi: issue 21 measures single appends at 8Mi and 64Mi records
			OpenSmall:  1 << 20,
			OpenSparse: 64 << 30,
			Structs:    1 << 22, // 96 MiB
			LogBytes:   1 << 30,
		}
	}
	return Sizes{
		Name:       "small",
		ArrayElems: 1 << 19, // 4 MiB
		Indexes:    1 << 16,
		Records:    100_000,
		OpenSmall:  1 << 20,
		OpenSparse: 64 << 30, // sparse: no disk space, no time
		Structs:    1 << 16,
		LogBytes:   4 << 20,
	}
}

// Dir returns the cache directory for the current sizes, creating it.
func Dir() (string, error) {
	d := filepath.Join(os.TempDir(), "memmap-bench", Current().Name)
	return d, os.MkdirAll(d, 0o755)
}

// ArrayValue is the value of element i of the float64 array: small
// integers, so that every order of summation gives the same exact sum.
func ArrayValue(i int) float64 { return float64(i & 1023) }

// ArraySum is the sum of the first n elements of the array.
func ArraySum(n int) float64 {
	full := n / 1024
	s := float64(full) * (1023 * 1024 / 2)
	for i := full * 1024; i < n; i++ {
		s += ArrayValue(i)
	}
	return s
}

// Rec is the 64-byte record of scenario 3.
type Rec struct {
	ID    int64
	Time  int64
	Price float64
	Qty   float64
	Bid   float64
	Ask   float64
	Flags uint64
	Tag   [8]byte
}

// MakeRec returns record i.
func MakeRec(i int) Rec {
	return Rec{
		ID: int64(i), Time: 1_700_000_000_000 + int64(i)*1000,
		Price: 100 + float64(i%1000)/8, Qty: float64(i % 97),
		Bid: 99.5, Ask: 100.5, Flags: uint64(i) & 0xff,
		Tag: [8]byte{'T', 'R', 'A', 'D', 'E', byte('0' + i%10)},
	}
}

// Item is the 24-byte struct of scenario 5, without padding (so Go's
// layout and binary.Read's packed layout agree).
type Item struct {
	ID    int64
	Value float64
	Kind  uint32
	Count uint32
}

// ItemSize is the encoded size of an Item.
const ItemSize = 24

// MakeItem returns item i.
func MakeItem(i int) Item {
	return Item{ID: int64(i), Value: float64(i) / 4, Kind: uint32(i % 7), Count: uint32(i)}
}

// Needle is a string that occurs exactly once in the log file, on its last
// line, so Find scans the whole file.
const Needle = "FATAL checksum mismatch"

// LogInfo describes the log file.
type LogInfo struct {
	Path  string
	Size  int64
	Lines int   // number of lines, each ending in '\n'
	At    int64 // offset of Needle
}

var (
	mu    sync.Mutex
	files = map[string]string{}
)

// once returns the path of the cached file name in Dir, making it with
// make (which writes to the path it is given) unless a file of size want
// (when want >= 0) is already there.
func once(name string, want int64, make func(tmp string) error) (string, error) {
	dir, err := Dir()
	if err != nil {
		return "", err
	}
	return Cached(dir, name, want, make)
}

// Cached returns the path of the cached file name in dir, making it with
// make (which writes to the path it is given) unless a file of size want
// (when want >= 0) is already there. The file is written under a temporary
// name and renamed when complete, so an interrupted run leaves no half
// file behind.
func Cached(dir, name string, want int64, make func(tmp string) error) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	p := filepath.Join(dir, name)
	if q, ok := files[p]; ok {
		return q, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if fi, err := os.Stat(p); err == nil && (want < 0 || fi.Size() == want) {
		files[p] = p
		return p, nil
	}
	tmp := fmt.Sprintf("%s.tmp%d", p, os.Getpid())
	if err := make(tmp); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("benchdata: generating %s: %w", name, err)
	}
	if want >= 0 {
		if fi, err := os.Stat(tmp); err != nil || fi.Size() != want {
			os.Remove(tmp)
			return "", fmt.Errorf("benchdata: generated %s has the wrong size", name)
		}
	}
	if err := os.Rename(tmp, p); err != nil {
		return "", err
	}
	files[p] = p
	return p, nil
}

// npySize is the size of a 1-d .npy file of n float64 as array.Create
// writes it: a 128-byte header (version 1.0 padded to 64 with room for
// 21 digits) and the data.
func npySize(n int) int64 {
	return headerLen(n) + int64(n)*8
}

func headerLen(n int) int64 {
	b, err := encodeHeader(n)
	if err != nil {
		panic(err) // float64 always has a dtype
	}
	return int64(len(b))
}

// encodeHeader returns the .npy header of a 1-d float64 array of n elements.
func encodeHeader(n int) ([]byte, error) {
	dt, err := layout.Of[float64]()
	if err != nil {
		return nil, err
	}
	h := header.Header{DType: dt.WithByteOrder(layout.Little), Shape: []int64{int64(n)}}
	return h.Encode()
}

// ArrayFile returns the path of the 1-d little-endian float64 .npy file of
// n elements, element i being ArrayValue(i), written by package array.
func ArrayFile(n int) (string, error) {
	return once(fmt.Sprintf("f64-%d.npy", n), npySize(n), func(tmp string) error {
		a, err := array.Create[float64](tmp, []int{n}, &array.Options{ByteOrder: layout.Little})
		if err != nil {
			return err
		}
		if d, err := a.Data(); err == nil {
			for i := range d {
				d[i] = ArrayValue(i)
			}
		} else { // a big-endian host: Set swaps
			for i := range n {
				if err := a.Set1(ArrayValue(i), i); err != nil {
					a.Close()
					return err
				}
			}
		}
		return a.Close()
	})
}

// SparseFile returns the path of a 1-d float64 .npy file whose data is
// size bytes of zeros in a sparse file (a hole: no disk space).
func SparseFile(size int64) (string, error) {
	n := int(size / 8)
	return once(fmt.Sprintf("sparse-%d.npy", size), npySize(n), func(tmp string) error {
		b, err := encodeHeader(n)
		if err != nil {
			return err
		}
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
		if err := f.Truncate(int64(len(b)) + size); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

// DataOffset returns where the data of the .npy file at path starts.
func DataOffset(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	h, err := header.Read(f, nil)
	if err != nil {
		return 0, err
	}
	return h.DataOffset, nil
}

// Indexes returns the path of an .npy file of k int64 indexes below n, drawn
// with a fixed-seed xorshift generator, and the indexes themselves. NumPy
// reads the same file, so both gather the same elements.
func Indexes(k, n int) (string, []int, error) {
	idx := make([]int, k)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range idx {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		idx[i] = int(x % uint64(n))
	}
	p, err := once(fmt.Sprintf("idx-%d-%d.npy", k, n), -1, func(tmp string) error {
		a, err := array.Create[int64](tmp, []int{k}, &array.Options{ByteOrder: layout.Little})
		if err != nil {
			return err
		}
		for i, v := range idx {
			if err := a.Set1(int64(v), i); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	return p, idx, err
}

// ItemFile returns the path of a raw file (no header) of n Items encoded
// little-endian.
func ItemFile(n int) (string, error) {
	return once(fmt.Sprintf("items-%d.bin", n), int64(n)*ItemSize, func(tmp string) error {
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		var b [ItemSize]byte
		for i := range n {
			it := MakeItem(i)
			binary.LittleEndian.PutUint64(b[0:], uint64(it.ID))
			binary.LittleEndian.PutUint64(b[8:], math.Float64bits(it.Value))
			binary.LittleEndian.PutUint32(b[16:], it.Kind)
			binary.LittleEndian.PutUint32(b[20:], it.Count)
			w.Write(b[:])
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
}

var levels = [...]string{"INFO ", "INFO ", "INFO ", "DEBUG", "WARN ", "INFO ", "ERROR", "INFO "}

var words = [...]string{
	"request", "served", "cache", "miss", "user", "session", "opened", "closed",
	"retry", "upstream", "latency", "bytes", "shard", "replica", "commit", "ok",
}

// logLine appends line i of the log to b: a timestamp, a level, a
// component and a message of a few words, 60 to 140 bytes with the '\n'.
func logLine(b []byte, i int) []byte {
	x := uint32(i)*2654435761 + 12345
	b = append(b, "2026-11-22T05:"...)
	b = append(b, byte('0'+i/600000%6), byte('0'+i/60000%10), ':', byte('0'+i/10000%6), byte('0'+i/1000%10), '.')
	b = strconv.AppendInt(b, int64(100+i%900), 10)
	b = append(b, "Z "...)
	b = append(b, levels[x%8]...)
	b = append(b, " svc="...)
	b = append(b, words[(x>>3)%16]...)
	b = append(b, " id="...)
	b = strconv.AppendInt(b, int64(i), 10)
	for w := range 3 + int(x>>8)%8 {
		b = append(b, ' ')
		b = append(b, words[(x>>(12+w))%16]...)
	}
	b = append(b, " ms="...)
	b = strconv.AppendInt(b, int64(x%5000), 10)
	return append(b, '\n')
}

// LogFile returns the log file of about size bytes (whole lines; the last
// holds Needle).
func LogFile(size int64) (LogInfo, error) {
	// The content is a pure function of size: count it first (cheap) to
	// know the expected size and line count.
	var info LogInfo
	var line []byte
	var n int64
	i := 0
	for {
		line = logLine(line[:0], i)
		if n+int64(len(line)) > size-100 {
			break
		}
		n += int64(len(line))
		i++
	}
	last := "2026-11-22T06:00:00.000Z " + Needle + "\n"
	info.At = n + int64(len("2026-11-22T06:00:00.000Z "))
	info.Size = n + int64(len(last))
	info.Lines = i + 1
	p, err := once(fmt.Sprintf("log-%d.txt", size), info.Size, func(tmp string) error {
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		var line []byte
		for j := range i {
			line = logLine(line[:0], j)
			w.Write(line)
		}
		io.WriteString(w, last)
		if err := w.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	info.Path = p
	return info, err
}

// ReadFloat64s reads the data of the .npy float64 file at path into a heap
// slice, decoding it with binary.LittleEndian.
func ReadFloat64s(path string) ([]float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	off, err := DataOffset(path)
	if err != nil {
		return nil, err
	}
	b = b[off:]
	if len(b)%8 != 0 {
		return nil, errors.New("benchdata: data is not a whole number of float64")
	}
	s := make([]float64, len(b)/8)
	for i := range s {
		s[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return s, nil
}
