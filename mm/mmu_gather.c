/*
 * The mmu_gather (mm/mmu_gather.h): pages and page tables whose entries were cleared wait here
 * until every CPU that may still reach them has flushed its TLB.
 *
 * The variants the bench compares and the torture breaks (mm/mmu_gather_variants.c) are chosen
 * when a gather begins; from then on the code below tests tlb->variant only where it decides a
 * flush (tlb_next_batch, tlb_flush, tlb_flush_mmu, tlb_table_flush) and where a VMA's zap
 * begins and ends (mm/mmu_gather.h), once per batch, flush or VMA, never per page.
 *
 * Lock order: mm/rmap.c's. The gather takes no lock of its own; zone_lock (a batch page) may be
 * taken inside the caller's page_table_lock.
 */
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/swap.h"
#include "mm/tlb.h"
#include "mm/mm.h"
#include "mm/page_alloc.h"
#include "mm/page.h"
#include "mm/pgtable.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "kernel/panic.h"
#include "kernel/delay_point.h"
#include "kernel/locking/spinlock.h"
#include "lib/atomic.h"
#include "lib/string.h"

static DEFINE_DELAY_POINT(
	dp_tlb_before_flush, "tlb-before-flush",
	"the mmu_gather's flush, before its IPIs: other CPUs' TLBs still hold the "
	"cleared entries");

struct table_batch {
	struct rcu_head rcu;
	struct table_batch *next; /* the batch filled before this one */
	unsigned int nr;
	phys_addr_t tables[];
};
#define TABLE_BATCH_MAX ((PAGE_SIZE - sizeof(struct table_batch)) / sizeof(phys_addr_t))

static atomic64_t n_gathers, n_fullmm, n_flushes, n_flushes_locked, n_flushes_dirty, n_pages_freed,
	n_tables_freed, n_tables_freed_sync, n_batch_pages, n_batch_fails;

static void __tlb_reset_range(struct mmu_gather *tlb)
{
	tlb->start = UINT64_MAX;
	tlb->end = 0;
}

/*
 * tlb_gather_mmu - begin a gather on the caller's stack for unmapping part of mm.
 * Requires: mmap_lock or i_mmap_lock of the mapping held, so that the VMAs and tables the
 * caller walks stay. Allocates nothing; may be called with spinlocks held. End it with
 * tlb_finish_mmu(), which flushes and frees what was gathered.
 */
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm)
{
	memset(tlb, 0, sizeof(*tlb));
	tlb->mm = mm;
	tlb->local.max = MMU_GATHER_LOCAL;
	tlb->local.pages = tlb->local_pages;
	tlb->active = &tlb->local;
	tlb->batch_max = MAX_GATHER_BATCH_COUNT;
	INIT_LIST_HEAD(&tlb->sync_tables);
	__tlb_reset_range(tlb);
	if (unlikely(tlb_variant_wanted(mm)))
		tlb_gather_variant(tlb);
	atomic64_add_return(1, &n_gathers);
}

/*
 * tlb_gather_mmu_fullmm - begin the gather of exit_mmap: the last user is gone, so no CPU runs
 * the mm (its cpu_mask is empty) and no TLB holds its entries. The flushes then free without a
 * shootdown (a CPU still in the mask panics); the tables still wait for a grace period.
 */
void tlb_gather_mmu_fullmm(struct mmu_gather *tlb, struct mm *mm)
{
	tlb_gather_mmu(tlb, mm);
	tlb->fullmm = true;
	atomic64_add_return(1, &n_fullmm);
}

/*
 * tlb_next_batch - make room past a full batch: the next batch of the chain, or a new
 * page-sized one. Never sleeps (the zap holds page_table_lock). Returns false when the gather
 * may chain no more batches or no page is free: the caller must flush before it queues more.
 * A failed allocation is tried again when the next batch fills, after a flush has freed pages
 * (Linux 2.6.39 retried in tlb_flush_mmu; today's Linux, like this, in tlb_next_batch).
 */
bool tlb_next_batch(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *batch = tlb->active->next;
	struct page *page;

	if (batch) {
		tlb->active = batch;
		return true;
	}
	if (tlb->batch_count >= tlb->batch_max)
		return false;
	page = alloc_page();
	if (!page) {
		atomic64_add_return(1, &n_batch_fails);
		return false;
	}
	batch = page_address(page);
	batch->next = NULL;
	batch->nr = 0;
	batch->max = MMU_GATHER_BATCH;
	batch->pages = (struct page **)(batch + 1);
	tlb->active->next = batch;
	tlb->active = batch;
	tlb->batch_count++;
	atomic64_add_return(1, &n_batch_pages);
	return true;
}

