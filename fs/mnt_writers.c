/*
 * Writer counts on mounts: who is writing through this mount now? (Linux keeps this in
 * fs/namespace.c.) The counting came with "r/o bind mounts: track numbers of writers to
 * mounts", Linux 2.6.26, which cached one mount's count per CPU with a shared count behind
 * (mode cpu-cache, fs/mnt_writers_variants.c). What this file does is Linux's rewrite of it in
 * 2.6.29, "fs: mnt_want_write speedup": per-CPU counters in each mount and MNT_WRITE_HOLD,
 * which Linux keeps today. The shared atomic the 2.6.26 patch rejects is mode atomic.
 *
 * Every change to a filesystem through a mount (an open for writing, until its file is
 * released; a create, unlink, mkdir, rmdir, rename, truncate, for its duration) holds a write
 * reference on the mount: mnt_want_write ... mnt_drop_write. remount,ro must know that nobody
 * holds one, and after it returns, nobody may get one:
 *
 *   mnt_get_write_access                   mnt_make_readonly (remount,ro)
 *     this CPU's writers++                   mnt_flags |= MNT_WRITE_HOLD
 *     smp_mb()                               smp_mb()
 *     while WRITE_HOLD: spin                 sum every CPU's writers
 *     smp_rmb()                              sum > 0: -EBUSY; else mnt_flags |= MNT_READONLY
 *     READONLY? writers--, -EROFS            smp_wmb(); clear MNT_WRITE_HOLD
 *
 * Each side writes, fences, then reads what the other writes, so at least one sees the other:
 * either remount,ro counts the writer (EBUSY), or the writer sees WRITE_HOLD, waits, and then
 * sees READONLY (the write barrier orders it before the hold's end). mnt_put_write_access
 * lowers the counter of whatever CPU it runs on; only the sum means anything. An open/close
 * pair on one CPU touches only that CPU's cache line of the mount.
 *
 * A mount counting its writers another way (fs/mnt_writers_variants.c: the cache of the
 * 2.6.26 patch, the atomic it rejects, none, and the tortures' broken variants) leaves each
 * function here by its one unlikely branch on mnt_writers_mode.
 *
 * The 2.6.26 patch's debugging aid is kept for every mode: counts that do not balance (more
 * drops than wants seen when remount,ro sums, or by cpu-cache's shared count; writers still
 * counted when the mount is freed) are reported once per mount, with MNT_IMBALANCED_WRITE_COUNT
 * as the patch's "once", and counted for `mntstat`.
 *
 * Lock order: mount_lock's spinlock, then sb->s_lock, then (cpu-cache mounts only) the
 * per-CPU cpu_writer locks in CPU order. Interrupt handlers never take write references.
 */
#include "fs/mount.h"
#include "fs/mnt_writers_variants.h"
#include "kernel/delay_point.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/errno.h"

DEFINE_PER_CPU(struct mnt_writers_stats, mnt_writers_stats_pcp);

DEFINE_DELAY_POINT(dp_mnt_ro_summed, "mnt-ro-summed",
		   "remount,ro: after summing the writers, before setting read-only");
DEFINE_DELAY_POINT(dp_mnt_write_hold, "mnt-write-hold",
		   "remount,ro: WRITE_HOLD set (cpu-cache: every CPU's lock), before the sum");
DEFINE_DELAY_POINT(dp_mnt_hold_wait, "mnt-hold-wait",
		   "mnt_want_write: found the hold of a remount,ro, before waiting for its end");

#define COUNT_STAT(field)                                                                          \
	do {                                                                                       \
		preempt_disable();                                                                 \
		this_cpu_ptr(&mnt_writers_stats_pcp)->field++;                                     \
		preempt_enable();                                                                  \
	} while (0)

/* Preemption off: this CPU's writer counter of mnt. */
static struct mnt_pcp *this_cpu_mnt_pcp(struct vfsmount *mnt)
{
	return &mnt->mnt_pcp[smp_processor_id()];
}

/**
 * mnt_get_writers - the sum of mnt's writer counts over every CPU
 *
 * Exact only while no writer can come or go: under MNT_WRITE_HOLD (mnt_make_readonly), or
 * when the caller knows the mount is idle. Otherwise a snapshot for the shell and the tests.
 */
int mnt_get_writers(struct vfsmount *mnt)
{
	int count = 0;

	if (unlikely(mnt->mnt_writers_mode != WRITERS_PERCPU))
		return mnt_writers_per_cpu(mnt, NULL);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		count += READ_ONCE(mnt->mnt_pcp[cpu].writers);
	return count;
}

/**
 * mnt_get_write_access - take a write reference on mnt
 *
 * Counts this CPU as writing through mnt, waits out a remount,ro that is summing the writers,
 * then checks read-only. Returns 0 with the reference held, to be put by mnt_put_write_access
 * on any CPU, or -EROFS (nothing held) when the mount or its superblock is read-only. Does not
 * sleep; may spin while a remount,ro sums. Any context but an interrupt handler.
 */
