/*
 * KTAP suite "writeback_notify": what write notification changed ("mm: tracking shared dirty
 * pages", Linux 2.6.19, docs/dirty.md), with the kernel as it was before beside it
 * (dirty_writenotify off: `dirty set writenotify 0`).
 *
 * Without notification a writer dirties pages that the counts, the throttling and the flusher
 * never see; msync finds them in the entries' dirty bits, munmap too. With it, the counts and
 * the flusher see every one. The filesystem hears of every write fault (page_mkwrite), and the
 * file's modification time moves with it. page_mkclean cleans an entry that mprotect(PROT_NONE)
 * hid, and takes an entry's dirty bit in one atomic step: a dirty bit the hardware sets on
 * another CPU while page_mkclean holds the entry is not lost.
 */
#include "kernel/ktest.h"
#include "tests/ktest/writeback_fixture.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/tick.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/fault.h"
#include "mm/mmap.h"
#include "mm/rmap.h"
#include "mm/filemap.h"
#include "mm/writeback.h"
#include "mm/uaccess.h"
#include "arch/x86_64/cpu.h"

#define NPAGES 16

/* What the kernel saw of NPAGES pages written through one shared mapping. */
struct seen {
	uint64_t most_dirty; /* the most pages counted dirty at once */
	uint64_t throttled;  /* writer sleeps in balance_dirty_pages */
	uint64_t flushed;    /* pages the flusher wrote, nobody calling msync or sync */
	bool on_disk;	     /* every write on the disk after the flusher's passes */
};

/*
 * Writes word 0 of each page with a limit of 8 dirty pages, then lets the
 * flusher (100 ms expiry, a pass every 50 ms) make six passes past the expiry.
 */
static struct seen write_and_wait(struct ktest *t, uint64_t a, int fd, bool notify)
{
	uint64_t bg = dirty_background_pages, limit = dirty_limit_pages;
	unsigned int period = dirty_writeback_ms;
	struct dirty_stats d0 = dirty_stats();
	struct seen s = {0};
	uint64_t passes, until;

	dirty_background_pages = 4;
	dirty_limit_pages = 8;
	dirty_expire_ms = 100;
	dirty_writeback_ms = 50;
	wakeup_flusher(); /* it sleeps with the old period until then */
	for (unsigned int i = 0; i < NPAGES; i++) {
		uint64_t n;

		EXPECT_EQ(t, put_user_u64(a + i * PAGE_SIZE, 0xd000 + i), 0);
		n = dirty_stats().nr_dirty;
		s.most_dirty = n > s.most_dirty ? n : s.most_dirty;
	}
	until = jiffies + msecs_to_jiffies(100);
	passes = dirty_stats().flusher_passes;
	/* A state, not a sleep: six passes of the flusher begun after the pages expired (a pass
	   that wrote them has ended once the next one ends). */
	for (int i = 0; i < 300 && dirty_stats().flusher_passes < passes + 6; i++) {
		if (jiffies <= until)
			passes = dirty_stats().flusher_passes;
		msleep(10);
	}
	dirty_background_pages = bg;
	dirty_limit_pages = limit;
	dirty_expire_ms = 600000;
	dirty_writeback_ms = period;
	s.throttled = dirty_stats().throttled - d0.throttled;
	s.flushed = dirty_stats().written - d0.written;
	s.on_disk = true;
	for (unsigned int i = 0; i < NPAGES; i++)
		s.on_disk &= disk_word(t, fd, i, 0) == 0xd000 + i;
	ktest_log(t,
		  "write notification %s: most dirty at once %llu, throttled %llu, flusher "
		  "wrote %llu of %u pages",
		  notify ? "on" : "off", (unsigned long long)s.most_dirty,
		  (unsigned long long)s.throttled, (unsigned long long)s.flushed, NPAGES);
	return s;
}

static uint64_t map_file(struct ktest *t, struct mm *mm, int fd, unsigned int pages)
{
	uint64_t a = (uint64_t)sys_mmap(mm, 0, pages * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);

	EXPECT_EQ(t, a, MMAP_BASE);
	return a;
}

/* Before 2.6.19: the writes are not counted, not throttled, not flushed; msync finds them in
   the entries' dirty bits and writes them; munmap finds the next one. */
