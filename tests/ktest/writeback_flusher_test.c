/*
 * KTAP suite "writeback_flusher": writeback around the mappings ("mm: tracking shared dirty pages" (Linux 2.6.19), docs/dirty.md). The
 * flusher writes a page past its expiry; a sync waits for a flusher pass that is still
 * writing; a writer over the hard limit is throttled. Mappings and dirty tracking themselves
 * are writeback_test.c's; the no-lost-write torture is writeback_torture_test.c's.
 */
#include "kernel/ktest.h"
#include "tests/ktest/writeback_fixture.h"
#include "kernel/sched/sleep.h"
#include "block/blkdev.h"
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "fs/torture/writeback_torture.h"
#include "kernel/smp.h"
#include "mm/mmap.h"
#include "mm/writeback.h"
#include "mm/uaccess.h"

/* The flusher writes a page dirty longer than the expiry, with nobody calling sync: the
   entry is read-only again afterwards, and the disk has the value. */
static void test_flusher_expiry(struct ktest *t)
{
	unsigned int period = dirty_writeback_ms;
	struct dirty_stats d0;
	struct mm *mm;
	uint64_t a;
	int fd;

	if (!wb_make_file(t, 1))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	mm = mm_alloc("ktest-wb-flusher");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	d0 = dirty_stats();
	EXPECT_EQ(t, put_user_u64(a, 0xf1f1), 0);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 1ULL);
	dirty_expire_ms = 100;
	dirty_writeback_ms = 50;
	/* Until the page is on the disk: the flusher clears PG_dirty before it writes. */
	for (int i = 0; i < 100 && dirty_stats().written == d0.written; i++) /* up to 2 s */
		msleep(20);
	dirty_expire_ms = 600000;
	dirty_writeback_ms = period;
	EXPECT_EQ(t, dirty_stats().nr_dirty, 0ULL);
	EXPECT_GT(t, dirty_stats().flusher_runs, d0.flusher_runs);
	EXPECT_FALSE(t, pte_of(mm, a) & PTE_W);
	EXPECT_EQ(t, disk_word(t, fd, 0, 0), 0xf1f1ULL);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}

/* A sync returns only when what was dirty is on the disk, even when the flusher took the file
   off the dirty list and is still writing it: the sync waits for the flusher's pass (ext2's
   s_sync_lock). The flusher sleeps in the window ext2_sync_delay_ms opens, after it took the
   file and before it writes it. */
static void test_sync_waits_for_flusher(struct ktest *t)
{
	uint64_t buf[PAGE_SIZE / 8];
	unsigned int delayed;
	int fd;

	if (!wb_make_file(t, 1))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	for (unsigned int w = 0; w < PAGE_SIZE / 8; w++)
		buf[w] = 0x5e9c0000 + w;
	EXPECT_EQ(t, sys_sync(), 0); /* nothing else dirty: the flusher's pass takes our file */
	EXPECT_EQ(t, sys_write(fd, buf, PAGE_SIZE), (ssize_t)PAGE_SIZE);
	delayed = READ_ONCE(ext2_sync_delayed);
	WRITE_ONCE(ext2_sync_delay_ms, 300);
	dirty_expire_ms = 0;
	wakeup_flusher();
	for (int i = 0; i < 200 && READ_ONCE(ext2_sync_delayed) == delayed; i++) /* up to 2 s */
		msleep(10);
	dirty_expire_ms = 600000;
	WRITE_ONCE(ext2_sync_delay_ms, 0);
	EXPECT_NE(t, READ_ONCE(ext2_sync_delayed), delayed); /* the flusher has the file */
	EXPECT_EQ(t, sys_sync(), 0);
	EXPECT_EQ(t, disk_word(t, fd, 0, 0), 0x5e9c0000ULL);
	EXPECT_EQ(t, disk_word(t, fd, 0, 511), 0x5e9c0000ULL + 511);
	sys_close(fd);
}

/* Over the hard limit a writer sleeps in balance_dirty_pages until the flusher has written
   enough: with a limit of 8 pages, 64 pages dirtied through a mapping never leave more than
   a few over it. */
static void test_throttling(struct ktest *t)
{
	uint64_t bg = dirty_background_pages, limit = dirty_limit_pages, most = 0;
	struct dirty_stats d0;
	struct mm *mm;
	uint64_t a;
	int fd;

	if (!wb_make_file(t, 64))
		return;
	fd = sys_open(WB_FILE, O_RDWR, 0);
	ASSERT_GE(t, fd, 0);
	mm = mm_alloc("ktest-wb-throttle");
	ASSERT_NOT_NULL(t, mm);
	kthread_use_mm(mm);
	a = (uint64_t)sys_mmap(mm, 0, 64 * PAGE_SIZE, WB_RW, MAP_SHARED, fd, 0);
	d0 = dirty_stats();
	dirty_background_pages = 4;
	dirty_limit_pages = 8;
	for (unsigned int i = 0; i < 64; i++) {
		uint64_t n;

		EXPECT_EQ(t, put_user_u64(a + i * PAGE_SIZE, 1000 + i), 0);
		n = dirty_stats().nr_dirty;
		most = n > most ? n : most;
	}
	dirty_background_pages = bg;
	dirty_limit_pages = limit;
	/*
	 * The limit holds either way. Whether the writer had to sleep for it depends on the race
	 * with the flusher, which the writer woke at 4 pages: on some boots (4 CPUs, 64 MiB) it
	 * keeps up and the writer never passes 8. A writer that passed the limit must have been
	 * throttled; one without throttling would reach 64.
	 */
	EXPECT_GT(t, dirty_stats().flusher_runs, d0.flusher_runs);
	EXPECT_LE(t, most, 8ULL + 2); /* the flusher may dirty-race one or two past it */
	if (most > 8)
		EXPECT_GT(t, dirty_stats().throttled, d0.throttled);
	ktest_log(t, "most dirty at once %llu, throttled %llu times", (unsigned long long)most,
		  (unsigned long long)(dirty_stats().throttled - d0.throttled));
	EXPECT_EQ(t, vm_msync(mm, a, 64 * PAGE_SIZE, MS_SYNC), 0);
	EXPECT_EQ(t, disk_word(t, fd, 63, 0), 1063ULL);
	EXPECT_EQ(t, disk_word(t, fd, 0, 0), 1000ULL);
	kthread_unuse_mm(mm);
	mmput(mm);
	sys_close(fd);
}

KTEST_SUITE_HOOKS(writeback_flusher, wb_init, wb_exit, KTEST_CASE(test_flusher_expiry),
		  KTEST_CASE(test_sync_waits_for_flusher), KTEST_CASE(test_throttling));
