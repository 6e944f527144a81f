/*
 * The physical page allocator: blocks of 2^order contiguous frames (order 0..MAX_ORDER), from
 * the buddy core in mm/buddy.c, with a struct page for every frame in mem_map.
 *
 *	struct page *p = alloc_pages(2);	4 contiguous pages, or NULL
 *	void *va = page_address(p);		where the kernel reaches them (the direct map)
 *	free_pages(p, 2);			with the same order
 *
 * Running out of memory returns NULL; it never panics. Freeing a block twice, with the wrong
 * order, or while it still carries flags is a kernel bug and panics.
 *
 * Single pages come from a short list each CPU keeps (PG_pcp), refilled from and drained to the
 * buddy in batches; nr_free_pages counts them, nr_free_blocks (the buddy's lists) does not.
 *
 * Locking: callable on any CPU, with interrupts on or off, in an interrupt handler too. The
 * locks in page_alloc.c (zone_lock and one per CPU list, taken with interrupts off) are the
 * innermost; the counters and nr_free_* read without them are snapshots.
 */
#ifndef MM_PAGE_ALLOC_H
#define MM_PAGE_ALLOC_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/memlayout.h"

/* The largest block is 2^MAX_ORDER pages (4 MiB). mm/buddy.h takes it from here. */
#define MAX_ORDER 10

/* Its fields are mm's business (mm/page.h); elsewhere a struct page is a handle. */
struct page;

extern struct page *mem_map; /* mem_map[pfn] describes frame pfn */
extern uint64_t max_pfn;     /* frames described: 0 .. max_pfn - 1 */

struct page_alloc_stats {
	uint64_t managed_pages; /* pages given to the allocator at boot */
	uint64_t allocs;	/* blocks of 2 pages or more allocated (page_alloc_counts: all) */
	uint64_t frees;		/* blocks of 2 pages or more freed */
	uint64_t failures;	/* allocations that returned NULL, injected ones included */
};
extern struct page_alloc_stats page_alloc_stats;

/* Sums over the CPUs' lists of single pages too: snapshots, read without locks. */
struct page_alloc_counts {
	uint64_t allocs, frees;	  /* blocks of every size, single pages included */
	uint64_t pcp_pages;	  /* free pages waiting on the CPUs' lists */
	uint64_t pcp_refills;	  /* a list took PCP_BATCH pages from the buddy */
	uint64_t pcp_drains;	  /* a list gave pages back (too long, or drain_all_pages) */
};
struct page_alloc_counts page_alloc_counts(void);

/* Builds mem_map and gives all free RAM to the buddy allocator. Needs the kernel page tables. */
void page_alloc_init(void);
bool page_alloc_ready(void);
/* Frees frames reserved at boot (mm/memmap.c's modules) for good; the number freed. */
uint64_t free_reserved_pages(uint64_t start_pfn, uint64_t end_pfn);

struct page *alloc_pages(unsigned int order);
struct page *alloc_page(void);
struct page *alloc_page_zeroed(void);
/* alloc_pages without fault injection: for allocators built on this one (slab, kmalloc). */
struct page *__alloc_pages(unsigned int order);
void free_pages(struct page *page, unsigned int order);
void free_page(struct page *page);
/* Frees n single pages onto this CPU's list at once (the mmu_gather's batches). */
void free_pages_bulk(struct page **pages, unsigned int n);
/* Gives every CPU's list of free single pages back to the buddy (tests compare its lists). */
void drain_all_pages(void);

uint64_t nr_free_pages(void);
uint64_t nr_free_blocks(unsigned int order); /* free blocks of exactly this order */
/* Checks the free lists (mm/buddy.h: buddy_check); 0 or -EUCLEAN. Walks every free block. */
int page_alloc_check(void);

void clear_page(void *va);

/*
 * Between a struct page, its frame number, its physical address and its direct-map address.
 * Inline, as in Linux: every fault and every unmapped page goes through them, and under TCG a
 * call into another page of code costs more than the arithmetic. struct page stays opaque
 * here (the layering rule for this header), so the arithmetic uses its size, which mm/page.h
 * checks against STRUCT_PAGE_SIZE at compile time.
 */
#define STRUCT_PAGE_SIZE 48

static inline struct page *pfn_to_page(uint64_t pfn)
{
	return (struct page *)((char *)mem_map + pfn * STRUCT_PAGE_SIZE);
}

static inline uint64_t page_to_pfn(const struct page *page)
{
	return (uint64_t)((const char *)page - (const char *)mem_map) / STRUCT_PAGE_SIZE;
}

static inline bool pfn_valid(uint64_t pfn)
{
	return pfn < max_pfn;
}

static inline phys_addr_t page_to_phys(const struct page *page)
{
	return page_to_pfn(page) << PAGE_SHIFT;
}

static inline struct page *phys_to_page(phys_addr_t pa)
{
	return pfn_to_page(pa >> PAGE_SHIFT);
}

static inline void *page_address(const struct page *page)
{
	return phys_to_virt(page_to_phys(page));
}

/* For direct-map and kernel-image addresses. */
static inline struct page *virt_to_page(const void *va)
{
	return phys_to_page(virt_to_phys(va));
}

#endif
