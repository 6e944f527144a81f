/*
 * The mount tree (see mount.h): one namespace whose root is a tmpfs, mounts and bind mounts
 * attached at directories, remount of a mount or of a superblock, umount.
 *
 * Every mount in the tree is found by (parent mount, mountpoint dentry) in the mount hash;
 * path walks look there whenever a dentry has d_mounted set. Tree changes hold namespace_sem
 * for writing (they may sleep: lookups, allocations, grace periods) and, around the moment the
 * hash and lists change, mount_lock for writing, so a lockless walk that crossed a mount during
 * the change sees the sequence move and walks again.
 *
 * A mount in the tree holds a reference on its parent and on its mountpoint dentry, dropped
 * when it is freed (fs/mnt_count.c). The tree itself holds one reference on each mount it
 * contains; umount detaches, waits a grace period (fs/mnt_count.c explains why), and drops it.
 *
 * Lock order: namespace_sem, then mount_lock, then sb->s_lock.
 */
#include "fs/mount.h"
#include "fs/dcache.h"
#include "fs/namei.h"
#include "fs/super.h"
#include "fs/syscalls.h"
#include "kernel/printk.h"
#include "kernel/panic.h"
#include "kernel/rcu/rculist.h"
#include "lib/errno.h"
#include "lib/string.h"

#define M_HASH_SIZE 256

struct mnt_namespace {
	struct vfsmount *root;
	struct list_head list; /* every mount in it, in mount order */
};

struct mnt_namespace init_mnt_ns = {.list = LIST_HEAD_INIT(init_mnt_ns.list)};
DEFINE_SEQLOCK(mount_lock);
static struct rw_semaphore namespace_sem;
static struct hlist_head mount_hashtable[M_HASH_SIZE];

/* Before the first mount (vfs_init): namespace_sem, which every change of the tree takes. */
void mnt_init(void)
{
	init_rwsem(&namespace_sem, "namespace_sem");
}

static struct hlist_head *m_hash(const struct vfsmount *mnt, const struct dentry *dentry)
{
	uintptr_t h = ((uintptr_t)mnt >> 6) ^ ((uintptr_t)dentry >> 6);

	return &mount_hashtable[(h ^ (h >> 8)) & (M_HASH_SIZE - 1)];
}

/**
 * __lookup_mnt - the mount on top of (mnt, dentry), for a lockless path walk
 *
 * Requires rcu_read_lock(); takes no reference and no lock. Returns the child mount or NULL,
 * which is only an answer if mount_lock's sequence has not moved since the caller read it
 * (a umount may be unhashing the child): lookup_mnt and the walk in fs/namei.c check it.
 */
struct vfsmount *__lookup_mnt(struct vfsmount *mnt, struct dentry *dentry)
{
	struct vfsmount *child;

	hlist_for_each_entry_rcu(child, m_hash(mnt, dentry), mnt_hash)
		if (READ_ONCE(child->mnt_parent) == mnt && READ_ONCE(child->mnt_mountpoint) == dentry)
			return child;
	return NULL;
}

/**
 * lookup_mnt - the mount on top of path, with a reference
 *
 * The caller holds path. Returns the mount whose mountpoint is (path->mnt, path->dentry) with
 * a reference taken, or NULL. Lockless: retries while a umount moves mount_lock's sequence.
 */
struct vfsmount *lookup_mnt(const struct path *path)
{
	struct vfsmount *child;
	unsigned int seq;

	do {
		seq = read_seqbegin(&mount_lock);
		rcu_read_lock();
		child = __lookup_mnt(path->mnt, path->dentry);
		if (child)
			mntget(child);
		rcu_read_unlock();
		/* Our count before our check of the sequence: pairs with the smp_mb() in
		   do_umount() after it moved the sequence and before it counts. Either umount
		   sees our reference (EBUSY) or we see the sequence move and put it back. */
		smp_mb();
		if (!read_seqretry(&mount_lock, seq))
			return child;
		mntput(child);
	} while (true);
}

void fs_root_noref(struct path *root)
{
	root->mnt = init_mnt_ns.root;
	root->dentry = init_mnt_ns.root->mnt_root;
}

