/*
 * The other ways a mount may count its writers (mount -o writers=MODE), beside the mechanism
 * in fs/mnt_writers.c (WRITERS_PERCPU, Linux since 2.6.29), which comes here by one unlikely
 * branch for any other mode:
 *
 *   WRITERS_ATOMIC     one shared atomic counter in the mount: correct, but every writer on
 *                      every CPU bounces one cache line (what the 2.6.26 series set out to avoid)
 *   WRITERS_CPU_CACHE  the form of "r/o bind mounts: track numbers of writers to mounts"
 *                      (Linux 2.6.26): each CPU caches the count of one mount, under a per-CPU
 *                      spinlock; using another mount flushes the cache into that mount's shared
 *                      counter (cheap with one mount, costly with two used in turn). remount,ro
 *                      takes every CPU's lock and sums. Linux 2.6.29 replaced it with percpu.
 *   WRITERS_NONE       no counting at all: the benchmark's floor (remount,ro cannot see writers)
 *
 * and two broken on purpose, for the self-check of `torture mounts`: percpu with one side of
 * the handshake taken out, on the mounts mounted with them only.
 *
 *   WRITERS_BROKEN_NO_HOLD  remount,ro sums and sets READONLY with no WRITE_HOLD: a writer
 *                           that counts itself after the sum and checks READONLY before it is
 *                           set goes on writing through the read-only mount
 *   WRITERS_BROKEN_NO_MB    the writer reads the flags with no full barrier after its count:
 *                           the count can still sit in the CPU's store buffer when the summer
 *                           reads it (x86's one reordering, store then load)
 *
 * Lock order: mount_lock's spinlock, then sb->s_lock, then the cpu_writer locks in CPU order.
 */
#include "fs/mnt_writers_variants.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"

enum mnt_writers_mode default_writers_mode = WRITERS_PERCPU;

static const char *const mode_names[NR_WRITERS_MODES] = {
	[WRITERS_PERCPU] = "percpu",
	[WRITERS_ATOMIC] = "atomic",
	[WRITERS_CPU_CACHE] = "cpu-cache",
	[WRITERS_NONE] = "none",
	[WRITERS_BROKEN_NO_HOLD] = "no-write-hold",
	[WRITERS_BROKEN_NO_MB] = "no-writer-mb",
};

/* The name `mount -o writers=` takes for mode, or "?". */
const char *writers_mode_name(enum mnt_writers_mode mode)
{
	return mode < NR_WRITERS_MODES ? mode_names[mode] : "?";
}

/* The mode named name, or -1 for an unknown name. */
int writers_mode_parse(const char *name)
{
	for (int m = 0; m < NR_WRITERS_MODES; m++)
		if (!strcmp(name, mode_names[m]))
			return m;
	return -1;
}

/* ---- WRITERS_CPU_CACHE: Linux 2.6.26 ---- */

/* The one mount whose writers this CPU counts locally. */
struct mnt_writer {
	spinlock_t lock;
	struct vfsmount *mnt;
	int count;
} __aligned(64);
static DEFINE_PER_CPU(struct mnt_writer, cpu_writer);

/* How many cpu-cache mounts remount,ro holds now (under mount_lock): the locks are taken once. */
static unsigned int cpu_cache_holds;

/* The CPU's cache lock held: make w count mnt, flushing the mount it counted before. */
static void use_cpu_writer_for_mount(struct mnt_writer *w, struct vfsmount *mnt)
{
	if (w->mnt == mnt)
		return;
	if (w->mnt)
		atomic_add(w->count, &w->mnt->mnt_writers_shared);
	w->mnt = mnt;
	w->count = 0;
	this_cpu_ptr(&mnt_writers_stats_pcp)->cache_switches++;
}

static int cpu_cache_get(struct vfsmount *mnt)
{
	struct mnt_writer *w = this_cpu_ptr(&cpu_writer);
	int ret = 0;

	spin_lock(&w->lock); /* remount,ro holds every CPU's: no barrier or hold flag needed */
	if (mnt_is_readonly(mnt)) {
		ret = -EROFS;
	} else {
		use_cpu_writer_for_mount(w, mnt);
		w->count++;
	}
	spin_unlock(&w->lock);
	return ret;
}

