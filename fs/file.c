/*
 * Descriptor tables (see file.h), as Linux's fs/file.c. A thread gets its table on its first
 * open, or from its parent at clone (copy_files); the threads sharing one count themselves in
 * it, and exit_files of the last one closes what is left.
 *
 * An open reserves its slot first (get_unused_fd_flags) and installs the file last
 * (fd_install), so that another thread of the table cannot take the slot between the two and
 * an open refused for EMFILE neither creates nor truncates anything.
 *
 * Locking: files->lock over the slots and the masks; fput is called after it is dropped (a
 * release may sleep). No other lock is taken under it.
 */
#include "fs/file.h"
#include "kernel/rlimit.h"
#include "kernel/sched/sched.h"
#include "lib/errno.h"
#include "mm/slab.h"

/* RLIMIT_NOFILE reports the table's size to programs (kernel/rlimit.c). */
BUILD_BUG_ON(NR_OPEN != RLIMIT_NOFILE_DEFAULT);

static struct files_struct *alloc_files(void)
{
	struct files_struct *files = kzalloc(sizeof(*files));

	if (files) {
		atomic_set(&files->count, 1);
		spin_lock_init(&files->lock, "files");
	}
	return files;
}

static struct files_struct *get_files(bool create)
{
	struct files_struct *files = current->files;

	if (!files && create) {
		files = alloc_files();
		current->files = files; /* only this thread sets its own */
	}
	return files;
}

static bool fd_valid(int fd)
{
	return fd >= 0 && fd < NR_OPEN;
}

/* files->lock held: the lowest free slot >= minfd, or -EMFILE. */
static int find_free_fd(struct files_struct *files, int minfd)
{
	for (int i = minfd; i < NR_OPEN; i++)
		if (!(files->open_fds & (1ULL << i)))
			return i;
	return -EMFILE;
}

/* files->lock held: marks slot fd in use, close-on-exec as flags' O_CLOEXEC says. */
static void claim_fd(struct files_struct *files, int fd, unsigned int flags)
{
	files->open_fds |= 1ULL << fd;
	if (flags & O_CLOEXEC)
		files->close_on_exec |= 1ULL << fd;
	else
		files->close_on_exec &= ~(1ULL << fd);
}

/*
 * Reserves the lowest free descriptor >= minfd of the calling thread's table (made if need be),
 * close-on-exec if flags holds O_CLOEXEC. The slot stays invisible to fget until fd_install
 * fills it, or put_unused_fd gives it back. Returns it, or -EMFILE, -EINVAL (minfd outside
 * [0, NR_OPEN), as F_DUPFD), -ENOMEM (no table could be made).
 */
int get_unused_fd_flags(unsigned int flags, int minfd)
{
	struct files_struct *files = get_files(true);
	int fd;

	if (!files)
		return -ENOMEM;
	if (minfd < 0 || minfd >= NR_OPEN) /* F_DUPFD past the limit: Linux's EINVAL */
		return -EINVAL;
	spin_lock(&files->lock);
	fd = find_free_fd(files, minfd);
	if (fd >= 0)
		claim_fd(files, fd, flags);
	spin_unlock(&files->lock);
	return fd;
}

/* Fills the slot fd reserved by get_unused_fd_flags with f (the table takes over the caller's
   reference). From now on other threads of the table see it. */
void fd_install(int fd, struct file *f)
{
	struct files_struct *files = current->files;

	spin_lock(&files->lock);
	files->fd[fd] = f;
	spin_unlock(&files->lock);
}

/* Gives back a slot reserved by get_unused_fd_flags and never installed. */
void put_unused_fd(int fd)
{
	struct files_struct *files = current->files;

	spin_lock(&files->lock);
	files->open_fds &= ~(1ULL << fd);
	files->close_on_exec &= ~(1ULL << fd);
	spin_unlock(&files->lock);
}

/* The lowest free descriptor of the calling thread, now pointing at f (the table takes over
   the caller's reference); -EMFILE when all are taken, -ENOMEM when the table could not be made. */
int fd_install_new(struct file *f)
{
	int fd = get_unused_fd_flags(0, 0);

	if (fd >= 0)
		fd_install(fd, f);
	return fd;
}

/* The file at the calling thread's fd, with a reference (fput when done), or NULL for a bad fd
   (never opened, closed, or reserved by an open under way). */
struct file *fget(int fd)
{
	struct files_struct *files = get_files(false);
	struct file *f = NULL;

	if (!files || !fd_valid(fd))
		return NULL;
	spin_lock(&files->lock);
	if (files->fd[fd])
		f = get_file(files->fd[fd]);
	spin_unlock(&files->lock);
	return f;
}

/* files->lock held: empties the installed slot fd and returns its file (NULL if none). */
static struct file *pick_file(struct files_struct *files, int fd)
{
	struct file *f = files->fd[fd];

	if (f) {
		files->fd[fd] = NULL;
		files->open_fds &= ~(1ULL << fd);
		files->close_on_exec &= ~(1ULL << fd);
	}
	return f;
}