static void test_without_notification(struct ktest *t)
{
	struct dirty_stats d0;
	struct seen s;
	struct mm *mm;
	uint64_t a;
	int fd;

	fd = wb_enter_file_mm(t, NPAGES, "ktest-wb-nonotify", &mm);
	if (fd < 0)
		return;
	dirty_writenotify = false;
	a = map_file(t, mm, fd, NPAGES);
	dirty_writenotify = true; /* the mapping keeps what it was made with */
	d0 = dirty_stats();
	s = write_and_wait(t, a, fd, false);
	EXPECT_EQ(t, s.most_dirty, 0ULL);
	EXPECT_EQ(t, s.throttled, 0ULL);
	EXPECT_EQ(t, s.flushed, 0ULL);
	EXPECT_FALSE(t, s.on_disk);
	EXPECT_EQ(t, pte_of(mm, a) & (PTE_W | PTE_D), PTE_W | PTE_D);

	/* msync's scan finds all of them in the dirty bits; the entries stay writable. */
	EXPECT_EQ(t, vm_msync(mm, a, NPAGES * PAGE_SIZE, MS_ASYNC), 0);
	EXPECT_EQ(t, dirty_stats().pte_dirty_found - d0.pte_dirty_found, (uint64_t)NPAGES);
	EXPECT_EQ(t, dirty_stats().nr_dirty, (uint64_t)NPAGES);
	EXPECT_EQ(t, pte_of(mm, a) & (PTE_W | PTE_D), PTE_W);
	EXPECT_EQ(t, vm_msync(mm, a, NPAGES * PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, NPAGES - 1, 0), 0xd000ULL + NPAGES - 1);

	/* A write after it sets the dirty bit again, with no fault; munmap moves it to the page. */
	EXPECT_EQ(t, put_user_u64(a + 8, 0xd0d0), 0);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 0ULL);
	EXPECT_EQ(t, vm_munmap(mm, a, NPAGES * PAGE_SIZE), 0);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 1ULL);
	EXPECT_EQ(t, dirty_stats().pte_dirty_found - d0.pte_dirty_found, (uint64_t)NPAGES + 1);
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, disk_word(t, fd, 0, 1), 0xd0d0ULL);
	wb_leave_file_mm(mm, fd);
}

/* Since 2.6.19: the same writes, each seen by the counts (held near the limit) and written
   by the flusher with nobody calling msync. */
static void test_with_notification(struct ktest *t)
{
	struct dirty_stats d0;
	struct seen s;
	struct mm *mm;
	uint64_t a;
	int fd;

	fd = wb_enter_file_mm(t, NPAGES, "ktest-wb-notify", &mm);
	if (fd < 0)
		return;
	a = map_file(t, mm, fd, NPAGES);
	d0 = dirty_stats();
	s = write_and_wait(t, a, fd, true);
	EXPECT_GT(t, s.most_dirty, 0ULL);
	EXPECT_LE(t, s.most_dirty, 8ULL + 2);	   /* the limit, and a race or two past it */
	EXPECT_GE(t, s.flushed, (uint64_t)NPAGES); /* more when it took a page between a write
						      fault and the write */
	EXPECT_TRUE(t, s.on_disk);
	EXPECT_EQ(t, dirty_stats().pte_dirty_found, d0.pte_dirty_found);
	EXPECT_FALSE(t, pte_of(mm, a) & PTE_W);
	wb_leave_file_mm(mm, fd);
}

/* Every first write to a clean page goes to page_mkwrite, not only one over a hole, and moves
   the file's modification and change times. */