static void cpu_cache_put(struct vfsmount *mnt)
{
	struct mnt_writer *w = this_cpu_ptr(&cpu_writer);

	spin_lock(&w->lock);
	if (w->mnt == mnt)
		w->count--;
	else /* taken on another CPU, or flushed since: the shared counter has it */
		atomic_dec(&mnt->mnt_writers_shared);
	spin_unlock(&w->lock);
}

/* Every CPU's cache lock, in CPU order: cpu-cache writers stop while they are held. */
static void lock_cpu_writers(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		spin_lock(&per_cpu_ptr(&cpu_writer, cpu)->lock);
}

static void unlock_cpu_writers(void)
{
	for (unsigned int cpu = nr_cpu_ids; cpu-- > 0;)
		spin_unlock(&per_cpu_ptr(&cpu_writer, cpu)->lock);
}

/**
 * mnt_cpu_cache_forget - make every CPU's cache forget mnt before it is freed
 *
 * For a WRITERS_CPU_CACHE mount whose last reference is gone: no cache may point at a freed
 * mount (the 2.6.26 series fixed this bug as "__clear_mnt_mount() stepping on freed
 * vfsmount"). Takes each CPU's cache lock in turn; may not be called with one held.
 */
void mnt_cpu_cache_forget(struct vfsmount *mnt)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct mnt_writer *w = per_cpu_ptr(&cpu_writer, cpu);

		spin_lock(&w->lock);
		if (w->mnt == mnt) {
			w->mnt = NULL;
			w->count = 0;
		}
		spin_unlock(&w->lock);
	}
}

/* ---- the writer side of percpu, atomic and the broken variants ---- */

/*
 * Preemption off: waits while a remount,ro holds mnt's writers. Inline, so that in the broken
 * no-writer-mb the load of the flags follows the count's store as closely as the C says
 * (under TCG a call ends the translation block, and the time between lets the store drain).
 */
static __always_inline void wait_for_hold(struct vfsmount *mnt)
{
	if (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD) {
		this_cpu_ptr(&mnt_writers_stats_pcp)->hold_waits++;
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
	struct mnt_pcp *pcp;
	int ret = 0;

	preempt_disable();
	pcp = &mnt->mnt_pcp[smp_processor_id()];
	WRITE_ONCE(pcp->writers, pcp->writers + 1);
	if (full_barrier)
		smp_mb(); /* pairs with the smp_mb() of hold_by_flag(), as in the mechanism */
	wait_for_hold(mnt);
	smp_rmb(); /* pairs with the smp_wmb() of unhold_by_flag() */
	if (mnt_is_readonly(mnt)) {
		WRITE_ONCE(pcp->writers, pcp->writers - 1);
		ret = -EROFS;
	}
	preempt_enable();
	return ret;
}

static int atomic_get(struct vfsmount *mnt)
{
	int ret = 0;

	preempt_disable();
	/* A locked instruction, a full barrier: pairs with the smp_mb() of hold_by_flag(). */
	atomic_inc(&mnt->mnt_writers_shared);
	wait_for_hold(mnt);
	smp_rmb(); /* pairs with the smp_wmb() of unhold_by_flag() */
	if (mnt_is_readonly(mnt)) {
		atomic_dec(&mnt->mnt_writers_shared);
		ret = -EROFS;
	}
	preempt_enable();
	return ret;
}

/* mnt_get_write_access() of a mount not counting percpu: 0 or -EROFS. */
int mnt_get_write_access_variant(struct vfsmount *mnt)
{
	int ret;

	switch (mnt->mnt_writers_mode) {
	case WRITERS_ATOMIC:
		return atomic_get(mnt);
	case WRITERS_CPU_CACHE:
		preempt_disable();
		ret = cpu_cache_get(mnt);
		preempt_enable();
		return ret;
	case WRITERS_BROKEN_NO_HOLD:
		return percpu_get(mnt, true);
	case WRITERS_BROKEN_NO_MB:
		return percpu_get(mnt, false);
	default: /* WRITERS_NONE */
		return mnt_is_readonly(mnt) ? -EROFS : 0;
	}
}

/* mnt_put_write_access() of a mount not counting percpu. */
void mnt_put_write_access_variant(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp;

	preempt_disable();
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
	preempt_enable();
}

/* ---- the remount,ro side ---- */

/*
 * The hold of atomic and the broken variants: mnt_hold_writers() with the flag flag (none for
 * no-write-hold, so that a writer that comes after the sum has nothing to wait on).
 */
static int hold_by_flag(struct vfsmount *mnt, unsigned int flag)
{
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags | flag);
	/* The hold before the counters are read: pairs with the full barrier of percpu_get()
	   (no-write-hold; no-writer-mb has none, which is its bug) and of atomic_get(). */
	smp_mb();
	return mnt_writers_per_cpu(mnt, NULL) > 0 ? -EBUSY : 0;
}

