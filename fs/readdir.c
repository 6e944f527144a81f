/*
 * readdir on a descriptor (see syscalls.h), as Linux's fs/readdir.c: the filesystem's iterate
 * calls ctx->actor for each entry from ctx->pos on.
 */
#include "fs/syscalls.h"
#include "fs/file.h"
#include "lib/errno.h"

/*
 * Calls ctx->actor for the entries of the directory open as fd, from ctx->pos on, until the actor
 * returns false or the entries end; ctx->pos then says where the next call resumes. 0, or -EBADF,
 * -ENOTDIR, -EINVAL (no iterate). May sleep.
 */
int sys_readdir(int fd, struct dir_context *ctx)
{
	struct file *f = fget(fd);
	int err;

	if (!f)
		return -EBADF;
	if (!S_ISDIR(f->f_inode->i_mode))
		err = -ENOTDIR;
	else if (!f->f_op || !f->f_op->iterate)
		err = -EINVAL;
	else
		err = f->f_op->iterate(f, ctx);
	fput(f);
	return err;
}
