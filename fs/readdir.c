/*
 * readdir on a descriptor (see syscalls.h), as Linux's fs/readdir.c: the filesystem's iterate
 * calls ctx->actor for each entry from ctx->pos on. getdents64 gathers the entries in a kernel
 * buffer (the actor runs with the directory locked, where a user copy must not fault) and
 * copies them out after.
 *
 * Lock order: f->f_pos_lock (getdents64), then what iterate takes (the directory's i_rwsem).
 */
#include "fs/syscalls.h"
#include "fs/file.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

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

/* ---- getdents64(2): Linux's struct linux_dirent64 records ---- */

#define DT_UNKNOWN 0
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_REG	   8

#define GETDENTS_MAX (64 * 1024) /* bytes gathered per call, whatever count says */

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off; /* the directory position after this entry */
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[]; /* NUL-terminated, padded to 8 bytes */
};

/* The records gathered in a kernel buffer, copied out once the walk is over. */
struct getdents_ctx {
	struct dir_context ctx;
	char *buf;
	size_t size, used;
	struct linux_dirent64 *prev; /* its d_off is known once the next entry comes */
	bool too_small;		     /* the first entry did not fit */
};

static unsigned char dirent_type(umode_t mode)
{
	if (S_ISDIR(mode))
		return DT_DIR;
	if (S_ISREG(mode))
		return DT_REG;
	return S_ISCHR(mode) ? DT_CHR : DT_UNKNOWN;
}

static bool filldir64(struct dir_context *ctx, const char *name, unsigned int len, uint64_t ino,
		      umode_t mode)
{
	struct getdents_ctx *g = container_of(ctx, struct getdents_ctx, ctx);
	size_t reclen = (offsetof(struct linux_dirent64, d_name) + len + 1 + 7) & ~(size_t)7;
	struct linux_dirent64 *d = (struct linux_dirent64 *)(g->buf + g->used);

	if (reclen > g->size - g->used) {
		g->too_small = !g->used;
		return false; /* ctx->pos stays at this entry: the next call starts with it */
	}
	if (g->prev)
		g->prev->d_off = (int64_t)ctx->pos; /* the filesystem moved pos past prev */
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = dirent_type(mode);
	memcpy(d->d_name, name, len);
	g->prev = d;
	g->used += reclen;
	return true;
}

/*
 * Fills the user buffer dirent (count bytes) with the entries of the directory open as fd from
 * its position on, and moves the position past them. Returns the bytes filled, 0 at the end, or
 * -EBADF, -ENOTDIR, -EINVAL (count too small for the next entry), -EFAULT (the position then
 * stays), -ENOMEM.
 */
SYSCALL_DEFINE3(getdents64, unsigned int, fd, void __user *, dirent, unsigned int, count)
{
	struct getdents_ctx g = {.ctx.actor = filldir64};
	struct file *f = fget((int)fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = -ENOTDIR;
	if (!S_ISDIR(f->f_inode->i_mode) || !f->f_op || !f->f_op->iterate)
		goto out;
	ret = -EFAULT;
	if (!access_ok(dirent, count))
		goto out;
	g.size = count < GETDENTS_MAX ? count : GETDENTS_MAX;
	ret = -ENOMEM;
	if (!(g.buf = kmalloc(g.size + 1))) /* + 1: count 0 still gets a buffer (and EINVAL) */
		goto out;
	mutex_lock(&f->f_pos_lock);
	g.ctx.pos = f->f_pos;
	ret = f->f_op->iterate(f, &g.ctx);
	if (g.prev)
		g.prev->d_off = (int64_t)g.ctx.pos;
	if (!ret && g.too_small) {
		ret = -EINVAL;
	} else if (!ret && copy_to_user(dirent, g.buf, g.used)) {
		ret = -EFAULT;
	} else if (!ret) {
		ret = (long)g.used; /* 0: nothing left */
		f->f_pos = g.ctx.pos;
	}
	mutex_unlock(&f->f_pos_lock);
	kfree(g.buf);
out:
	fput(f);
	return ret;
}