static void test_mkwrite_every_write(struct ktest *t)
{
	struct kstat st0, st1;
	struct page *page;
	struct mm *mm;
	uint64_t a, m0;
	int fd;

	fd = wb_enter_file_mm(t, 1, "ktest-wb-mkwrite", &mm);
	if (fd < 0)
		return;
	a = map_file(t, mm, fd, 1);
	EXPECT_EQ(t, put_user_u64(a, 0x3e01), 0); /* the first: allocates, if need be */
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, MS_SYNC), 0);
	page = cache_page(fd, 0);
	ASSERT_NOT_NULL(t, page);
	EXPECT_TRUE(t, page->flags & PG_mappedtodisk); /* nothing left to allocate */
	EXPECT_FALSE(t, page->flags & PG_dirty);

	EXPECT_EQ(t, sys_fstat(fd, &st0), 0);
	m0 = fault_stats().mkwrite;
	EXPECT_EQ(t, put_user_u64(a + 8, 0x3e02), 0);
	EXPECT_EQ(t, fault_stats().mkwrite - m0, 1ULL);
	EXPECT_EQ(t, sys_fstat(fd, &st1), 0);
	EXPECT_GT(t, st1.mtime_ns, st0.mtime_ns);
	EXPECT_GT(t, st1.ctime_ns, st0.ctime_ns);
	/* A write to the now writable entry tells nobody. */
	EXPECT_EQ(t, put_user_u64(a + 16, 0x3e03), 0);
	EXPECT_EQ(t, fault_stats().mkwrite - m0, 1ULL);
	EXPECT_EQ(t, sys_fstat(fd, &st0), 0);
	EXPECT_EQ(t, st0.mtime_ns, st1.mtime_ns);
	wb_leave_file_mm(mm, fd);
}

/* page_mkclean cleans an entry mprotect(PROT_NONE) hid: with notification, the writes before
   reach the disk and the next write after PROT_READ|PROT_WRITE faults; without it, msync
   finds them in the hidden entry's dirty bit, which the entry keeps when shown again. */
