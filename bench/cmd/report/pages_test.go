package main

import (
	"strings"
	"testing"
)

func TestPageInfoRoundTrip(t *testing.T) {
	p := pageInfo{Faults: 5805, SizeKB: 1048580, PmdKB: 598016}
	got, ok := parsePageInfo(p.String())
	if !ok || got != p {
		t.Fatalf("parsePageInfo(%q) = %+v, %v; want %+v", p.String(), got, ok, p)
	}
	if _, ok := parsePageInfo("5805 x"); ok {
		t.Error("parsePageInfo accepted a malformed line")
	}
}

func TestMetric(t *testing.T) {
	for x, want := range map[float64]string{
		30920:   "30920",
		15:      "15",
		0:       "0",
		64.6:    "64.6",
		55.6612: "55.66",
		12345.6: "12346",
	} {
		if got := metric(x); got != want {
			t.Errorf("metric(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestPageSentence(t *testing.T) {
	r := &results{pages: map[string]pageInfo{
		"huge":  {Faults: 512, SizeKB: 1 << 20, PmdKB: 1 << 20},
		"small": {Faults: 16, SizeKB: 4096, PmdKB: 0},
	}}
	if s := pageSentence(r, "huge"); !strings.Contains(s, "2 MiB folios") || !strings.Contains(s, "512 minor faults") {
		t.Errorf("PMD-mapped file: %q", s)
	}
	if s := pageSentence(r, "small"); !strings.Contains(s, "fault-around") || !strings.Contains(s, "(1024 pages)") {
		t.Errorf("4 KiB-mapped file: %q", s)
	}
	if s := pageSentence(r, "absent"); !strings.Contains(s, "did not measure") {
		t.Errorf("unmeasured file: %q", s)
	}
}
