/*
 * Dirty-page accounting, writeback of a mapping's pages, the flusher thread and the
 * throttling of writers (mm/writeback.h, mm/backing-dev.h).
 *
 * Lock order: mm/rmap.c's. Here bdi_mutex is outermost: the flusher holds it while a device's
 * writeback takes i_rwsem, then i_mmap_lock and page_table_lock (page_mkclean). A mapping's
 * lock is taken inside page_table_lock (set_page_dirty from a fault), never around it.
 *
 * The counts of a page's dirtiness change only on the transitions of PG_dirty, under the
 * mapping's lock, so they can never drift from the flags: set_page_dirty counts clean to
 * dirty, clear_page_dirty_for_io and __cancel_dirty_page count dirty to clean.
 */
#include "mm/writeback.h"
#include "mm/backing-dev.h"
#include "mm/filemap.h"
#include "mm/rmap.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/percpu.h"
#include "kernel/printk.h"
#include "kernel/sched/sleep.h"
#include "kernel/tick.h"
#include "kernel/sched/wait.h"
#include "lib/atomic.h"
#include "lib/string.h"

unsigned int dirty_expire_ms = 5000;
unsigned int dirty_writeback_ms = 1000;
uint64_t dirty_background_pages; /* set at the first registration, from memory */
uint64_t dirty_limit_pages;

atomic64_t vm_dirty_pages;
static atomic64_t nr_writeback, nr_written;
/* Pages ever dirtied, a statistic only: per CPU, so a fault pays no locked instruction for it
   (set_page_dirty counts under m->lock, with preemption off). */
static DEFINE_PER_CPU(uint64_t, pages_dirtied);
static atomic64_t mkclean_calls, ptes_cleaned, flusher_runs, flusher_wakeups, throttled;
static atomic64_t pte_dirty_found, flusher_passes;

static DEFINE_MUTEX(bdi_mutex);
static LIST_HEAD(bdi_list);

static DEFINE_WAIT_QUEUE_HEAD(writeback_wait); /* a page's PG_writeback cleared */
static DEFINE_WAIT_QUEUE_HEAD(flusher_wait);   /* work for the flusher */
static DEFINE_WAIT_QUEUE_HEAD(throttle_wait);  /* the flusher made progress */
static bool flusher_kicked;
static struct thread *flusher;

/* True when the mapping's pages are counted dirty and written back (not tmpfs). */
bool mapping_cap_account_dirty(const struct address_space *m)
{
	return m && m->bdi && m->bdi->cap_account_dirty;
}

/* ---- the transitions of PG_dirty ---- */

/* Marks a page-cache page dirty; counts it if it was clean. Does not sleep (called under
   page_table_lock by the fault handler). True when it was clean. */
bool set_page_dirty(struct page *page)
{
	struct address_space *m = READ_ONCE(page->mapping);
	bool was_clean = false;

	if (!mapping_cap_account_dirty(m) || (READ_ONCE(page->flags) & PG_dirty))
		return false;
	spin_lock(&m->lock);
	/* Under the lock, so a truncate that takes the page out meanwhile cannot be missed. */
	if (page->mapping == m && !test_set_page_flag(page, PG_dirty)) {
		was_clean = true;
		if (m->nr_dirty++ == 0)
			m->dirtied_when = jiffies;
		if (atomic64_add_return(1, &m->bdi->nr_dirty) == 1)
			m->bdi->dirtied_when = jiffies;
		atomic64_inc(&vm_dirty_pages);
		this_cpu_inc(pages_dirtied);
	}
	spin_unlock(&m->lock);
	/* The filesystem puts the file on its list of dirty inodes, where sync finds it. Each
	   clean-to-dirty transition tells it: a sync may have just taken the inode off. */
	if (was_clean && m->a_ops && m->a_ops->mark_dirty)
		m->a_ops->mark_dirty(m);
	return was_clean;
}

