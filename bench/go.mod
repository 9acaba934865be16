module github.com/gomemmap/memmap/bench

go 1.25.0

require (
	github.com/edsrzf/mmap-go v1.2.0
	github.com/gomemmap/memmap v0.0.0
	github.com/nlpodyssey/safetensors v0.0.0-20250209183917-bfb01cc25f7c
	golang.org/x/exp v0.0.0-20260209203927-2842357ff358
	golang.org/x/sys v0.45.0
)

require go.etcd.io/bbolt v1.5.0

replace github.com/gomemmap/memmap => ../
