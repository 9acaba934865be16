module github.com/gomemmap/memmap/bench

go 1.24.0

require (
	github.com/edsrzf/mmap-go v1.2.0
	github.com/gomemmap/memmap v0.0.0
	golang.org/x/exp v0.0.0-20260209203927-2842357ff358
)

require golang.org/x/sys v0.41.0 // indirect

replace github.com/gomemmap/memmap => ../
