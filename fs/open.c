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
#include "kernel/syscall.h"
#include "lib/errno.h"

/* The inode's i_rwsem held: changes the size through the filesystem. */
static int do_truncate_locked(struct inode *inode, uint64_t size)
{
	int err;

	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!S_ISREG(inode->i_mode))
		return -EINVAL; /* a device has no size to set */
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

/* The dentry for the last component of name (relative to base, NULL: the working directory),
   made if O_CREAT asks; referenced path in *out. */
static int open_lookup(const struct path *base, const char *name, unsigned int flags, umode_t mode,
		       struct path *out)
{
	char last[NAME_MAX + 1];
	struct path parent;
	bool slash;
	int err;

	if (!(flags & O_CREAT))
		return kern_path_at(base, name, flags & O_DIRECTORY ? LOOKUP_DIRECTORY : 0, out);
	if ((err = kern_path_parent_at(base, name, &parent, last, &slash)))
		return err == -EINVAL ? -EISDIR : err;
	if (slash || !last[0]) {
		path_put(&parent);
		return -EISDIR;
	}
	err = vfs_create_at(&parent, last, mode | S_IFREG, flags & O_EXCL, out);
	path_put(&parent);
	return err;
}

/* The new file for name, opened as sys_open says, in *out with its reference. */
static int do_open(const struct path *base, const char *name, unsigned int flags, umode_t mode,
		   struct file **out)
{
	unsigned int acc = flags & O_ACCMODE, fmode;
	struct inode *inode;
	struct file *f;
	struct path path;
	int err;

	fmode = (acc == O_RDONLY || acc == O_RDWR ? FMODE_READ : 0) |
		(acc == O_WRONLY || acc == O_RDWR ? FMODE_WRITE : 0);
	if (!(f = alloc_empty_file())) /* before the lookup creates anything */
		return -ENOMEM;
	if ((err = open_lookup(base, name, flags, mode, &path))) {
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
	/* As Linux's do_dentry_open, the file keeps only the flags that go on mattering. */
	file_bind_path(f, &path, flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC),
		       fmode | (fmode & FMODE_WRITE ? FMODE_WRITE_REF : 0));
	file_vm_init(f);
	err = 0;
	if ((flags & O_TRUNC) && (fmode & FMODE_WRITE) && S_ISREG(inode->i_mode) &&
	    (err = vfs_truncate(&path, 0)))
		fput(f);
	else
		*out = f;
	path_put(&path);
	return err;
out_empty:
	put_empty_file(f);
	path_put(&path);
	return err;
}

/*
 * Opens name for the calling thread: flags O_RDONLY, O_WRONLY or O_RDWR, with O_CREAT (a regular
 * file of mode, if absent), O_EXCL (EEXIST if present), O_TRUNC, O_APPEND, O_DIRECTORY,
 * O_CLOEXEC (the descriptor is closed at execve). An open for writing holds a write reference
 * on the mount until the file is released. Returns the lowest free descriptor, or -ENOENT,
 * -ENOTDIR, -EISDIR, -EEXIST, -EROFS, -EMFILE, -ENAMETOOLONG, -ENOMEM, -ENOSPC, -EINVAL (an
 * access mode of 3). Thread context; may sleep.
 */
int sys_open(const char *name, unsigned int flags, umode_t mode)
{
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	return vfs_openat(NULL, name, flags, mode);
}

/*
 * sys_open() with a relative name read from the directory base (NULL: the working directory),
 * but an access mode of 3 is taken, as Linux's open(2) takes it: a file neither read nor
 * written (ioctl only). The descriptor is reserved first, so an open refused for EMFILE neither creates nor
 * truncates, and installed last, so no other thread of the table sees a half-made open.
 */
