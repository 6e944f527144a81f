/*
 * sync and fsync (see syscalls.h), as Linux's fs/sync.c: every filesystem's dirty data, or
 * one file's, to its disk.
 */
#include "fs/syscalls.h"
#include "fs/file.h"
#include "fs/super.h"
#include "kernel/syscall.h"
#include "lib/errno.h"

static void sync_one(struct super_block *sb, void *arg)
{
	int *first = arg, err;

	if (sb->s_op && sb->s_op->sync_fs && (err = sb->s_op->sync_fs(sb)) && !*first)
		*first = err;
}

/*
 * Writes every mounted filesystem's dirty data and metadata (super_operations.sync_fs) and waits
 * for it. Returns 0 or the first error (the others are still written). May sleep; takes
 * super_list_mutex.
 */
int sync_filesystems(void)
{
	int err = 0;

	iterate_supers(sync_one, &err);
	return err;
}

/* sync(2): sync_filesystems(). */
int sys_sync(void)
{
	return sync_filesystems();
}

/*
 * Writes the dirty data and inode of the file open as fd and waits for it (the filesystem's fsync;
 * nothing for tmpfs). 0, -EBADF, or the write's error. May sleep.
 */
int sys_fsync(int fd)
{
	struct file *f = fget(fd);
	int err;

	if (!f)
		return -EBADF;
	err = f->f_op && f->f_op->fsync ? f->f_op->fsync(f) : 0;
	fput(f);
	return err;
}

SYSCALL_DEFINE0(sync)
{
	sync_filesystems();
	return 0; /* sync(2) reports nothing */
}

SYSCALL_DEFINE1(fsync, unsigned int, fd)
{
	return sys_fsync((int)fd);
}

/* The file's data and what finding it needs: here the same as fsync. */
SYSCALL_DEFINE1(fdatasync, unsigned int, fd)
{
	return sys_fsync((int)fd);
}
