/*
 * KTAP suite "mmu_gather_batch": what "mm: mmu_gather rework" (Linux 2.6.39) was for, and what
 * Linux added since. A failed batch allocation still unmaps correctly, with more flushes, and is
 * tried again once memory is back; batches chain up to a limit; no flush waits for IPIs under
 * page_table_lock but for written shared file entries; and the unmap is preemptible: a thread
 * woken on the unmapping CPU runs at the next page table (in the 2.6.38 gather, only once the
 * whole VMA is zapped), truncate's zap too, since i_mmap_lock is a mutex. The invariant itself
 * (no write lands in a freed page) is suite "mmu_gather".
 */
#include "tests/ktest/vm_fixture.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/rcu/rcu.h"
#include "kernel/smp.h"
#include "mm/mm.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/vm_file.h"
#include "mm/memory.h"
#include "mm/mmu_gather.h"
#include "mm/mmu_gather_variants.h"
#include "mm/torture/free_quarantine.h"
#include "mm/fault.h"
#include "mm/tlb.h"
#include "mm/uaccess.h"
#include "mm/page.h"
#include "mm/page_alloc.h"
#include "mm/pgtable.h"
#include "mm/fault_inject.h"
#include "mm/gup_fast.h"
#include "mm/torture/tlb_torture.h"
#include "kernel/sched/sched.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"

/* Unmaps 64 written pages; returns the gather's flushes. */
static uint64_t unmap_64(struct ktest *t, struct mm *mm, bool fail_batches)
{
	struct mmu_gather_stats g0, g1;
	uint64_t a = (uint64_t)vm_mmap(mm, 0, 64 * PAGE_SIZE, RW, ANON, NULL, 0);

	EXPECT_EQ(t, fill_pages(a, 64), 0);
	g0 = mmu_gather_stats();
	if (fail_batches)
		alloc_fail_inject_n(1, ALLOC_FAIL_FOREVER);
	EXPECT_EQ(t, vm_munmap(mm, a, 64 * PAGE_SIZE), 0);
	alloc_fail_cancel();
	g1 = mmu_gather_stats();
	EXPECT_EQ(t, mm->nr_pages, 0ULL);
	EXPECT_EQ(t, g1.pages_freed - g0.pages_freed, 64ULL);
	if (fail_batches) {
		EXPECT_GT(t, g1.batch_fails, g0.batch_fails);
		/* No page for a table batch either: the tables went at once, after an IPI */
		EXPECT_GT(t, g1.tables_sync, g0.tables_sync);
	} else {
		EXPECT_EQ(t, g1.tables_sync, g0.tables_sync);
	}
	return g1.flushes - g0.flushes;
}

static void test_batch_allocation_failure(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-nobatch");
	uint64_t with, without, v;

	ASSERT_NOT_NULL(t, mm);
	with = unmap_64(t, mm, false);
	without = unmap_64(t, mm, true);
	EXPECT_EQ(t, with, 1ULL);	  /* 64 pages fit one batch: one flush */
	EXPECT_GE(t, without, 64ULL / 8); /* 8 local slots: a flush every 8 pages */
	EXPECT_EQ(t, get_user_u64(&v, MMAP_BASE), -EFAULT);
	leave_mm(mm);
	expect_baseline(t, &b);
}

/* Maps and writes n pages of anonymous memory in mm; returns where (MMAP_BASE: 2 MiB aligned). */
static uint64_t map_written(struct ktest *t, struct mm *mm, unsigned int n)
{
	uint64_t a = (uint64_t)vm_mmap(mm, 0, (uint64_t)n * PAGE_SIZE, RW, ANON, NULL, 0);

	EXPECT_EQ(t, a, MMAP_BASE);
	EXPECT_EQ(t, fill_pages(a, n), 0);
	return a;
}

/* The gather's counts over a munmap of n written pages in a mode. */
static struct mmu_gather_stats unmap_counted(struct ktest *t, struct mm *mm, unsigned int n,
					     enum tlb_mode mode, bool fail_batches)
{
	uint64_t a = map_written(t, mm, n);
	struct mmu_gather_stats g0, g1;

