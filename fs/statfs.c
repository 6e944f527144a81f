/*
 * statfs (see syscalls.h), as Linux's fs/statfs.c: the filesystem's block size and counts.
 */
#include "fs/syscalls.h"
#include "fs/mount.h"
#include "fs/namei.h"
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