int vfs_openat(const struct path *base, const char *name, unsigned int flags, umode_t mode)
{
	struct file *f;
	int fd, err;

	if ((fd = get_unused_fd_flags(flags, 0)) < 0) /* before anything changes */
		return fd;
	if ((err = do_open(base, name, flags, mode, &f))) {
		put_unused_fd(fd);
		return err;
	}
	fd_install(fd, f);
	return fd;
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

/*
 * Opens /dev/console for reading and writing and makes descriptors 0, 1 and 2 of the current
 * thread name it (whatever they named before is closed), as Linux's init does for its first
 * program. For process_spawn. It is here rather than beside the device (drivers/tty/) because
 * it needs only the path, and fs/exec.c may call fs/ but not drivers/. 0, or the open's
 * errors (-ENOENT before console_dev_init, -EMFILE, -ENOMEM).
 */
int console_install_stdio(void)
{
	int fd = sys_open("/dev/console", O_RDWR, 0), err = 0;
	struct file *f;

	if (fd < 0)
		return fd;
	f = fget(fd);
	for (int i = 0; i <= 2 && err >= 0; i++)
		if (i != fd)
			err = replace_fd(i, f, 0);
	fput(f);
	if (fd > 2 || err < 0)
		close_fd(fd);
	return err < 0 ? err : 0;
}

/* ---- The system calls: user names ---- */

#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* O_PATH and O_TMPFILE are refused (docs/vfs.md); O_LARGEFILE, O_NOFOLLOW (no symlinks here),
   O_NONBLOCK, O_NOCTTY and the rest are taken and, but for F_GETFL, ignored. */
static int check_open_flags(unsigned int flags)
{
	if (flags & O_PATH)
		return -EINVAL;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	return 0;
}

static long do_sys_openat(int dfd, const char __user *uname, unsigned int flags, umode_t mode)
{
	struct file *dir;
	char *name;
	int err;

	if ((err = check_open_flags(flags)))
		return err;
	if ((err = getname(uname, false, &name)))
		return err;
	if (!(err = get_dfd_base(dfd, name, &dir))) {
		/* As Linux on 64-bit, every open is O_LARGEFILE (F_GETFL shows it). */
		err = vfs_openat(dir ? &dir->f_path : NULL, name, flags | O_LARGEFILE,
				 (mode & 07777) & ~current_umask());
		put_dfd_base(dir);
	}
	putname(name);
	return err;
}

SYSCALL_DEFINE3(open, const char __user *, filename, int, flags, umode_t, mode)
{
	return do_sys_openat(AT_FDCWD, filename, (unsigned int)flags, mode);
}

SYSCALL_DEFINE4(openat, int, dfd, const char __user *, filename, int, flags, umode_t, mode)
{
	return do_sys_openat(dfd, filename, (unsigned int)flags, mode);
}

SYSCALL_DEFINE2(creat, const char __user *, pathname, umode_t, mode)
{
	return do_sys_openat(AT_FDCWD, pathname, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

SYSCALL_DEFINE1(close, unsigned int, fd)
{
	return close_fd((int)fd);
}

SYSCALL_DEFINE2(truncate, const char __user *, path, int64_t, length)
{
	struct path p;
	int err;

	if (length < 0)
		return -EINVAL;
	if ((err = user_path_at(AT_FDCWD, path, 0, &p)))
		return err;
	err = vfs_truncate(&p, (uint64_t)length);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(ftruncate, unsigned int, fd, int64_t, length)
{
	struct file *f;
	int err;

	if (length < 0)
		return -EINVAL;
	if (!(f = fget((int)fd)))
		return -EBADF;
	/* Linux: a descriptor not open for writing, or not a regular file, is -EINVAL. */
	if (!(f->f_mode & FMODE_WRITE) || !S_ISREG(f->f_inode->i_mode))
		err = -EINVAL;
	else
		err = vfs_truncate(&f->f_path, (uint64_t)length);
	fput(f);
	return err;
}

SYSCALL_DEFINE1(chdir, const char __user *, filename)
{
	struct path p;
	int err;

	if ((err = user_path_at(AT_FDCWD, filename, LOOKUP_DIRECTORY, &p)))
		return err;
	err = set_fs_pwd(&p);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE1(fchdir, unsigned int, fd)
{
	struct file *f = fget((int)fd);
	int err;

	if (!f)
		return -EBADF;
	err = S_ISDIR(f->f_inode->i_mode) ? set_fs_pwd(&f->f_path) : -ENOTDIR;
	fput(f);
	return err;
}

/*
 * access(2) as root sees it (this kernel has no users): any file can be read and written, but
 * not on a read-only mount (-EROFS for W_OK, as Linux); X_OK needs an execute bit on a
 * non-directory (-EACCES).
 */
static long do_faccessat(int dfd, const char __user *filename, int mode)
{
	struct inode *inode;
	struct path p;
	int err;

	if (mode & ~(F_OK | X_OK | W_OK | R_OK))
		return -EINVAL;
	if ((err = user_path_at(dfd, filename, 0, &p)))
		return err;
	inode = p.dentry->d_inode;
	if ((mode & W_OK) && mnt_is_readonly(p.mnt) && !S_ISCHR(inode->i_mode))
		err = -EROFS;
	else if ((mode & X_OK) && !S_ISDIR(inode->i_mode) && !(inode->i_mode & 0111))
		err = -EACCES;
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(access, const char __user *, filename, int, mode)
{
	return do_faccessat(AT_FDCWD, filename, mode);
}

SYSCALL_DEFINE3(faccessat, int, dfd, const char __user *, filename, int, mode)
{
	return do_faccessat(dfd, filename, mode);
}

SYSCALL_DEFINE1(umask, int, mask)
{
	return set_current_umask((unsigned int)mask);
}
