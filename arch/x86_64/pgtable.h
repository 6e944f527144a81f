/*
 * The x86_64 page-table format (4-level paging, Intel SDM vol. 3, 4.5). A virtual address is
 * split into four 9-bit indexes and a 12-bit offset:
 *
 *	 47      39 38      30 29      21 20      12 11         0
 *	| PML4 idx | PDPT idx |  PD idx  |  PT idx  | page offset |
 *	  level 4    level 3    level 2    level 1
 *
 * Each table is one 4 KiB page of 512 8-byte entries. An entry holds the physical address of
 * the next table (or of the page itself) in bits 12..51 and permission bits around it. With PS
 * set, a level-2 entry maps a 2 MiB page directly (a level-3 one would map 1 GiB). The
 * effective permission of a mapping is the most restrictive one along the walk: writable only
 * if W is set at every level, executable only if NX is clear at every level (EFER.NXE on).
 * Bits 47..63 of a virtual address must all equal bit 47 ("canonical"), or the access faults.
 */
#ifndef ARCH_X86_64_PGTABLE_H
#define ARCH_X86_64_PGTABLE_H

#include <stdint.h>
#include <stdbool.h>

typedef uint64_t pte_t;

#define PTE_P	(1UL << 0)  /* present: the entry is used at all */
#define PTE_W	(1UL << 1)  /* writable (also for the kernel, as CR0.WP is set) */
#define PTE_U	(1UL << 2)  /* user mode may access */
#define PTE_PWT (1UL << 3)  /* write-through caching */
#define PTE_PCD (1UL << 4)  /* cache disabled (device memory) */
#define PTE_A	(1UL << 5)  /* accessed: set by the CPU on any access */
#define PTE_D	(1UL << 6)  /* dirty: set by the CPU on a write (leaf entries only) */
#define PTE_PS	(1UL << 7)  /* page size: this level-2/3 entry maps a large page */
#define PTE_G	(1UL << 8)  /* global: kept in the TLB across CR3 loads (CR4.PGE) */
#define PTE_NX	(1UL << 63) /* no execute */
/* Bits 9..11 are the software's. With PTE_P clear the CPU ignores every other bit, so a
   hidden page keeps its address: mprotect(PROT_NONE) leaves it there (mm/fault.c). */
#define PTE_PROTNONE (1UL << 9)

#define PTE_ADDR_MASK 0x000ffffffffff000UL /* bits 12..51: physical address */

#define PT_ENTRIES   512
#define PT_LEVELS    4
#define PAGE_SIZE_2M (1UL << 21)
#define PAGE_SIZE_1G (1UL << 30)

/* Bit position of the index for a level (1 = PT ... 4 = PML4). */
static inline unsigned int pt_shift(int level)
{
	return 12 + 9 * (level - 1);
}

static inline unsigned int pt_index(uint64_t va, int level)
{
	return (va >> pt_shift(level)) & (PT_ENTRIES - 1);
}

#define PML4_INDEX(va) pt_index(va, 4)
#define PDPT_INDEX(va) pt_index(va, 3)
#define PD_INDEX(va)   pt_index(va, 2)
#define PT_INDEX(va)   pt_index(va, 1)

/* Bytes one entry at this level covers: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static inline uint64_t pt_level_size(int level)
{
	return 1UL << pt_shift(level);
}

static inline uint64_t pte_addr(pte_t e)
{
	return e & PTE_ADDR_MASK;
}

static inline uint64_t pte_flags(pte_t e)
{
	return e & ~PTE_ADDR_MASK;
}

static inline bool pte_present(pte_t e)
{
	return e & PTE_P;
}

/* Bits 48..63 copy bit 47. */
static inline bool va_is_canonical(uint64_t va)
{
	return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

#endif