void get_fs_root_path(struct path *root)
{
	root->mnt = mntget(init_mnt_ns.root);
	root->dentry = dget(init_mnt_ns.root->mnt_root);
}

/* namespace_sem held for writing: puts mnt on top of path, in the namespace. */
static void attach_mnt(struct vfsmount *mnt, const struct path *path)
{
	mntget(path->mnt);
	dget(path->dentry);
	write_seqlock(&mount_lock);
	mnt->mnt_parent = path->mnt;
	mnt->mnt_mountpoint = path->dentry;
	path->dentry->d_mounted++;
	list_add_tail(&mnt->mnt_child, &path->mnt->mnt_mounts);
	list_add_tail(&mnt->mnt_list, &init_mnt_ns.list);
	WRITE_ONCE(mnt->mnt_ns, &init_mnt_ns);
	hlist_add_head_rcu(&mnt->mnt_hash, m_hash(path->mnt, path->dentry));
	write_sequnlock(&mount_lock);
}

/* namespace_sem and mount_lock held for writing: takes mnt out of the tree. */
static void detach_mnt(struct vfsmount *mnt)
{
	hlist_del_rcu(&mnt->mnt_hash);
	list_del_init(&mnt->mnt_child);
	list_del_init(&mnt->mnt_list);
	mnt->mnt_mountpoint->d_mounted--;
	WRITE_ONCE(mnt->mnt_ns, NULL);
}

/* Generic options out of "ro,writers=atomic,size=64k": what is left goes to the filesystem. */
struct mount_opts {
	bool ro;
	enum mnt_writers_mode mode;
	char fs[64];
};

static int parse_mount_options(const char *options, struct mount_opts *o)
{
	const char *p = options ? options : "";

	o->ro = false;
	o->mode = default_writers_mode;
	o->fs[0] = '\0';
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char opt[64];

		if (len >= sizeof(opt))
			return -EINVAL;
		memcpy(opt, p, len);
		opt[len] = '\0';
		if (!strcmp(opt, "ro")) {
			o->ro = true;
		} else if (!strcmp(opt, "rw")) {
			o->ro = false;
		} else if (!strncmp(opt, "writers=", 8)) {
			int m = writers_mode_parse(opt + 8);

			if (m < 0)
				return -EINVAL;
			o->mode = (enum mnt_writers_mode)m;
		} else if (len) {
			if (o->fs[0])
				strlcat(o->fs, ",", sizeof(o->fs));
			if (strlcat(o->fs, opt, sizeof(o->fs)) >= sizeof(o->fs))
				return -EINVAL;
		}
		p += len + (end ? 1 : 0);
	}
	return 0;
}

/* A mount for a new superblock of type or for a bind of source; 0 or a negative errno. */
static int new_mount(const char *source, const char *type, unsigned long flags,
		     const struct mount_opts *o, struct vfsmount **out)
{
	struct file_system_type *fstype;
	struct super_block *sb;
	struct path src;
	int err;

	if (flags & MS_BIND) {
		if (!source)
			return -EINVAL;
		if ((err = kern_path(source, LOOKUP_FOLLOW, &src)))
			return err;
		sb = src.mnt->mnt_sb;
		atomic_inc(&sb->s_active);
		*out = alloc_vfsmnt(sb, dget(src.dentry), src.mnt->mnt_devname, o->mode);
		if (!*out) {
			dput(src.dentry);
			deactivate_super(sb);
		} else { /* a bind of a read-only mount is read-only too, as in Linux */
			(*out)->mnt_flags = READ_ONCE(src.mnt->mnt_flags) & MNT_READONLY;
		}
		path_put(&src);
		return *out ? 0 : -ENOMEM;
	}
	if (!type || !(fstype = get_fs_type(type)))
		return -ENODEV;
	sb = mount_fs(fstype, source, o->fs, (flags & MS_RDONLY) ? SB_RDONLY : 0, &err);
	if (!sb)
		return err;
	*out = alloc_vfsmnt(sb, dget(sb->s_root), source, o->mode);
	if (!*out) {
		dput(sb->s_root);
		deactivate_super(sb);
		return -ENOMEM;
	}
	return 0;
}

