/*
 * Walking and changing 4-level page tables (the entry format is in arch/x86_64/pgtable.h).
 * Tables are reached through the direct map; missing ones are allocated from the page
 * allocator (from the early allocator during boot) and carry PG_pgtable.
 *
 *	map_page(kernel_pml4, va, page_to_phys(p), PTE_W | PTE_NX | PTE_G);
 *	pgtable_translate(kernel_pml4, va, &pa, &flags);
 *	unmap_page(kernel_pml4, va);
 *
 * These change only the tables and this CPU's TLB (invlpg). Callers own the frames they map,
 * and the tables are not freed when they empty. Kernel-half PML4 entries are all created at
 * boot (mm/kernel_map.c), so changes below them are seen through every address space.
 *
 * Any CPU may call these at any time: changes take a spinlock inside (mm/pgtable.c), and
 * pgtable_translate reads without one. A caller that writes an entry pgtable_walk returned
 * does so outside that lock and must keep its own writes to that entry from racing.
 */
#ifndef MM_PGTABLE_H
#define MM_PGTABLE_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/pgtable.h"
#include "arch/x86_64/memlayout.h"
#include "lib/atomic.h"

/* The kernel's PML4 (a direct-map address) and its physical address, for CR3. */
extern pte_t *kernel_pml4;
extern phys_addr_t kernel_pml4_phys;

/* Page-table pages in use, the kernel's boot-time ones included. */
extern atomic64_t pgtable_pages;

/*
 * A zeroed page for a page table (any level): from the page allocator, marked PG_pgtable, or
 * from the early allocator during boot. Returns its physical address, or 0 when out of memory.
 */
phys_addr_t pgtable_alloc(void);
/* Frees a table pgtable_alloc returned after boot. The caller has unlinked and flushed it. */
void pgtable_free(phys_addr_t pa);

/*
 * Finds the entry for va at the given level (1 = PT entry of a 4 KiB page, 2 = PD entry of a
 * 2 MiB page), creating the tables above it if alloc is set. Returns 0 and sets *entry, or
 * -ENOENT (a table is missing and alloc is not set), -ENOMEM (no page for a table), -EEXIST (a
 * large page above that level maps va already), -EINVAL (va not canonical, bad level).
 * Tables are added under the lock; the entry stays valid after it is dropped, since kernel
 * tables are never freed.
 */
int pgtable_walk(pte_t *pml4, uint64_t va, int level, bool alloc, pte_t **entry);

/*
 * Maps the 4 KiB page at va to pa with flags (PTE_W, PTE_U, PTE_NX, PTE_G, PTE_PCD...; PTE_P is
 * added). 0, -EINVAL (unaligned or non-canonical), -EEXIST (va is mapped), -ENOMEM.
 */
int map_page(pte_t *pml4, uint64_t va, phys_addr_t pa, uint64_t flags);

/* As map_page for a 2 MiB page: va and pa 2 MiB aligned, no 4 KiB table in the way. */
int map_page_2m(pte_t *pml4, uint64_t va, phys_addr_t pa, uint64_t flags);

/* Removes the 4 KiB mapping at va and flushes it from this CPU's TLB. 0 or -ENOENT. */
int unmap_page(pte_t *pml4, uint64_t va);

/*
 * The physical address va maps to and the leaf entry's flags (PTE_PS set for a large page), or
 * false when va is not mapped.
 */
bool pgtable_translate(pte_t *pml4, uint64_t va, phys_addr_t *pa, uint64_t *flags);

#endif
