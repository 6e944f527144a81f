/*
 * The buddy allocator's core: free blocks of 2^order frames, one free list per order, splitting
 * on allocation and merging on free. It works on an array of struct page and frame numbers only
 * (no locks, no counters beyond the free ones, no kernel calls), so tests/host/test_buddy.c
 * builds it for Linux and checks it there. mm/page_alloc.c wraps it for the kernel.
 *
 * A block of order k starts at a frame number that is a multiple of 2^k. Its buddy is the other
 * half of the block of order k+1 that contains it: frame number pfn ^ 2^k. Only the first page
 * of a free block (its head) carries PG_buddy and the order; the other pages are plain.
 */
#ifndef MM_BUDDY_H
#define MM_BUDDY_H

#include <stdint.h>
#include "lib/list.h"
#include "mm/page.h"
#include "mm/page_alloc.h" /* MAX_ORDER (nothing in it needs the kernel to build) */

struct buddy_zone {
	struct page *pages; /* pages[pfn] describes frame pfn */
	uint64_t nr_pages;  /* frames the array covers */
	struct list_head free_list[MAX_ORDER + 1];
	uint64_t nr_free[MAX_ORDER + 1]; /* blocks on each free list */
	uint64_t free_pages;		 /* pages in all free blocks */
};

/* An empty zone over pages[0..nr_pages). The pages themselves are not touched. */
void buddy_init(struct buddy_zone *z, struct page *pages, uint64_t nr_pages);

/*
 * Gives frames [start_pfn, end_pfn) to the zone as the largest aligned blocks that fit. Their
 * struct pages must be clear of flags (not reserved, not free yet).
 */
void buddy_free_range(struct buddy_zone *z, uint64_t start_pfn, uint64_t end_pfn);

/* Removes a block of 2^order pages from the free lists; NULL when there is none that big. */
struct page *buddy_alloc(struct buddy_zone *z, unsigned int order);

/*
 * Returns a block to the free lists, merged with its buddies as far as they are free. -EINVAL
 * (and nothing changed) for an order above MAX_ORDER, a misaligned or out-of-range block, a
 * reserved page, or a block that is already free.
 */
int buddy_free(struct buddy_zone *z, struct page *page, unsigned int order);

/*
 * Checks the zone's invariants: every listed block is free, aligned, in range and on the list
 * of its order; the counters match the lists; no two free buddies of the same order were left
 * unmerged. Returns 0, or -EUCLEAN at the first broken one. Walks every free block: for tests.
 */
int buddy_check(const struct buddy_zone *z);

static inline uint64_t buddy_pfn(const struct buddy_zone *z, const struct page *page)
{
	return (uint64_t)(page - z->pages);
}

#endif
