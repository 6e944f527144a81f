/*
 * read, write and lseek on descriptors (see syscalls.h). The position moves
 * under the file's f_pos_lock, so two threads sharing a descriptor read or write disjoint
 * ranges; pread/pwrite take a position of their own and leave f_pos alone.
 *
 * Lock order: f->f_pos_lock, then what the filesystem's read or write takes (the inode's
 * i_rwsem); i_rwsem's place among mm's and fs's locks is in the table atop mm/rmap.c.
 */
#include "fs/syscalls.h"
#include "fs/file.h"
#include "lib/errno.h"

/*
 * Reads up to n bytes of f at *pos into buf and moves *pos past them, through the filesystem's
 * read. The caller holds a reference on f and serializes *pos. Returns the bytes read (0 at the
 * end), or -EBADF (not open for reading), -EISDIR, -EINVAL (no read), or the filesystem's error.
 * May sleep.
 */
ssize_t kernel_read(struct file *f, void *buf, size_t n, uint64_t *pos)
{
	if (!(f->f_mode & FMODE_READ))
		return -EBADF;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (!f->f_op || !f->f_op->read)
		return -EINVAL;
	return f->f_op->read(f, buf, n, pos);
}

/*
 * Writes n bytes from buf to f at *pos (at the end with O_APPEND) and moves *pos past them. The
 * caller holds a reference on f and serializes *pos. Returns the bytes written (fewer when the
 * filesystem filled), or -EBADF (not open for writing), -EINVAL (no write), -ENOSPC, or the
 * filesystem's error. May sleep.
 */
ssize_t kernel_write(struct file *f, const void *buf, size_t n, uint64_t *pos)
{
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op || !f->f_op->write)
		return -EINVAL;
	return f->f_op->write(f, buf, n, pos);
}

static ssize_t rw_fd(int fd, void *buf, size_t n, const uint64_t *at, bool write)
{
	struct file *f = fget(fd);
	uint64_t pos;
	ssize_t ret;

	if (!f)
		return -EBADF;
	if (at) {
		pos = *at;
		ret = write ? kernel_write(f, buf, n, &pos) : kernel_read(f, buf, n, &pos);
	} else {
		mutex_lock(&f->f_pos_lock);
		ret = write ? kernel_write(f, buf, n, &f->f_pos) : kernel_read(f, buf, n, &f->f_pos);
		mutex_unlock(&f->f_pos_lock);
	}
	fput(f);
	return ret;
}

/*
 * read(2): kernel_read() at the descriptor's position, under its f_pos_lock. -EBADF without fd.
 * May sleep.
 */
ssize_t sys_read(int fd, void *buf, size_t n)
{
	return rw_fd(fd, buf, n, NULL, false);
}

/*
 * write(2): kernel_write() at the descriptor's position, under its f_pos_lock. -EBADF without fd.
 * May sleep.
 */
ssize_t sys_write(int fd, const void *buf, size_t n)
{
	return rw_fd(fd, (void *)buf, n, NULL, true);
}

/* pread(2): kernel_read() at pos; the descriptor's position stays. May sleep. */
ssize_t sys_pread(int fd, void *buf, size_t n, uint64_t pos)
{
	return rw_fd(fd, buf, n, &pos, false);
}

/* pwrite(2): kernel_write() at pos; the descriptor's position stays. May sleep. */
ssize_t sys_pwrite(int fd, const void *buf, size_t n, uint64_t pos)
{
	return rw_fd(fd, (void *)buf, n, &pos, true);
}

/*
 * Moves the descriptor's position to off from the start (SEEK_SET), the position (SEEK_CUR) or the
 * end (SEEK_END). Returns the new position, or -EBADF, or -EINVAL (a bad whence, a negative
 * result, past s_maxbytes; the position then stays). Takes f_pos_lock (may sleep).
 */
int64_t sys_lseek(int fd, int64_t off, int whence)
{
	struct file *f = fget(fd);
	int64_t base, ret;

	if (!f)
		return -EBADF;
	mutex_lock(&f->f_pos_lock);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->f_pos;
		break;
	case SEEK_END:
		base = (int64_t)READ_ONCE(f->f_inode->i_size);
		break;
	default:
		base = -1;
		break;
	}
	/* A bad whence, a negative result, one past INT64_MAX (checked without overflowing), or
	   one past the largest file the file system holds (as Linux's vfs_setpos). */
	if (base < 0 || __builtin_add_overflow(base, off, &ret) || ret < 0 ||
	    (uint64_t)ret > f->f_inode->i_sb->s_maxbytes)
		ret = -EINVAL;
	if (ret >= 0)
		f->f_pos = (uint64_t)ret;
	mutex_unlock(&f->f_pos_lock);
	fput(f);
	return ret;
}
