/*
 * statfs (see syscalls.h), as Linux's fs/statfs.c: the filesystem's block size and counts.
 */
#include "fs/syscalls.h"
#include "fs/mount.h"
#include "fs/namei.h"
#include "fs/file.h"
#include "kernel/syscall.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/uaccess.h"
#include "arch/x86_64/memlayout.h"

/*
 * Fills *st for the filesystem holding name: block size, blocks, free blocks, inodes. 0, the
 * lookup's errors or the filesystem's. May sleep.
 */
int sys_statfs(const char *name, struct kstatfs *st)
{
	struct path path;
	int err;

	if ((err = kern_path(name, 0, &path)))
		return err;
	err = vfs_statfs(path.mnt->mnt_sb, st);
	path_put(&path);
	return err;
}

/* Fills *st for sb: the page size and inode count, then what the filesystem adds. May sleep
   (ext2 takes s_lock). 0 or a negative errno. */
int vfs_statfs(struct super_block *sb, struct kstatfs *st)
{
	*st = (struct kstatfs){.f_bsize = PAGE_SIZE, .f_files = sb->s_nr_inodes};
	return sb->s_op && sb->s_op->statfs ? sb->s_op->statfs(sb, st) : 0;
}

/* ---- statfs(2) and fstatfs(2): Linux's x86_64 struct statfs ---- */

#define TMPFS_MAGIC	 0x01021994
#define EXT2_SUPER_MAGIC 0xEF53
#define ST_RDONLY	 0x1

struct statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail;
	uint64_t f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct statfs) == 120, "Linux's x86_64 struct statfs");

/* The statfs of path's filesystem, in Linux's layout, to ubuf. */
static long do_statfs_user(const struct path *path, struct statfs __user *ubuf)
{
	struct super_block *sb = path->mnt->mnt_sb;
	struct kstatfs st;
	struct statfs s;
	int err;

	if ((err = vfs_statfs(sb, &st)))
		return err;
	s = (struct statfs){
		.f_type = !strcmp(sb->s_type->name, "ext2") ? EXT2_SUPER_MAGIC : TMPFS_MAGIC,
		.f_bsize = (int64_t)st.f_bsize,
		.f_blocks = st.f_blocks,
		.f_bfree = st.f_bfree,
		.f_bavail = st.f_bfree,
		.f_files = st.f_files,
		.f_fsid = {(int32_t)sb->s_dev, 0},
		.f_namelen = NAME_MAX,
		.f_frsize = (int64_t)st.f_bsize,
		.f_flags = mnt_is_readonly(path->mnt) ? ST_RDONLY : 0,
	};
	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

SYSCALL_DEFINE2(statfs, const char __user *, pathname, struct statfs __user *, buf)
{
	struct path p;
	long err;

	if ((err = user_path_at(AT_FDCWD, pathname, 0, &p)))
		return err;
	err = do_statfs_user(&p, buf);
	path_put(&p);
	return err;
}

SYSCALL_DEFINE2(fstatfs, unsigned int, fd, struct statfs __user *, buf)
{
	struct file *f = fget((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = do_statfs_user(&f->f_path, buf);
	fput(f);
	return err;
}
