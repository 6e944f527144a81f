/*
 * The kernel's own page tables, built once at boot to replace the boot code's:
 *
 *	PML4[256]  direct map: every range of the memory map at DIRECT_MAP_BASE + physical
 *		   address, 2 MiB pages where alignment allows, writable, NX, global
 *	PML4[402]  vmap area (mm/vmap.h): kernel stacks with unmapped guard pages
 *	PML4[511]  kernel image at KERNEL_VMA, 4 KiB pages: text RX, rodata R+NX,
 *		   data and bss RW+NX; boot_stack_guard left unmapped
 *	PML4[0..255] empty: no identity map, so address 0 and the whole user half fault
 *
 * These three kernel-half PML4 entries are created here and never change afterwards; only the
 * tables below them do. A per-process PML4 copies entries 256..511 and so sees every later
 * kernel mapping without further work.
 */
#ifndef MM_KERNEL_MAP_H
#define MM_KERNEL_MAP_H

#include <stddef.h>
#include "mm/pgtable.h"

/* Builds the tables from early allocations, loads CR3 and turns on global pages. */
void kernel_map_init(void);


#endif
