/*
 * Writeback of page-cache pages, and the accounting of dirty pages ("mm: tracking shared dirty
 * pages", Linux 2.6.19).
 *
 *	set_page_dirty(page)		a write made the page differ from its disk copy
 *	clear_page_dirty_for_io(page)	writeback takes the dirty bit: test-and-clear PG_dirty,
 *					then page_mkclean (mm/rmap.h) write-protects every PTE
 *	writepages / writepage		the filesystem writes a batch of such pages (neighbours
 *					on the disk in one request) or the page
 *	end_page_writeback(page)
 *
 * The invariant: no write is ever lost. A write that arrives after the dirty bit was taken
 * either went through a writable PTE before page_mkclean's TLB shootdown finished (so it is
 * in the page before the I/O reads it), or it faults on the now read-only PTE and dirties the
 * page again, which the next writeback writes.
 *
 * PG_writeback is also the lock that makes two writers of one page take turns (the flusher
 * and an msync): an older copy must never reach the disk after a newer one.
 *
 * Counts: per device (struct backing_dev_info) and for the system. A flusher thread writes
 * back a device whose pages have been dirty longer than dirty_expire_ms, or every device when
 * more than dirty_background_pages are dirty; balance_dirty_pages() makes a writer sleep while
 * more than dirty_limit_pages are dirty.
 */
#ifndef MM_WRITEBACK_H
#define MM_WRITEBACK_H

#include <stdint.h>
#include <stdbool.h>
#include "lib/atomic.h"
#include "lib/compiler.h"

struct page;
struct address_space;

/* True when the mapping's pages are counted dirty and written back (not tmpfs). */
bool mapping_cap_account_dirty(const struct address_space *m);

bool set_page_dirty(struct page *page);
bool clear_page_dirty_for_io(struct page *page);
/* m->lock held: the page leaves the cache (truncate); its dirty state is dropped, uncounted. */
void __cancel_dirty_page(struct address_space *m, struct page *page);
void end_page_writeback(struct page *page);
void wait_on_page_writeback(struct page *page);

/* Writes one page if dirty. sync: waits for a writeback of it in progress, then writes it if
   dirty; else skips a page someone is writing. 0, or the error (the page is dirty again). */
int write_one_page(struct address_space *m, struct page *page, bool sync);
/* Every dirty page of the mapping, in batches through a_ops->writepages (or writepage); sync
   as above. Sleeps. 0 or the first error. */
int write_cache_pages(struct address_space *m, bool sync);

/* Called after a write dirtied pages (fault or write()): sleeps while too many are dirty
   (inline below). */
void __balance_dirty_pages(void);
/* Asks the flusher to run now. */
void wakeup_flusher(void);

struct dirty_stats {
	uint64_t nr_dirty, nr_writeback; /* now */
	uint64_t dirtied, written;	 /* since boot */
	uint64_t mkclean_calls, ptes_cleaned;
	uint64_t pte_dirty_found; /* pages made dirty from an entry's dirty bit (msync, munmap) */
	uint64_t flusher_runs, flusher_wakeups, throttled;
	uint64_t flusher_passes; /* times the flusher looked, whether it wrote or not */
};
struct dirty_stats dirty_stats(void);
void count_ptes_cleaned(unsigned int n);
void count_pte_dirty_found(unsigned int n);

/* The tunables (`dirty set NAME VALUE`). */
extern unsigned int dirty_expire_ms;	/* default 5000 */
extern unsigned int dirty_writeback_ms; /* flusher period, default 1000 */
extern uint64_t dirty_background_pages; /* default 1/10 of memory */
extern uint64_t dirty_limit_pages;	/* default 1/5 of memory */

/* Pages dirty now, on all devices. */
extern atomic64_t vm_dirty_pages;

/* The common case, below the background threshold, is inline: a write-protect fault pays no
   call for it (under TCG a call into another page of code is a few percent of a fault). */
static inline void balance_dirty_pages(void)
{
	if ((uint64_t)atomic64_read(&vm_dirty_pages) > READ_ONCE(dirty_background_pages))
		__balance_dirty_pages();
}

#endif
