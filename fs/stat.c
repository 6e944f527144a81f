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
#include "lib/errno.h"

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
