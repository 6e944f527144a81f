/*
 * The other ways a mount may count its writers (mount -o writers=MODE), beside the mechanism
 * in fs/mnt_writers.c (WRITERS_PERCPU), which comes here by one unlikely branch for any other
 * mode. Their writer side is inline in fs/mnt_writers_variants.h; here are their names, their
 * remount,ro side and cpu-cache's slow paths. The lineage, oldest first:
 *
 *   WRITERS_NONE       no counting at all: the kernel before read-only bind mounts, the floor
 *                      the 2.6.26 patch measured itself against (remount,ro cannot see writers)
 *   WRITERS_ATOMIC     one shared atomic counter in the mount: correct, but every writer on
 *                      every CPU bounces one cache line; the alternative the 2.6.26 patch
 *                      rejects in its first paragraph
 *   WRITERS_CPU_CACHE  the 2.6.26 patch itself, "r/o bind mounts: track numbers of writers to
 *                      mounts": each CPU caches the count of one mount under a per-CPU
 *                      spinlock, and each mount has a shared count behind the caches; using
 *                      another mount flushes the cache into the shared count of the mount it
 *                      held (cheap with one mount, a flush at every call with two used in
 *                      turn: the patch's worst case, 3% in its openbench). remount,ro takes
 *                      every CPU's lock and sums.
 *   WRITERS_PERCPU     (fs/mnt_writers.c) Linux's rewrite in 2.6.29, "fs: mnt_want_write
 *                      speedup": per-CPU counters in each mount and MNT_WRITE_HOLD; what Linux
 *                      does today
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
 * cpu_cache_check_underflow takes the cpu_writer locks and drops them before mount_lock.
 */
#include "fs/mnt_writers_variants.h"
#include "kernel/delay_point.h"
#include "kernel/printk.h"
#include "lib/string.h"

enum mnt_writers_mode default_writers_mode = WRITERS_PERCPU;

static const struct {
	const char *name;
	const char *lineage;
} modes[NR_WRITERS_MODES] = {
	[WRITERS_PERCPU] = {"percpu", "per-CPU counters + WRITE_HOLD: 2.6.29 rewrite, Linux today"},
	[WRITERS_ATOMIC] = {"atomic", "one shared atomic: what the 2.6.26 patch rejects"},
	[WRITERS_CPU_CACHE] = {"cpu-cache", "one mount cached per CPU, shared count behind: the "
					    "2.6.26 patch"},
	[WRITERS_NONE] = {"none", "no counting (unsafe): the kernel before the 2.6.26 patch"},
	[WRITERS_BROKEN_NO_HOLD] = {"no-write-hold", "broken: percpu, remount,ro sets no hold"},
	[WRITERS_BROKEN_NO_MB] = {"no-writer-mb", "broken: percpu, the writer has no smp_mb()"},
};

/* The name `mount -o writers=` takes for mode, or "?". */
const char *writers_mode_name(enum mnt_writers_mode mode)
{
	return mode < NR_WRITERS_MODES ? modes[mode].name : "?";
}

/* Where mode comes from, in a line: Linux's version, or what it is for. */
const char *writers_mode_lineage(enum mnt_writers_mode mode)
{
	return mode < NR_WRITERS_MODES ? modes[mode].lineage : "?";
}

/* The mode named name, or -1 for an unknown name. */
int writers_mode_parse(const char *name)
{
	for (int m = 0; m < NR_WRITERS_MODES; m++)
		if (!strcmp(name, modes[m].name))
			return m;
	return -1;
}

/* ---- WRITERS_CPU_CACHE: "r/o bind mounts: track numbers of writers to mounts" (2.6.26) ---- */

DEFINE_PER_CPU(struct mnt_writer, cpu_writer);

/* How many cpu-cache mounts remount,ro holds now (under mount_lock): the locks are taken once. */
static unsigned int cpu_cache_holds;

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