int mnt_get_write_access(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp;
	int ret = 0;

	preempt_disable();
	if (unlikely(mnt->mnt_writers_mode != WRITERS_PERCPU)) {
		ret = mnt_get_write_access_variant(mnt);
		preempt_enable();
		return ret;
	}
	pcp = this_cpu_mnt_pcp(mnt);
	WRITE_ONCE(pcp->writers, pcp->writers + 1);
	/* Our count before our read of WRITE_HOLD: pairs with the smp_mb() in
	   mnt_hold_writers(), which sets WRITE_HOLD before it sums. One of us sees the other. */
	smp_mb();
	if (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD) {
		this_cpu_ptr(&mnt_writers_stats_pcp)->hold_waits++;
		delay_point(&dp_mnt_hold_wait);
		while (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD)
			cpu_relax();
	}
	/* WRITE_HOLD seen clear before READONLY is read: pairs with the smp_wmb() in
	   mnt_unhold_writers(), which orders READONLY before the hold's end. */
	smp_rmb();
	if (mnt_is_readonly(mnt)) {
		WRITE_ONCE(pcp->writers, pcp->writers - 1);
		ret = -EROFS;
	}
	preempt_enable();
	return ret;
}

/**
 * mnt_put_write_access - put a write reference taken by mnt_get_write_access
 *
 * Lowers the writer counter of the CPU it runs on, which need not be the one that took the
 * reference. Never fails, never sleeps.
 */
void mnt_put_write_access(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp;

	preempt_disable();
	if (unlikely(mnt->mnt_writers_mode != WRITERS_PERCPU)) {
		mnt_put_write_access_variant(mnt);
	} else {
		pcp = this_cpu_mnt_pcp(mnt);
		WRITE_ONCE(pcp->writers, pcp->writers - 1);
	}
	preempt_enable();
}

/**
 * mnt_want_write - take a write reference on mnt before changing the filesystem through it
 *
 * What the VFS calls around every change (create, unlink, rename, an open for writing...).
 * Returns 0 with the reference held, or -EROFS. Linux's mnt_want_write also takes the
 * superblock's freeze protection (sb_start_write); we have no freezing, so it is
 * mnt_get_write_access, counted for `mntstat`.
 */
int mnt_want_write(struct vfsmount *mnt)
{
	int ret = mnt_get_write_access(mnt);
	struct mnt_writers_stats *stats;

	preempt_disable(); /* one section for both counts */
	stats = this_cpu_ptr(&mnt_writers_stats_pcp);
	stats->want++;
	if (ret)
		stats->erofs++;
	preempt_enable();
	return ret;
}

/**
 * mnt_drop_write - put the write reference of a successful mnt_want_write
 *
 * On any CPU, from any context but an interrupt handler (the last fput of a file opened for
 * writing calls it, possibly on another CPU than the open).
 */
void mnt_drop_write(struct vfsmount *mnt)
{
	mnt_put_write_access(mnt);
	COUNT_STAT(drop);
}

/* mount_lock held: the first report of mnt's imbalance, once (the flag). */
static void report_imbalance(struct vfsmount *mnt, int count, const char *how)
{
	if (mnt->mnt_flags & MNT_IMBALANCED_WRITE_COUNT)
		return;
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags | MNT_IMBALANCED_WRITE_COUNT);
	COUNT_STAT(imbalanced);
	pr_warn("mnt_writers: mount %d (%s, counting %s): writer count %d %s, seen on cpu %u "
		"(a mnt_want_write/mnt_drop_write pair does not match; reported once)\n",
		mnt->mnt_id, mnt->mnt_devname, writers_mode_name(mnt->mnt_writers_mode), count, how,
		smp_processor_id());
}

/**
 * mnt_writers_imbalance - report that mnt's writer counts do not balance
 *
 * count is what was found, how says when ("at its free", "underflowed"). The first report of
 * a mount prints it with the CPU that saw it and counts it in `mntstat`'s imbalanced; later
 * ones are dropped, as the patch's MNT_IMBALANCED_WRITE_COUNT kept its warning to one. A
 * broken pair of calls somewhere, not a broken kernel: no panic. Takes mount_lock.
 */
void mnt_writers_imbalance(struct vfsmount *mnt, int count, const char *how)
{
	read_seqlock_excl(&mount_lock);
	report_imbalance(mnt, count, how);
	read_sequnlock_excl(&mount_lock);
}

/**
 * mnt_writers_check_freed - the last reference to mnt is gone: were all its writers put?
 *
 * Flushes cpu-cache's caches of mnt into its shared count, then sums: writers still counted
 * are a leaked write reference, reported by mnt_writers_imbalance. For cleanup_mnt; takes the
 * cpu_writer locks and mount_lock in turn, so neither may be held.
 */
void mnt_writers_check_freed(struct vfsmount *mnt)
{
	int count;

	if (unlikely(mnt->mnt_writers_mode == WRITERS_CPU_CACHE))
		mnt_cpu_cache_forget(mnt);
	count = mnt_get_writers(mnt);
	if (unlikely(count))
		mnt_writers_imbalance(mnt, count, "at its free");
}