/*
 * tlb_flush - shoot down the cleared range on every CPU that runs the mm, and wait for them.
 * After it, no TLB reaches a page or table gathered so far.
 */
static void tlb_flush(struct mmu_gather *tlb)
{
	if (tlb->fullmm) {
		if (cpumask_weight(&tlb->mm->cpu_mask)) /* lazy CPUs (mm/tlb.h): sent away */
			flush_tlb_lazy_leave(tlb->mm);
		if (cpumask_weight(&tlb->mm->cpu_mask))
			panic("mmu_gather: %s is torn down while CPUs still run it", tlb->mm->name);
		__tlb_reset_range(tlb);
		return;
	}
	if (tlb->start >= tlb->end)
		return;
	/* The wait for IPIs under the lock that every fault and zap of this mm takes is what the
	   rework took out of the page-table walk: counted, for the tests and `vm`. */
	if (spin_held_by_me(&tlb->mm->page_table_lock))
		atomic64_add_return(1, &n_flushes_locked);
	/* The entries are cleared, but until the IPIs are answered another CPU's TLB may still
	   hold them and write through them: the window the pages must outlive. */
	delay_point(&dp_tlb_before_flush);
	if (unlikely(tlb->variant))
		tlb_flush_range_variant(tlb);
	else
		flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end, tlb_freed_tables(tlb));
	atomic64_add_return(1, &n_flushes);
	__tlb_reset_range(tlb);
}

static void tlb_remove_table_rcu(struct rcu_head *head)
{
	struct table_batch *batch = container_of(head, struct table_batch, rcu);

	for (unsigned int i = 0; i < batch->nr; i++)
		free_user_pgtable(batch->tables[i]);
	atomic64_add_return(batch->nr, &n_tables_freed);
	free_page(virt_to_page(batch));
}

/* Frees the gathered tables now: only after a flush and a grace period, or in the broken
   variant that leaves the grace period out. */
void tlb_table_free(struct mmu_gather *tlb)
{
	struct table_batch *batch, *next;

	for (batch = tlb->tables; batch; batch = next) {
		next = batch->next;
		tlb_remove_table_rcu(&batch->rcu);
	}
	tlb->tables = NULL;
}

static void tlb_remove_table_smp_sync(void *arg)
{
	(void)arg;
}

/*
 * The tables that found no page for a batch, freed now, but safely: after the flush no TLB
 * holds them; a lockless walker runs with interrupts off, so once every other CPU has answered
 * an IPI, none is still inside a walk that could have read an old entry. Called from the flush,
 * which runs out of page_table_lock (tlb_remove_table only queued them).
 */
static void tlb_table_free_sync(struct mmu_gather *tlb)
{
	struct page *page, *tmp;

	if (list_empty(&tlb->sync_tables))
		return;
	smp_call_function_many(&cpu_online_mask, tlb_remove_table_smp_sync, NULL, true);
	list_for_each_entry_safe(page, tmp, &tlb->sync_tables, list) {
		list_del(&page->list);
		free_user_pgtable(page_to_phys(page));
		atomic64_add_return(1, &n_tables_freed);
		atomic64_add_return(1, &n_tables_freed_sync);
	}
}

/* After the flush: the tables wait for a grace period; then no lockless walker is inside. */
static void tlb_table_flush(struct mmu_gather *tlb)
{
	struct table_batch *batch, *next;

	tlb_table_free_sync(tlb);
	if (!tlb->tables)
		return;
	if (unlikely(tlb->variant) && tlb_table_flush_variant(tlb))
		return;
	for (batch = tlb->tables; batch; batch = next) {
		next = batch->next;
		call_rcu(&batch->rcu, tlb_remove_table_rcu);
	}
	tlb->tables = NULL;
}

/*
 * tlb_remove_table - queue a page-table page, already unlinked, that mapped addresses from va
 * on, to free a grace period after the next flush. Requires page_table_lock held (free_pgtables);
 * never sleeps and never flushes: a full batch chains a new one, and when no page is free for
 * one the table waits on a list threaded through its own struct page, to be freed by the flush
 * after an IPI to every CPU instead of a grace period.
 *
 * The CPUs' paging-structure caches may still hold the entry that pointed to the table. Any
 * INVLPG empties those caches whole (Intel SDM vol. 3, 4.10.4.1), and the pages the table
 * mapped are in the range to flush already; if none is, one page of its range goes in, so that
 * the flush happens at all (4.10.4.2: "at least once").
 */
