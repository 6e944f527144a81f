/*
 * Opening and closing files, truncate, chdir (see syscalls.h), as Linux's fs/open.c.
 *
 * An open for writing takes a write reference on the mount (mnt_want_write) that the file
 * keeps until its release; O_CREAT of a new name and O_TRUNC take one for the change itself.
 *
 * Lock order: a directory's i_rwsem (create), then the file's (truncate); the rest of the
 * order of mm's and fs's locks is the table atop mm/rmap.c.
 */
#include "fs/syscalls.h"
#include "fs/dcache.h"
#include "fs/dirops.h"
#include "fs/file.h"
#include "fs/fs_struct.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "lib/errno.h"

/* The inode's i_rwsem held: changes the size through the filesystem. */
static int do_truncate_locked(struct inode *inode, uint64_t size)
{
	int err;

	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (size > inode->i_sb->s_maxbytes)
		return size > (1ULL << 62) ? -EINVAL : -ENOSPC;
	if (!inode->i_op->setsize)
		return -EINVAL;
	err = inode->i_op->setsize(inode, size);
	if (!err)
		inode->i_mtime_ns = inode->i_ctime_ns = current_time_ns();
	return err;
}

/* With a write reference held on path's mount for the duration. */
static int vfs_truncate(const struct path *path, uint64_t size)
{
	struct inode *inode = path->dentry->d_inode;
	int err;

	if ((err = mnt_want_write(path->mnt)))
		return err;
	down_write(&inode->i_rwsem);
	err = do_truncate_locked(inode, size);
	up_write(&inode->i_rwsem);
	mnt_drop_write(path->mnt);
	return err;
}

/* The dentry for the last component of name, made if O_CREAT asks; referenced path in *out. */
static int open_lookup(const char *name, unsigned int flags, umode_t mode, struct path *out)
{
	char last[NAME_MAX + 1];
	struct path parent;
	bool slash;
	int err;

	if (!(flags & O_CREAT))
		return kern_path(name, flags & O_DIRECTORY ? LOOKUP_DIRECTORY : 0, out);
	if ((err = kern_path_parent(name, &parent, last, &slash)))
		return err == -EINVAL ? -EISDIR : err;
	if (slash || !last[0]) {
		path_put(&parent);
		return -EISDIR;
	}
	err = vfs_create_at(&parent, last, mode | S_IFREG, flags & O_EXCL, out);
	path_put(&parent);
	return err;
}

/*
 * Opens name for the calling thread: flags O_RDONLY, O_WRONLY or O_RDWR, with O_CREAT (a regular
 * file of mode, if absent), O_EXCL (EEXIST if present), O_TRUNC, O_APPEND, O_DIRECTORY. An open
 * for writing holds a write reference on the mount until the file is released. Returns the lowest
 * free descriptor, or -ENOENT, -ENOTDIR, -EISDIR, -EEXIST, -EROFS, -EMFILE, -ENAMETOOLONG,
 * -ENOMEM, -ENOSPC. Thread context; may sleep.
 */
int sys_open(const char *name, unsigned int flags, umode_t mode)
{
	unsigned int acc = flags & O_ACCMODE, fmode;
	struct inode *inode;
	struct file *f;
	struct path path;
	int err, fd;

	if (acc == O_ACCMODE)
		return -EINVAL;
	if ((err = fd_available())) /* before anything changes */
		return err;
	fmode = (acc == O_RDONLY || acc == O_RDWR ? FMODE_READ : 0) |
		(acc == O_WRONLY || acc == O_RDWR ? FMODE_WRITE : 0);
	if (!(f = alloc_empty_file())) /* before the lookup creates anything */
		return -ENOMEM;
	if ((err = open_lookup(name, flags, mode, &path))) {
		put_empty_file(f);
		return err;
	}
	inode = path.dentry->d_inode;
	err = -EISDIR; /* a directory is not written, nor created over (as Linux) */
	if (S_ISDIR(inode->i_mode) && ((fmode & FMODE_WRITE) || (flags & O_CREAT)))
		goto out_empty;
	err = -ENOTDIR;
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		goto out_empty;
	if ((fmode & FMODE_WRITE) && (err = mnt_want_write(path.mnt)))
		goto out_empty;
	file_bind_path(f, &path, flags, fmode | (fmode & FMODE_WRITE ? FMODE_WRITE_REF : 0));
	file_vm_init(f);
	if ((flags & O_TRUNC) && (fmode & FMODE_WRITE) && S_ISREG(inode->i_mode) &&
	    (fd = vfs_truncate(&path, 0)))
		fput(f);
	else if ((fd = fd_install_new(f)) < 0)
		fput(f);
	path_put(&path);
	return fd;
out_empty:
	put_empty_file(f);
	path_put(&path);
	return err;
}

/*
 * Frees descriptor fd of the calling thread; the file is released with its last reference (a
 * request in flight may hold one). 0 or -EBADF.
 */
int sys_close(int fd)
{
	return close_fd(fd);
}

/*
 * Sets the size of the regular file name: the cut part goes, an extension reads as zeros. Takes a
 * write reference on the mount and the inode's i_rwsem. 0, or -EISDIR, -EROFS, -EINVAL, -ENOSPC
 * (past s_maxbytes), or the lookup's errors. Thread context; may sleep.
 */
int sys_truncate(const char *name, uint64_t size)
{
	struct path path;
	int err;

	if ((err = kern_path(name, 0, &path)))
		return err;
	err = vfs_truncate(&path, size);
	path_put(&path);
	return err;
}

/*
 * sys_truncate() of the file open as fd, which must be open for writing (-EINVAL otherwise, -EBADF
 * without fd). Thread context; may sleep.
 */
int sys_ftruncate(int fd, uint64_t size)
{
	struct file *f = fget(fd);
	int err;

	if (!f)
		return -EBADF;
	err = (f->f_mode & FMODE_WRITE) ? vfs_truncate(&f->f_path, size) : -EINVAL;
	fput(f);
	return err;
}

/*
 * Makes the directory name the calling thread's working directory. 0, or -ENOTDIR and the lookup's
 * errors. Thread context; may sleep.
 */
int sys_chdir(const char *name)
{
	struct path path;
	int err;

	if ((err = kern_path(name, LOOKUP_DIRECTORY, &path)))
		return err;
	err = set_fs_pwd(&path);
	path_put(&path);
	return err;
}