	WRITE_ONCE(tlb_mode, mode);
	g0 = mmu_gather_stats();
	if (fail_batches)
		alloc_fail_inject_n(1, ALLOC_FAIL_FOREVER);
	EXPECT_EQ(t, vm_munmap(mm, a, (uint64_t)n * PAGE_SIZE), 0);
	alloc_fail_cancel();
	g1 = mmu_gather_stats();
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
	EXPECT_EQ(t, mm->nr_pages, 0ULL);
	EXPECT_EQ(t, g1.pages_freed - g0.pages_freed, (uint64_t)n);
	return (struct mmu_gather_stats){
		.flushes = g1.flushes - g0.flushes,
		.flushes_locked = g1.flushes_locked - g0.flushes_locked,
		.flushes_dirty = g1.flushes_dirty - g0.flushes_dirty,
		.batch_pages = g1.batch_pages - g0.batch_pages,
		.batch_fails = g1.batch_fails - g0.batch_fails,
	};
}

/* 2048 pages (8 MiB): today's gather chains 5 batch pages and flushes once; the 2.6.39 one
   (rework) has one batch page and flushes every 8 + 509 pages. */
#define CHAIN_PAGES 2048

static void test_batches_chain(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-chain");
	struct mmu_gather_stats d;

	ASSERT_NOT_NULL(t, mm);
	d = unmap_counted(t, mm, CHAIN_PAGES, TLB_BATCHED, false);
	EXPECT_EQ(t, d.flushes, 1ULL);
	EXPECT_EQ(t, d.batch_pages,
		  (uint64_t)((CHAIN_PAGES - MMU_GATHER_LOCAL + MMU_GATHER_BATCH - 1) /
			     MMU_GATHER_BATCH));
	EXPECT_LE(t, d.batch_pages, (uint64_t)MAX_GATHER_BATCH_COUNT);
	d = unmap_counted(t, mm, CHAIN_PAGES, TLB_REWORK, false);
	EXPECT_EQ(t, d.batch_pages, 1ULL);
	EXPECT_EQ(t, d.flushes,
		  (uint64_t)((CHAIN_PAGES + MMU_GATHER_LOCAL + MMU_GATHER_BATCH - 1) /
			     (MMU_GATHER_LOCAL + MMU_GATHER_BATCH)));
	leave_mm(mm);
	expect_baseline(t, &b);
}

/* The first two batch allocations fail, the third finds memory: the gather flushes twice with
   its 8 slots, then gets its batch page and goes on batched. A gather that gave up after a
   failure would flush every 8 pages, 64 times. */
static void test_batch_retry_after_failure(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-retry");
	struct mmu_gather_stats g0, g1;
	uint64_t a;

	ASSERT_NOT_NULL(t, mm);
	a = map_written(t, mm, 512);
	g0 = mmu_gather_stats();
	alloc_fail_inject_n(1, 2);
	EXPECT_EQ(t, vm_munmap(mm, a, 512 * PAGE_SIZE), 0);
	alloc_fail_cancel();
	g1 = mmu_gather_stats();
	EXPECT_EQ(t, g1.pages_freed - g0.pages_freed, 512ULL);
	EXPECT_GE(t, g1.batch_fails - g0.batch_fails, 1ULL);
	EXPECT_EQ(t, g1.batch_pages - g0.batch_pages, 1ULL); /* memory came back: tried again */
	EXPECT_LE(t, g1.flushes - g0.flushes, 3ULL);
	leave_mm(mm);
	expect_baseline(t, &b);
}

