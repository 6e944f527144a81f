/*
 * The mmu_gather (seed 4): how unmapping frees memory safely and cheaply.
 *
 * Once a page-table entry is cleared, other CPUs may still reach the page through their TLBs
 * until they flush. So the page may not be freed, or reused, until every CPU running the mm has
 * flushed. Flushing (an IPI round trip) for each page would cost more than the unmapping itself,
 * so the gather collects the pages of many cleared entries, and at the end, or when it is full,
 * does one flush for the whole range and only then frees them all:
 *
 *	struct mmu_gather tlb;
 *	tlb_gather_mmu(&tlb, mm);
 *	zap_page_range(&tlb, vma, start, end);   clears entries, tlb_remove_page() for each page
 *	free_pgtables(&tlb, ...);                 empty tables, tlb_remove_table()
 *	tlb_finish_mmu(&tlb);                     the last flush, then the last frees
 *
 * The gather lives on the caller's stack. It holds 8 pages in its own slots; past that it tries
 * to get a page for a batch of about 500 more, without sleeping (the caller may hold the
 * page-table lock), and when that fails it just flushes more often. When it is full the zap
 * drops the page-table lock, flushes and frees (tlb_flush_mmu), and takes the lock again:
 * nothing keeps preemption off for a whole unmap.
 *
 * Page-table pages are freed after an RCU grace period (tlb_remove_table): a lockless walker
 * (gup_fast, mm/gup_fast.h) reads tables with interrupts off inside rcu_read_lock(), and a
 * table unlinked while it walks stays readable until it is done.
 */
#ifndef MM_MMU_GATHER_H
#define MM_MMU_GATHER_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/x86_64/memlayout.h"

struct mm;
struct page;

#define MMU_GATHER_LOCAL 8
/* Pages in the page-sized batch: a page minus the batch's header. */
#define MMU_GATHER_BATCH ((PAGE_SIZE - 16) / sizeof(struct page *))

struct mmu_gather_batch {
	unsigned int nr;
	struct page *pages[MMU_GATHER_BATCH];
};
_Static_assert(sizeof(struct mmu_gather_batch) <= PAGE_SIZE, "a batch must fit in its page");

/* The variants the bench compares (mm/mmu_gather.c says what each does). */
enum tlb_mode { TLB_BATCHED, TLB_UNBATCHED, TLB_BROADCAST };
extern enum tlb_mode tlb_mode;

/*
 * Broken on purpose, for the self-check of `torture tlb` (mm/torture/tlb_torture.c): each takes out
 * the one step that keeps the invariant, so that the torture can show it catches the bug.
 *   TLB_BROKEN_FREE_BEFORE_FLUSH  frees the pages before the shootdown: another CPU's TLB
 *                                 still reaches them, and its writes land in freed pages;
 *   TLB_BROKEN_NO_TABLE_GRACE     frees page tables right after the flush, without the grace
 *                                 period: a lockless walker on a CPU the IPIs did not reach
 *                                 (one that does not run the mm) may still be inside one.
 * Only the gathers of one mm break (tlb_set_broken), and only while the quarantines of
 * mm/memory.h are open, so the freed memory is poisoned and kept, never reused.
 */
enum tlb_broken { TLB_NOT_BROKEN, TLB_BROKEN_FREE_BEFORE_FLUSH, TLB_BROKEN_NO_TABLE_GRACE };

struct mmu_gather {
	struct mm *mm;
	enum tlb_mode mode;
	bool fullmm;	     /* tearing down the whole mm: no CPU runs it, nothing to shoot down */
	uint64_t start, end; /* the range whose entries were cleared since the last flush */
	unsigned int nr_local;
	struct page *local[MMU_GATHER_LOCAL];
	struct mmu_gather_batch *batch; /* NULL until the local slots fill and a page is free */
	bool batch_failed;		/* the allocation failed: make do with the local slots */
	struct table_batch *tables;	/* page tables waiting for the next flush */
	enum tlb_broken broken;		/* TLB_NOT_BROKEN but in the torture's self-check */
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm);
/* From now on the gathers begun on mm break as how says (TLB_NOT_BROKEN, or mm NULL: none
   does). The caller keeps both quarantines of mm/memory.h open until it has set it back and
   no gather of mm is running any more. */
void tlb_set_broken(struct mm *mm, enum tlb_broken how);
/* For exit_mmap: the last user is gone, so no CPU runs the mm (its cpu_mask is empty) and no
   TLB holds its entries. The gather frees without any flush; the tables still wait for a grace
   period. */
void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm *mm);
/* Notes that the entries of [start, end) were cleared (widens the range to flush). */
static inline void tlb_note_range(struct mmu_gather *tlb, uint64_t start, uint64_t end)
{
	if (start < tlb->start)
		tlb->start = start;
	if (end > tlb->end)
		tlb->end = end;
}

bool __tlb_remove_page(struct mmu_gather *tlb, struct page *page);

/* Queues a page to free after the flush. Returns true when the gather is now full: the caller
   must drop its page-table lock and call tlb_flush_mmu() before it queues another. Inline for
   the common case, a batch page with room after this page; the zap calls it for every entry. */
static inline bool tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	struct mmu_gather_batch *b = tlb->batch;

	if (b && b->nr + 1 < MMU_GATHER_BATCH) {
		b->pages[b->nr++] = page;
		return false;
	}
	return __tlb_remove_page(tlb, page);
}
/* Queues a page-table page (already unlinked; it mapped addresses from va on) to free a grace
   period after the flush. */
void tlb_remove_table(struct mmu_gather *tlb, phys_addr_t table, uint64_t va);
/* Flushes the TLBs of the CPUs that run the mm, then frees what was queued. No spinlock held. */
void tlb_flush_mmu(struct mmu_gather *tlb);
/* Flushes the TLBs only, freeing nothing: the zap calls it with page_table_lock held when it
   cleared a writable entry of a shared file page (mm/memory.c says why). */
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

struct mmu_gather_stats {
	uint64_t gathers;	 /* tlb_gather_mmu calls */
	uint64_t fullmm;	 /* of them, whole-mm teardowns */
	uint64_t flushes;	 /* tlb_flush_mmu calls that flushed */
	uint64_t flushes_locked; /* of them, under page_table_lock (tlb_flush_mmu_tlbonly) */
	uint64_t pages_freed;
	uint64_t tables_freed; /* after their grace period, or at once (below) */
	uint64_t tables_now;  /* of them, freed at once after an IPI to every CPU: no table batch */
	uint64_t batch_pages; /* batch pages allocated */
	uint64_t batch_fails; /* batch allocations that failed (local slots only) */
};
struct mmu_gather_stats mmu_gather_stats(void);

#endif