/* Empties the slot fd and drops its reference (may sleep: the last fput); 0 or -EBADF. */
int close_fd(int fd)
{
	struct files_struct *files = get_files(false);
	struct file *f;

	if (!files || !fd_valid(fd))
		return -EBADF;
	spin_lock(&files->lock);
	f = pick_file(files, fd);
	spin_unlock(&files->lock);
	if (!f)
		return -EBADF;
	fput(f);
	return 0;
}

/*
 * dup2 and dup3's step: makes descriptor fd of the calling thread point at f (taking a new
 * reference on it), closing what fd held before, close-on-exec as flags' O_CLOEXEC says. As
 * Linux's do_dup2, a slot reserved by an open under way is -EBUSY. Returns fd, or -EBADF (fd out
 * of range), -EBUSY, -ENOMEM. May sleep (the old file's last fput).
 */
int replace_fd(int fd, struct file *f, unsigned int flags)
{
	struct files_struct *files = get_files(true);
	struct file *old;

	if (!files)
		return -ENOMEM;
	if (!fd_valid(fd))
		return -EBADF;
	spin_lock(&files->lock);
	old = files->fd[fd];
	if (!old && (files->open_fds & (1ULL << fd))) {
		spin_unlock(&files->lock);
		return -EBUSY;
	}
	files->fd[fd] = get_file(f);
	claim_fd(files, fd, flags);
	spin_unlock(&files->lock);
	if (old)
		fput(old);
	return fd;
}

/* 1 when fd is marked close-on-exec, 0 when not, -EBADF when fd is not open. */
int get_close_on_exec(int fd)
{
	struct files_struct *files = get_files(false);
	int ret = -EBADF;

	if (!files || !fd_valid(fd))
		return -EBADF;
	spin_lock(&files->lock);
	if (files->fd[fd])
		ret = !!(files->close_on_exec & (1ULL << fd));
	spin_unlock(&files->lock);
	return ret;
}

/* Marks fd close-on-exec (on) or not; 0, or -EBADF when fd is not open. */
int set_close_on_exec(int fd, bool on)
{
	struct files_struct *files = get_files(false);
	int ret = -EBADF;

	if (!files || !fd_valid(fd))
		return -EBADF;
	spin_lock(&files->lock);
	if (files->fd[fd]) {
		claim_fd(files, fd, on ? O_CLOEXEC : 0);
		ret = 0;
	}
	spin_unlock(&files->lock);
	return ret;
}

/* A copy of old's installed slots, each file with a new reference; NULL when out of memory. */
static struct files_struct *dup_fd(struct files_struct *old)
{
	struct files_struct *copy = alloc_files();

	if (!copy)
		return NULL;
	spin_lock(&old->lock);
	for (int i = 0; i < NR_OPEN; i++)
		if (old->fd[i]) { /* a slot reserved by an open under way stays the parent's */
			copy->fd[i] = get_file(old->fd[i]);
			copy->open_fds |= 1ULL << i;
		}
	copy->close_on_exec = old->close_on_exec & copy->open_fds;
	spin_unlock(&old->lock);
	return copy;
}

/*
 * The descriptor table of child, a thread being made by the current one (as Linux's
 * copy_files): with CLONE_FILES in clone_flags the two share the current table (made now if
 * the current thread has none, so both see each other's opens); else child gets a copy of it,
 * each open file with one more reference, or none if the current thread has none. Returns 0,
 * or -ENOMEM with child->files left NULL and nothing held. May sleep.
 */
int copy_files(unsigned long clone_flags, struct thread *child)
{
	struct files_struct *files;

	child->files = NULL;
	if (clone_flags & CLONE_FILES) {
		if (!(files = get_files(true)))
			return -ENOMEM;
		atomic_inc(&files->count);
		child->files = files;
		return 0;
	}
	if (!(files = current->files))
		return 0;
	child->files = dup_fd(files);
	return child->files ? 0 : -ENOMEM;
}

/* Closes every descriptor of files, whose last user is gone, and frees it. May sleep. */
static void close_files(struct files_struct *files)
{
	for (int i = 0; i < NR_OPEN; i++)
		if (files->fd[i])
			fput(files->fd[i]);
	kfree(files);
}

/*
 * The current thread, which is ending, stops using its table; the last thread using it closes
 * every descriptor and frees it. May sleep (the last fput of a file).
 */
void exit_files(void)
{
	struct files_struct *files = current->files;

	if (!files)
		return;
	current->files = NULL;
	put_files_struct(files);
}

/* Drops one use of a table; the last closes every file in it and frees it. May sleep. (A
   clone that failed after copy_files gives the child's back this way.) */
void put_files_struct(struct files_struct *files)
{
	if (atomic_dec_and_test(&files->count))
		close_files(files);
}

/*
 * Closes the calling thread's descriptors marked close-on-exec (O_CLOEXEC, FD_CLOEXEC,
 * dup3's flag); execve calls it once the new program is loaded. May sleep.
 */
void do_close_on_exec(void)
{
	struct files_struct *files = current->files;

	if (!files)
		return;
	for (int i = 0; i < NR_OPEN; i++) {
		struct file *f = NULL;

		spin_lock(&files->lock);
		if (files->close_on_exec & (1ULL << i))
			f = pick_file(files, i);
		spin_unlock(&files->lock);
		if (f)
			fput(f);
	}
}