/*
 * remount of the mount at path (MS_BIND: that mount alone) or of its superblock, read-only
 * with MS_RDONLY, writable without. namespace_sem held for writing; takes mount_lock. Returns
 * 0, -EINVAL (path is not the root of its mount), -EBUSY (writers hold write references:
 * mnt_make_readonly, sb_prepare_remount_readonly), or the filesystem's error.
 */
static int do_remount(const struct path *path, unsigned long flags)
{
	struct vfsmount *mnt = path->mnt;
	struct super_block *sb = mnt->mnt_sb;
	bool sb_wide = !(flags & MS_BIND), was_ro = READ_ONCE(sb->s_flags) & SB_RDONLY;
	int err = 0;

	if (path->dentry != mnt->mnt_root)
		return -EINVAL;
	/* A disk filesystem may refuse to become writable (ext2 with unknown features). */
	if (sb_wide && !(flags & MS_RDONLY) && was_ro && sb->s_op && sb->s_op->remount_fs &&
	    (err = sb->s_op->remount_fs(sb, false)))
		return err;
	read_seqlock_excl(&mount_lock);
	if (flags & MS_BIND) { /* this mount only */
		if (flags & MS_RDONLY)
			err = mnt_make_readonly(mnt);
		else
			mnt_make_writable(mnt);
	} else { /* the superblock, through every mount of it */
		if (flags & MS_RDONLY)
			err = sb_prepare_remount_readonly(mnt->mnt_sb);
		else
			WRITE_ONCE(mnt->mnt_sb->s_flags, mnt->mnt_sb->s_flags & ~SB_RDONLY);
	}
	read_sequnlock_excl(&mount_lock);
	/* Now read-only with no writer: the filesystem writes what is dirty and marks it clean. */
	if (!err && sb_wide && (flags & MS_RDONLY) && !was_ro && sb->s_op && sb->s_op->remount_fs)
		err = sb->s_op->remount_fs(sb, true);
	return err;
}

/**
 * do_mount - the mount(2) of this kernel
 *
 * A new filesystem of type (source, options) on dir; with MS_BIND, source is a path bound on
 * dir (a bind of a read-only mount starts read-only); with MS_REMOUNT, dir's mount (and with no
 * MS_BIND, its superblock) becomes read-only (MS_RDONLY) or writable. options may hold "ro",
 * "rw" and "writers=MODE" (fs/mnt_writers_variants.c) before the filesystem's own. Returns 0 or
 * a negative errno. May sleep; takes namespace_sem.
 */
int do_mount(const char *source, const char *dir, const char *type, unsigned long flags,
	     const char *options)
{
	struct mount_opts o;
	struct vfsmount *mnt = NULL;
	struct path path;
	int err;

	if ((err = parse_mount_options(options, &o)))
		return err;
	if (o.ro)
		flags |= MS_RDONLY;
	if ((err = kern_path(dir, LOOKUP_FOLLOW, &path)))
		return err;
	/* Linux's order (path_mount): the path, then the type (-ENODEV), then whether dir can
	   take the mount (-ENOTDIR; a remount of a file is not at a mount's root: -EINVAL). */
	if (!(flags & (MS_REMOUNT | MS_BIND)) && !(type && get_fs_type(type)))
		err = -ENODEV;
	else if (!S_ISDIR(path.dentry->d_inode->i_mode))
		err = (flags & MS_REMOUNT) ? -EINVAL : -ENOTDIR;
	if (err) {
		path_put(&path);
		return err;
	}
	down_write(&namespace_sem);
	if (flags & MS_REMOUNT) {
		err = do_remount(&path, flags);
	} else if (d_unhashed(path.dentry) && path.dentry != path.mnt->mnt_root) {
		err = -ENOENT; /* removed while we looked it up */
	} else if (!(err = new_mount(source, type, flags, &o, &mnt))) {
		if (flags & MS_RDONLY)
			mnt->mnt_flags |= MNT_READONLY;
		attach_mnt(mnt, &path);
	}
	up_write(&namespace_sem);
	path_put(&path);
	return err;
}

