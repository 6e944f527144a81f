/*
 * Per-thread file descriptor tables (see file.h), as Linux's fs/file.c. A thread gets its
 * table on its first open; exit_files, run when the thread ends, closes what is left.
 *
 * Locking: files->lock over the slots; fput is called after it is dropped (a release may
 * sleep).
 */
#include "fs/file.h"
#include "kernel/rlimit.h"
#include "kernel/sched/sched.h"
#include "lib/errno.h"
#include "mm/slab.h"

/* RLIMIT_NOFILE reports the table's size to programs (kernel/rlimit.c). */
BUILD_BUG_ON(NR_OPEN != RLIMIT_NOFILE_DEFAULT);

static struct files_struct *get_files(bool create)
{
	struct files_struct *files = current->files;

	if (!files && create) {
		files = kzalloc(sizeof(*files));
		if (!files)
			return NULL;
		spin_lock_init(&files->lock, "files");
		current->files = files; /* only this thread sets its own */
	}
	return files;
}

/* The lowest free descriptor of the calling thread, now pointing at f (the table takes over
   the caller's reference); -EMFILE when all are taken, -ENOMEM when the table could not be made. */
int fd_install_new(struct file *f)
{
	struct files_struct *files = get_files(true);
	int fd = -EMFILE;

	if (!files)
		return -ENOMEM;
	spin_lock(&files->lock);
	for (int i = 0; i < NR_OPEN; i++)
		if (!files->fd[i]) {
			files->fd[i] = f;
			fd = i;
			break;
		}
	spin_unlock(&files->lock);
	return fd;
}

/*
 * 0 when the calling thread has a free descriptor (its table made if need be), else -EMFILE or
 * -ENOMEM. Only a thread fills its own table, so the slot is still free at fd_install_new:
 * sys_open asks first, and an open refused for EMFILE neither creates nor truncates.
 */
int fd_available(void)
{
	struct files_struct *files = get_files(true);
	int err = -EMFILE;

	if (!files)
		return -ENOMEM;
	spin_lock(&files->lock);
	for (int i = 0; i < NR_OPEN; i++)
		if (!files->fd[i]) {
			err = 0;
			break;
		}
	spin_unlock(&files->lock);
	return err;
}

/* The file at the calling thread's fd, with a reference (fput when done), or NULL for a bad fd. */
struct file *fget(int fd)
{
	struct files_struct *files = get_files(false);
	struct file *f = NULL;

	if (!files || fd < 0 || fd >= NR_OPEN)
		return NULL;
	spin_lock(&files->lock);
	if (files->fd[fd])
		f = get_file(files->fd[fd]);
	spin_unlock(&files->lock);
	return f;
}

/* Empties the slot fd and drops its reference (may sleep: the last fput); 0 or -EBADF. */
int close_fd(int fd)
{
	struct files_struct *files = get_files(false);
	struct file *f = NULL;

	if (!files || fd < 0 || fd >= NR_OPEN)
		return -EBADF;
	spin_lock(&files->lock);
	f = files->fd[fd];
	files->fd[fd] = NULL;
	spin_unlock(&files->lock);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

/*
 * Closes every descriptor of the current thread, which is ending, and frees its table. May sleep
 * (the last fput of a file).
 */
void exit_files(void)
{
	struct files_struct *files = current->files;

	if (files) {
		for (int i = 0; i < NR_OPEN; i++)
			if (files->fd[i])
				close_fd(i);
		current->files = NULL;
		kfree(files);
	}
}