/*
 * Stops new writers of mnt (they spin in mnt_get_write_access until mnt_unhold_writers) and
 * counts those already in: 0 when there are none, -EBUSY otherwise. Either way the hold stays
 * until mnt_unhold_writers. A negative sum (more drops than wants) is reported, and counts as
 * none, as in the 2.6.26 patch. mount_lock held.
 */
static int mnt_hold_writers(struct vfsmount *mnt)
{
	int count;

	if (unlikely(mnt->mnt_writers_mode != WRITERS_PERCPU)) {
		count = mnt_hold_writers_variant(mnt);
	} else {
		WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags | MNT_WRITE_HOLD);
		/* WRITE_HOLD before the counters are read: pairs with the smp_mb() in
		   mnt_get_write_access(), which counts itself before it reads WRITE_HOLD. */
		smp_mb();
		delay_point(&dp_mnt_write_hold); /* writers that come now must see it and wait */
		count = mnt_get_writers(mnt);
	}
	if (unlikely(count < 0))
		report_imbalance(mnt, count, "summed by remount,ro");
	return count > 0 ? -EBUSY : 0;
}

/* Ends the hold of mnt_hold_writers; what was made read-only under it is seen first. */
static void mnt_unhold_writers(struct vfsmount *mnt)
{
	if (unlikely(mnt->mnt_writers_mode != WRITERS_PERCPU)) {
		mnt_unhold_writers_variant(mnt);
		return;
	}
	/* READONLY before the end of the hold: pairs with the smp_rmb() in
	   mnt_get_write_access(), after its wait for the hold. */
	smp_wmb();
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags & ~MNT_WRITE_HOLD);
}

/**
 * mnt_make_readonly - remount,ro of one mount (MS_REMOUNT | MS_BIND | MS_RDONLY)
 *
 * Makes mnt refuse writes if no writer holds a write reference on it. Returns 0: from now on
 * no writer holds one and mnt_get_write_access returns -EROFS; or -EBUSY: a writer holds one,
 * and the mount stays writable. Requires mount_lock held (read_seqlock_excl); does not sleep.
 */
int mnt_make_readonly(struct vfsmount *mnt)
{
	int ret = mnt_hold_writers(mnt);

	delay_point(&dp_mnt_ro_summed); /* writers that come now must wait for the hold */
	if (!ret)
		WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags | MNT_READONLY);
	mnt_unhold_writers(mnt);
	if (ret)
		COUNT_STAT(remount_busy);
	return ret;
}

/**
 * mnt_make_writable - remount,rw of one mount: writers may come again
 *
 * Requires mount_lock held. The superblock may still be read-only.
 */
void mnt_make_writable(struct vfsmount *mnt)
{
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags & ~MNT_READONLY);
}

/**
 * sb_prepare_remount_readonly - remount,ro of a superblock, checked through every mount of it
 *
 * Holds the writers of every writable mount of sb at once; if none of them has a writer, sets
 * SB_RDONLY before the holds end. Returns 0: sb is read-only and no writer holds a write
 * reference through any of its mounts; or -EBUSY, sb unchanged. Requires mount_lock held;
 * takes sb->s_lock; does not sleep. The filesystem's own remount (writing back what is dirty)
 * comes after, in do_remount.
 */
int sb_prepare_remount_readonly(struct super_block *sb)
{
	struct vfsmount *mnt;
	unsigned int visited = 0;
	int err = 0;

	spin_lock(&sb->s_lock);
	list_for_each_entry(mnt, &sb->s_mounts, mnt_instance) {
		visited++;
		if (!(mnt->mnt_flags & MNT_READONLY) && (err = mnt_hold_writers(mnt)))
			break; /* held too, busy or not: the loop below ends its hold */
	}
	delay_point(&dp_mnt_ro_summed);
	if (!err)
		WRITE_ONCE(sb->s_flags, sb->s_flags | SB_RDONLY);
	list_for_each_entry(mnt, &sb->s_mounts, mnt_instance) {
		if (!visited--)
			break;
		if (!(mnt->mnt_flags & MNT_READONLY))
			mnt_unhold_writers(mnt);
	}
	spin_unlock(&sb->s_lock);
	if (err)
		COUNT_STAT(remount_busy);
	return err;
}

/* The counters of `mntstat`, summed over the CPUs. */
struct mnt_writers_stats mnt_writers_stats(void)
{
	struct mnt_writers_stats sum = {0};

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct mnt_writers_stats *s = per_cpu_ptr(&mnt_writers_stats_pcp, cpu);

		sum.want += READ_ONCE(s->want);
		sum.drop += READ_ONCE(s->drop);
		sum.erofs += READ_ONCE(s->erofs);
		sum.hold_waits += READ_ONCE(s->hold_waits);
		sum.cache_switches += READ_ONCE(s->cache_switches);
		sum.remount_busy += READ_ONCE(s->remount_busy);
		sum.imbalanced += READ_ONCE(s->imbalanced);
	}
	return sum;
}
