/*
 * Per-thread working directories (see fs_struct.h), as Linux's fs/fs_struct.c. A thread gets
 * its fs_struct on its first chdir; exit_fs, run when the thread ends, drops it.
 *
 * Locking: fs->lock over pwd; references are dropped after it (path_put may sleep).
 */
#include "fs/fs_struct.h"
#include "fs/mount.h"
#include "kernel/sched/sched.h"
#include "kernel/process.h"
#include "lib/errno.h"
#include "mm/slab.h"

/* The working directory of the current thread, with references (path_put when done): the
   namespace root if it never set one. Takes fs->lock; does not sleep. */
void get_fs_pwd(struct path *pwd)
{
	struct fs_struct *fs = current->fs;

	if (fs && fs->pwd.mnt) {
		spin_lock(&fs->lock);
		*pwd = fs->pwd;
		path_get(pwd);
		spin_unlock(&fs->lock);
		return;
	}
	get_fs_root_path(pwd);
}

/* Sets the working directory of the current thread to path, taking new references on it and
   dropping the old ones. May sleep (the first call allocates). 0 or -ENOMEM. */
int set_fs_pwd(const struct path *path)
{
	struct fs_struct *fs = current->fs;
	struct path old;

	if (!fs) {
		fs = kzalloc(sizeof(*fs));
		if (!fs)
			return -ENOMEM;
		atomic_set(&fs->count, 1);
		spin_lock_init(&fs->lock, "fs_struct");
		current->fs = fs;
	}
	path_get(path);
	spin_lock(&fs->lock);
	old = fs->pwd;
	fs->pwd = *path;
	spin_unlock(&fs->lock);
	if (old.mnt)
		path_put(&old);
	return 0;
}

/*
 * Drops the working directory of the current thread, which is ending, and frees its fs_struct. May
 * sleep (the last reference on a mount).
 */
void exit_fs(void)
{
	struct fs_struct *fs = current->fs;

	if (fs) {
		current->fs = NULL;
		put_fs_struct(fs);
	}
}

/* Drops a reference; the last one drops the working directory and frees fs. May sleep. */
void put_fs_struct(struct fs_struct *fs)
{
	if (!atomic_dec_and_test(&fs->count))
		return;
	if (fs->pwd.mnt)
		path_put(&fs->pwd);
	kfree(fs);
}

int copy_fs(unsigned long clone_flags, struct thread *child)
{
	struct fs_struct *old = current->fs, *fs;

	child->fs = NULL;
	if (!old)
		return 0; /* the root, until the child's first chdir */
	if (clone_flags & CLONE_FS) {
		atomic_inc(&old->count);
		child->fs = old;
		return 0;
	}
	fs = kzalloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	atomic_set(&fs->count, 1);
	spin_lock_init(&fs->lock, "fs_struct");
	get_fs_pwd(&fs->pwd);
	child->fs = fs;
	return 0;
}