void tlb_remove_table(struct mmu_gather *tlb, phys_addr_t table, uint64_t va)
{
	struct page *page;

	if (tlb->start >= tlb->end)
		tlb_note_range(tlb, va, va + PAGE_SIZE);
	if (!tlb->tables || tlb->tables->nr == TABLE_BATCH_MAX) {
		page = alloc_page();
		if (!page) {
			list_add_tail(&phys_to_page(table)->list, &tlb->sync_tables);
			return;
		}
		((struct table_batch *)page_address(page))->next = tlb->tables;
		tlb->tables = page_address(page);
		tlb->tables->nr = 0;
	}
	tlb->tables->tables[tlb->tables->nr++] = table;
}

/* Drops the pages of every batch; the batches stay, empty, for the next round. */
void tlb_batch_pages_flush(struct mmu_gather *tlb)
{
	uint64_t freed = 0;

	for (struct mmu_gather_batch *batch = &tlb->local; batch && batch->nr;
	     batch = batch->next) {
		put_user_pages(batch->pages, batch->nr);
		freed += batch->nr;
		batch->nr = 0;
	}
	tlb->active = &tlb->local;
	atomic64_add_return((int64_t)freed, &n_pages_freed);
}

/*
 * tlb_flush_mmu - flush the TLBs of the CPUs that run the mm, then free what was gathered.
 * Requires: page_table_lock not held (the zap drops it when __tlb_remove_page() said the gather
 * is full; only the "before" variant flushes with it held, and is counted); no spinlock need
 * be held (unmap_mapping_pages holds the sleeping i_mmap_lock). Never sleeps, but spins until
 * every CPU that runs the mm has answered its IPI.
 */
void tlb_flush_mmu(struct mmu_gather *tlb)
{
	if (unlikely(tlb->variant))
		tlb_free_before_flush_variant(tlb);
	tlb_flush(tlb); /* first: from here on no CPU reaches the pages */
	/* Both need the flush only, so their order is free: the tables first, so that the broken
	   no-table-grace variant frees them right after the flush, not after a long free. */
	tlb_table_flush(tlb);
	tlb_batch_pages_flush(tlb);
}

/*
 * tlb_flush_mmu_tlbonly - flush the TLBs only, freeing nothing. The zap calls it with
 * page_table_lock held when it cleared a writable entry of a shared file page (mm/memory.c says
 * why). May be called with spinlocks held: the shootdown spins, interrupts on.
 */
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (tlb->start < tlb->end && !tlb->fullmm)
		atomic64_add_return(1, &n_flushes_dirty);
	tlb_flush(tlb);
}

/*
 * tlb_finish_mmu - end a gather: the last flush, the last frees, and the batch pages go back.
 * Requires what tlb_flush_mmu() does. The gather may not be used again.
 */
void tlb_finish_mmu(struct mmu_gather *tlb)
{
	struct mmu_gather_batch *batch, *next;

	tlb_flush_mmu(tlb);
	for (batch = tlb->local.next; batch; batch = next) {
		next = batch->next;
		free_page(virt_to_page(batch));
	}
	tlb->local.next = NULL;
}

/* The counts since boot, for `vm` and the tests. */
struct mmu_gather_stats mmu_gather_stats(void)
{
	return (struct mmu_gather_stats){
		.gathers = (uint64_t)atomic64_read(&n_gathers),
		.fullmm = (uint64_t)atomic64_read(&n_fullmm),
		.flushes = (uint64_t)atomic64_read(&n_flushes),
		.flushes_locked = (uint64_t)atomic64_read(&n_flushes_locked),
		.flushes_dirty = (uint64_t)atomic64_read(&n_flushes_dirty),
		.pages_freed = (uint64_t)atomic64_read(&n_pages_freed),
		.tables_freed = (uint64_t)atomic64_read(&n_tables_freed),
		.tables_sync = (uint64_t)atomic64_read(&n_tables_freed_sync),
		.batch_pages = (uint64_t)atomic64_read(&n_batch_pages),
		.batch_fails = (uint64_t)atomic64_read(&n_batch_fails),
	};
}
