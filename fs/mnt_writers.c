/*
 * Writer counts on mounts (seed 1: r/o bind mounts).
 *
 * Every change to a filesystem through a mount (an open for writing, until its file is
 * released; a create, unlink, mkdir, rmdir, rename, truncate, for its duration) holds a write
 * reference on the mount: mnt_want_write ... mnt_drop_write. remount,ro must know that nobody
 * holds one, and after it returns, nobody may get one. The seed's way, WRITERS_PERCPU:
 *
 *   mnt_want_write			   mnt_make_readonly (remount,ro)
 *     this CPU's writers++		     mnt_flags |= MNT_WRITE_HOLD
 *     full barrier			     full barrier
 *     while WRITE_HOLD: spin		     sum every CPU's writers
 *     read barrier			     sum > 0: -EBUSY; else mnt_flags |= MNT_READONLY
 *     READONLY? writers--, -EROFS	     write barrier; clear MNT_WRITE_HOLD
 *
 * Each side writes, fences, then reads what the other writes, so at least one sees the other:
 * either remount,ro counts the writer (EBUSY), or the writer sees WRITE_HOLD, waits, and then
 * sees READONLY (the write barrier orders it before the hold's end). mnt_drop_write lowers the
 * counter of whatever CPU it runs on; only the sum means anything. An open/close pair on one
 * CPU touches only that CPU's cache line: that is the point of the seed, and `bench
 * openbench` measures it against the variants:
 *
 *   WRITERS_ATOMIC       one shared counter: every writer on every CPU bounces one cache line
 *   WRITERS_SEED_CACHE   the seed's first form: each CPU caches the count of one mount, under
 *                        a per-CPU spinlock; using another mount flushes the cache into that
 *                        mount's shared counter (cheap with one mount, costly with two)
 *   WRITERS_NONE         no counting at all (unsafe: remount,ro cannot see writers)
 *
 * and two that are broken on purpose, for the self-check of `torture mounts`: percpu with one
 * side of the handshake above taken out, each on the mounts mounted with it only.
 *
 *   WRITERS_BROKEN_NO_HOLD  remount,ro sums and sets READONLY with no WRITE_HOLD: a writer
 *                           that counts itself after the sum and checks READONLY before it is
 *                           set goes on writing through the read-only mount
 *   WRITERS_BROKEN_NO_MB    mnt_want_write reads the flags with no full barrier after its
 *                           count: the count can still sit in the CPU's store buffer when the
 *                           summer reads it (x86's one reordering, store then load)
 *
 * Lock order: mount_lock's spinlock, then the per-CPU mnt_writer locks in CPU order.
 * Interrupt handlers never take write references.
 */
#include "fs/mount.h"
#include "kernel/delay_point.h"
#include "kernel/preempt.h"
#include "kernel/printk.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"

enum mnt_writers_mode default_writers_mode = WRITERS_PERCPU;

/* WRITERS_SEED_CACHE: the one mount whose writers this CPU counts locally. */
struct mnt_writer {
	spinlock_t lock;
	struct vfsmount *mnt;
	int count;
} __aligned(64);
static DEFINE_PER_CPU(struct mnt_writer, cpu_writer);
static DEFINE_PER_CPU(struct mnt_writers_stats, writer_stats);

static const char *const mode_names[NR_WRITERS_MODES] = {
	[WRITERS_PERCPU] = "percpu",
	[WRITERS_ATOMIC] = "atomic",
	[WRITERS_SEED_CACHE] = "seed-cache",
	[WRITERS_NONE] = "none",
	[WRITERS_BROKEN_NO_HOLD] = "no-write-hold",
	[WRITERS_BROKEN_NO_MB] = "no-writer-mb",
};

DEFINE_DELAY_POINT(dp_mnt_ro_summed, "mnt-ro-summed",
		   "remount,ro: after summing the writers, before setting read-only");

/* The modes whose writers are counted in mnt_pcp[].writers. */
static bool counts_per_cpu(enum mnt_writers_mode mode)
{
	return mode == WRITERS_PERCPU || mode == WRITERS_BROKEN_NO_HOLD ||
	       mode == WRITERS_BROKEN_NO_MB;
}

const char *writers_mode_name(enum mnt_writers_mode mode)
{
	return mode < NR_WRITERS_MODES ? mode_names[mode] : "?";
}

int writers_mode_parse(const char *name)
{
	for (int m = 0; m < NR_WRITERS_MODES; m++)
		if (!strcmp(name, mode_names[m]))
			return m;
	return -1;
}

bool mnt_is_readonly(const struct vfsmount *mnt)
{
	return (READ_ONCE(mnt->mnt_flags) & MNT_READONLY) ||
	       (READ_ONCE(mnt->mnt_sb->s_flags) & SB_RDONLY);
}

/*
 * Preemption off. Waits out a remount,ro that is summing, then checks read-only. Inline, so the
 * load of the flags follows the count's store as closely as the C says (under TCG a call ends
 * the translation block, and the time between lets the store drain before the load).
 */
