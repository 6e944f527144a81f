/*
 * The variants of the mmu_gather that the bench compares and the torture's self-check breaks
 * (mm/mmu_gather_variants.c). A gather becomes one when it begins (tlb_gather_mmu); the
 * mechanism then tests tlb->variant only where it decides a flush, in one unlikely branch.
 */
#ifndef MM_MMU_GATHER_VARIANTS_H
#define MM_MMU_GATHER_VARIANTS_H

#include <stdbool.h>
#include "mm/mmu_gather.h"

/*
 * How munmap flushes, for the bench (`vm mode`, `bench munmap`):
 *   TLB_BATCHED    the mechanism, Linux's gather since "mm: mmu_gather rework" (2.6.39): up to
 *                  8 + a page of pages per flush, IPIs only to the CPUs that run the mm;
 *   TLB_UNBATCHED  the gather is full after every page: one flush, one IPI round, per page;
 *   TLB_BROADCAST  batched, but every flush interrupts every online CPU, as flushes did
 *                  before x86 kept a mask of the CPUs that run an mm.
 */
enum tlb_mode { TLB_BATCHED, TLB_UNBATCHED, TLB_BROADCAST };
extern enum tlb_mode tlb_mode;

/*
 * Broken on purpose, for the self-check of `torture tlb` (mm/torture/tlb_torture.c): each takes
 * out the one step that keeps the invariant, so that the torture can show it catches the bug.
 *   TLB_BROKEN_FREE_BEFORE_FLUSH  frees the pages before the shootdown: another CPU's TLB
 *                                 still reaches them, and its writes land in freed pages;
 *   TLB_BROKEN_NO_TABLE_GRACE     frees page tables right after the flush, without the grace
 *                                 period: a lockless walker on a CPU the IPIs did not reach
 *                                 (one that does not run the mm) may still be inside one.
 * Only the gathers of one mm break (tlb_set_broken), and only while the quarantines of
 * mm/torture/free_quarantine.h are open, so the freed memory is poisoned and kept, never reused.
 */
enum tlb_broken { TLB_NOT_BROKEN, TLB_BROKEN_FREE_BEFORE_FLUSH, TLB_BROKEN_NO_TABLE_GRACE };

void tlb_set_broken(struct mm *mm, enum tlb_broken how);

/* Called by the mechanism (mm/mmu_gather.c) only, each from its one unlikely branch. */
bool tlb_variant_wanted(struct mm *mm);
void tlb_gather_variant(struct mmu_gather *tlb);
void tlb_flush_range_variant(struct mmu_gather *tlb);
void tlb_free_before_flush_variant(struct mmu_gather *tlb);
bool tlb_table_flush_variant(struct mmu_gather *tlb);

/* mm/mmu_gather.c's own steps, which the variants reorder. */
void tlb_batch_pages_flush(struct mmu_gather *tlb);
void tlb_table_free(struct mmu_gather *tlb);

#endif
