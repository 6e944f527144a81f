/*
 * stat and fstat (see syscalls.h), as Linux's fs/stat.c: the inode's attributes, and the
 * mount's id and whether it is read-only.
 */
#include "fs/syscalls.h"
#include "fs/dcache.h"
#include "fs/file.h"
#include "fs/inode.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "mm/uaccess.h"

static void path_stat(const struct path *path, struct kstat *st)
{
	generic_fillattr(path->dentry->d_inode, st);
	st->mnt_id = (unsigned int)path->mnt->mnt_id;
	st->mnt_readonly = mnt_is_readonly(path->mnt);
}

/*
 * Fills *st for the file name names: the inode's attributes and its mount's id and read-only
 * state. 0 or the lookup's errors. May sleep.
 */
int sys_stat(const char *name, struct kstat *st)
{
	struct path path;
	int err;

	if ((err = kern_path(name, 0, &path)))
		return err;
	path_stat(&path, st);
	path_put(&path);
	return 0;
}

/* sys_stat() of the file open as fd. 0 or -EBADF. */
int sys_fstat(int fd, struct kstat *st)
{
	struct file *f = fget(fd);

	if (!f)
		return -EBADF;
	path_stat(&f->f_path, st);
	fput(f);
	return 0;
}

/* ---- The system calls: Linux's x86_64 struct stat ---- */

struct stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint64_t st_nlink;
	uint32_t st_mode;
	uint32_t st_uid;
	uint32_t st_gid;
	uint32_t __pad0;
	uint64_t st_rdev;
	int64_t st_size;
	int64_t st_blksize;
	int64_t st_blocks;
	int64_t st_atime_sec, st_atime_nsec; /* no access times here: the modification time */
	int64_t st_mtime_sec, st_mtime_nsec;
	int64_t st_ctime_sec, st_ctime_nsec;
	int64_t st_reserved[3];
};
_Static_assert(sizeof(struct stat) == 144, "Linux's x86_64 struct stat");

#define AT_NO_AUTOMOUNT	   0x800
#define AT_STATX_SYNC_TYPE 0x6000 /* statx's; newfstatat takes and ignores it, as Linux */

/* *st in Linux's layout at ubuf: 0 or -EFAULT. Times count from boot (current_time_ns). */
static int cp_new_stat(const struct kstat *st, struct stat __user *ubuf)
{
	struct stat s = {
		.st_dev = st->dev,
		.st_ino = st->ino,
		.st_nlink = st->nlink,
		.st_mode = st->mode,
		.st_rdev = st->rdev,
		.st_size = (int64_t)st->size,
		.st_blksize = 4096,
		.st_blocks = (int64_t)st->blocks,
		.st_atime_sec = (int64_t)(st->mtime_ns / 1000000000),
		.st_atime_nsec = (int64_t)(st->mtime_ns % 1000000000),
		.st_mtime_sec = (int64_t)(st->mtime_ns / 1000000000),
		.st_mtime_nsec = (int64_t)(st->mtime_ns % 1000000000),
		.st_ctime_sec = (int64_t)(st->ctime_ns / 1000000000),
		.st_ctime_nsec = (int64_t)(st->ctime_ns % 1000000000),
	};

	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

/* stat of what dfd and uname name (flags: AT_EMPTY_PATH; no symlinks, so
   AT_SYMLINK_NOFOLLOW changes nothing), to ubuf. */
static long do_statat(int dfd, const char __user *uname, struct stat __user *ubuf, int flags)
{
	struct kstat st;
	struct path p;
	int err;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((err = user_path_at(dfd, uname, flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0, &p)))
		return err;
	path_stat(&p, &st);
	path_put(&p);
	return cp_new_stat(&st, ubuf);
}

SYSCALL_DEFINE2(stat, const char __user *, filename, struct stat __user *, statbuf)
{
	return do_statat(AT_FDCWD, filename, statbuf, 0);
}

SYSCALL_DEFINE2(lstat, const char __user *, filename, struct stat __user *, statbuf)
{
	return do_statat(AT_FDCWD, filename, statbuf, AT_SYMLINK_NOFOLLOW);
}

SYSCALL_DEFINE4(newfstatat, int, dfd, const char __user *, filename, struct stat __user *, statbuf,
		int, flag)
{
	return do_statat(dfd, filename, statbuf, flag);
}

SYSCALL_DEFINE2(fstat, unsigned int, fd, struct stat __user *, statbuf)
{
	struct kstat st;
	int err;

	if ((err = sys_fstat((int)fd, &st)))
		return err;
	return cp_new_stat(&st, statbuf);
}

/* There are no symbolic links here: a name that exists is not one (-EINVAL, as Linux says of
   a regular file). */
SYSCALL_DEFINE3(readlink, const char __user *, path, char __user *, buf, int, bufsiz)
{
	struct path p;
	int err;

	(void)buf;
	if (bufsiz <= 0)
		return -EINVAL;
	if ((err = user_path_at(AT_FDCWD, path, 0, &p)))
		return err;
	path_put(&p);
	return -EINVAL;
}
