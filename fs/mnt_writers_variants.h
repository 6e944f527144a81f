/*
 * Between fs/mnt_writers.c and fs/mnt_writers_variants.c: the writer side of the modes other
 * than WRITERS_PERCPU, which mnt_get_write_access and mnt_put_write_access reach by their one
 * unlikely branch. Nothing else includes it.
 *
 * The writer side is inline here, not behind a call into fs/mnt_writers_variants.c, so that
 * every mode costs what its own code costs: `bench mntwrite` calls mnt_want_write and
 * mnt_drop_write, which for percpu run the counter's code inline, and a call more for the
 * others (under TCG a call and its return cost some 20 ns, a quarter of a percpu want + drop)
 * would bias the comparison against them. The rare paths (cpu-cache's underflow check, every
 * mode's remount,ro side) stay out of line, as they were in Linux.
 */
#ifndef FS_MNT_WRITERS_VARIANTS_H
#define FS_MNT_WRITERS_VARIANTS_H

#include "fs/mount.h"
#include "kernel/delay_point.h"
#include "kernel/locking/spinlock.h"
#include "kernel/percpu.h"
#include "kernel/preempt.h"
#include "kernel/smp.h"
#include "lib/errno.h"

DECLARE_PER_CPU(struct mnt_writers_stats, mnt_writers_stats_pcp);

/* ---- WRITERS_CPU_CACHE: "r/o bind mounts: track numbers of writers to mounts" (2.6.26) ---- */

/* The one mount whose writers this CPU counts locally; the mount's shared count has the rest. */
struct mnt_writer {
	spinlock_t lock;
	struct vfsmount *mnt;
	int count; /* never below zero: a drop that would take it there goes to the shared count */
} __aligned(64);
DECLARE_PER_CPU(struct mnt_writer, cpu_writer);

void cpu_cache_check_underflow(struct vfsmount *mnt);

/* The CPU's cache lock held: make w count mnt, flushing the mount it counted before. */
static __always_inline void use_cpu_writer_for_mount(struct mnt_writer *w, struct vfsmount *mnt)
{
	if (w->mnt == mnt)
		return;
	if (w->mnt && w->count)
		atomic_add(w->count, &w->mnt->mnt_writers_shared);
	w->mnt = mnt;
	w->count = 0;
	this_cpu_ptr(&mnt_writers_stats_pcp)->cache_switches++;
}

/* Preemption off. A remount,ro holds every CPU's lock: no barrier or hold flag is needed. */
static __always_inline int cpu_cache_get(struct vfsmount *mnt)
{
	struct mnt_writer *w = this_cpu_ptr(&cpu_writer);
	int ret = 0;

	if (!spin_trylock(&w->lock)) { /* a remount,ro (or a leak check) holds it: wait */
		this_cpu_ptr(&mnt_writers_stats_pcp)->hold_waits++;
		delay_point(&dp_mnt_hold_wait);
		spin_lock(&w->lock);
	}
	if (mnt_is_readonly(mnt)) {
		ret = -EROFS;
	} else {
		use_cpu_writer_for_mount(w, mnt);
		w->count++;
	}
	spin_unlock(&w->lock);
	return ret;
}

/*
 * Preemption off. As the patch has it, a drop makes this CPU's cache count mnt too, and takes
 * one from the cached count only when it holds one; else (the reference was taken on another
 * CPU, or flushed since) from the shared count, which is then checked for a leak.
 */
static __always_inline void cpu_cache_put(struct vfsmount *mnt)
{
	struct mnt_writer *w = this_cpu_ptr(&cpu_writer);
	bool to_shared = false;

	spin_lock(&w->lock);
	use_cpu_writer_for_mount(w, mnt);
	if (w->count > 0) {
		w->count--;
	} else {
		atomic_dec(&mnt->mnt_writers_shared);
		to_shared = true;
	}
	spin_unlock(&w->lock);
	if (to_shared)
		cpu_cache_check_underflow(mnt);
}

