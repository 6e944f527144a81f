/*
 * A path's name, as Linux's fs/d_path.c: walking up the dentries and out of the mounts to the
 * namespace root, under no lock; and getcwd, the working directory's name.
 *
 * The walk reads d_parent, d_name and the mount's parent under rcu_read_lock (the dentries
 * and mounts it passes are not freed meanwhile) and starts again when rename_lock or
 * mount_lock moved: a rename or a mount in between could have shown it half a move.
 */
#include "fs/dcache.h"
#include "fs/fs_struct.h"
#include "fs/syscalls.h"
#include "fs/mount.h"
#include "kernel/rcu/rcu.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/uaccess.h"

/*
 * Writes "/a/b" for path, as seen from the namespace root, into buf (NUL-terminated, from
 * buf[0]). Takes no lock and does not sleep; the caller holds references on path. Returns 0,
 * or -ENAMETOOLONG when the name does not fit in size bytes.
 */
int d_path(const struct path *path, char *buf, size_t size)
{
	struct vfsmount *mnt = path->mnt;
	struct dentry *d = path->dentry;
	size_t pos = size;
	unsigned int rseq, mseq;

	if (size < 2)
		return -ENAMETOOLONG;
	do {
		rseq = read_seqbegin(&rename_lock);
		mseq = read_seqbegin(&mount_lock);
		pos = size - 1;
		buf[pos] = '\0';
		mnt = path->mnt;
		d = path->dentry;
		rcu_read_lock();
		for (;;) {
			if (d == mnt->mnt_root) {
				if (mnt->mnt_parent == mnt)
					break;
				d = READ_ONCE(mnt->mnt_mountpoint);
				mnt = READ_ONCE(mnt->mnt_parent);
				continue;
			}
			unsigned int len = READ_ONCE(d->d_len);

			if (len + 1 > pos) {
				rcu_read_unlock();
				return -ENAMETOOLONG;
			}
			pos -= len;
			memcpy(buf + pos, d->d_name, len);
			buf[--pos] = '/';
			d = READ_ONCE(d->d_parent);
		}
		rcu_read_unlock();
	} while (read_seqretry(&rename_lock, rseq) || read_seqretry(&mount_lock, mseq));
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return 0;
}

/*
 * Writes the calling thread's working directory, as d_path() names it, into buf. 0 or
 * -ENAMETOOLONG.
 */
int sys_getcwd(char *buf, size_t size)
{
	struct path pwd;
	int err;

	get_fs_pwd(&pwd);
	err = d_path(&pwd, buf, size);
	path_put(&pwd);
	return err;
}

/*
 * Writes the path of mnt's root, as seen from the namespace root, into buf: what the mount
 * listings print. The caller holds a reference on mnt (or namespace_sem). Returns d_path's.
 */
int mnt_path(struct vfsmount *mnt, char *buf, size_t size)
{
	struct path p = {mnt, mnt->mnt_root};

	return d_path(&p, buf, size);
}

/*
 * getcwd(2): the working directory's name and its NUL into buf. Returns the bytes written (with
 * the NUL), or -ERANGE (size too small for them), -ENOENT (the directory was removed),
 * -EFAULT, -ENOMEM.
 */
SYSCALL_DEFINE2(getcwd, char __user *, buf, unsigned long, size)
{
	struct path pwd;
	size_t len;
	char *kbuf;
	long err;

	if (!(kbuf = kmalloc(PATH_MAX)))
		return -ENOMEM;
	get_fs_pwd(&pwd);
	if (d_unhashed(pwd.dentry) && pwd.dentry != pwd.mnt->mnt_root)
		err = -ENOENT;
	else
		err = d_path(&pwd, kbuf, PATH_MAX);
	path_put(&pwd);
	if (!err) {
		len = strlen(kbuf) + 1;
		if (len > size)
			err = -ERANGE;
		else
			err = copy_to_user(buf, kbuf, len) ? -EFAULT : (long)len;
	}
	kfree(kbuf);
	return err;
}