/* Writes n pages of a shared mapping of a new tmpfs file; returns the address, 0 on failure. */
static uint64_t map_shared_written(struct ktest *t, struct mm *mm, int *fd, unsigned int n)
{
	static char zeros[PAGE_SIZE];
	int64_t a;

	*fd = sys_open("/tmp/ktest-gather-shared", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (*fd < 0)
		return 0;
	for (unsigned int i = 0; i < n; i++)
		EXPECT_EQ(t, sys_write(*fd, zeros, PAGE_SIZE), (ssize_t)PAGE_SIZE);
	a = sys_mmap(mm, 0, (uint64_t)n * PAGE_SIZE, RW, MAP_SHARED, *fd, 0);
	EXPECT_GT(t, a, 0LL);
	if (a <= 0)
		return 0;
	EXPECT_EQ(t, fill_pages((uint64_t)a, n), 0);
	return (uint64_t)a;
}

static void close_shared(int fd)
{
	sys_close(fd);
	sys_unlink("/tmp/ktest-gather-shared");
}

/*
 * Flush outside page_table_lock: no flush of ordinary pages is made with it held, batches or
 * not (with every batch allocation failing the zap flushes every 8 pages, and the tables find
 * no batch either), and the 2.6.38 gather, which flushed inside the walk, is counted doing so.
 * The one exception, written entries of a shared file mapping, is counted as such, and is all
 * that is counted.
 */
static void test_flush_outside_page_table_lock(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-ptl");
	struct mmu_gather_stats d, g0, g1;
	uint64_t a;
	int fd;

	ASSERT_NOT_NULL(t, mm);
	d = unmap_counted(t, mm, 1024, TLB_BATCHED, false);
	EXPECT_EQ(t, d.flushes_locked, 0ULL);
	d = unmap_counted(t, mm, 1024, TLB_BATCHED, true);
	EXPECT_GE(t, d.flushes, 1024ULL / MMU_GATHER_LOCAL);
	EXPECT_EQ(t, d.flushes_locked, 0ULL);
	d = unmap_counted(t, mm, 1024, TLB_LEGACY, false);
	EXPECT_EQ(t, d.flushes_locked, 1024ULL / FREE_PTE_NR); /* inside the walk, when full */
	a = map_shared_written(t, mm, &fd, 4);
	ASSERT_NE(t, a, 0ULL);
	g0 = mmu_gather_stats();
	EXPECT_EQ(t, vm_munmap(mm, a, 4 * PAGE_SIZE), 0);
	g1 = mmu_gather_stats();
	close_shared(fd);
	EXPECT_EQ(t, g1.flushes_dirty - g0.flushes_dirty, 1ULL);
	EXPECT_EQ(t, g1.flushes_locked - g0.flushes_locked, 1ULL);
	leave_mm(mm);
	expect_baseline(t, &b);
}

/*
 * Preemptibility. zap_table_hook runs in the zap after each page table, page_table_lock held:
 * it notes the preempt count there and, the first time, wakes a thread bound to this CPU that
 * asks for the CPU at once (sched_set_wake_preempt). The thread notes how many pages the mm
 * still maps when it gets to run. No timing decides: where preemption can come back is fixed
 * by the code.
 */
static struct {
	struct mm *mm;
	struct thread *sleeper;
	int count; /* preempt_count() in the walk, at the first table */
	bool fired;
} zap_watch;

static void zap_watch_hook(struct mm *mm)
{
	if (mm != zap_watch.mm || zap_watch.fired)
		return;
	zap_watch.fired = true;
	zap_watch.count = preempt_count();
	if (zap_watch.sleeper)
		wake_up_process(zap_watch.sleeper);
}

static void zap_watch_start(struct mm *mm, struct thread *sleeper)
{
	zap_watch.mm = mm;
	zap_watch.sleeper = sleeper;
	zap_watch.fired = false;
	zap_watch.count = -1;
	WRITE_ONCE(zap_table_hook, zap_watch_hook);
}

static void zap_watch_stop(void)
{
	WRITE_ONCE(zap_table_hook, NULL);
	zap_watch.mm = NULL;
}

struct sleeper {
	struct mm *mm;
	volatile bool ready, returned; /* asleep; the munmap has returned */
	uint64_t pages_seen;	       /* mm->nr_pages when it ran */
	bool ran_after;		       /* it ran only after the munmap returned */
};

static int sleeper_fn(void *arg)
{
	struct sleeper *s = arg;

	set_current_state(THREAD_SLEEPING);
	WRITE_ONCE(s->ready, true);
	schedule();
	s->pages_seen = READ_ONCE(s->mm->nr_pages);
	s->ran_after = READ_ONCE(s->returned);
	return 0;
}

#define PREEMPT_PAGES 2048 /* 4 page tables */

/* Unmaps PREEMPT_PAGES in a mode while a thread of this CPU is woken at the first table. */
static void unmap_waking(struct ktest *t, struct mm *mm, enum tlb_mode mode, struct sleeper *s)
{
	uint64_t a = map_written(t, mm, PREEMPT_PAGES);
	struct thread *th;

	*s = (struct sleeper){.mm = mm};
	th = kthread_create(sleeper_fn, s, "ktest-sleeper");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, smp_processor_id());
	sched_set_wake_preempt(th, true);
	wake_up_new_thread(th);
	while (!READ_ONCE(s->ready) || READ_ONCE(th->on_rq)) /* asleep, off the queue */
		yield();
	WRITE_ONCE(tlb_mode, mode);
	zap_watch_start(mm, th);
	EXPECT_EQ(t, vm_munmap(mm, a, PREEMPT_PAGES * PAGE_SIZE), 0);
	WRITE_ONCE(s->returned, true);
	zap_watch_stop();
	WRITE_ONCE(tlb_mode, TLB_BATCHED);
	kthread_join(th);
	EXPECT_TRUE(t, zap_watch.fired);
}