/* m->lock held; the page was PG_dirty and is not any more. */
static void account_cleaned(struct address_space *m)
{
	m->nr_dirty--;
	atomic64_add_return(-1, &m->bdi->nr_dirty);
	atomic64_add_return(-1, &vm_dirty_pages);
}

/* m->lock held: the page leaves the cache (truncate); its dirty state is dropped, uncounted. */
void __cancel_dirty_page(struct address_space *m, struct page *page)
{
	if (test_clear_page_flag(page, PG_dirty) && mapping_cap_account_dirty(m))
		account_cleaned(m);
}

/* Takes the dirty bit for I/O: clears PG_dirty and, if it was set, write-protects every PTE
   mapping the page. True when the page was dirty (and must be written). Sleeps. */
bool clear_page_dirty_for_io(struct page *page)
{
	struct address_space *m = page->mapping;
	bool was_dirty = false;

	if (!m)
		return false;
	spin_lock(&m->lock);
	if (page->mapping == m && test_clear_page_flag(page, PG_dirty)) {
		was_dirty = true;
		if (mapping_cap_account_dirty(m))
			account_cleaned(m);
	}
	spin_unlock(&m->lock);
	/* The dirty bit is ours. From here on a write either goes through a writable entry
	   before page_mkclean's shootdown ends (and is in the page when the I/O reads it) or
	   faults on the read-only entry and sets PG_dirty again. */
	if (was_dirty) {
		atomic64_inc(&mkclean_calls);
		page_mkclean(page);
	}
	return was_dirty;
}

/* Pages that only an entry's dirty bit said were written (msync's scan or the zap found it
   and made the page dirty): with write notification on, never more than a race's few. */
void count_pte_dirty_found(unsigned int n)
{
	atomic64_add_return(n, &pte_dirty_found);
}

void count_ptes_cleaned(unsigned int n)
{
	if (n)
		atomic64_add_return(n, &ptes_cleaned);
}

void end_page_writeback(struct page *page)
{
	test_clear_page_flag(page, PG_writeback);
	wake_up(&writeback_wait);
}

void wait_on_page_writeback(struct page *page)
{
	wait_event(writeback_wait, !(READ_ONCE(page->flags) & PG_writeback));
}

/* ---- writing pages ---- */

/* Takes the page for I/O if dirty: its turn at PG_writeback (sync: waits for a writeback of
   it in progress; else skips a page someone is writing), then the dirty bit with every
   mapping write-protected. True when taken: the caller writes it and ends its writeback. */
static bool take_page_for_io(struct page *page, bool sync)
{
	/* PG_writeback is the turn: an msync must not finish while an older copy of the page is
	   still on its way to the disk, nor two copies race there. */
	if (sync) {
		while (test_set_page_flag(page, PG_writeback))
			wait_on_page_writeback(page);
	} else if (test_set_page_flag(page, PG_writeback)) {
		return false; /* someone is writing it: the flusher need not wait */
	}
	if (clear_page_dirty_for_io(page))
		return true;
	end_page_writeback(page);
	return false;
}

/*
 * Writes pages[0..n), each taken by take_page_for_io (so write-protected before its I/O
 * starts): all through a_ops->writepages in one call when the file system has it, so that
 * neighbours on the disk go in one request, else one by one through writepage. Then ends
 * their writeback. On an error every page of the call is dirty again. 0 or the error.
 */
static int write_pages(struct address_space *m, struct page **pages, unsigned int n)
{
	const struct address_space_operations *ops = m->a_ops;
	bool counted = mapping_cap_account_dirty(m);
	int err = 0;

	if (counted) {
		atomic64_add_return(n, &m->bdi->nr_writeback);
		atomic64_add_return(n, &nr_writeback);
	}
	if (ops && ops->writepages) {
		err = ops->writepages(m, pages, n);
	} else if (ops && ops->writepage) {
		for (unsigned int i = 0; i < n && !err; i++)
			err = ops->writepage(m, pages[i]);
	}
	for (unsigned int i = 0; i < n; i++) {
		if (err)
			set_page_dirty(pages[i]); /* try again next time */
		end_page_writeback(pages[i]);
	}
	if (counted) {
		atomic64_add_return(-(int64_t)n, &m->bdi->nr_writeback);
		atomic64_add_return(-(int64_t)n, &nr_writeback);
		if (!err) {
			atomic64_add_return(n, &m->bdi->nr_written);
			atomic64_add_return(n, &nr_written);
		}
	}
	return err;
}

