/*
 * ioctl(2), as Linux's fs/ioctl.c: a device's own commands, through its file operations. Files
 * that have none (every file of tmpfs and ext2) answer -ENOTTY, which is what musl and glibc
 * expect at start-up when they ask whether stdout is a terminal.
 */
#include "fs/file.h"
#include "kernel/syscall.h"
#include "lib/errno.h"

SYSCALL_DEFINE3(ioctl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fget((int)fd);
	long ret;

	if (!f)
		return -EBADF;
	ret = f->f_op && f->f_op->unlocked_ioctl ? f->f_op->unlocked_ioctl(f, cmd, arg) : -ENOTTY;
	fput(f);
	return ret;
}
