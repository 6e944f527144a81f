/*
 * Working directories and umasks (see fs_struct.h), as Linux's fs/fs_struct.c. A thread gets
 * its fs_struct on its first chdir or umask, or from its parent at clone (copy_fs); the threads
 * sharing one count themselves in it, and exit_fs of the last one drops the directory.
 *
 * Locking: fs->lock over pwd and umask; references are dropped after it (path_put may sleep).
 */
#include "fs/fs_struct.h"
#include "fs/mount.h"
#include "kernel/sched/sched.h"
#include "lib/errno.h"
#include "mm/slab.h"

static struct fs_struct *alloc_fs(void)
{
	struct fs_struct *fs = kzalloc(sizeof(*fs));

	if (fs) {
		atomic_set(&fs->users, 1);
		spin_lock_init(&fs->lock, "fs_struct");
		fs->umask = DEFAULT_UMASK;
	}
	return fs;
}

/* The current thread's fs_struct, made if it has none; NULL when out of memory. */
static struct fs_struct *current_fs(void)
{
	if (!current->fs)
		current->fs = alloc_fs(); /* only this thread sets its own */
	return current->fs;
}

/* The working directory of the current thread, with references (path_put when done): the
   namespace root if it never set one. Takes fs->lock; does not sleep. */
void get_fs_pwd(struct path *pwd)
{
	struct fs_struct *fs = current->fs;

	if (fs) {
		spin_lock(&fs->lock);
		*pwd = fs->pwd;
		if (pwd->mnt)
			path_get(pwd);
		spin_unlock(&fs->lock);
		if (pwd->mnt)
			return;
	}
	get_fs_root_path(pwd);
}

/* Sets the working directory of the current thread (and of the threads sharing its fs_struct)
   to path, taking new references on it and dropping the old ones. May sleep (the first call
   allocates). 0 or -ENOMEM. */
int set_fs_pwd(const struct path *path)
{
	struct fs_struct *fs = current_fs();
	struct path old;

	if (!fs)
		return -ENOMEM;
	path_get(path);
	spin_lock(&fs->lock);
	old = fs->pwd;
	fs->pwd = *path;
	spin_unlock(&fs->lock);
	if (old.mnt)
		path_put(&old);
	return 0;
}

/* The current thread's umask: DEFAULT_UMASK until it sets one. */
unsigned int current_umask(void)
{
	struct fs_struct *fs = current->fs;

	return fs ? READ_ONCE(fs->umask) : DEFAULT_UMASK;
}

/* Sets the current thread's umask to mask & 0777 and returns the old one, or -ENOMEM when its
   fs_struct could not be made. */
int set_current_umask(unsigned int mask)
{
	struct fs_struct *fs = current_fs();
	unsigned int old;

	if (!fs)
		return -ENOMEM;
	spin_lock(&fs->lock);
	old = fs->umask;
	fs->umask = mask & 0777;
	spin_unlock(&fs->lock);
	return (int)old;
}

/* True when another thread uses the current thread's fs_struct: its pwd may then change under
   a path walk of this one (fs/namei.c's path_start takes references then). */
bool current_fs_shared(void)
{
	struct fs_struct *fs = current->fs;

	return fs && atomic_read(&fs->users) > 1;
}

/* A copy of old: its working directory (with new references) and umask; NULL without memory. */
static struct fs_struct *copy_fs_struct(struct fs_struct *old)
{
	struct fs_struct *fs = alloc_fs();

	if (!fs)
		return NULL;
	spin_lock(&old->lock);
	fs->pwd = old->pwd;
	if (fs->pwd.mnt)
		path_get(&fs->pwd);
	fs->umask = old->umask;
	spin_unlock(&old->lock);
	return fs;
}

/*
 * The fs_struct of child, a thread being made by the current one (as Linux's copy_fs): with
 * CLONE_FS the two share the current one (made now if need be, so that both see each other's
 * chdir and umask); else child gets a copy, or none (the root, DEFAULT_UMASK) if the current
 * thread has none. 0, or -ENOMEM with child->fs left NULL and nothing held.
 */
int copy_fs(unsigned long clone_flags, struct thread *child)
{
	struct fs_struct *fs;

	child->fs = NULL;
	if (clone_flags & CLONE_FS) {
		if (!(fs = current_fs()))
			return -ENOMEM;
		atomic_inc(&fs->users);
		child->fs = fs;
		return 0;
	}
	if (!(fs = current->fs))
		return 0;
	child->fs = copy_fs_struct(fs);
	return child->fs ? 0 : -ENOMEM;
}

/*
 * The current thread, which is ending, stops using its fs_struct; the last user drops the
 * working directory and frees it. May sleep (the last reference on a mount).
 */
void exit_fs(void)
{
	struct fs_struct *fs = current->fs;

	if (!fs)
		return;
	current->fs = NULL;
	put_fs_struct(fs);
}

/* Drops one use of fs; the last drops the working directory and frees it. May sleep. */
void put_fs_struct(struct fs_struct *fs)
{
	if (atomic_dec_and_test(&fs->users)) {
		if (fs->pwd.mnt)
			path_put(&fs->pwd);
		kfree(fs);
	}
}
