/*
 * The mmu_gather ("mm: mmu_gather rework", Linux 2.6.39): how unmapping frees memory safely and
 * cheaply.
 *
 * Once a page-table entry is cleared, other CPUs may still reach the page through their TLBs
 * until they flush. So the page may not be freed, or reused, until every CPU running the mm has
 * flushed. Flushing (an IPI round trip) for each page would cost more than the unmapping itself,
 * so the gather collects the pages of many cleared entries, and at the end, or when it is full,
 * does one flush for the whole range and only then frees them all:
 *
 *	struct mmu_gather tlb;
 *	tlb_gather_mmu(&tlb, mm);
 *	zap_page_range(&tlb, vma, start, end);   clears entries, __tlb_remove_page() for each page
 *	free_pgtables(&tlb, ...);                 empty tables, tlb_remove_table()
 *	tlb_finish_mmu(&tlb);                     the last flush, then the last frees
 *
 * The gather lives on the caller's stack. It holds 8 pages in its own slots; past that it tries
 * to get a page for a batch of about 500 more, and chains such batches up to about 10000 pages,
 * as Linux does today; each allocation is tried without sleeping (the caller may hold the
 * page-table lock), and when one fails the gather flushes more often and tries again when the
 * next batch fills. When it is full the zap drops the page-table lock, flushes and frees
 * (tlb_flush_mmu), and takes the lock again: no flush waits for IPIs under page_table_lock
 * (but for the dirty shared pages of mm/memory.c), and nothing keeps preemption off for a whole
 * unmap. The zap also drops the lock at the end of every page table, as Linux's per-table lock
 * does, so a lock is held for at most one table's 512 entries.
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
#include "lib/list.h"

struct mm;
struct page;

/* Pages the gather holds in its own slots, on the caller's stack (Linux: MMU_GATHER_BUNDLE). */
#define MMU_GATHER_LOCAL 8

/*
 * A batch of pages to free after the next flush: the gather's own slots, or a page of its own
 * (the header, then the pointers). pages points at the slots that follow.
 */
struct mmu_gather_batch {
	struct mmu_gather_batch *next;
	unsigned int nr, max;
	struct page **pages;
};
/* Pages in a page-sized batch: a page minus the batch's header. */
#define MMU_GATHER_BATCH ((PAGE_SIZE - sizeof(struct mmu_gather_batch)) / sizeof(struct page *))
/* Page-sized batches a gather may chain after its own slots: about 10000 pages between two
   flushes, Linux's bound on the pages one flush frees (MAX_GATHER_BATCH_COUNT). */
#define MAX_GATHER_BATCH_COUNT (10000 / MMU_GATHER_BATCH)

struct mmu_gather {
	struct mm *mm;
	bool fullmm;	     /* tearing down the whole mm: no CPU runs it, nothing to shoot down */
	uint64_t start, end; /* the range whose entries were cleared since the last flush */
	struct mmu_gather_batch *active; /* the batch that takes the next page */
	struct mmu_gather_batch local;	 /* its own slots, the first batch */
	struct page *local_pages[MMU_GATHER_LOCAL];
	unsigned int batch_count;     /* page-sized batches chained after local */
	unsigned int batch_max;	      /* how many it may chain: MAX_GATHER_BATCH_COUNT */
	struct table_batch *tables;   /* page tables waiting for the next flush, chained */
	struct list_head sync_tables; /* tables with no batch: freed at the flush, after an IPI */
	/* The bench's and the torture's variants (mm/mmu_gather_variants.h): false, 0, 0 in normal
	   runs. */
	bool variant;
	unsigned char mode, broken; /* enum tlb_mode, enum tlb_broken */
};

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm);

/* Page tables wait for the next flush: lazy CPUs must get it too (mm/tlb.h). */
static inline bool tlb_freed_tables(const struct mmu_gather *tlb)
{
	return tlb->tables || !list_empty(&tlb->sync_tables);
}
void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm *mm);

/* Notes that the entries of [start, end) were cleared (widens the range to flush). */
static inline void tlb_note_range(struct mmu_gather *tlb, uint64_t start, uint64_t end)
{
	if (start < tlb->start)
		tlb->start = start;
	if (end > tlb->end)
		tlb->end = end;
}

bool tlb_next_batch(struct mmu_gather *tlb);

/* mm/mmu_gather_variants.c: the "before" keeps its pages per CPU while it zaps one VMA. */
void tlb_start_vma_variant(struct mmu_gather *tlb);
void tlb_end_vma_variant(struct mmu_gather *tlb);
bool tlb_flush_in_walk_variant(struct mmu_gather *tlb);

/* The zap of one VMA begins and ends (Linux's tlb_start_vma/tlb_end_vma, which some
   architectures flush in). Nothing to do but for the "before" variant. */
static inline void tlb_start_vma(struct mmu_gather *tlb)
{
	if (unlikely(tlb->variant))
		tlb_start_vma_variant(tlb);
}

static inline void tlb_end_vma(struct mmu_gather *tlb)
{
	if (unlikely(tlb->variant))
		tlb_end_vma_variant(tlb);
}

/* Queues a page to free after the flush; true when the gather is full (mm/mmu_gather.c).
   Inline: the zap calls it for every entry it clears. */
static inline bool __tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	struct mmu_gather_batch *batch = tlb->active;

	batch->pages[batch->nr++] = page;
	if (batch->nr == batch->max && !tlb_next_batch(tlb))
		return true;
	return false;
}

void tlb_remove_table(struct mmu_gather *tlb, phys_addr_t table, uint64_t va);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);

struct mmu_gather_stats {
	uint64_t gathers;	 /* tlb_gather_mmu calls */
	uint64_t fullmm;	 /* of them, whole-mm teardowns */
	uint64_t flushes;	 /* flushes of a cleared range (0 in a whole-mm teardown) */
	uint64_t flushes_locked; /* of them, with the mm's page_table_lock held by the flusher */
	uint64_t flushes_dirty;	 /* of those, for a writable shared file entry (tlbonly) */
	uint64_t pages_freed;
	uint64_t tables_freed; /* after their grace period, or at once (below) */
	uint64_t tables_sync; /* of them, freed at once after an IPI to every CPU: no table batch */
	uint64_t batch_pages; /* batch pages allocated */
	uint64_t batch_fails; /* batch allocations that failed (local slots only) */
};
struct mmu_gather_stats mmu_gather_stats(void);

#endif
