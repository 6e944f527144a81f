/*
 * Per-thread file descriptor tables and working directories (see file.h). A thread gets its
 * table on its first open and its fs_struct on its first chdir; exit_files, run by the
 * kthread exit hook, closes what is left.
 *
 * Locking: files->lock over the slots; fput is called after it is dropped (a release may
 * sleep). fs->lock over pwd.
 */
#include "fs/file.h"
#include "fs/mount.h"
#include "kernel/sched/sched.h"
#include "lib/errno.h"
#include "mm/slab.h"

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

int set_fs_pwd(const struct path *path)
{
	struct fs_struct *fs = current->fs;
	struct path old;

	if (!fs) {
		fs = kzalloc(sizeof(*fs));
		if (!fs)
			return -ENOMEM;
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

void exit_files(void)
{
	struct files_struct *files = current->files;
	struct fs_struct *fs = current->fs;

	if (files) {
		for (int i = 0; i < NR_OPEN; i++)
			if (files->fd[i])
				close_fd(i);
		current->files = NULL;
		kfree(files);
	}
	if (fs) {
		if (fs->pwd.mnt)
			path_put(&fs->pwd);
		current->fs = NULL;
		kfree(fs);
	}
}
