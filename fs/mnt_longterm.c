/*
 * Longterm mounts: kern_mount, clone_private_mount, kern_unmount and kern_unmount_array.
 * (Linux keeps them in fs/namespace.c. clone_private_mount returns a longterm mount since
 * "ovl: make private mounts longterm", Miklos Szeredi, 2020, merged for Linux 5.8, which added
 * kern_unmount_array under the name Al Viro asked for in its review.)
 *
 * An internal mount that no namespace holds is longterm when its owner keeps a reference for
 * as long as the mount lives and says so by setting mnt_ns (to MNT_NS_INTERNAL): mntput then
 * takes the fast path for it (fs/mnt_count.c), one CPU's counter and no lock. overlayfs does
 * a file operation through such a mount for every access to a lower layer, so before 5.8,
 * when clone_private_mount gave it short-term mounts, every one of those ended in a mntput
 * under the global mount_lock: the bounce `bench mntput` shows.
 *
 * The price is paid at the end. To let go, the owner clears mnt_ns, waits one RCU grace period,
 * then puts its reference: mntput reads mnt_ns inside rcu_read_lock(), so after the grace
 * period every mntput that saw the old value has finished its decrement, and every later one
 * takes the slow path, where the last reference is seen to go. kern_unmount_array pays that
 * grace period once for any number of mounts.
 *
 * The broken variant no-grace-period of `torture longterm` (fs/mnt_longterm_broken.c) skips it.
 *
 * kern_unmount (or kern_unmount_array) is the destructor of a longterm mount, never a plain
 * mntput of the owner's reference: that mntput takes the fast path, drops the reference where
 * no one sums, and leaves a mount nobody holds and nothing will ever free. (Al Viro's review of
 * the 5.8 patch asked for that sentence in the porting notes.) Every longterm mount sits on
 * longterm_mounts from its making to its destructor, so mnt_longterm_check can find and report
 * those leaked that way.
 */
#include "fs/mount.h"
#include "fs/dcache.h"
#include "fs/super.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "kernel/rcu/rcu.h"
#include "lib/errno.h"
#include "lib/string.h"

/* The longterm mounts alive, linked through mnt_list (they are in no namespace). */
static LIST_HEAD(longterm_mounts);
static DEFINE_MUTEX(longterm_mutex);

/* mnt is longterm from now on: mntput takes the fast path. Sleeps (the mutex). */
static void mnt_make_longterm(struct vfsmount *mnt)
{
	mutex_lock(&longterm_mutex);
	mnt->mnt_ns = MNT_NS_INTERNAL;
	list_add_tail(&mnt->mnt_list, &longterm_mounts);
	mutex_unlock(&longterm_mutex);
}

/**
 * kern_mount - a longterm internal mount of a new superblock of type fstype
 *
 * Mounts a new filesystem of the named type with options, in no namespace. Returns 0 and the
 * mount in *out, with the caller's reference, which lasts until kern_unmount (or
 * kern_unmount_array); or -ENODEV (no such type), -ENOMEM, or the filesystem's error. May sleep.
 */
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
	mnt_make_longterm(mnt);
	*out = mnt;
	return 0;
}

/**
 * clone_private_mount - a longterm private mount of the tree at path (overlayfs's layers)
 *
 * A new mount of path's superblock rooted at path->dentry, in no namespace, read-only if
 * path's mount is. The caller holds path. Returns 0 and the mount in *out, with a reference
 * the caller keeps until kern_unmount (or kern_unmount_array), not mntput; -EINVAL when
 * path's mount is not in the namespace, -ENOMEM. May sleep.
 */
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
	mnt_make_longterm(mnt); /* mntput takes the fast path */
	*out = mnt;
	return 0;
}

/**
 * mnt_make_shortterm - from now on, mntput of mnt takes the slow path
 *
 * Puts already under way may still take the fast one: wait a grace period before counting on
 * the sum (kern_unmount_array does). The caller owns mnt's longterm reference. Sleeps (the
 * mutex of the longterm list).
 */
void mnt_make_shortterm(struct vfsmount *mnt)
{
	mutex_lock(&longterm_mutex);
	list_del_init(&mnt->mnt_list);
	WRITE_ONCE(mnt->mnt_ns, NULL);
	mutex_unlock(&longterm_mutex);
}

/**
 * kern_unmount_array - let go of n longterm mounts with one grace period
 *
 * For each non-NULL mnts[i], a longterm mount made by kern_mount or clone_private_mount
 * whose reference the caller owns: makes it short-term, then after one synchronize_rcu() for
 * all of them puts the caller's reference, which frees each mount no one else holds. A mount
 * someone else still holds lives on until their mntput. NULL entries are skipped; with none
 * left, no grace period. Sleeps (the grace period); the caller holds no spinlock.
 */
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
	if (likely(!mnt_array_broken_no_gp(mnts, n))) {
		/* Every fast-path mntput that saw mnt_ns set has finished: pairs with the
		   rcu_read_lock() around mntput's read of mnt_ns and its decrement. */
		synchronize_rcu();
	}
	for (unsigned int i = 0; i < n; i++)
		mntput(mnts[i]);
}

/**
 * kern_unmount - let go of one longterm mount (kern_unmount_array of one)
 *
 * NULL is ignored. Sleeps for a grace period.
 */
void kern_unmount(struct vfsmount *mnt)
{
	if (mnt)
		kern_unmount_array(&mnt, 1);
}

/* The sum of mnt's counters; each counter into counts[]. */
static int read_counts(const struct vfsmount *mnt, int *counts)
{
	int sum = 0;

	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++)
		sum += counts[cpu] = READ_ONCE(mnt->mnt_pcp[cpu].count);
	return sum;
}

/*
 * Whether no reference to the longterm mount mnt is left. Such a mount stays so: a new
 * reference is taken only from one held. A mount others get and put on several CPUs may read
 * one low (a reference taken on a CPU already read and dropped on one not yet read), so a sum
 * of zero counts only when every counter reads the same again after a grace period.
 */
static bool longterm_unreferenced(const struct vfsmount *mnt)
{
	int before[NR_CPUS], after[NR_CPUS];

	if (read_counts(mnt, before) > 0)
		return false;
	synchronize_rcu();
	return read_counts(mnt, after) <= 0 && !memcmp(before, after, nr_cpu_ids * sizeof(int));
}

/**
 * mnt_longterm_check - find and report the longterm mounts whose owner used mntput
 *
 * Walks every longterm mount alive (from kern_mount or clone_private_mount, not yet given to
 * kern_unmount or kern_unmount_array). One with no reference left was put by its owner with
 * mntput instead of kern_unmount: it leaks. Warns on the console for each such mount and
 * calls fn(mnt, leaked, arg) for every mount (fn may be NULL; it may not unmount). Returns how
 * many leak. Sleeps (a grace period per mount that reads zero).
 */
unsigned int mnt_longterm_check(void (*fn)(struct vfsmount *mnt, bool leaked, void *arg),
				void *arg)
{
	unsigned int leaked = 0;
	struct vfsmount *mnt;

	mutex_lock(&longterm_mutex);
	list_for_each_entry(mnt, &longterm_mounts, mnt_list) {
		bool gone = longterm_unreferenced(mnt);

		if (gone)
			pr_warn("mount %d (%s): longterm, and no reference left: its owner put it "
				"with mntput, which leaks it; kern_unmount is its destructor\n",
				mnt->mnt_id, mnt->mnt_devname);
		leaked += gone;
		if (fn)
			fn(mnt, gone, arg);
	}
	mutex_unlock(&longterm_mutex);
	return leaked;
}