/**
 * do_umount - take the mount at dir out of the tree and put the tree's reference
 *
 * Refuses while anything but the tree and this call holds the mount. Returns 0 (the mount is
 * detached and, with the last reference gone, freed), -EINVAL (dir is not a mount point), or
 * -EBUSY (open files, a working directory, mounts on it, or the root). Sleeps for an
 * expedited grace period; takes namespace_sem and mount_lock.
 */
int do_umount(const char *dir)
{
	struct vfsmount *mnt;
	struct path path;
	int err = 0;

	if ((err = kern_path(dir, LOOKUP_FOLLOW, &path)))
		return err;
	mnt = path.mnt;
	down_write(&namespace_sem);
	if (path.dentry != mnt->mnt_root || mnt->mnt_ns != &init_mnt_ns) {
		err = -EINVAL; /* not a mount point */
	} else if (mnt == init_mnt_ns.root) {
		err = -EBUSY;
	} else {
		write_seqlock(&mount_lock);
		/* The sequence moved before we count: pairs with the smp_mb() in lookup_mnt()
		   between its mntget and its check of the sequence, and with the one in
		   rcu_walk() (fs/namei.c) between its references and its check. */
		smp_mb();
		/* The tree's reference and ours; any other is an open file, a cwd, a walker. */
		if (!list_empty(&mnt->mnt_mounts) || mnt_get_count(mnt) > 2)
			err = -EBUSY;
		else
			detach_mnt(mnt);
		write_sequnlock(&mount_lock);
	}
	up_write(&namespace_sem);
	path_put(&path);
	if (err)
		return err;
	/* Fast-path mntputs that saw it in the namespace are done: pairs with the
	   rcu_read_lock() around mntput's read of mnt_ns and its decrement. Expedited, as Linux's
	   namespace_unlock ("VFS: use synchronize_rcu_expedited() in namespace_unlock()"): a
	   normal grace period waits for every CPU's tick and made each umount cost milliseconds
	   (remountbench's bind case: 100 bind+umount pairs a second, Linux 6.1 3000 and more). */
	synchronize_rcu_expedited();
	mntput(mnt); /* the tree's reference: the last one */
	return 0;
}

/**
 * init_mount_tree - mount the root filesystem (a tmpfs) and start the namespace there
 *
 * Once, at boot, before any other mount and before a second CPU walks a path (vfs_init).
 * Panics if the root cannot be made: there is no kernel without it.
 */
void init_mount_tree(void)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	struct super_block *sb;
	struct vfsmount *mnt;
	int err;

	if (!type || !(sb = mount_fs(type, "rootfs", "", 0, &err)))
		panic("init_mount_tree: cannot make the root tmpfs");
	mnt = alloc_vfsmnt(sb, dget(sb->s_root), "rootfs", default_writers_mode);
	if (!mnt)
		panic("init_mount_tree: no memory for the root mount");
	mnt->mnt_ns = &init_mnt_ns;
	list_add_tail(&mnt->mnt_list, &init_mnt_ns.list);
	init_mnt_ns.root = mnt;
}

/**
 * iterate_mounts - call fn(mnt, arg) for every mount of the namespace, in mount order
 *
 * Takes namespace_sem for reading, so the tree does not change under fn; fn may sleep but may
 * not mount or unmount. For the shell's `mount` and `df` and the tests.
 */
void iterate_mounts(void (*fn)(struct vfsmount *mnt, void *arg), void *arg)
{
	struct vfsmount *mnt;

	down_read(&namespace_sem);
	list_for_each_entry(mnt, &init_mnt_ns.list, mnt_list)
		fn(mnt, arg);
	up_read(&namespace_sem);
}

/* mount(2) and umount(2) for kernel threads: do_mount and do_umount say what they do. */
int sys_mount(const char *source, const char *dir, const char *type, unsigned long flags,
	      const char *options)
{
	return do_mount(source, dir, type, flags, options);
}

int sys_umount(const char *dir)
{
	return do_umount(dir);
}
