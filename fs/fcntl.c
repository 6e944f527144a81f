/*
 * dup, dup2, dup3 and fcntl: descriptors as values (see file.h), as Linux's fs/file.c and
 * fs/fcntl.c. A duplicate is a second slot holding the same struct file, so the two share the
 * position and the status flags; close-on-exec belongs to the slot.
 */
#include "fs/file.h"
#include "kernel/syscall.h"
#include "lib/errno.h"

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC	1

/* The status flags F_SETFL may change; the rest of the argument is ignored, as Linux does. */
#define SETFL_MASK (O_APPEND | O_NONBLOCK)

/* The lowest free descriptor >= minfd for the file at fd (F_DUPFD's, dup's). */
static long dupfd(unsigned int fd, int minfd, unsigned int flags)
{
	struct file *f = fget((int)fd);
	int nfd;

	if (!f)
		return -EBADF;
	if ((nfd = get_unused_fd_flags(flags, minfd)) < 0) {
		fput(f);
		return nfd;
	}
	fd_install(nfd, f); /* the table takes fget's reference */
	return nfd;
}

SYSCALL_DEFINE1(dup, unsigned int, fildes)
{
	return dupfd(fildes, 0, 0);
}

/* newfd now names the file at oldfd (what it named before is closed); flags: O_CLOEXEC. */
static long do_dup3(unsigned int oldfd, unsigned int newfd, unsigned int flags)
{
	struct file *f;
	long ret;

	if (newfd >= NR_OPEN)
		return -EBADF;
	if (!(f = fget((int)oldfd)))
		return -EBADF;
	ret = replace_fd((int)newfd, f, flags);
	fput(f);
	return ret;
}

SYSCALL_DEFINE2(dup2, unsigned int, oldfd, unsigned int, newfd)
{
	if (oldfd == newfd) { /* nothing to do, once oldfd is known to be open */
		struct file *f = fget((int)oldfd);

		if (!f)
			return -EBADF;
		fput(f);
		return newfd;
	}
	return do_dup3(oldfd, newfd, 0);
}

SYSCALL_DEFINE3(dup3, unsigned int, oldfd, unsigned int, newfd, int, flags)
{
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3(oldfd, newfd, (unsigned int)flags);
}

/* F_SETFL: O_APPEND and O_NONBLOCK take arg's value; the access mode and the rest stay. */
static long setfl(struct file *f, unsigned long arg)
{
	mutex_lock(&f->f_pos_lock);
	WRITE_ONCE(f->f_flags, (f->f_flags & ~SETFL_MASK) | ((unsigned int)arg & SETFL_MASK));
	mutex_unlock(&f->f_pos_lock);
	return 0;
}

/* F_DUPFD and F_DUPFD_CLOEXEC: a new slot >= arg for f (the caller's reference stays its). */
static long dupfd_from(struct file *f, unsigned long arg, unsigned int flags)
{
	int nfd;

	if (arg >= NR_OPEN) /* Linux: past RLIMIT_NOFILE */
		return -EINVAL;
	if ((nfd = get_unused_fd_flags(flags, (int)arg)) >= 0)
		fd_install(nfd, get_file(f));
	return nfd;
}

/*
 * fcntl(2): F_DUPFD and F_DUPFD_CLOEXEC (the lowest free descriptor >= arg; -EINVAL past the
 * table), F_GETFD and F_SETFD (FD_CLOEXEC), F_GETFL (the access mode and status flags) and
 * F_SETFL (O_APPEND, O_NONBLOCK). A descriptor not open is -EBADF; any other command -EINVAL.
 */
SYSCALL_DEFINE3(fcntl, unsigned int, fd, unsigned int, cmd, unsigned long, arg)
{
	struct file *f = fget((int)fd);
	long ret;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		ret = dupfd_from(f, arg, cmd == F_DUPFD_CLOEXEC ? O_CLOEXEC : 0);
		break;
	case F_GETFD:
		ret = get_close_on_exec((int)fd);
		ret = ret < 0 ? ret : (ret ? FD_CLOEXEC : 0);
		break;
	case F_SETFD:
		ret = set_close_on_exec((int)fd, arg & FD_CLOEXEC);
		break;
	case F_GETFL:
		ret = READ_ONCE(f->f_flags);
		break;
	case F_SETFL:
		ret = setfl(f, arg);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	fput(f);
	return ret;
}
