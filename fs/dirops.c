/*
 * Directory changes (see dirops.h and syscalls.h). The filesystem's inode operations do the
 * work on its own structures and make new dentries positive (d_add); this file checks the
 * arguments, takes the locks and the write reference, and unhashes removed names (d_delete).
 *
 * Lock order: rename_mutex (renames between directories), then directory i_rwsems (parent
 * before child; unrelated directories by address), then the victim's i_rwsem; the rest of
 * the order of mm's and fs's locks is the table atop mm/rmap.c.
 */
#include "fs/dirops.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/syscalls.h"
#include "kernel/locking/mutex.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"

static DEFINE_MUTEX(rename_mutex);

/* dir's i_rwsem held for writing: the child named name, asking the filesystem if needed. */
static struct dentry *lookup_locked(struct dentry *dir, const char *name, int *err)
{
	struct inode *inode = dir->d_inode;
	unsigned int len = (unsigned int)strlen(name);
	struct dentry *d = d_lookup(dir, name, len);

	*err = 0;
	if (d || !inode->i_op->lookup)
		return d;
	if (!(d = d_alloc(dir, name, len))) {
		*err = -ENOMEM;
		return NULL;
	}
	*err = inode->i_op->lookup(inode, d);
	if (*err || !d->d_inode) {
		dput(d);
		return NULL;
	}
	return d;
}

/* dir's i_rwsem held: a new name may go in (the directory itself was not removed). */
static int may_create(struct inode *dir)
{
	return dir->i_nlink == 0 ? -ENOENT : 0;
}

typedef int (*make_fn)(struct inode *dir, struct dentry *d, umode_t mode);

/* A new entry name in parent made by make(), with the locks and write reference it needs. */
static int make_entry(const struct path *parent, const char *name, umode_t mode, make_fn make,
		      struct dentry **out)
{
	struct inode *dir = parent->dentry->d_inode;
	struct dentry *d;
	int err;

	if (!make)
		return -EINVAL;
	if ((err = may_create(dir)))
		return err;
	if ((err = mnt_want_write(parent->mnt)))
		return err;
	d = d_alloc(parent->dentry, name, (unsigned int)strlen(name));
	if (!d)
		err = -ENOMEM;
	else if ((err = make(dir, d, mode)))
		dput(d);
	else
		*out = d;
	if (!err)
		dir->i_mtime_ns = dir->i_ctime_ns = current_time_ns();
	mnt_drop_write(parent->mnt);
	return err;
}

/*
 * Finds name in the directory parent, or creates it there as a regular file of mode (the
 * filesystem's create, under the directory's i_rwsem and a write reference on the mount). With
 * excl, an existing name is -EEXIST; without, it is returned whatever it is (the caller checks
 * for a directory). Returns 0 with a referenced path in *out, or -EEXIST, -EROFS, -ENOENT
 * (parent was removed), -ENOMEM, -ENOSPC. May sleep.
 */
int vfs_create_at(const struct path *parent, const char *name, umode_t mode, bool excl,
		  struct path *out)
{
	struct inode *dir = parent->dentry->d_inode;
	struct dentry *d;
	int err;

	down_write(&dir->i_rwsem);
	d = lookup_locked(parent->dentry, name, &err);
	if (d && excl) {
		dput(d);
		err = -EEXIST;
	} else if (!d && !err) {
		err = make_entry(parent, name, mode, dir->i_op->create, &d);
	}
	up_write(&dir->i_rwsem);
	if (err)
		return err;
	out->mnt = mntget(parent->mnt);
	out->dentry = d;
	return 0;
}

/*
 * Makes name in parent a character device (as Linux's vfs_mknod): a new file of the
 * filesystem, made special by init_special_inode (mode's permissions, number rdev, fops) while
 * the directory is still locked. For the devices made at boot (/dev/console), before any other
 * thread walks there. 0 with a referenced path in *out, or vfs_create_at's errors.
 */
int vfs_mknod_at(const struct path *parent, const char *name, umode_t mode, unsigned int rdev,
		 const struct file_operations *fops)
{
	struct inode *dir = parent->dentry->d_inode;
	struct dentry *d;
	int err;

	down_write(&dir->i_rwsem);
	d = lookup_locked(parent->dentry, name, &err);
	if (d) {
		dput(d);
		err = -EEXIST;
	} else if (!err && !(err = make_entry(parent, name, S_IFREG | (mode & 07777),
					      dir->i_op->create, &d))) {
		init_special_inode(d->d_inode, mode, rdev, fops);
		dput(d);
	}
	up_write(&dir->i_rwsem);
	return err;
}