/* ---- the writer side of percpu's copies (the broken variants) and of atomic ---- */

/*
 * Preemption off: waits while a remount,ro holds mnt's writers. Inline, so that in the broken
 * no-writer-mb the load of the flags follows the count's store as closely as the C says
 * (under TCG a call ends the translation block, and the time between lets the store drain).
 */
static __always_inline void wait_for_hold(struct vfsmount *mnt)
{
	if (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD) {
		this_cpu_ptr(&mnt_writers_stats_pcp)->hold_waits++;
		delay_point(&dp_mnt_hold_wait);
		while (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD)
			cpu_relax();
	}
}

/*
 * mnt_get_write_access() written out again for the broken variants, with or without its
 * smp_mb(). no-write-hold keeps the barrier (its remount side is what is broken); no-writer-mb
 * drops it: the count's store may wait in this CPU's store buffer while the load of the flags
 * goes ahead, so this writer and a remount,ro can each miss the other's store.
 */
static __always_inline int percpu_get(struct vfsmount *mnt, bool full_barrier)
{
	struct mnt_pcp *pcp = &mnt->mnt_pcp[smp_processor_id()];

	WRITE_ONCE(pcp->writers, pcp->writers + 1);
	if (full_barrier)
		smp_mb(); /* pairs with the smp_mb() of hold_by_flag(), as in the mechanism */
	wait_for_hold(mnt);
	smp_rmb(); /* pairs with the smp_wmb() of unhold_by_flag() */
	if (mnt_is_readonly(mnt)) {
		WRITE_ONCE(pcp->writers, pcp->writers - 1);
		return -EROFS;
	}
	return 0;
}

/* The shared atomic the 2.6.26 patch rejected: every CPU's writers bounce its cache line. */
static __always_inline int atomic_get(struct vfsmount *mnt)
{
	/* A locked instruction, a full barrier: pairs with the smp_mb() of hold_by_flag(). */
	atomic_inc(&mnt->mnt_writers_shared);
	wait_for_hold(mnt);
	smp_rmb(); /* pairs with the smp_wmb() of unhold_by_flag() */
	if (mnt_is_readonly(mnt)) {
		atomic_dec(&mnt->mnt_writers_shared);
		return -EROFS;
	}
	return 0;
}

/* mnt_get_write_access() of a mount not counting percpu, preemption off: 0 or -EROFS. */
static __always_inline int mnt_get_write_access_variant(struct vfsmount *mnt)
{
	switch (mnt->mnt_writers_mode) {
	case WRITERS_ATOMIC:
		return atomic_get(mnt);
	case WRITERS_CPU_CACHE:
		return cpu_cache_get(mnt);
	case WRITERS_BROKEN_NO_HOLD:
		return percpu_get(mnt, true);
	case WRITERS_BROKEN_NO_MB:
		return percpu_get(mnt, false);
	default: /* WRITERS_NONE */
		return mnt_is_readonly(mnt) ? -EROFS : 0;
	}
}

/* mnt_put_write_access() of a mount not counting percpu, preemption off. */
static __always_inline void mnt_put_write_access_variant(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp;

	switch (mnt->mnt_writers_mode) {
	case WRITERS_ATOMIC:
		atomic_dec(&mnt->mnt_writers_shared);
		break;
	case WRITERS_CPU_CACHE:
		cpu_cache_put(mnt);
		break;
	case WRITERS_BROKEN_NO_HOLD:
	case WRITERS_BROKEN_NO_MB:
		pcp = &mnt->mnt_pcp[smp_processor_id()];
		WRITE_ONCE(pcp->writers, pcp->writers - 1);
		break;
	default: /* WRITERS_NONE counts nothing */
		break;
	}
}

/* ---- the remount,ro side (fs/mnt_writers_variants.c) ---- */

int mnt_hold_writers_variant(struct vfsmount *mnt);
void mnt_unhold_writers_variant(struct vfsmount *mnt);

#endif
