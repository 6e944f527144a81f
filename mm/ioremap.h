/*
 * Device memory (MMIO registers: the local and I/O APICs, later PCI BARs) mapped into the kernel.
 * A header of its own so that kernel/ can map the APICs without seeing the rest of mm/
 * (docs/layers.md, exception 2).
 */
#ifndef MM_IOREMAP_H
#define MM_IOREMAP_H

#include <stddef.h>
#include "arch/x86_64/memlayout.h"

/*
 * Maps device memory (uncached) at its direct-map address and returns that address, or NULL
 * for -ENOMEM. Parts the direct map already covers with a 2 MiB page keep that mapping.
 */
void *ioremap(phys_addr_t pa, size_t size);

#endif