static void unhold_by_flag(struct vfsmount *mnt)
{
	smp_wmb(); /* READONLY before the hold's end: pairs with the smp_rmb() of percpu_get() and
		      atomic_get() */
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags & ~MNT_WRITE_HOLD);
}

/* mnt_hold_writers() of a mount not counting percpu: 0 or -EBUSY. mount_lock held. */
int mnt_hold_writers_variant(struct vfsmount *mnt)
{
	static bool warned; /* once: the mounts torture's own check flips such a mount often */

	switch (mnt->mnt_writers_mode) {
	case WRITERS_CPU_CACHE:
		/* With every CPU's lock held, the caches and the shared counter are still. */
		if (cpu_cache_holds++ == 0)
			lock_cpu_writers();
		return mnt_writers_per_cpu(mnt, NULL) > 0 ? -EBUSY : 0;
	case WRITERS_NONE:
		if (!READ_ONCE(warned)) {
			WRITE_ONCE(warned, true);
			pr_warn("remount: %s counts no writers (mode none): ro is not safe\n",
				mnt->mnt_devname);
		}
		return 0;
	case WRITERS_BROKEN_NO_HOLD:
		return hold_by_flag(mnt, 0);
	default: /* WRITERS_ATOMIC, WRITERS_BROKEN_NO_MB */
		return hold_by_flag(mnt, MNT_WRITE_HOLD);
	}
}

/* mnt_unhold_writers() of a mount not counting percpu. mount_lock held. */
void mnt_unhold_writers_variant(struct vfsmount *mnt)
{
	switch (mnt->mnt_writers_mode) {
	case WRITERS_CPU_CACHE:
		if (--cpu_cache_holds == 0)
			unlock_cpu_writers();
		break;
	case WRITERS_NONE:
		break;
	default:
		unhold_by_flag(mnt);
		break;
	}
}

/**
 * mnt_writers_per_cpu - each CPU's writer count of mnt, whatever its mode
 *
 * Fills counts[0..nr_cpu_ids) when counts is not NULL (the shell's `writers`) and returns the
 * sum, shared counter included: for percpu each CPU's counter, for cpu-cache each CPU's cached
 * count if it caches mnt, for atomic and none 0 a CPU. A snapshot, exact only while no writer
 * comes or goes.
 */
int mnt_writers_per_cpu(struct vfsmount *mnt, int *counts)
{
	enum mnt_writers_mode mode = mnt->mnt_writers_mode;
	int sum = atomic_read(&mnt->mnt_writers_shared);

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct mnt_writer *w = per_cpu_ptr(&cpu_writer, cpu);
		int c = 0;

		if (mode == WRITERS_PERCPU || mode == WRITERS_BROKEN_NO_HOLD ||
		    mode == WRITERS_BROKEN_NO_MB)
			c = READ_ONCE(mnt->mnt_pcp[cpu].writers);
		else if (mode == WRITERS_CPU_CACHE && READ_ONCE(w->mnt) == mnt)
			c = READ_ONCE(w->count);
		if (counts)
			counts[cpu] = c;
		sum += c;
	}
	return sum;
}