/*
 * Makes the directory name (mode). 0, or -EEXIST, -ENOENT, -ENOTDIR, -EROFS, -ENOSPC, -ENOMEM,
 * -ENAMETOOLONG. May sleep.
 */
int sys_mkdir(const char *name, umode_t mode)
{
	return vfs_mkdirat(NULL, name, mode);
}

/* sys_mkdir() with a relative name read from the directory base (NULL: the working one). */
int vfs_mkdirat(const struct path *base, const char *name, umode_t mode)
{
	char last[NAME_MAX + 1];
	struct path parent;
	struct dentry *d;
	bool slash;
	int err;

	if ((err = kern_path_parent_at(base, name, &parent, last, &slash)))
		return err == -EINVAL ? -EEXIST : err;
	struct inode *dir = parent.dentry->d_inode;

	down_write(&dir->i_rwsem);
	if (!last[0] || (d = lookup_locked(parent.dentry, last, &err))) {
		if (last[0])
			dput(d);
		err = -EEXIST;
	} else if (!err && !(err = make_entry(&parent, last, (mode & 07777) | S_IFDIR,
					      dir->i_op->mkdir, &d))) {
		dput(d);
	}
	up_write(&dir->i_rwsem);
	path_put(&parent);
	return err;
}

/* Removes name (relative to base, NULL: the working directory) from its directory: rmdir when
   dir_wanted, else unlink. */
int vfs_removeat(const struct path *base, const char *name, bool dir_wanted)
{
	char last[NAME_MAX + 1];
	struct path parent;
	struct dentry *d;
	struct inode *dir;
	bool slash;
	int err;

	/* kern_path_parent's only -EINVAL: "." or ".." last (in last). Linux's unlink calls that
	   a directory (EISDIR); its rmdir, an invalid argument for "." and a directory that is not
	   empty for "..". */
	if ((err = kern_path_parent_at(base, name, &parent, last, &slash))) {
		if (err == -EINVAL && !dir_wanted)
			return -EISDIR;
		return err == -EINVAL && !strcmp(last, "..") ? -ENOTEMPTY : err;
	}
	if (!last[0]) {
		path_put(&parent);
		return -EBUSY; /* "/" */
	}
	dir = parent.dentry->d_inode;
	down_write(&dir->i_rwsem);
	d = lookup_locked(parent.dentry, last, &err);
	if (!d) {
		err = err ? err : -ENOENT;
	} else if (!dir_wanted && S_ISDIR(d->d_inode->i_mode)) {
		err = -EISDIR;
	} else if (!S_ISDIR(d->d_inode->i_mode) && (dir_wanted || slash)) {
		err = -ENOTDIR; /* rmdir of a file, or "file/" */
	} else if (d_mountpoint(d)) {
		err = -EBUSY;
	} else if (!(err = mnt_want_write(parent.mnt))) {
		struct inode *victim = d->d_inode;

		down_write(&victim->i_rwsem);
		err = dir_wanted ? (dir->i_op->rmdir ? dir->i_op->rmdir(dir, d) : -EINVAL)
				 : (dir->i_op->unlink ? dir->i_op->unlink(dir, d) : -EINVAL);
		up_write(&victim->i_rwsem);
		if (!err) {
			d_delete(d);
			dir->i_mtime_ns = dir->i_ctime_ns = current_time_ns();
		}
		mnt_drop_write(parent.mnt);
	}
	if (d)
		dput(d);
	up_write(&dir->i_rwsem);
	path_put(&parent);
	return err;
}

/*
 * Removes the empty directory name. 0, or -ENOTEMPTY, -EBUSY (a mount point, or the root), -EINVAL
 * (a last component "."), -ENOTDIR, -ENOENT, -EROFS. An open or working directory is removed; it
 * stays empty. May sleep.
 */
int sys_rmdir(const char *name)
{
	return vfs_removeat(NULL, name, true);
}

/*
 * Removes the name of a non-directory; the inode and its data stay until the last open file and
 * mapping go. 0, or -EISDIR, -ENOENT, -ENOTDIR, -EROFS. May sleep.
 */
