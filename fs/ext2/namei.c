/*
 * ext2's directory operations for the VFS: lookup (the dcache does not hold every name of a
 * disk filesystem, so a name it does not know is looked for in the directory's blocks),
 * create, mkdir, unlink, rmdir, rename.
 *
 * Link counts, as on disk: a file has one per name; a directory has one for its name, one for
 * its own "." and one for the ".." of each subdirectory. Every operation makes its changes in
 * an order where a failure (ENOSPC, EUCLEAN, ENOMEM) half-way leaves a consistent disk: the new
 * name is added before the old one goes, and an inode made for a name that could not be added
 * is freed again (its link count is 0, so its last iput deletes it).
 *
 * Each inode on disk has at most one inode in memory: names are the only way to reach one,
 * there are no hard links but the directories' "." and "..", which the VFS resolves itself,
 * and a hashed dentry stays in the dcache until unmount.
 *
 * Locking: the VFS holds the directory's i_rwsem for writing (both, for rename) and the
 * victim's for unlink and rmdir; balloc.c and ialloc.c take sbi->s_lock inside.
 */
#include "fs/ext2/ext2.h"
#include "fs/dcache.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/string.h"

static int ext2_lookup(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode;
	uint32_t ino;
	int err = ext2_find_entry(dir, dentry->d_name, dentry->d_len, &ino);

	if (err == -ENOENT)
		return 0; /* stays negative */
	if (err)
		return err;
	if (!(inode = ext2_iget(dir->i_sb, ino, &err)))
		return err;
	d_add(dentry, inode);
	return 0;
}

/* A new inode of mode named by dentry in dir; a directory gets "." and ".." first. */
static int ext2_create_common(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	struct inode *inode;
	int err;

	if (!(inode = ext2_new_inode(dir, mode, &err)))
		return err;
	if (S_ISDIR(mode)) {
		inode->i_nlink = 2;
		if ((err = ext2_make_empty(inode, dir)))
			goto undo;
	}
	if ((err = ext2_write_inode(inode)) ||
	    (err = ext2_add_link(dir, dentry->d_name, dentry->d_len, inode)))
		goto undo;
	if (S_ISDIR(mode)) {
		dir->i_nlink++; /* the new directory's ".." */
		ext2_mark_inode_dirty(dir);
	}
	d_add(dentry, inode);
	return 0;
undo:
	inode->i_nlink = 0; /* the last iput frees its blocks and the inode */
	iput(inode);
	return err;
}

static int ext2_create(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	return ext2_create_common(dir, dentry, (mode & 07777) | S_IFREG);
}

static int ext2_mkdir(struct inode *dir, struct dentry *dentry, umode_t mode)
{
	if (dir->i_nlink >= 32000)
		return -EMFILE; /* ext2's limit of subdirectories (links) */
	return ext2_create_common(dir, dentry, (mode & 07777) | S_IFDIR);
}

static int ext2_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;
	int err = ext2_delete_entry(dir, dentry->d_name, dentry->d_len);

	if (err)
		return err;
	inode->i_nlink--;
	inode->i_ctime_ns = current_time_ns();
	ext2_mark_inode_dirty(inode);
	return 0;
}

static int ext2_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;
	int err = ext2_empty_dir(inode);

	if (err < 0)
		return err;
	if (!err)
		return -ENOTEMPTY;
	if ((err = ext2_delete_entry(dir, dentry->d_name, dentry->d_len)))
		return err;
	inode->i_nlink = 0;
	inode->i_size = 0;
	ext2_mark_inode_dirty(inode);
	dir->i_nlink--;
	ext2_mark_inode_dirty(dir);
	return 0;
}

static int ext2_rename(struct inode *odir, struct dentry *old, struct inode *ndir,
		       struct dentry *new, const char *new_name)
{
	unsigned int new_len = (unsigned int)strlen(new_name);
	struct inode *inode = old->d_inode, *victim = new ? new->d_inode : NULL;
	bool is_dir = S_ISDIR(inode->i_mode);
	int err;

	if (victim && is_dir) {
		if ((err = ext2_empty_dir(victim)) <= 0)
			return err ? err : -ENOTEMPTY;
	}
	/* The new name first: if that fails, nothing changed. */
	if (victim)
		err = ext2_set_link(ndir, new_name, new_len, inode);
	else
		err = ext2_add_link(ndir, new_name, new_len, inode);
	if (err)
		return err;
	if ((err = ext2_delete_entry(odir, old->d_name, old->d_len)))
		return err;
	if (victim) {
		victim->i_nlink = is_dir ? 0 : victim->i_nlink - 1;
		victim->i_ctime_ns = current_time_ns();
		ext2_mark_inode_dirty(victim);
		if (is_dir) {
			ndir->i_nlink--; /* the victim's ".." */
			ext2_mark_inode_dirty(ndir);
		}
	}
	if (is_dir && odir != ndir) {
		if ((err = ext2_set_link(inode, "..", 2, ndir)))
			return err;
		odir->i_nlink--;
		ndir->i_nlink++;
		ext2_mark_inode_dirty(odir);
		ext2_mark_inode_dirty(ndir);
	}
	inode->i_ctime_ns = current_time_ns();
	ext2_mark_inode_dirty(inode);
	return 0;
}

const struct inode_operations ext2_dir_iops = {
	.lookup = ext2_lookup,
	.create = ext2_create,
	.mkdir = ext2_mkdir,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.rename = ext2_rename,
};

const struct inode_operations ext2_special_iops = {0};

const struct file_operations ext2_dir_fops = {
	.iterate = ext2_readdir,
};
