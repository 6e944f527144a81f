/*
 * KTAP suite "writeback_torture": a short run of `torture writeback` (no write is ever lost,
 * "mm: tracking shared dirty pages", Linux 2.6.19; docs/dirty.md), and each broken variant of
 * dirty tracking caught by it. The torture mounts the disk itself: no fixture.
 */
#include "kernel/ktest.h"
#include "block/blkdev.h"
#include "fs/torture/writeback_torture.h"
#include "kernel/smp.h"
#include "mm/rmap.h"
#include "mm/writeback.h"

/* The invariant of dirty tracking, briefly: writers on every CPU, the flusher and msyncs, and the unmap
   race with its windows widened; after a final sync every word on the disk holds the last value
   written (`torture writeback` runs longer). */
static void test_no_lost_write(struct ktest *t)
{
	struct wb_torture_result r;

	if (!blk_get_by_name("vda"))
		KTEST_SKIP(t, "no virtio-blk disk vda with the ext2 image");
	writeback_torture_widen(20000);
	EXPECT_EQ(t, writeback_torture_run(2000, "vda", "wbt", 0, &r), 0);
	writeback_torture_widen(0);
	EXPECT_GT(t, r.writes, 0ULL);
	EXPECT_GT(t, r.wp_faults, 0ULL);
	EXPECT_GT(t, r.msyncs, 0ULL);
	EXPECT_GT(t, r.race.rounds, 0ULL);
	EXPECT_GT(t, r.race.writes, 0ULL);
	EXPECT_EQ(t, r.lost, 0ULL);
	EXPECT_EQ(t, r.errors, 0ULL);
	EXPECT_EQ(t, dirty_stats().nr_dirty, 0ULL);
	EXPECT_EQ(t, dirty_stats().nr_writeback, 0ULL);
	ktest_log(t, "unmap race: %llu rounds, %llu munmaps, %llu mprotects, %llu writes",
		  (unsigned long long)r.race.rounds, (unsigned long long)r.race.munmaps,
		  (unsigned long long)r.race.mprotects, (unsigned long long)r.race.writes);
}

/* A broken variant of dirty tracking must lose writes, and the torture must see them: it is
   what shows that test_no_lost_write could fail. A race variant stops at its first loss, in
   well under a second on an idle host; 5 s is the bound. */
static void expect_caught(struct ktest *t, enum dirty_broken v, bool race)
{
	struct wb_torture_result r;

	if (!blk_get_by_name("vda"))
		KTEST_SKIP(t, "no virtio-blk disk vda with the ext2 image");
	if (race && num_online_cpus() < 2)
		KTEST_SKIP(t, "the unmap race needs a writer on another CPU than the unmapper");
	EXPECT_EQ(t, writeback_torture_broken(v, 5000, 20000, &r), 0);
	EXPECT_GT(t, r.lost, 0ULL);
	if (race)
		EXPECT_GT(t, r.race.lost, 0ULL);
	ktest_log(t,
		  "%llu words lost (%llu in the unmap race, in %llu of %llu rounds), the first "
		  "found after %llu ms",
		  (unsigned long long)r.lost, (unsigned long long)r.race.lost,
		  (unsigned long long)r.race.lost_rounds, (unsigned long long)r.race.rounds,
		  (unsigned long long)r.first_lost_ms);
	EXPECT_EQ(t, (int)dirty_broken, (int)DIRTY_SOUND);
}

static void test_broken_mkclean_keeps_write(struct ktest *t)
{
	expect_caught(t, DIRTY_BROKEN_MKCLEAN_KEEPS_WRITE, false);
}

static void test_broken_zap_flush_unlocked(struct ktest *t)
{
	expect_caught(t, DIRTY_BROKEN_ZAP_FLUSH_UNLOCKED, true);
}

static void test_broken_protnone_unseen(struct ktest *t)
{
	expect_caught(t, DIRTY_BROKEN_PROTNONE_UNSEEN, true);
}

KTEST_SUITE(writeback_torture, KTEST_CASE(test_no_lost_write),
	    KTEST_CASE(test_broken_mkclean_keeps_write), KTEST_CASE(test_broken_zap_flush_unlocked),
	    KTEST_CASE(test_broken_protnone_unseen));
