/*
 * The mmu_gather (mm/mmu_gather.h). Three modes, for the bench (tlb_mode):
 *   TLB_BATCHED    the seed: up to 8 + a page of pages per flush, IPIs only to the mm's CPUs;
 *   TLB_UNBATCHED  the gather is full after every page: one flush (and IPI round) per page;
 *   TLB_BROADCAST  batched, but every flush interrupts every online CPU.
 * Beside them, the two broken variants of the torture's self-check (enum tlb_broken), each a
 * branch on the gather's own copy of the switch, taken once per flush, not per page.
 */
#include "mm/mmu_gather.h"
#include "mm/memory.h"
#include "mm/tlb.h"
#include "mm/mm.h"
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "kernel/panic.h"
#include "kernel/delay_point.h"
#include "lib/atomic.h"
#include "lib/string.h"

enum tlb_mode tlb_mode = TLB_BATCHED;

/* The mm whose gathers break, and how (tlb_set_broken). The torture sets it before its threads
   start and sets it back after they are joined, so a gather reads a settled pair. */
static struct {
	struct mm *mm;
	enum tlb_broken how;
} broken;

DEFINE_DELAY_POINT(dp_tlb_before_flush, "tlb-before-flush",
		   "the mmu_gather's flush, before its IPIs: other CPUs' TLBs still hold the "
		   "cleared entries");

struct table_batch {
	struct rcu_head rcu;
	unsigned int nr;
	phys_addr_t tables[];
};
#define TABLE_BATCH_MAX ((PAGE_SIZE - sizeof(struct table_batch)) / sizeof(phys_addr_t))

static atomic64_t n_gathers, n_fullmm, n_flushes, n_flushes_locked, n_pages_freed, n_tables_freed,
	n_tables_now, n_batch_pages, n_batch_fails;

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm)
{
	memset(tlb, 0, sizeof(*tlb));
	tlb->mm = mm;
	tlb->mode = READ_ONCE(tlb_mode);
	if (unlikely(READ_ONCE(broken.mm) == mm))
		tlb->broken = READ_ONCE(broken.how);
	tlb->start = UINT64_MAX;
	atomic64_add_return(1, &n_gathers);
}

/*
 * Breaks the gathers begun on mm from now on, as how says (mm/mmu_gather.h). Only the
 * torture's self-check calls it, with both quarantines of mm/memory.h open.
 */
void tlb_set_broken(struct mm *mm, enum tlb_broken how)
{
	WRITE_ONCE(broken.how, how);
	WRITE_ONCE(broken.mm, how == TLB_NOT_BROKEN ? NULL : mm);
}

void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm *mm)
{
	tlb_gather_mmu(tlb, mm);
	tlb->fullmm = true;
	atomic64_add_return(1, &n_fullmm);
}

/* Room for one more page? Gets the batch page the first time the local slots are full. */
static bool has_room(struct mmu_gather *tlb)
{
	struct page *p;

	if (tlb->mode == TLB_UNBATCHED)
		return tlb->nr_local == 0;
	if (tlb->nr_local < MMU_GATHER_LOCAL)
		return true;
	if (!tlb->batch && !tlb->batch_failed) {
		p = alloc_page(); /* never sleeps: the caller holds page_table_lock */
		if (p) {
			tlb->batch = page_address(p);
			tlb->batch->nr = 0;
			atomic64_add_return(1, &n_batch_pages);
		} else {
			tlb->batch_failed = true; /* flush after 8 pages instead */
			atomic64_add_return(1, &n_batch_fails);
		}
	}
	return tlb->batch && tlb->batch->nr < MMU_GATHER_BATCH;
}

/* The local slots first, then the batch page (tlb_remove_page fills that inline). */
bool __tlb_remove_page(struct mmu_gather *tlb, struct page *page)
{
	if (tlb->nr_local < MMU_GATHER_LOCAL && (tlb->mode != TLB_UNBATCHED || !tlb->nr_local))
		tlb->local[tlb->nr_local++] = page;
	else
		tlb->batch->pages[tlb->batch->nr++] = page; /* has_room said so last time */
	return !has_room(tlb);
}

static void free_tables_rcu(struct rcu_head *head)
{
	struct table_batch *b = container_of(head, struct table_batch, rcu);

	for (unsigned int i = 0; i < b->nr; i++)
		free_user_pgtable(b->tables[i]);
	atomic64_add_return(b->nr, &n_tables_freed);
	free_page(virt_to_page(b));
}

static void flush_tlb(struct mmu_gather *tlb)
{
	if (tlb->fullmm) {
		if (cpumask_weight(&tlb->mm->cpu_mask))
			panic("mmu_gather: %s is torn down while CPUs still run it", tlb->mm->name);
		tlb->start = UINT64_MAX;
		tlb->end = 0;
		return;
	}
	if (tlb->start >= tlb->end)
		return;
	/* The entries are cleared, but until the IPIs are answered another CPU's TLB may still
	   hold them and write through them: the window the pages must outlive. */
	delay_point(&dp_tlb_before_flush);
	if (tlb->mode == TLB_BROADCAST)
		flush_tlb_range_broadcast(tlb->mm, tlb->start, tlb->end);
	else
		flush_tlb_range(tlb->mm, tlb->start, tlb->end);
	atomic64_add_return(1, &n_flushes);
	tlb->start = UINT64_MAX;
	tlb->end = 0;
}