int sys_unlink(const char *name)
{
	return vfs_removeat(NULL, name, false);
}

/* True when d is a or lies below a (rename_mutex held: the tree cannot change shape). */
static bool is_subdir(struct dentry *d, struct dentry *a)
{
	for (;;) {
		if (d == a)
			return true;
		if (d->d_parent == d)
			return false;
		d = d->d_parent;
	}
}

static void lock_rename(struct dentry *p1, struct dentry *p2)
{
	if (p1 == p2) {
		down_write(&p1->d_inode->i_rwsem);
		return;
	}
	mutex_lock(&rename_mutex);
	if (is_subdir(p2, p1) || (!is_subdir(p1, p2) && p1 < p2)) {
		down_write(&p1->d_inode->i_rwsem);
		down_write(&p2->d_inode->i_rwsem);
	} else {
		down_write(&p2->d_inode->i_rwsem);
		down_write(&p1->d_inode->i_rwsem);
	}
}

static void unlock_rename(struct dentry *p1, struct dentry *p2)
{
	up_write(&p1->d_inode->i_rwsem);
	if (p1 != p2) {
		up_write(&p2->d_inode->i_rwsem);
		mutex_unlock(&rename_mutex);
	}
}

/*
 * Both parents locked: checks, then the filesystem's rename and the dcache's move. slash: either
 * path ended in '/', which only a directory may.
 */
static int do_rename(const struct path *op, const char *oname, const struct path *np,
		     const char *nname, bool slash)
{
	struct inode *odir = op->dentry->d_inode, *ndir = np->dentry->d_inode;
	struct dentry *old, *new;
	int err;

	if (!(old = lookup_locked(op->dentry, oname, &err)))
		return err ? err : -ENOENT;
	new = lookup_locked(np->dentry, nname, &err);
	if (err)
		goto out;
	err = -ENOTDIR;
	if (slash && !S_ISDIR(old->d_inode->i_mode))
		goto out;
	err = 0;
	if (old == new) /* the same file: nothing to do */
		goto out;
	err = -EBUSY;
	if (d_mountpoint(old) || (new && d_mountpoint(new)))
		goto out;
	err = -EINVAL; /* a directory into itself or below itself */
	if (S_ISDIR(old->d_inode->i_mode) && is_subdir(np->dentry, old))
		goto out;
	err = -ENOTDIR;
	if (new && S_ISDIR(old->d_inode->i_mode) && !S_ISDIR(new->d_inode->i_mode))
		goto out;
	err = -EISDIR;
	if (new && !S_ISDIR(old->d_inode->i_mode) && S_ISDIR(new->d_inode->i_mode))
		goto out;
	if ((err = may_create(ndir)) || (err = mnt_want_write(op->mnt)))
		goto out;
	err = odir->i_op->rename ? odir->i_op->rename(odir, old, ndir, new, nname) : -EINVAL;
	if (!err) {
		if (new)
			d_delete(new);
		d_move(old, np->dentry, nname, (unsigned int)strlen(nname));
		odir->i_mtime_ns = ndir->i_mtime_ns = current_time_ns();
	}
	mnt_drop_write(op->mnt);
out:
	if (new)
		dput(new);
	dput(old);
	return err;
}

/*
 * Moves from to to, replacing a file at to (or an empty directory, when from is one). 0, or -EXDEV
 * (two mounts), -EINVAL (a directory into itself), -ENOTEMPTY, -EISDIR, -ENOTDIR, -EBUSY (a mount
 * point), -ENOENT, -EROFS. Takes rename_mutex when the directories differ. May sleep.
 */
int sys_rename(const char *from, const char *to)
{
	return vfs_renameat(NULL, from, NULL, to);
}

/* sys_rename() with relative names read from the directories obase and nbase (NULL: the
   working directory). */