/* Writes one page if dirty; sync as in take_page_for_io. 0, or the file system's error (the
   page is dirty again). */
int write_one_page(struct address_space *m, struct page *page, bool sync)
{
	return take_page_for_io(page, sync) ? write_pages(m, &page, 1) : 0;
}

#define WB_BATCH 64 /* pages looked up, taken and written together: 256 KiB */

/*
 * Every dirty page of the mapping; sync as in take_page_for_io. Pages are taken in index
 * order, a batch at a time, every page of a batch write-protected before any of it is
 * written, and the batch handed to the file system at once (write_pages). A sync writer
 * waits for a page's PG_writeback while holding that of pages below it only, so two syncs of
 * one file cannot wait for each other in a circle. Sleeps. 0 or the first error.
 */
int write_cache_pages(struct address_space *m, bool sync)
{
	struct page *pages[WB_BATCH], *io[WB_BATCH];
	uint64_t index = 0;
	unsigned int n;
	int err = 0, e;

	while ((n = find_get_pages(m, index, WB_BATCH, pages, &index)) > 0) {
		unsigned int nio = 0;

		for (unsigned int i = 0; i < n; i++) {
			uint64_t f = READ_ONCE(pages[i]->flags);

			if (((f & PG_dirty) || (sync && (f & PG_writeback))) &&
			    take_page_for_io(pages[i], sync))
				io[nio++] = pages[i];
		}
		if (nio && (e = write_pages(m, io, nio)) && !err)
			err = e;
		for (unsigned int i = 0; i < n; i++)
			put_page(pages[i]);
	}
	return err;
}

/* ---- devices ---- */

static void flusher_start(void);

/* Makes the device known to the flusher and the `dirty` command. */
void bdi_register(struct backing_dev_info *bdi, const char *name, void *owner,
		  int (*writeback)(struct backing_dev_info *bdi))
{
	strlcpy(bdi->name, name, sizeof(bdi->name));
	bdi->owner = owner;
	bdi->writeback = writeback;
	bdi->cap_account_dirty = true;
	atomic64_set(&bdi->nr_dirty, 0);
	atomic64_set(&bdi->nr_writeback, 0);
	atomic64_set(&bdi->nr_written, 0);
	bdi->flusher_runs = 0;
	mutex_lock(&bdi_mutex);
	list_add_tail(&bdi->list, &bdi_list);
	flusher_start();
	mutex_unlock(&bdi_mutex);
}

/* Takes it off again; waits for a flusher run in progress. Sleeps. */
void bdi_unregister(struct backing_dev_info *bdi)
{
	mutex_lock(&bdi_mutex); /* a flusher run in progress ends first */
	list_del_init(&bdi->list);
	mutex_unlock(&bdi_mutex);
}

/* Calls fn for each registered device (bdi_mutex held: fn may sleep, must not register). */
void bdi_for_each(void (*fn)(struct backing_dev_info *bdi, void *arg), void *arg)
{
	struct backing_dev_info *bdi;

	mutex_lock(&bdi_mutex);
	list_for_each_entry(bdi, &bdi_list, list)
		fn(bdi, arg);
	mutex_unlock(&bdi_mutex);
}

/* ---- the flusher ---- */

static bool over_background(void)
{
	return (uint64_t)atomic64_read(&vm_dirty_pages) > READ_ONCE(dirty_background_pages);
}

/* Asks the flusher to run now. */
void wakeup_flusher(void)
{
	WRITE_ONCE(flusher_kicked, true);
	wake_up(&flusher_wait);
}

