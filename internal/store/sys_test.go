package store

import "github.com/gomemmap/memmap/internal/sys"

func sys_TruncateMapped() bool { return sys.TruncateMapped }

func sys_WriteCoherent() bool { return sys.WriteCoherent }
