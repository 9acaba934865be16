package safetensors

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The benchmarks of this file measure the header parser on realistic
// headers, against the forms encoding/json offers, to decide whether the
// hand-written scanner of json.go is worth its code (issue 19): a
// checkpoint of a 7B-parameter language model (300 tensors, the shapes
// and names of Llama's, BF16 weights, F32 norms, a __metadata__) and a
// file of 100,000 small tensors. Run:
//
//	go test -run '^$' -bench 'OpenHeader' -count 6 ./safetensors
//
// OpenHeader/<file>/Open opens the file (the data area a sparse file of
// the real size) and closes it; the other cases parse and validate the
// header alone, with the scanner (scanner), with encoding/json's
// Decoder.Token (decoder: as strict as the scanner, the parser before
// it, kept as the oracle of FuzzHeaderJSON), and with encoding/json's
// Unmarshal (unmarshal: a map of json.RawMessage, then a struct per
// tensor; it checks no duplicate key, nor the exact case of the keys, so
// it is a lower bound of what a strict parser on Unmarshal costs).

// llmHeader returns the header of a Llama-style checkpoint of n tensors
// (embeddings, then layers of nine tensors, then the final norm and
// lm_head, cut at n), with its data length.
func llmHeader(n int) ([]byte, uint64) {
	const dim, ffn, vocab = 4096, 11008, 32000
	type ent struct {
		name, dtype string
		shape       []uint64
	}
	ents := []ent{{"model.embed_tokens.weight", "BF16", []uint64{vocab, dim}}}
	for l := 0; len(ents) < n-2; l++ {
		p := fmt.Sprintf("model.layers.%d.", l)
		ents = append(ents,
			ent{p + "input_layernorm.weight", "F32", []uint64{dim}},
			ent{p + "mlp.down_proj.weight", "BF16", []uint64{dim, ffn}},
			ent{p + "mlp.gate_proj.weight", "BF16", []uint64{ffn, dim}},
			ent{p + "mlp.up_proj.weight", "BF16", []uint64{ffn, dim}},
			ent{p + "post_attention_layernorm.weight", "F32", []uint64{dim}},
			ent{p + "self_attn.k_proj.weight", "BF16", []uint64{dim, dim}},
			ent{p + "self_attn.o_proj.weight", "BF16", []uint64{dim, dim}},
			ent{p + "self_attn.q_proj.weight", "BF16", []uint64{dim, dim}},
			ent{p + "self_attn.v_proj.weight", "BF16", []uint64{dim, dim}},
		)
	}
	ents = append(ents[:n-2], ent{"model.norm.weight", "F32", []uint64{dim}}, ent{"lm_head.weight", "BF16", []uint64{vocab, dim}})
	var h strings.Builder
	h.WriteString(`{"__metadata__":{"format":"pt"}`)
	var off uint64
	for _, e := range ents {
		size := uint64(2)
		if e.dtype == "F32" {
			size = 4
		}
		shape := ""
		for i, d := range e.shape {
			if i > 0 {
				shape += ","
			}
			shape += fmt.Sprint(d)
			size *= d
		}
		fmt.Fprintf(&h, `,%q:{"dtype":%q,"shape":[%s],"data_offsets":[%d,%d]}`, e.name, e.dtype, shape, off, off+size)
		off += size
	}
	h.WriteString("}")
	return []byte(h.String()), off
}

// manyHeader returns the header of n small F32 tensors, with its data
// length.
func manyHeader(n int) ([]byte, uint64) {
	var h strings.Builder
	h.WriteString(`{"__metadata__":{"format":"pt"}`)
	for i := range n {
		fmt.Fprintf(&h, `,"blocks.%d.params.%d":{"dtype":"F32","shape":[2,2],"data_offsets":[%d,%d]}`, i/100, i%100, i*16, (i+1)*16)
	}
	h.WriteString("}")
	return []byte(h.String()), uint64(n) * 16
}

// parseDecoder parses and validates h as parseHeader does, with
// tokParser, the parser on encoding/json's Decoder.Token.
func parseDecoder(h []byte, dataLen uint64) (*parsed, error) {
	if !utf8.Valid(h) {
		return nil, formatErr(nil, "the header is not valid UTF-8")
	}
	toks, meta, err := tokHeader(h)
	if err != nil {
		return nil, err
	}
	raws := make([]rawTensor, len(toks))
	index := make(map[string]int, len(toks))
	for i, t := range toks {
		shape := make([]int64, len(t.shape))
		for j, d := range t.shape {
			shape[j] = int64(d)
		}
		raws[i] = rawTensor{name: t.name, dt: lookupDType(t.dtype), shape: shape, begin: t.begin, end: t.end, at: t.at}
		index[t.name] = i
	}
	return validate(raws, index, meta, int64(8+len(h)), dataLen)
}