/* After the flush: the tables wait for a grace period; then nobody can be walking them. */
static void queue_tables(struct mmu_gather *tlb)
{
	if (!tlb->tables)
		return;
	if (unlikely(tlb->broken == TLB_BROKEN_NO_TABLE_GRACE))
		/* Broken on purpose, for the torture's self-check: no grace period. The flush's
		   IPIs waited only for the CPUs that run the mm; a lockless walker elsewhere may
		   still be inside one of these tables. */
		free_tables_rcu(&tlb->tables->rcu);
	else
		call_rcu(&tlb->tables->rcu, free_tables_rcu);
	tlb->tables = NULL;
}

/*
 * No page for a table batch: free this one table at once, but safely. After the flush no TLB
 * holds it; a lockless walker runs with interrupts off, so once every other CPU has answered
 * an IPI, none is still inside a walk that could have read the old entry.
 */
static void nop(void *arg)
{
	(void)arg;
}

static void remove_table_now(struct mmu_gather *tlb, phys_addr_t table)
{
	flush_tlb(tlb);
	smp_call_function_many(&cpu_online_mask, nop, NULL, true);
	free_user_pgtable(table);
	atomic64_add_return(1, &n_tables_freed);
	atomic64_add_return(1, &n_tables_now);
}

/*
 * The CPUs' paging-structure caches may still hold the entry that pointed to the table. Any
 * INVLPG empties those caches whole (Intel SDM vol. 3, 4.10.4.1), and the pages the table
 * mapped are in the range to flush already; if none is, one page of its range goes in, so that
 * the flush happens at all (4.10.4.2: "at least once").
 */
void tlb_remove_table(struct mmu_gather *tlb, phys_addr_t table, uint64_t va)
{
	struct page *p;

	if (tlb->start >= tlb->end)
		tlb_note_range(tlb, va, va + PAGE_SIZE);
	if (!tlb->tables) {
		p = alloc_page();
		if (!p) {
			remove_table_now(tlb, table);
			return;
		}
		tlb->tables = page_address(p);
		tlb->tables->nr = 0;
	}
	tlb->tables->tables[tlb->tables->nr++] = table;
	if (tlb->tables->nr == TABLE_BATCH_MAX) {
		flush_tlb(tlb);
		queue_tables(tlb);
	}
}

static void free_pages_gathered(struct mmu_gather *tlb)
{
	uint64_t n = tlb->nr_local;

	put_user_pages(tlb->local, tlb->nr_local);
	tlb->nr_local = 0;
	if (tlb->batch) {
		put_user_pages(tlb->batch->pages, tlb->batch->nr);
		n += tlb->batch->nr;
		tlb->batch->nr = 0;
	}
	tlb->batch_failed = false; /* the next round tries again */
	atomic64_add_return((int64_t)n, &n_pages_freed);
}

void tlb_flush_mmu(struct mmu_gather *tlb)
{
	if (unlikely(tlb->broken == TLB_BROKEN_FREE_BEFORE_FLUSH))
		/* Broken on purpose, for the torture's self-check: the pages go before the flush,
		   while other CPUs' TLBs still reach them (the free below then finds none). */
		free_pages_gathered(tlb);
	flush_tlb(tlb); /* first: from here on no CPU reaches the pages */
	/* Both need the flush only, so their order is free: the tables first, so that the broken
	   no-table-grace frees them right after the flush, not after a long free of pages. */
	queue_tables(tlb);
	free_pages_gathered(tlb);
}

void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (tlb->start < tlb->end && !tlb->fullmm)
		atomic64_add_return(1, &n_flushes_locked);
	flush_tlb(tlb);
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	if (tlb->batch)
		free_page(virt_to_page(tlb->batch));
	tlb->batch = NULL;
}

struct mmu_gather_stats mmu_gather_stats(void)
{
	return (struct mmu_gather_stats){
		.gathers = (uint64_t)atomic64_read(&n_gathers),
		.fullmm = (uint64_t)atomic64_read(&n_fullmm),
		.flushes = (uint64_t)atomic64_read(&n_flushes),
		.flushes_locked = (uint64_t)atomic64_read(&n_flushes_locked),
		.pages_freed = (uint64_t)atomic64_read(&n_pages_freed),
		.tables_freed = (uint64_t)atomic64_read(&n_tables_freed),
		.tables_now = (uint64_t)atomic64_read(&n_tables_now),
		.batch_pages = (uint64_t)atomic64_read(&n_batch_pages),
		.batch_fails = (uint64_t)atomic64_read(&n_batch_fails),
	};
}
