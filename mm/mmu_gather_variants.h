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
 * How munmap flushes, for the bench (`vm mode`, `bench munmap`, `bench unmap_latency`):
 *   TLB_BATCHED    the mechanism as Linux has it today: on the caller's stack, 8 pages and up to
 *                  MAX_GATHER_BATCH_COUNT chained batch pages (about 10000 pages) per flush,
 *                  the flush out of page_table_lock, IPIs only to the CPUs that run the mm;
 *   TLB_UNBATCHED  the gather is full after every page: one flush, one IPI round, per page;
 *   TLB_BROADCAST  batched, but every flush interrupts every online CPU, as flushes did
 *                  before x86 kept a mask of the CPUs that run an mm;
 *   TLB_REWORK     the gather of "mm: mmu_gather rework" itself (2.6.39): at most one batch
 *                  page, so a flush per 8 + 509 pages;
 *   TLB_LEGACY     the gather that patch replaced (2.6.38): one per CPU, of FREE_PTE_NR (506)
 *                  pages, preemption off while it zaps a VMA, and the flush (IPIs, waits, the
 *                  frees) done from inside the page-table walk with page_table_lock held.
 */
enum tlb_mode { TLB_BATCHED, TLB_UNBATCHED, TLB_BROADCAST, TLB_REWORK, TLB_LEGACY, NR_TLB_MODES };
extern const char *const tlb_mode_names[NR_TLB_MODES];
/* The pages of the per-CPU gather of 2.6.38 (its FREE_PTE_NR). */
#define FREE_PTE_NR 506
extern enum tlb_mode tlb_mode;

/*
 * Broken on purpose, for the self-check of `torture tlb` (mm/torture/tlb_torture.c): each takes
 * out the one step that keeps the invariant, so that the torture can show it catches the bug.
 *   TLB_BROKEN_FREE_BEFORE_FLUSH  frees the pages before the shootdown: another CPU's TLB
 *                                 still reaches them, and its writes land in freed pages;
 *   TLB_BROKEN_NO_TABLE_GRACE     frees page tables right after the flush, without the grace
 *                                 period: a lockless walker on a CPU the IPIs did not reach
 *                                 (one that does not run the mm) may still be inside one.
 *   TLB_BROKEN_LAZY_MISSED_FLUSH  a lazy CPU back in its mm does not flush what the
 *                                 shootdowns skipped (mm/tlb.h): its writes land in pages
 *                                 freed meanwhile. This one breaks every mm while it is on.
 * Only the gathers of one mm break (tlb_set_broken), and only while the quarantines of
 * mm/torture/free_quarantine.h are open, so the freed memory is poisoned and kept, never reused.
 */
enum tlb_broken {
	TLB_NOT_BROKEN,
	TLB_BROKEN_FREE_BEFORE_FLUSH,
	TLB_BROKEN_NO_TABLE_GRACE,
	TLB_BROKEN_LAZY_MISSED_FLUSH,
};

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