/* Every CPU's cache lock held: each cache's count goes to its mount's shared count. */
static void flush_cpu_writers(void)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct mnt_writer *w = per_cpu_ptr(&cpu_writer, cpu);

		if (w->mnt && w->count)
			atomic_add(w->count, &w->mnt->mnt_writers_shared);
		w->mnt = NULL;
		w->count = 0;
	}
}

/**
 * cpu_cache_check_underflow - after a drop went to mnt's shared count: is it a leak?
 *
 * The shared count of a cpu-cache mount goes negative in normal use (a writer that took its
 * reference on CPU 0, in CPU 0's cache, and dropped it on CPU 1), so it is checked only when
 * it falls below MNT_WRITER_UNDERFLOW_LIMIT, as the patch did: then every cache is flushed
 * into the shared counts, and a count still negative means more drops than wants, reported
 * once for the mount (mnt_writers_imbalance). Preemption off; takes every CPU's cache lock,
 * then mount_lock: may not be called with either held.
 */
void cpu_cache_check_underflow(struct vfsmount *mnt)
{
	int count;

	if (likely(atomic_read(&mnt->mnt_writers_shared) >= MNT_WRITER_UNDERFLOW_LIMIT))
		return;
	lock_cpu_writers();
	flush_cpu_writers();
	count = atomic_read(&mnt->mnt_writers_shared);
	unlock_cpu_writers();
	if (count < 0)
		mnt_writers_imbalance(mnt, count, "underflowed");
}

/**
 * mnt_cpu_cache_forget - flush every CPU's cache of mnt before mnt is freed
 *
 * For a WRITERS_CPU_CACHE mount whose last reference is gone: what the caches hold for mnt
 * goes to its shared count (so that the free can check the sum), and no cache points at the
 * freed mount after (the 2.6.26 series fixed this bug as "__clear_mnt_mount() stepping on
 * freed vfsmount"). Takes each CPU's cache lock in turn; may not be called with one held.
 */
void mnt_cpu_cache_forget(struct vfsmount *mnt)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct mnt_writer *w = per_cpu_ptr(&cpu_writer, cpu);

		spin_lock(&w->lock);
		if (w->mnt == mnt) {
			atomic_add(w->count, &mnt->mnt_writers_shared);
			w->mnt = NULL;
			w->count = 0;
		}
		spin_unlock(&w->lock);
	}
}

/* ---- the remount,ro side ---- */

/*
 * The hold of atomic and the broken variants: mnt_hold_writers() with the flag flag (none for
 * no-write-hold, so that a writer that comes after the sum has nothing to wait on). Returns
 * the writers counted.
 */
static int hold_by_flag(struct vfsmount *mnt, unsigned int flag)
{
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags | flag);
	/* The hold before the counters are read: pairs with the full barrier of percpu_get()
	   (no-write-hold; no-writer-mb has none, which is its bug) and of atomic_get(). */
	smp_mb();
	delay_point(&dp_mnt_write_hold); /* writers that come now must see the hold and wait */
	return mnt_writers_per_cpu(mnt, NULL);
}

static void unhold_by_flag(struct vfsmount *mnt)
{
	smp_wmb(); /* READONLY before the hold's end: pairs with the smp_rmb() of percpu_get() and
		      atomic_get() */
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags & ~MNT_WRITE_HOLD);
}

/* mnt_hold_writers() of a mount not counting percpu: the writers it counted (none counts
   none). mount_lock held. */
int mnt_hold_writers_variant(struct vfsmount *mnt)
{
	static bool warned; /* once: the mounts torture's own check flips such a mount often */

	switch (mnt->mnt_writers_mode) {
	case WRITERS_CPU_CACHE:
		/* With every CPU's lock held, the caches and the shared counter are still. */
		if (cpu_cache_holds++ == 0)
			lock_cpu_writers();
		delay_point(&dp_mnt_write_hold);
		return mnt_writers_per_cpu(mnt, NULL);
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
