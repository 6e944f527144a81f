/*
 * Mount references (seed 2: longterm private mounts).
 *
 * A mount's reference count is split per CPU: mntget adds one to this CPU's counter, mntput
 * takes one from the counter of whatever CPU it runs on, so a single counter may go negative
 * and only the sum means anything. Summing is exact only when no CPU can still change the
 * counters behind the summer's back, so the question "was that the last reference?" is asked
 * only for mounts that nothing new can reach:
 *
 *   - A mount in the namespace, or a longterm internal mount (mnt_ns is non-NULL), has a
 *     reference its owner keeps (the tree, or the kern_mount caller), so mntput can never drop
 *     the last one: it just decrements this CPU's counter. No lock, no shared cache line.
 *   - A detached short-term mount (mnt_ns NULL) takes the global mount_lock in mntput,
 *     decrements, sums every CPU's counter, and frees the mount when the sum is zero.
 *
 * The owner detaches a mount by setting mnt_ns to NULL, then waits for a grace period before
 * putting its own reference. mntput reads mnt_ns under rcu_read_lock, so after the grace period
 * every mntput that saw the old value has finished its decrement, and every later one takes
 * the slow path. That grace period is the price of being longterm; kern_unmount_array pays it
 * once for any number of mounts.
 *
 * Before the seed, clone_private_mount gave overlayfs short-term mounts, and every mntput of
 * them took the global lock: the bounce the benchmark `bench mntput` shows.
 *
 * Without the grace period (the broken variant no-grace-period of `torture longterm`, for
 * mounts marked MNT_BROKEN_NO_GP), a fast-path mntput that saw mnt_ns set can still be on its
 * way to its decrement when the owner's slow-path put sums: the sum counts that reference, so
 * the owner does not free, and then the fast path drops what was the last reference where no
 * one looks. The mount leaks, its superblock with it. The delay point mntput-fast widens that
 * window. Those mounts, once freed, go to a quarantine, poisoned, so that a put through a
 * mount freed too early would show as a changed word instead of corrupting the allocator.
 *
 * Lock order: mount_lock's spinlock, then sb->s_lock.
 */
#include "fs/mount.h"
#include "fs/dcache.h"
#include "fs/super.h"
#include "kernel/delay_point.h"
#include "kernel/panic.h"
#include "kernel/preempt.h"
#include "kernel/smp.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

DEFINE_DELAY_POINT(dp_mntput_fast, "mntput-fast",
		   "mntput's fast path: after it saw mnt_ns set, before its decrement");

static atomic64_t next_mnt_id;
static atomic64_t grace_periods, mounts_freed, mounts_alive;
static uint64_t mount_lock_taken; /* under mount_lock */

static void mnt_add_count(struct vfsmount *mnt, int n)
{
	struct mnt_pcp *pcp;

	preempt_disable();
	pcp = &mnt->mnt_pcp[smp_processor_id()];
	WRITE_ONCE(pcp->count, pcp->count + n);
	preempt_enable();
}

int mnt_get_count(const struct vfsmount *mnt)
{
	int sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE(mnt->mnt_pcp[cpu].count);
	return sum;
}

struct vfsmount *alloc_vfsmnt(struct super_block *sb, struct dentry *root, const char *devname,
			      enum mnt_writers_mode mode)
{
	struct vfsmount *mnt = kzalloc(sizeof(*mnt));

	if (!mnt)
		return NULL;
	mnt->mnt_pcp = kzalloc(nr_cpu_ids * sizeof(struct mnt_pcp));
	if (!mnt->mnt_pcp) {
		kfree(mnt);
		return NULL;
	}
	mnt->mnt_root = root;
	mnt->mnt_sb = sb;
	mnt->mnt_writers_mode = mode;
	mnt->mnt_parent = mnt;
	mnt->mnt_mountpoint = root;
	mnt->mnt_id = (int)atomic64_add_return(1, &next_mnt_id);
	INIT_HLIST_NODE(&mnt->mnt_hash);
	INIT_LIST_HEAD(&mnt->mnt_child);
	INIT_LIST_HEAD(&mnt->mnt_mounts);
	INIT_LIST_HEAD(&mnt->mnt_list);
	strlcpy(mnt->mnt_devname, devname, sizeof(mnt->mnt_devname));
	mnt_add_count(mnt, 1);
	spin_lock(&sb->s_lock);
	list_add_tail(&mnt->mnt_instance, &sb->s_mounts);
	spin_unlock(&sb->s_lock);
	atomic64_inc(&mounts_alive);
	return mnt;
}

struct vfsmount *mntget(struct vfsmount *mnt)
{
	if (mnt)
		mnt_add_count(mnt, 1);
	return mnt;
}