static void test_protnone_cleaned(struct ktest *t)
{
	struct dirty_stats d0;
	struct mm *mm;
	uint64_t a, v, wp;
	int fd;

	fd = wb_enter_file_mm(t, 2, "ktest-wb-protnone", &mm);
	if (fd < 0)
		return;
	a = map_file(t, mm, fd, 1);
	EXPECT_EQ(t, put_user_u64(a, 0x9a01), 0);
	EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(t, pte_of(mm, a) & (PTE_P | PTE_PROTNONE | PTE_D), PTE_PROTNONE | PTE_D);
	d0 = dirty_stats();
	EXPECT_EQ(t, vm_msync(mm, a, PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, dirty_stats().ptes_cleaned - d0.ptes_cleaned, 1ULL);
	EXPECT_EQ(t, pte_of(mm, a) & (PTE_P | PTE_PROTNONE | PTE_D), PTE_PROTNONE);
	EXPECT_EQ(t, disk_word(t, fd, 0, 0), 0x9a01ULL);
	EXPECT_EQ(t, vm_mprotect(mm, a, PAGE_SIZE, WB_RW), 0);
	wp = fault_stats().wp_dirty;
	EXPECT_EQ(t, put_user_u64(a + 8, 0x9a02), 0);
	EXPECT_EQ(t, fault_stats().wp_dirty - wp, 1ULL);
	EXPECT_EQ(t, vm_munmap(mm, a, PAGE_SIZE), 0);
	EXPECT_EQ(t, sys_sync(), 0);

	/* Without notification, through PROT_NONE and back: the dirty bit is the only trace. */
	dirty_writenotify = false;
	a = map_file(t, mm, fd, 2);
	dirty_writenotify = true;
	EXPECT_EQ(t, put_user_u64(a + PAGE_SIZE, 0x9b01), 0);
	EXPECT_EQ(t, put_user_u64(a, 0x9b02), 0);
	EXPECT_EQ(t, vm_mprotect(mm, a, 2 * PAGE_SIZE, PROT_NONE), 0);
	EXPECT_EQ(t, vm_mprotect(mm, a + PAGE_SIZE, PAGE_SIZE, WB_RW), 0);
	EXPECT_EQ(t, get_user_u64(&v, a + PAGE_SIZE), 0); /* shows the entry again */
	EXPECT_EQ(t, v, 0x9b01ULL);
	EXPECT_TRUE(t, pte_of(mm, a + PAGE_SIZE) & PTE_P);
	d0 = dirty_stats();
	EXPECT_EQ(t, vm_msync(mm, a, 2 * PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, dirty_stats().pte_dirty_found - d0.pte_dirty_found, 2ULL);
	EXPECT_EQ(t, disk_word(t, fd, 1, 0), 0x9b01ULL);
	EXPECT_EQ(t, disk_word(t, fd, 0, 0), 0x9b02ULL);
	EXPECT_FALSE(t, pte_of(mm, a) & PTE_D);
	wb_leave_file_mm(mm, fd);
}

/* A thread of the same mm on another CPU that writes once page_mkclean holds the entry. */
struct hw_writer {
	struct mm *mm;
	uint64_t addr;
	struct delay_point *dp;
	volatile int state; /* 0 waiting for the window, 1 written, -1 gave up */
	int err;
};

static int hw_writer_fn(void *arg)
{
	struct hw_writer *w = arg;
	uint64_t until = jiffies + msecs_to_jiffies(5000);

	kthread_use_mm(w->mm);
	while (!atomic64_read(&w->dp->hits) && jiffies <= until)
		cpu_relax();
	if (atomic64_read(&w->dp->hits)) {
		/* The entry is writable and clean: the hardware sets its dirty bit now. */
		w->err = put_user_u64(w->addr + 8, 0xa70);
		WRITE_ONCE(w->state, 1);
	} else {
		WRITE_ONCE(w->state, -1);
	}
	kthread_unuse_mm(w->mm);
	return 0;
}

/*
 * page_mkclean reads the entry, waits in the window (delay point mkclean-entry, 200 ms), then
 * replaces it. A thread on another CPU writes the page inside the window, through the clean
 * writable entry of a mapping without notification: the hardware sets the dirty bit. The
 * compare-and-exchange fails and page_mkclean reads the entry again, dirty; msync then writes
 * the page. A plain write of the entry read first would erase that dirty bit: the page would
 * stay clean and the write would never reach the disk.
 */
static void test_mkclean_atomic(struct ktest *t)
{
	struct hw_writer w = {0};
	struct dirty_stats d0;
	struct thread *th;
	unsigned int me;
	uint64_t v;
	int fd;

	if (num_online_cpus() < 2)
		KTEST_SKIP(t, "needs 2 CPUs");
	if (!wb_make_file(t, 1))
		return;
	me = smp_processor_id();
	ASSERT_EQ(t, kthread_bind(current, me), 0);
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	ASSERT_NOT_NULL(t, w.mm = mm_alloc("ktest-wb-atomic"));
	kthread_use_mm(w.mm);
	dirty_writenotify = false;
	w.addr = map_file(t, w.mm, fd, 1);
	dirty_writenotify = true;
	EXPECT_EQ(t, get_user_u64(&v, w.addr), 0); /* maps it writable and clean */
	EXPECT_EQ(t, pte_of(w.mm, w.addr) & (PTE_W | PTE_D), PTE_W);
	w.dp = delay_point_find("mkclean-entry");
	ASSERT_NOT_NULL(t, w.dp);

	th = kthread_create(hw_writer_fn, &w, "wb-hw-writer");
	ASSERT_NOT_NULL(t, th);
	kthread_bind(th, (me + 1) % num_online_cpus());
	ASSERT_EQ(t, delay_point_set("mkclean-entry", 200000, 1), 0);
	wake_up_new_thread(th);
	d0 = dirty_stats();
	EXPECT_EQ(t, vm_msync(w.mm, w.addr, PAGE_SIZE, MS_ASYNC), 0);
	delay_point_set("mkclean-entry", 0, 0);
	kthread_join(th);
	EXPECT_EQ(t, w.state, 1);
	EXPECT_EQ(t, w.err, 0);
	ktest_log(t, "page_mkclean waited %lld times in its window",
		  (long long)atomic64_read(&w.dp->hits));
	EXPECT_EQ(t, dirty_stats().pte_dirty_found - d0.pte_dirty_found, 1ULL);
	EXPECT_EQ(t, vm_msync(w.mm, w.addr, PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, 0, 1), 0xa70ULL);
	kthread_unuse_mm(w.mm);
	mmput(w.mm);
	kthread_unbind(current);
	sys_close(fd);
}

KTEST_SUITE_HOOKS(writeback_notify, wb_init, wb_exit, KTEST_CASE(test_without_notification),
		  KTEST_CASE(test_with_notification), KTEST_CASE(test_mkwrite_every_write),
		  KTEST_CASE(test_protnone_cleaned), KTEST_CASE(test_mkclean_atomic));