int vfs_renameat(const struct path *obase, const char *from, const struct path *nbase,
		 const char *to)
{
	char oname[NAME_MAX + 1], nname[NAME_MAX + 1];
	struct path op, np;
	bool oslash, nslash;
	int err;

	/* "." or ".." on either side (kern_path_parent's -EINVAL): busy, as Linux says. */
	if ((err = kern_path_parent_at(obase, from, &op, oname, &oslash)))
		return err == -EINVAL ? -EBUSY : err;
	if ((err = kern_path_parent_at(nbase, to, &np, nname, &nslash))) {
		path_put(&op);
		return err == -EINVAL ? -EBUSY : err;
	}
	if (!oname[0] || !nname[0])
		err = -EBUSY;
	else if (op.mnt != np.mnt)
		err = -EXDEV; /* rename never crosses a mount, even of the same filesystem */
	if (!err) {
		lock_rename(op.dentry, np.dentry);
		err = do_rename(&op, oname, &np, nname, oslash || nslash);
		unlock_rename(op.dentry, np.dentry);
	}
	path_put(&np);
	path_put(&op);
	return err;
}

/* ---- The system calls: user names ---- */

#define RENAME_NOREPLACE 0x1
#define RENAME_EXCHANGE	 0x2
#define RENAME_WHITEOUT	 0x4

/* name from user memory and the directory it is read from, for an *at call's body. */
struct at_name {
	char *name;
	struct file *dir;
};

static int get_at_name(int dfd, const char __user *uname, struct at_name *a)
{
	int err;

	if ((err = getname(uname, false, &a->name)))
		return err;
	if ((err = get_dfd_base(dfd, a->name, &a->dir)))
		putname(a->name);
	return err;
}

static const struct path *at_base(const struct at_name *a)
{
	return a->dir ? &a->dir->f_path : NULL;
}

static void put_at_name(struct at_name *a)
{
	put_dfd_base(a->dir);
	putname(a->name);
}

static long do_mkdirat(int dfd, const char __user *pathname, umode_t mode)
{
	struct at_name a;
	int err;

	if ((err = get_at_name(dfd, pathname, &a)))
		return err;
	err = vfs_mkdirat(at_base(&a), a.name, (mode & 07777) & ~current_umask());
	put_at_name(&a);
	return err;
}

SYSCALL_DEFINE2(mkdir, const char __user *, pathname, umode_t, mode)
{
	return do_mkdirat(AT_FDCWD, pathname, mode);
}

SYSCALL_DEFINE3(mkdirat, int, dfd, const char __user *, pathname, umode_t, mode)
{
	return do_mkdirat(dfd, pathname, mode);
}

static long do_removeat(int dfd, const char __user *pathname, bool dir_wanted)
{
	struct at_name a;
	int err;

	if ((err = get_at_name(dfd, pathname, &a)))
		return err;
	err = vfs_removeat(at_base(&a), a.name, dir_wanted);
	put_at_name(&a);
	return err;
}

SYSCALL_DEFINE1(rmdir, const char __user *, pathname)
{
	return do_removeat(AT_FDCWD, pathname, true);
}

SYSCALL_DEFINE1(unlink, const char __user *, pathname)
{
	return do_removeat(AT_FDCWD, pathname, false);
}

SYSCALL_DEFINE3(unlinkat, int, dfd, const char __user *, pathname, int, flag)
{
	if (flag & ~AT_REMOVEDIR)
		return -EINVAL;
	return do_removeat(dfd, pathname, flag & AT_REMOVEDIR);
}

/* renameat2 with flags 0 only: RENAME_NOREPLACE, _EXCHANGE and _WHITEOUT are -EINVAL here
   (Linux supports them on most filesystems). */
static long do_renameat2(int olddfd, const char __user *oldname, int newdfd,
			 const char __user *newname, unsigned int flags)
{
	struct at_name o, n;
	int err;

	if (flags)
		return -EINVAL;
	if ((err = get_at_name(olddfd, oldname, &o)))
		return err;
	if (!(err = get_at_name(newdfd, newname, &n))) {
		err = vfs_renameat(at_base(&o), o.name, at_base(&n), n.name);
		put_at_name(&n);
	}
	put_at_name(&o);
	return err;
}

SYSCALL_DEFINE2(rename, const char __user *, oldname, const char __user *, newname)
{
	return do_renameat2(AT_FDCWD, oldname, AT_FDCWD, newname, 0);
}

SYSCALL_DEFINE4(renameat, int, olddfd, const char __user *, oldname, int, newdfd,
		const char __user *, newname)
{
	return do_renameat2(olddfd, oldname, newdfd, newname, 0);
}

SYSCALL_DEFINE5(renameat2, int, olddfd, const char __user *, oldname, int, newdfd,
		const char __user *, newname, unsigned int, flags)
{
	return do_renameat2(olddfd, oldname, newdfd, newname, flags);
}
