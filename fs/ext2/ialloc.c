/*
 * ext2 inode allocation: each group has an inode bitmap (bit i set = inode
 * group * s_inodes_per_group + i + 1 is in use) and counts its free inodes and its directories.
 * A new file goes in its directory's group, a new directory in the group with the most free
 * blocks among those with at least the average number of free inodes, so that directories
 * spread over the disk and files stay near their directory.
 *
 * Locking: sbi->s_lock around the bitmap and counter changes (as balloc.c); the new inode's
 * slot in the inode table is written after it is dropped: nobody else can own that inode.
 */
#include "fs/ext2/ext2.h"
#include "fs/inode.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"

/* s_lock held: the group for a new inode. */
static int find_group(struct ext2_sb_info *sbi, uint32_t parent_group, bool is_dir)
{
	uint32_t ngroups = sbi->groups_count;
	int best = -1;

	if (is_dir) {
		uint64_t total = 0;

		for (uint32_t g = 0; g < ngroups; g++)
			total += ext2_group_desc(sbi, g, NULL)->bg_free_inodes_count;
		for (uint32_t g = 0; g < ngroups; g++) {
			struct ext2_group_desc *gd = ext2_group_desc(sbi, g, NULL);

			if (!gd->bg_free_inodes_count ||
			    (uint64_t)gd->bg_free_inodes_count * ngroups < total)
				continue;
			if (best < 0 ||
			    gd->bg_free_blocks_count > ext2_group_desc(sbi, (uint32_t)best, NULL)
							       ->bg_free_blocks_count)
				best = (int)g;
		}
		if (best >= 0)
			return best;
	}
	for (uint32_t i = 0; i < ngroups; i++) {
		uint32_t g = (parent_group + i) % ngroups;

		if (ext2_group_desc(sbi, g, NULL)->bg_free_inodes_count)
			return (int)g;
	}
	return -1;
}

/*
 * A new inode on the disk for a file (mode) in dir: a free inode in the group find_group()
 * chooses, marked in the bitmap and counted, its on-disk slot zeroed, one link, the operations of
 * its type set, on the dirty list. Returns it with one reference, or NULL with *err -ENOSPC (no
 * free inode), -ENOMEM, -EUCLEAN or -EIO. Takes sbi->s_lock; may sleep. dir's i_rwsem held by the
 * caller.
 */
struct inode *ext2_new_inode(struct inode *dir, umode_t mode, int *err)
{
	struct super_block *sb = dir->i_sb;
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	struct ext2_inode_info *ei;
	struct buffer_head *bh = NULL, *gbh;
	struct ext2_group_desc *gd;
	struct inode *inode;
	uint32_t ino = 0, bit = 0;
	int g;

	inode = new_inode(sb);
	ei = kzalloc(sizeof(*ei));
	if (!inode || !ei) {
		if (inode)
			iput(inode); /* i_private is NULL: evict does nothing */
		kfree(ei);
		*err = -ENOMEM;
		return NULL;
	}
	mutex_lock(&sbi->s_lock);
	g = find_group(sbi, EXT2_I(dir)->i_block_group, S_ISDIR(mode));
	*err = -ENOSPC;
	if (g < 0)
		goto unlock;
	gd = ext2_group_desc(sbi, (uint32_t)g, &gbh);
	if ((*err = ext2_bread(sb, gd->bg_inode_bitmap, &bh)))
		goto unlock;
	for (bit = 0; bit < sbi->inodes_per_group; bit++)
		if (!(((uint8_t *)bh->b_data)[bit >> 3] & (1u << (bit & 7))))
			break;
	ino = (uint32_t)g * sbi->inodes_per_group + bit + 1;
	if (bit == sbi->inodes_per_group || ino < sbi->first_ino) {
		*err = ext2_error(sb, "group %d: inode bitmap disagrees with the free count %u", g,
				  gd->bg_free_inodes_count);
		goto unlock;
	}
	((uint8_t *)bh->b_data)[bit >> 3] |= (uint8_t)(1u << (bit & 7));
	mark_buffer_dirty(bh);
	gd->bg_free_inodes_count--;
	if (S_ISDIR(mode))
		gd->bg_used_dirs_count++;
	mark_buffer_dirty(gbh);
	*err = 0;
unlock:
	mutex_unlock(&sbi->s_lock);
	brelse(bh);
	if (*err) {
		iput(inode);
		kfree(ei);
		return NULL;
	}
	inode->i_ino = ino;
	inode->i_mode = mode;
	inode->i_nlink = 1;
	inode->i_size = 0;
	inode->i_private = ei;
	ei->vfs_inode = inode;
	ei->i_block_group = (uint32_t)g;
	ei->i_atime = ext2_now();
	ei->i_generation = ino * 2654435761u; /* any number; NFS would want it to change */
	INIT_LIST_HEAD(&ei->i_dirty);
	ext2_set_ops(inode);
	/* The on-disk inode starts zeroed, extra space included, then gets our fields. */
	{
		struct ext2_group_desc *igd = ext2_group_desc(sbi, (uint32_t)g, NULL);
		uint64_t off = (uint64_t)bit * sbi->inode_size;
		struct buffer_head *ibh;
		int e = ext2_bread(sb, igd->bg_inode_table + (uint32_t)(off / sbi->block_size),
				   &ibh);

		if (!e) {
			struct ext2_inode *raw =
				(void *)((char *)ibh->b_data + off % sbi->block_size);

			memset(raw, 0, sbi->inode_size);
			if (sbi->inode_size > EXT2_GOOD_OLD_ISIZE)
				raw->i_extra_isize = 32; /* what mke2fs gives its inodes */
			mark_buffer_dirty(ibh);
			brelse(ibh);
		}
	}
	ext2_mark_inode_dirty(inode);
	return inode;
}

/*
 * Frees the inode's number in its group's bitmap and counts (a directory counts one less). A
 * reserved, out-of-range or already free inode is refused (-EUCLEAN, with a message). Called by
 * evict for an inode with no link left, after its blocks went. Takes sbi->s_lock; may sleep.
 */
int ext2_free_inode(struct inode *inode)
{
	struct super_block *sb = inode->i_sb;
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	uint32_t ino = (uint32_t)inode->i_ino, g, bit;
	struct buffer_head *bh, *gbh;
	struct ext2_group_desc *gd;
	int err;

	if (ino < sbi->first_ino || ino > sbi->inodes_count)
		return ext2_error(sb, "freeing reserved or nonexistent inode %u", ino);
	g = (ino - 1) / sbi->inodes_per_group;
	bit = (ino - 1) % sbi->inodes_per_group;
	mutex_lock(&sbi->s_lock);
	gd = ext2_group_desc(sbi, g, &gbh);
	if ((err = ext2_bread(sb, gd->bg_inode_bitmap, &bh)))
		goto out;
	if (!(((uint8_t *)bh->b_data)[bit >> 3] & (1u << (bit & 7)))) {
		err = ext2_error(sb, "freeing inode %u: already free", ino);
	} else {
		((uint8_t *)bh->b_data)[bit >> 3] &= (uint8_t) ~(1u << (bit & 7));
		mark_buffer_dirty(bh);
		gd->bg_free_inodes_count++;
		if (S_ISDIR(inode->i_mode))
			gd->bg_used_dirs_count--;
		mark_buffer_dirty(gbh);
	}
	brelse(bh);
out:
	mutex_unlock(&sbi->s_lock);
	return err;
}