/* ---- the quarantine of the broken variant no-grace-period ---- */

#define MNT_POISON_BYTE 0x6b
#define MNT_POISON_WORD 0x6b6b6b6b6b6b6b6bULL

/* Quarantined mounts, linked through mnt_rcu.next (the callback that queued them has run). */
static struct rcu_head *quarantine;
static DEFINE_SPINLOCK(quarantine_lock);

/*
 * Poisons a freed MNT_BROKEN_NO_GP mount and keeps it. mnt_pcp stays a valid pointer to the
 * poisoned counters and mnt_ns reads as non-NULL, so a put through the freed mount takes the
 * fast path and changes a poisoned counter: seen, and harmless.
 */
static void quarantine_mnt(struct vfsmount *mnt)
{
	struct mnt_pcp *pcp = mnt->mnt_pcp;

	memset(pcp, MNT_POISON_BYTE, nr_cpu_ids * sizeof(*pcp));
	memset(mnt, MNT_POISON_BYTE, offsetof(struct vfsmount, mnt_rcu));
	mnt->mnt_pcp = pcp;
	spin_lock(&quarantine_lock);
	mnt->mnt_rcu.next = quarantine;
	quarantine = &mnt->mnt_rcu;
	spin_unlock(&quarantine_lock);
}

/* The words of a quarantined mount that are no longer poison. */
static long changed_words(const struct vfsmount *mnt)
{
	const uint64_t *w = (const uint64_t *)mnt, *pcp = (const uint64_t *)mnt->mnt_pcp;
	size_t skip = offsetof(struct vfsmount, mnt_pcp) / 8;
	long changed = 0;

	BUILD_BUG_ON(offsetof(struct vfsmount, mnt_rcu) % 8 ||
		     offsetof(struct vfsmount, mnt_pcp) % 8);
	for (size_t i = 0; i < offsetof(struct vfsmount, mnt_rcu) / 8; i++)
		changed += i != skip && w[i] != MNT_POISON_WORD;
	for (size_t i = 0; i < nr_cpu_ids * sizeof(struct mnt_pcp) / 8; i++)
		changed += pcp[i] != MNT_POISON_WORD;
	return changed;
}

/* Whether mnt was freed into the quarantine (compares addresses only). */
bool mnt_in_quarantine(const struct vfsmount *mnt)
{
	bool found = false;

	spin_lock(&quarantine_lock);
	for (struct rcu_head *h = quarantine; h && !found; h = h->next)
		found = h == &mnt->mnt_rcu;
	spin_unlock(&quarantine_lock);
	return found;
}

/* Checks and frees every quarantined mount; returns the words changed since their poisoning. */
long mnt_quarantine_release(void)
{
	struct rcu_head *h;
	long changed = 0;

	spin_lock(&quarantine_lock);
	h = quarantine;
	quarantine = NULL;
	spin_unlock(&quarantine_lock);
	while (h) {
		struct vfsmount *mnt = container_of(h, struct vfsmount, mnt_rcu);

		h = h->next;
		changed += changed_words(mnt);
		kfree(mnt->mnt_pcp);
		kfree(mnt);
	}
	return changed;
}

/* Marks mnt MNT_BROKEN_NO_GP: before anyone but its maker has seen it. */
void mnt_set_broken_no_gp(struct vfsmount *mnt)
{
	read_seqlock_excl(&mount_lock);
	mnt->mnt_flags |= MNT_BROKEN_NO_GP;
	read_sequnlock_excl(&mount_lock);
}

static void free_vfsmnt_rcu(struct rcu_head *head)
{
	struct vfsmount *mnt = container_of(head, struct vfsmount, mnt_rcu);

	if (unlikely(mnt->mnt_flags & MNT_BROKEN_NO_GP)) {
		quarantine_mnt(mnt);
		return;
	}
	kfree(mnt->mnt_pcp);
	kfree(mnt);
}

/* The last reference is gone: release what the mount holds, free it after a grace period. */
static void cleanup_mnt(struct vfsmount *mnt)
{
	struct super_block *sb = mnt->mnt_sb;

	mnt_writers_release(mnt);
	if (mnt->mnt_parent != mnt) { /* it was mounted: it held its place in the parent */
		dput(mnt->mnt_mountpoint);
		mntput(mnt->mnt_parent);
	}
	dput(mnt->mnt_root);
	spin_lock(&sb->s_lock);
	list_del(&mnt->mnt_instance);
	spin_unlock(&sb->s_lock);
	deactivate_super(sb);
	atomic64_add_return(-1, &mounts_alive);
	atomic64_inc(&mounts_freed);
	call_rcu(&mnt->mnt_rcu, free_vfsmnt_rcu); /* a lockless walker may still stand on it */
}

