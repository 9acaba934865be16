package main

import "testing"

func TestParseSize(t *testing.T) {
	for s, want := range map[string]int64{"4GiB": 4 << 30, "256MiB": 256 << 20, "16KiB": 16 << 10, "1000": 1000} {
		if got, err := ParseSize(s); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "GiB", "-1GiB", "0", "4GB", "1.5GiB"} {
		if got, err := ParseSize(s); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", s, got)
		}
	}
}
