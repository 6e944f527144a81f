/*
 * read, write and lseek on descriptors (see syscalls.h). The position moves
 * under the file's f_pos_lock, so two threads sharing a descriptor read or write disjoint
 * ranges; pread/pwrite take a position of their own and leave f_pos alone.
 *
 * The system calls move user bytes through a kernel bounce buffer around kernel_read and
 * kernel_write, a chunk at a time; a chunk whose copy faults is not counted, and its file
 * position is not moved, so a bad buffer gives -EFAULT and changes nothing (the console's line
 * is the exception: its bytes are taken from the input once read).
 *
 * Lock order: f->f_pos_lock, then what the filesystem's read or write takes (the inode's
 * i_rwsem); i_rwsem's place among mm's and fs's locks is in the table atop mm/rmap.c.
 */
#include "fs/syscalls.h"
#include "fs/file.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

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
		ret = write ? kernel_write(f, buf, n, &f->f_pos)
			    : kernel_read(f, buf, n, &f->f_pos);
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

/* ---- The system calls: user buffers ---- */

#define RW_CHUNK     (16 * 1024)	      /* bytes through the bounce buffer at once */
#define MAX_RW_COUNT (0x7fffffff & ~0xfffULL) /* as Linux: one call moves at most this */
#define IOV_MAX	     1024

struct iovec {
	void __user *iov_base;
	size_t iov_len;
};