// parseUnmarshal parses and validates h with encoding/json's Unmarshal:
// into a map of json.RawMessage, then each tensor into a struct. It
// checks no duplicate key and matches keys without regard to case, as
// Unmarshal does.
func parseUnmarshal(h []byte, dataLen uint64) (*parsed, error) {
	if !utf8.Valid(h) {
		return nil, formatErr(nil, "the header is not valid UTF-8")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(h, &top); err != nil {
		return nil, formatErr(nil, "%v", err)
	}
	var meta map[string]string
	raws := make([]rawTensor, 0, len(top))
	index := make(map[string]int, len(top))
	for name, v := range top {
		if name == metadataKey {
			if err := json.Unmarshal(v, &meta); err != nil {
				return nil, formatErr(nil, "%v", err)
			}
			continue
		}
		var e struct {
			DType   string   `json:"dtype"`
			Shape   []uint64 `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, formatErr(nil, "%v", err)
		}
		dt := lookupDType(e.DType)
		if dt == nil || e.Shape == nil || len(e.Offsets) != 2 || len(e.Shape) > MaxRank {
			return nil, formatErr(nil, "tensor %s: bad entry", clip(name))
		}
		shape := make([]int64, len(e.Shape))
		for j, d := range e.Shape {
			shape[j] = int64(d)
		}
		index[name] = len(raws)
		raws = append(raws, rawTensor{name: name, dt: dt, shape: shape, begin: e.Offsets[0], end: e.Offsets[1]})
	}
	return validate(raws, index, meta, int64(8+len(h)), dataLen)
}

// writeSparse writes a safetensors file of the header h and dataLen bytes
// of data, left as a hole.
func writeSparse(tb testing.TB, h []byte, dataLen uint64) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "m.safetensors")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(h)))); err != nil {
		tb.Fatal(err)
	}
	if _, err := f.Write(h); err != nil {
		tb.Fatal(err)
	}
	if err := f.Truncate(8 + int64(len(h)) + int64(dataLen)); err != nil {
		tb.Fatal(err)
	}
	return path
}

// TestHeaderParsersAgree checks that the three parsers of the benchmarks
// read the benchmarks' headers to the same tensors, so that they measure
// the same work.
func TestHeaderParsersAgree(t *testing.T) {
	for _, hd := range []func(int) ([]byte, uint64){llmHeader, manyHeader} {
		h, n := hd(300)
		want, err := parseHeader(h, n)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.tensors) != 300 || want.meta["format"] != "pt" {
			t.Fatalf("%d tensors, metadata %q; want 300 and format pt", len(want.tensors), want.meta)
		}
		for name, parse := range map[string]func([]byte, uint64) (*parsed, error){"decoder": parseDecoder, "unmarshal": parseUnmarshal} {
			got, err := parse(h, n)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if fmt.Sprint(got.tensors, got.meta) != fmt.Sprint(want.tensors, want.meta) {
				t.Fatalf("%s reads other tensors than the scanner", name)
			}
		}
	}
}

// BenchmarkOpenHeader: see the comment at the top of the file.
func BenchmarkOpenHeader(b *testing.B) {
	for _, c := range []struct {
		name string
		h    func() ([]byte, uint64)
	}{
		{"llm300", func() ([]byte, uint64) { return llmHeader(300) }},
		{"many100k", func() ([]byte, uint64) { return manyHeader(100_000) }},
	} {
		h, dataLen := c.h()
		b.Run(c.name+"/Open", func(b *testing.B) {
			path := writeSparse(b, h, dataLen)
			b.SetBytes(int64(len(h)))
			b.ReportAllocs()
			for b.Loop() {
				f, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
		for _, p := range []struct {
			name  string
			parse func([]byte, uint64) (*parsed, error)
		}{{"scanner", parseHeader}, {"decoder", parseDecoder}, {"unmarshal", parseUnmarshal}} {
			b.Run(c.name+"/"+p.name, func(b *testing.B) {
				b.SetBytes(int64(len(h)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := p.parse(h, dataLen); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
