/*
 * sync and fsync (see syscalls.h), as Linux's fs/sync.c: every filesystem's dirty data, or
 * one file's, to its disk.
 */
#include "fs/syscalls.h"
#include "fs/file.h"
#include "fs/super.h"
#include "lib/errno.h"

static void sync_one(struct super_block *sb, void *arg)
{
	int *first = arg, err;

	if (sb->s_op && sb->s_op->sync_fs && (err = sb->s_op->sync_fs(sb)) && !*first)
		*first = err;
}

int sync_filesystems(void)
{
	int err = 0;

	iterate_supers(sync_one, &err);
	return err;
}

int sys_sync(void)
{
	return sync_filesystems();
}

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