/* What kernel_read/kernel_write would refuse, before any user byte is looked at. */
static ssize_t rw_check(struct file *f, bool write)
{
	if (!(f->f_mode & (write ? FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	if (!write && S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	if (!f->f_op || !(write ? (void *)f->f_op->write : (void *)f->f_op->read))
		return -EINVAL;
	return 0;
}

/* A character device has no position: lseek, pread and pwrite give -ESPIPE. */
static bool file_is_stream(struct file *f)
{
	return S_ISCHR(f->f_inode->i_mode);
}

/*
 * n bytes between f at *pos and user memory at ubuf, a chunk at a time through kbuf; stops at a
 * short transfer. Returns the bytes moved, or the first chunk's error (-EFAULT when its copy
 * faulted: *pos then stays where that chunk began).
 */
static ssize_t rw_user(struct file *f, char __user *ubuf, size_t n, uint64_t *pos, bool write,
		       char *kbuf)
{
	size_t done = 0;
	ssize_t r = 0;

	while (done < n) {
		size_t chunk = n - done < RW_CHUNK ? n - done : RW_CHUNK;
		uint64_t p = *pos;

		if (write) {
			if (copy_from_user(kbuf, ubuf + done, chunk)) {
				r = -EFAULT;
				break;
			}
			r = kernel_write(f, kbuf, chunk, &p);
		} else {
			r = kernel_read(f, kbuf, chunk, &p);
			if (r > 0 && copy_to_user(ubuf + done, kbuf, (size_t)r))
				r = -EFAULT;
		}
		if (r <= 0)
			break;
		*pos = p;
		done += (size_t)r;
		if ((size_t)r < chunk)
			break;
	}
	return done ? (ssize_t)done : r;
}

/*
 * The body of read, write, pread64 and pwrite64 on f (referenced): at *at, or at the file's
 * position under its f_pos_lock when at is NULL. The checks come in Linux's order: EBADF,
 * EINVAL/EISDIR, EFAULT (a range outside the user half), ESPIPE, then the transfer.
 */
static ssize_t file_rw_user(struct file *f, char __user *buf, size_t n, const int64_t *at,
			    bool write)
{
	uint64_t pos;
	ssize_t ret;
	char *kbuf;

	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	if ((ret = rw_check(f, write)))
		return ret;
	if (!access_ok(buf, n))
		return -EFAULT;
	if (at && file_is_stream(f))
		return -ESPIPE;
	if (at && *at < 0)
		return -EINVAL;
	if (!n)
		return 0;
	if (!(kbuf = kmalloc(n < RW_CHUNK ? n : RW_CHUNK)))
		return -ENOMEM;
	if (at) {
		pos = (uint64_t)*at;
		ret = rw_user(f, buf, n, &pos, write, kbuf);
	} else {
		mutex_lock(&f->f_pos_lock);
		ret = rw_user(f, buf, n, &f->f_pos, write, kbuf);
		mutex_unlock(&f->f_pos_lock);
	}
	kfree(kbuf);
	return ret;
}

static ssize_t do_rw_user(unsigned int fd, char __user *buf, size_t n, const int64_t *at,
			  bool write)
{
	struct file *f = fget((int)fd);
	ssize_t ret;

	if (!f)
		return -EBADF;
	ret = file_rw_user(f, buf, n, at, write);
	fput(f);
	return ret;
}

SYSCALL_DEFINE3(read, unsigned int, fd, char __user *, buf, size_t, count)
{
	return do_rw_user(fd, buf, count, NULL, false);
}

SYSCALL_DEFINE3(write, unsigned int, fd, const char __user *, buf, size_t, count)
{
	return do_rw_user(fd, (char __user *)buf, count, NULL, true);
}

SYSCALL_DEFINE4(pread64, unsigned int, fd, char __user *, buf, size_t, count, int64_t, pos)
{
	return do_rw_user(fd, buf, count, &pos, false);
}

SYSCALL_DEFINE4(pwrite64, unsigned int, fd, const char __user *, buf, size_t, count, int64_t, pos)
{
	return do_rw_user(fd, (char __user *)buf, count, &pos, true);
}

/* The iovec array from user memory into *out (kfree when done): 0, -EINVAL (a count outside
   [0, IOV_MAX], or lengths adding past SSIZE_MAX, as Linux), -EFAULT, -ENOMEM. */
static int import_iovec(const struct iovec __user *uvec, unsigned long cnt, struct iovec **out)
{
	struct iovec *iov;
	size_t total = 0;

	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!(iov = kmalloc(cnt * sizeof(*iov) + 1))) /* + 1: a count of 0 is no error */
		return -ENOMEM;
	if (copy_from_user(iov, uvec, cnt * sizeof(*iov))) {
		kfree(iov);
		return -EFAULT;
	}
	for (unsigned long i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)INT64_MAX - total) {
			kfree(iov);
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

/* readv/writev: each buffer in turn at the file's position, stopping at a short one. */
static ssize_t do_rw_vec(unsigned int fd, const struct iovec __user *uvec, unsigned long cnt,
			 bool write)
{
	struct file *f = fget((int)fd);
	struct iovec *iov;
	ssize_t done = 0, r;

	if (!f)
		return -EBADF;
	if ((r = rw_check(f, write)) || (r = import_iovec(uvec, cnt, &iov)))
		goto out;
	for (unsigned long i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		r = file_rw_user(f, iov[i].iov_base, iov[i].iov_len, NULL, write);
		if (r > 0)
			done += r;
		if (r < 0 || (size_t)r < iov[i].iov_len)
			break;
	}
	kfree(iov);
	r = done ? done : r;
out:
	fput(f);
	return r;
}

SYSCALL_DEFINE3(readv, unsigned long, fd, const struct iovec __user *, vec, unsigned long, vlen)
{
	return do_rw_vec((unsigned int)fd, vec, vlen, false);
}

SYSCALL_DEFINE3(writev, unsigned long, fd, const struct iovec __user *, vec, unsigned long, vlen)
{
	return do_rw_vec((unsigned int)fd, vec, vlen, true);
}

SYSCALL_DEFINE3(lseek, unsigned int, fd, int64_t, offset, unsigned int, whence)
{
	struct file *f = fget((int)fd);
	bool stream;

	if (!f)
		return -EBADF;
	stream = file_is_stream(f);
	fput(f);
	return stream ? -ESPIPE : sys_lseek((int)fd, offset, (int)whence);
}
