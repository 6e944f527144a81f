/*
 * Physical memory as the boot loader reported it, and the boot-time ("early") allocator that
 * serves memory before the page allocator exists.
 *
 * memmap_init() reads the multiboot2 memory map and keeps two range sets:
 *   memmap_present - the ranges the loader listed, rounded out to pages: RAM, ACPI tables and
 *                    firmware areas below 4 GiB; not bad RAM, nor reserved address-space holes
 *                    above 4 GiB. The direct map covers these;
 *   memmap_free    - available RAM rounded in to pages, minus the first 1 MiB (real-mode
 *                    structures, BIOS data), the kernel image, the multiboot2 information and
 *                    the boot modules (the initramfs);
 *   memmap_modules - the free RAM the boot modules cover: memmap_free_modules gives it to the
 *                    page allocator once the modules have been read.
 * early_alloc() carves pages from the front of memmap_free; page_alloc_init() then gives what
 * is left of memmap_free to the buddy allocator and closes the early allocator.
 */
#ifndef MM_MEMMAP_H
#define MM_MEMMAP_H

#include <stdint.h>
#include <stddef.h>
#include "arch/x86_64/memlayout.h"
#include "mm/range.h"

/* The early allocator only hands out memory the boot page tables' direct map reaches. */
#define EARLY_ALLOC_LIMIT (4UL << 30)

extern struct range_set memmap_present;
extern struct range_set memmap_free;
extern struct range_set memmap_modules;
extern uint64_t memmap_ram_bytes;  /* available RAM the loader reported */
extern uint64_t memmap_end_pfn;	   /* one past the last frame of available RAM */
extern uint64_t early_alloc_pages; /* pages early_alloc has handed out */

/* Reads boot_info's memory map, prints it and fills the sets above. */
void memmap_init(void);

/*
 * npages contiguous, page-aligned pages below EARLY_ALLOC_LIMIT, not zeroed, taken for good
 * (they stay PG_reserved). Returns the physical address, or 0 when no range has room.
 */
phys_addr_t early_alloc(size_t npages);

/* After this, early_alloc panics: the page allocator owns memmap_free. */
void early_alloc_close(void);

/* Frees memmap_modules' pages to the page allocator (once); the number of pages freed. */
uint64_t memmap_free_modules(void);

/* The kernel image's physical extent, .boot sections included. */
phys_addr_t kernel_image_start(void);
phys_addr_t kernel_image_end(void);

#endif