void mntput(struct vfsmount *mnt)
{
	int count;

	if (!mnt)
		return;
	rcu_read_lock();
	if (READ_ONCE(mnt->mnt_ns)) { /* the fast path: someone keeps a reference for good */
		delay_point(&dp_mntput_fast); /* the owner's grace period waits for us */
		mnt_add_count(mnt, -1);
		rcu_read_unlock();
		return;
	}
	read_seqlock_excl(&mount_lock);
	mount_lock_taken++;
	mnt_add_count(mnt, -1);
	smp_mb(); /* our decrement before the reads of every CPU's counter */
	count = mnt_get_count(mnt);
	if (count < 0)
		panic("mntput: mount %d of %s has count %d", mnt->mnt_id, mnt->mnt_devname, count);
	if (count > 0 || (mnt->mnt_flags & MNT_DOOMED)) {
		read_sequnlock_excl(&mount_lock);
		rcu_read_unlock();
		return;
	}
	mnt->mnt_flags |= MNT_DOOMED;
	read_sequnlock_excl(&mount_lock);
	rcu_read_unlock();
	cleanup_mnt(mnt);
}

int kern_mount(const char *fstype, const char *options, struct vfsmount **out)
{
	struct file_system_type *type = get_fs_type(fstype);
	struct super_block *sb;
	struct vfsmount *mnt;
	int err;

	if (!type)
		return -ENODEV;
	sb = mount_fs(type, fstype, options, 0, &err);
	if (!sb)
		return err;
	mnt = alloc_vfsmnt(sb, dget(sb->s_root), fstype, default_writers_mode);
	if (!mnt) {
		dput(sb->s_root);
		deactivate_super(sb);
		return -ENOMEM;
	}
	mnt->mnt_ns = MNT_NS_INTERNAL;
	*out = mnt;
	return 0;
}

int clone_private_mount(const struct path *path, struct vfsmount **out)
{
	struct vfsmount *old = path->mnt, *mnt;
	struct super_block *sb = old->mnt_sb;

	if (READ_ONCE(old->mnt_ns) != &init_mnt_ns)
		return -EINVAL; /* only mounts of the namespace can be cloned */
	atomic_inc(&sb->s_active);
	mnt = alloc_vfsmnt(sb, dget(path->dentry), old->mnt_devname, old->mnt_writers_mode);
	if (!mnt) {
		dput(path->dentry);
		deactivate_super(sb);
		return -ENOMEM;
	}
	mnt->mnt_flags = READ_ONCE(old->mnt_flags) & MNT_READONLY;
	mnt->mnt_ns = MNT_NS_INTERNAL; /* longterm: mntput takes the fast path (seed 2) */
	*out = mnt;
	return 0;
}

void mnt_make_shortterm(struct vfsmount *mnt)
{
	WRITE_ONCE(mnt->mnt_ns, NULL);
}

void kern_unmount(struct vfsmount *mnt)
{
	if (mnt)
		kern_unmount_array(&mnt, 1);
}

/*
 * Broken on purpose, for the self-check of `torture longterm`: true when every mount of the
 * array is marked MNT_BROKEN_NO_GP, and kern_unmount_array then waits no grace period.
 */
static bool broken_no_grace_period(struct vfsmount **mnts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (mnts[i] && !(READ_ONCE(mnts[i]->mnt_flags) & MNT_BROKEN_NO_GP))
			return false;
	return true;
}

void kern_unmount_array(struct vfsmount **mnts, unsigned int n)
{
	unsigned int live = 0;

	for (unsigned int i = 0; i < n; i++)
		if (mnts[i]) {
			mnt_make_shortterm(mnts[i]);
			live++;
		}
	if (!live)
		return;
	if (likely(!broken_no_grace_period(mnts, n))) {
		synchronize_rcu(); /* every fast-path mntput that saw mnt_ns set has finished */
		atomic64_inc(&grace_periods);
	}
	for (unsigned int i = 0; i < n; i++)
		mntput(mnts[i]);
}

/* For fs/namespace.c's umount: one grace period for a detached subtree. */
void mnt_count_note_grace_period(void)
{
	atomic64_inc(&grace_periods);
}

struct mnt_count_stats mnt_count_stats(void)
{
	return (struct mnt_count_stats){
		.mount_lock_taken = READ_ONCE(mount_lock_taken),
		.grace_periods = (uint64_t)atomic64_read(&grace_periods),
		.mounts_freed = (uint64_t)atomic64_read(&mounts_freed),
		.mounts_alive = (uint64_t)atomic64_read(&mounts_alive),
	};
}