static __always_inline bool wait_hold_then_readonly(struct vfsmount *mnt)
{
	if (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD) {
		this_cpu_ptr(&writer_stats)->hold_waits++;
		while (READ_ONCE(mnt->mnt_flags) & MNT_WRITE_HOLD)
			cpu_relax();
	}
	smp_rmb(); /* READONLY was stored before WRITE_HOLD was cleared: pairs with hold_and_check's
		      smp_wmb() */
	return mnt_is_readonly(mnt);
}

static int want_percpu(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp = &mnt->mnt_pcp[smp_processor_id()];

	WRITE_ONCE(pcp->writers, pcp->writers + 1);
	smp_mb(); /* the count is visible before WRITE_HOLD is read: pairs with hold_and_check's
		     smp_mb() */
	if (!wait_hold_then_readonly(mnt))
		return 0;
	WRITE_ONCE(pcp->writers, pcp->writers - 1);
	return -EROFS;
}

/*
 * Broken on purpose, for the self-check of `torture mounts`: want_percpu without its smp_mb().
 * The count's store may wait in this CPU's store buffer while the load of the flags goes ahead,
 * so this writer and a remount,ro can each miss the other's store: the sum misses the writer,
 * the writer misses WRITE_HOLD, and it writes on through the read-only mount.
 */
static int want_percpu_no_mb(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp = &mnt->mnt_pcp[smp_processor_id()];

	WRITE_ONCE(pcp->writers, pcp->writers + 1);
	if (!wait_hold_then_readonly(mnt))
		return 0;
	WRITE_ONCE(pcp->writers, pcp->writers - 1);
	return -EROFS;
}

static int want_atomic(struct vfsmount *mnt)
{
	atomic_inc(&mnt->mnt_writers_shared); /* a locked instruction: a full barrier */
	if (!wait_hold_then_readonly(mnt))
		return 0;
	atomic_dec(&mnt->mnt_writers_shared);
	return -EROFS;
}

/* The CPU's cache lock held: make w count mnt, flushing the mount it counted before. */
static void use_cpu_writer_for_mount(struct mnt_writer *w, struct vfsmount *mnt)
{
	if (w->mnt == mnt)
		return;
	if (w->mnt)
		atomic_add(w->count, &w->mnt->mnt_writers_shared);
	w->mnt = mnt;
	w->count = 0;
	this_cpu_ptr(&writer_stats)->cache_switches++;
}

static int want_seed_cache(struct vfsmount *mnt)
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

int mnt_want_write(struct vfsmount *mnt)
{
	int ret;

	preempt_disable();
	switch (mnt->mnt_writers_mode) {
	case WRITERS_PERCPU:
	case WRITERS_BROKEN_NO_HOLD: /* its writers are percpu's: remount,ro is what differs */
		ret = want_percpu(mnt);
		break;
	case WRITERS_BROKEN_NO_MB:
		ret = want_percpu_no_mb(mnt);
		break;
	case WRITERS_ATOMIC:
		ret = want_atomic(mnt);
		break;
	case WRITERS_SEED_CACHE:
		ret = want_seed_cache(mnt);
		break;
	default:
		ret = mnt_is_readonly(mnt) ? -EROFS : 0;
		break;
	}
	this_cpu_ptr(&writer_stats)->want++;
	if (ret)
		this_cpu_ptr(&writer_stats)->erofs++;
	preempt_enable();
	return ret;
}

static void drop_seed_cache(struct vfsmount *mnt)
{
	struct mnt_writer *w = this_cpu_ptr(&cpu_writer);

	spin_lock(&w->lock);
	if (w->mnt == mnt)
		w->count--;
	else /* taken on another CPU, or flushed since: the shared counter has it */
		atomic_dec(&mnt->mnt_writers_shared);
	spin_unlock(&w->lock);
}

void mnt_drop_write(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp;

	preempt_disable();
	switch (mnt->mnt_writers_mode) {
	case WRITERS_PERCPU:
	case WRITERS_BROKEN_NO_HOLD:
	case WRITERS_BROKEN_NO_MB:
		pcp = &mnt->mnt_pcp[smp_processor_id()];
		WRITE_ONCE(pcp->writers, pcp->writers - 1);
		break;
	case WRITERS_ATOMIC:
		atomic_dec(&mnt->mnt_writers_shared);
		break;
	case WRITERS_SEED_CACHE:
		drop_seed_cache(mnt);
		break;
	default:
		break;
	}
	this_cpu_ptr(&writer_stats)->drop++;
	preempt_enable();
}

int mnt_writers_per_cpu(struct vfsmount *mnt, int *counts)
{
	int sum = atomic_read(&mnt->mnt_writers_shared);

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct mnt_writer *w = per_cpu_ptr(&cpu_writer, cpu);
		int c = 0;

		if (counts_per_cpu(mnt->mnt_writers_mode))
			c = READ_ONCE(mnt->mnt_pcp[cpu].writers);
		else if (mnt->mnt_writers_mode == WRITERS_SEED_CACHE && READ_ONCE(w->mnt) == mnt)
			c = READ_ONCE(w->count);
		if (counts)
			counts[cpu] = c;
		sum += c;
	}
	return sum;
}