/* One pass: each device whose oldest dirty page is past the expiry, or every dirty device
   when the system is over the background threshold. */
static void flusher_pass(void)
{
	struct backing_dev_info *bdi;
	bool background = over_background();
	uint64_t expire = msecs_to_jiffies(READ_ONCE(dirty_expire_ms));

	mutex_lock(&bdi_mutex);
	list_for_each_entry(bdi, &bdi_list, list) {
		if (!atomic64_read(&bdi->nr_dirty))
			continue;
		if (!background && jiffies - READ_ONCE(bdi->dirtied_when) < expire)
			continue;
		bdi->flusher_runs++;
		atomic64_inc(&flusher_runs);
		/* Pages dirtied during the pass are younger: they get their own expiry. */
		WRITE_ONCE(bdi->dirtied_when, jiffies);
		bdi->writeback(bdi);
	}
	mutex_unlock(&bdi_mutex);
	wake_up(&throttle_wait);
}

static int flusher_fn(void *arg)
{
	(void)arg;
	for (;;) {
		wait_event_timeout(flusher_wait, READ_ONCE(flusher_kicked),
				   msecs_to_jiffies(READ_ONCE(dirty_writeback_ms)));
		if (READ_ONCE(flusher_kicked))
			atomic64_inc(&flusher_wakeups);
		WRITE_ONCE(flusher_kicked, false);
		flusher_pass();
		atomic64_inc(&flusher_passes);
	}
	return 0;
}

/* bdi_mutex held. */
static void flusher_start(void)
{
	if (flusher)
		return;
	if (!dirty_limit_pages) {
		uint64_t mem = nr_free_pages();

		dirty_background_pages = mem / 10;
		dirty_limit_pages = mem / 5;
	}
	flusher = kthread_run(flusher_fn, NULL, "flusher");
	if (!flusher)
		pr_err("writeback: no flusher thread: only sync and msync will write\n");
}

/* Over the background threshold (balance_dirty_pages, inline in writeback.h, checked). */
void __balance_dirty_pages(void)
{
	/* Bounded: a device that cannot write (an I/O error) must not hang its writers. */
	unsigned int tries = 20;

	wakeup_flusher();
	if ((uint64_t)atomic64_read(&vm_dirty_pages) <= READ_ONCE(dirty_limit_pages) || !flusher)
		return;
	atomic64_inc(&throttled);
	while (tries-- && (uint64_t)atomic64_read(&vm_dirty_pages) > READ_ONCE(dirty_limit_pages)) {
		wakeup_flusher();
		wait_event_timeout(throttle_wait,
				   (uint64_t)atomic64_read(&vm_dirty_pages) <=
					   READ_ONCE(dirty_limit_pages),
				   msecs_to_jiffies(50));
	}
}

static uint64_t pages_dirtied_sum(void)
{
	uint64_t n = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += READ_ONCE(per_cpu(pages_dirtied, cpu));
	return n;
}

struct dirty_stats dirty_stats(void)
{
	return (struct dirty_stats){
		.nr_dirty = (uint64_t)atomic64_read(&vm_dirty_pages),
		.nr_writeback = (uint64_t)atomic64_read(&nr_writeback),
		.dirtied = pages_dirtied_sum(),
		.written = (uint64_t)atomic64_read(&nr_written),
		.mkclean_calls = (uint64_t)atomic64_read(&mkclean_calls),
		.ptes_cleaned = (uint64_t)atomic64_read(&ptes_cleaned),
		.pte_dirty_found = (uint64_t)atomic64_read(&pte_dirty_found),
		.flusher_runs = (uint64_t)atomic64_read(&flusher_runs),
		.flusher_wakeups = (uint64_t)atomic64_read(&flusher_wakeups),
		.flusher_passes = (uint64_t)atomic64_read(&flusher_passes),
		.throttled = (uint64_t)atomic64_read(&throttled),
	};
}
