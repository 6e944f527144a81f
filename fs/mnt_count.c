/*
 * Mount references: mntget and mntput, split per CPU. (Linux keeps them in fs/namespace.c;
 * the per-CPU split came with "fs: scale mntget/mntput", Linux 2.6.38, the lockless fast path
 * for mounts in a namespace with Linux 3.13.)
 *
 * mntget adds one to this CPU's counter of the mount, mntput takes one from the counter of
 * whatever CPU it runs on, so a single counter may go negative and only the sum means
 * anything. Summing is exact only when no CPU can still change the counters behind the
 * summer's back, so mntput asks "was that the last reference?" only of mounts that nothing new
 * can reach:
 *
 *   - A mount in the namespace, or a longterm internal mount (mnt_ns is non-NULL), has a
 *     reference its owner keeps (the tree, or the kern_mount caller), so mntput can never drop
 *     the last one: it just decrements this CPU's counter. No lock, no shared cache line.
 *   - A detached short-term mount (mnt_ns NULL) takes the global mount_lock in mntput,
 *     decrements, sums every CPU's counter, and frees the mount when the sum is zero.
 *
 * How an owner lets go of a mount without a fast-path mntput slipping past the sum (clear
 * mnt_ns, wait a grace period, put) is fs/mnt_longterm.c's; do_umount does the same.
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
static atomic64_t mounts_freed, mounts_alive;
static uint64_t mount_lock_taken; /* under mount_lock */

/* Adds n to this CPU's reference counter of mnt. */
static void mnt_add_count(struct vfsmount *mnt, int n)
{
	struct mnt_pcp *pcp;

	preempt_disable();
	pcp = &mnt->mnt_pcp[smp_processor_id()];
	WRITE_ONCE(pcp->count, pcp->count + n);
	preempt_enable();
}

/**
 * mnt_get_count - the sum of mnt's reference counters over every CPU
 *
 * Exact only when nothing can change them: under mount_lock for a detached mount (mntput's
 * slow path), or under mount_lock held for writing when only lookup_mnt could add one
 * (do_umount). Otherwise a snapshot.
 */
int mnt_get_count(const struct vfsmount *mnt)
{
	int sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += READ_ONCE(mnt->mnt_pcp[cpu].count);
	return sum;
}

/**
 * alloc_vfsmnt - a new mount of sb, rooted at root
 *
 * Takes over the caller's active reference on sb and its reference on root, names the mount
 * devname, and counts its writers in mode. Returns the mount with one reference held,
 * detached (mnt_ns NULL: short-term until someone attaches it or makes it longterm), or NULL
 * when memory ran out (the caller still owns sb's and root's references then). May sleep.
 */
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

/**
 * mntget - take one more reference on mnt
 *
 * The caller must already hold one, or be inside rcu_read_lock() having found mnt in the
 * mount hash (lookup_mnt). Returns mnt; NULL stays NULL. Never sleeps, takes no lock.
 */
struct vfsmount *mntget(struct vfsmount *mnt)
{
	if (mnt)
		mnt_add_count(mnt, 1);
	return mnt;
}

static void free_vfsmnt_rcu(struct rcu_head *head)
{
	struct vfsmount *mnt = container_of(head, struct vfsmount, mnt_rcu);

	if (unlikely(mnt->mnt_flags & MNT_BROKEN_NO_GP)) {
		mnt_quarantine(mnt);
		return;
	}
	kfree(mnt->mnt_pcp);
	kfree(mnt);
}

/* The last reference is gone: release what the mount holds, free it after a grace period. */
static void cleanup_mnt(struct vfsmount *mnt)
{
	struct super_block *sb = mnt->mnt_sb;

	mnt_writers_check_freed(mnt);
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

/**
 * mntput - put a reference on mnt, freeing it with the last one
 *
 * For a mount in the namespace or a longterm one (mnt_ns set) the fast path: this CPU's
 * counter, no lock, and never the last reference. For a detached short-term mount the slow
 * path: mount_lock, the sum, and at zero the mount's release (its superblock, its place in
 * its parent) and its free after a grace period. May sleep in the release; NULL is ignored.
 */
void mntput(struct vfsmount *mnt)
{
	int count;

	if (!mnt)
		return;
	rcu_read_lock();
	if (likely(READ_ONCE(mnt->mnt_ns))) {
		/* The fast path. The owner that clears mnt_ns waits a grace period before its
		   own put (kern_unmount_array, do_umount), so this decrement lands before it sums:
		   the rcu_read_lock() above is what that synchronize_rcu() waits for. */
		delay_point(&dp_mntput_fast);
		mnt_add_count(mnt, -1);
		rcu_read_unlock();
		return;
	}
	read_seqlock_excl(&mount_lock);
	mount_lock_taken++;
	/* No barrier before the sum: other slow paths are ordered by mount_lock, and the fast
	   paths and lookup_mnt's increments ran in read-side sections the owner's grace period
	   waited for before it cleared the way to this path. */
	mnt_add_count(mnt, -1);
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

/* The counters of `mntstat`. */
struct mnt_count_stats mnt_count_stats(void)
{
	return (struct mnt_count_stats){
		.mount_lock_taken = READ_ONCE(mount_lock_taken),
		.mounts_freed = (uint64_t)atomic64_read(&mounts_freed),
		.mounts_alive = (uint64_t)atomic64_read(&mounts_alive),
	};
}