int mnt_get_writers(struct vfsmount *mnt)
{
	return mnt_writers_per_cpu(mnt, NULL);
}

/* Every CPU's cache lock, in CPU order: WRITERS_SEED_CACHE's writers stop while held. */
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

/*
 * The flag hold_and_check sets on mnt while it sums. Broken on purpose, for the self-check of
 * `torture mounts`: none for WRITERS_BROKEN_NO_HOLD, so a writer that comes after the sum has
 * nothing to wait on and checks READONLY before it is set.
 */
static unsigned int write_hold_flag(const struct vfsmount *mnt)
{
	return mnt->mnt_writers_mode == WRITERS_BROKEN_NO_HOLD ? 0 : MNT_WRITE_HOLD;
}

/*
 * Sets WRITE_HOLD on each mount of the list (or on the one mount), sums their writers, and,
 * if none is counted, calls make_ro. Then ends the hold. mount_lock held.
 */
static int hold_and_check(struct vfsmount **mnts, unsigned int n, void (*make_ro)(void *),
			  void *arg)
{
	int busy = 0;

	lock_cpu_writers();
	for (unsigned int i = 0; i < n; i++)
		WRITE_ONCE(mnts[i]->mnt_flags, mnts[i]->mnt_flags | write_hold_flag(mnts[i]));
	smp_mb(); /* the holds are visible before the counters are read: pairs with want_percpu's
		     smp_mb() */
	for (unsigned int i = 0; i < n; i++)
		busy += mnt_get_writers(mnts[i]) > 0;
	delay_point(&dp_mnt_ro_summed); /* writers that come now must wait for the hold */
	if (!busy)
		make_ro(arg);
	smp_wmb(); /* READONLY before the end of the hold: pairs with wait_hold_then_readonly's
		      smp_rmb() */
	for (unsigned int i = 0; i < n; i++)
		WRITE_ONCE(mnts[i]->mnt_flags, mnts[i]->mnt_flags & ~MNT_WRITE_HOLD);
	unlock_cpu_writers();
	if (busy) {
		preempt_disable();
		this_cpu_ptr(&writer_stats)->remount_busy++;
		preempt_enable();
		return -EBUSY;
	}
	return 0;
}

static void set_mnt_readonly(void *arg)
{
	struct vfsmount *mnt = arg;

	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags | MNT_READONLY);
}

int mnt_make_readonly(struct vfsmount *mnt)
{
	static bool warned; /* once: the mounts torture's own check flips such a mount often */

	if (mnt->mnt_writers_mode == WRITERS_NONE && !READ_ONCE(warned)) {
		WRITE_ONCE(warned, true);
		pr_warn("remount: %s counts no writers (mode none): read-only is not safe\n",
			mnt->mnt_devname);
	}
	return hold_and_check(&mnt, 1, set_mnt_readonly, mnt);
}

/* remount,rw of one mount: clears MNT_READONLY. mount_lock held. */
void mnt_make_writable(struct vfsmount *mnt)
{
	WRITE_ONCE(mnt->mnt_flags, mnt->mnt_flags & ~MNT_READONLY);
}

static void set_sb_readonly(void *arg)
{
	struct super_block *sb = arg;

	WRITE_ONCE(sb->s_flags, sb->s_flags | SB_RDONLY);
}

#define SB_MAX_MOUNTS 64

int sb_prepare_remount_readonly(struct super_block *sb)
{
	struct vfsmount *mnts[SB_MAX_MOUNTS], *mnt;
	unsigned int n = 0;
	int err = 0;

	spin_lock(&sb->s_lock);
	list_for_each_entry(mnt, &sb->s_mounts, mnt_instance) {
		if (n == SB_MAX_MOUNTS) {
			err = -EBUSY; /* too many to hold at once: refuse rather than half-check */
			break;
		}
		mnts[n++] = mnt;
	}
	spin_unlock(&sb->s_lock);
	if (err)
		return err;
	return hold_and_check(mnts, n, set_sb_readonly, sb);
}

void mnt_writers_release(struct vfsmount *mnt)
{
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct mnt_writer *w = per_cpu_ptr(&cpu_writer, cpu);

		spin_lock(&w->lock);
		if (w->mnt == mnt) { /* the seed's fix: no cache may point at a freed mount */
			w->mnt = NULL;
			w->count = 0;
		}
		spin_unlock(&w->lock);
	}
}

struct mnt_writers_stats mnt_writers_stats(void)
{
	struct mnt_writers_stats sum = {0};

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		const struct mnt_writers_stats *s = per_cpu_ptr(&writer_stats, cpu);

		sum.want += READ_ONCE(s->want);
		sum.drop += READ_ONCE(s->drop);
		sum.erofs += READ_ONCE(s->erofs);
		sum.hold_waits += READ_ONCE(s->hold_waits);
		sum.cache_switches += READ_ONCE(s->cache_switches);
		sum.remount_busy += READ_ONCE(s->remount_busy);
	}
	return sum;
}