static void test_unmap_is_preemptible(struct ktest *t)
{
	struct baseline b = baseline();
	unsigned int me = smp_processor_id();
	struct sleeper s;
	struct mm *mm;

	ASSERT_EQ(t, kthread_bind(current, me), 0);
	mm = enter_new_mm("ktest-preempt");
	ASSERT_NOT_NULL(t, mm);
	/* Today's gather: only page_table_lock holds preemption off in the walk, and the woken
	   thread runs as soon as the first table's lock is dropped. */
	unmap_waking(t, mm, TLB_BATCHED, &s);
	EXPECT_EQ(t, zap_watch.count, 1);
	EXPECT_FALSE(t, s.ran_after);
	EXPECT_EQ(t, s.pages_seen, (uint64_t)(PREEMPT_PAGES - PT_ENTRIES));
	/* The 2.6.38 gather: preemption off for the whole zap of the VMA; the thread waits for
	   all of it. */
	unmap_waking(t, mm, TLB_LEGACY, &s);
	EXPECT_EQ(t, zap_watch.count, 2);
	EXPECT_FALSE(t, s.ran_after);
	EXPECT_EQ(t, s.pages_seen, 0ULL);
	leave_mm(mm);
	kthread_unbind(current);
	expect_baseline(t, &b);
}

/* Truncate's unmap (unmap_mapping_pages) walks under i_mmap_lock, a mutex: in the walk only
   page_table_lock holds preemption off (a spinlock i_mmap_lock made the count 2). Its flushes
   under page_table_lock are the written shared entries', and counted as such. */
static void test_truncate_unmap_is_preemptible(struct ktest *t)
{
	struct baseline b = baseline();
	struct mm *mm = enter_new_mm("ktest-truncate");
	struct mmu_gather_stats g0, g1;
	uint64_t a, v;
	int fd;

	ASSERT_NOT_NULL(t, mm);
	a = map_shared_written(t, mm, &fd, 4);
	ASSERT_NE(t, a, 0ULL);
	zap_watch_start(mm, NULL);
	g0 = mmu_gather_stats();
	EXPECT_EQ(t, sys_ftruncate(fd, 0), 0);
	g1 = mmu_gather_stats();
	zap_watch_stop();
	EXPECT_TRUE(t, zap_watch.fired);
	EXPECT_EQ(t, zap_watch.count, 1);
	EXPECT_EQ(t, g1.flushes_locked - g0.flushes_locked, g1.flushes_dirty - g0.flushes_dirty);
	EXPECT_EQ(t, mm->nr_pages, 0ULL);
	EXPECT_EQ(t, get_user_u64(&v, a), -EFAULT); /* past the end of the file now */
	EXPECT_EQ(t, vm_munmap(mm, a, 4 * PAGE_SIZE), 0);
	close_shared(fd);
	leave_mm(mm);
	expect_baseline(t, &b);
}

KTEST_SUITE(mmu_gather_batch, KTEST_CASE(test_batch_allocation_failure),
	    KTEST_CASE(test_batches_chain), KTEST_CASE(test_batch_retry_after_failure),
	    KTEST_CASE(test_flush_outside_page_table_lock), KTEST_CASE(test_unmap_is_preemptible),
	    KTEST_CASE(test_truncate_unmap_is_preemptible));
