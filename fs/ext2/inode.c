/*
 * ext2 inodes: reading and writing them in the inode table, the block map, truncate, evict.
 *
 * The block map: i_block[0..11] hold the disk blocks of file blocks 0-11; i_block[12] holds an
 * indirect block of A = block_size / 4 pointers (file blocks 12 .. 12+A-1); i_block[13] a
 * double-indirect block of A pointers to indirect blocks (the next A*A file blocks); i_block[14]
 * a triple-indirect one. With 1 KiB blocks (A = 256): 12 KiB direct, then 256 KiB, then 64 MiB,
 * then 16 GiB. A zero pointer is a hole (reads as zeros). i_blocks counts the 512-byte units of
 * every block the file holds, pointer blocks included.
 *
 * Every pointer read from the disk is checked against the file system's size before it is
 * followed or freed: a corrupt one gives EUCLEAN and a message naming the inode.
 *
 * Locking: the map of a file changes under its i_rwsem held for writing (write, truncate,
 * evict), and is read under it held at least for reading (read, readpage, writepage). The map
 * of a directory changes under the directory's i_rwsem (add_link). Bitmaps: balloc.c.
 *
 * Time stamps (ext2_now): the kernel has no clock of the day, so time stamps are the file
 * system's last write or mount time (seconds since 1970, from the host's clock when it made
 * the image) plus the seconds since boot: never in e2fsck's future.
 *
 * The dirty list (at the end): lock order sbi->s_sync_lock (one sync pass at a time), then
 * an inode's i_rwsem (ext2_sync_inode takes it), then sbi->dirty_lock (a spinlock).
 */
#include "fs/ext2/ext2.h"
#include "fs/inode.h"
#include "kernel/printk.h"
#include "arch/x86_64/tsc.h"
#include "kernel/sched/sleep.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/slab.h"
#include "mm/filemap.h"

#define NS_PER_S 1000000000ull

/* ---- the inode table ---- */

static int ext2_raw_inode(struct super_block *sb, uint32_t ino, struct buffer_head **bhp,
			  struct ext2_inode **raw)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	uint32_t g, idx;
	uint64_t off;
	int err;

	if (ino < 1 || ino > sbi->inodes_count)
		return ext2_error(sb, "inode number %u out of range (1-%u)", ino,
				  sbi->inodes_count);
	g = (ino - 1) / sbi->inodes_per_group;
	idx = (ino - 1) % sbi->inodes_per_group;
	off = (uint64_t)idx * sbi->inode_size;
	err = ext2_bread(sb,
			 ext2_group_desc(sbi, g, NULL)->bg_inode_table +
				 (uint32_t)(off / sbi->block_size),
			 bhp);
	if (err)
		return err;
	*raw = (struct ext2_inode *)((char *)(*bhp)->b_data + off % sbi->block_size);
	return 0;
}

/* Disk seconds to the VFS's nanoseconds since boot, and back. */
/* Seconds since 1970 at boot, as well as the disks mounted so far tell (ext2_clock_seen). */
static uint32_t ext2_boot_epoch;

/* The seconds since 1970 for a time stamp (where Linux calls current_time()). */
uint32_t ext2_now(void)
{
	return READ_ONCE(ext2_boot_epoch) + (uint32_t)(ktime_ns() / 1000000000ull);
}

/* A mount found a disk last written or mounted at last (seconds since 1970): from now on
   ext2_now never gives a time before it. */
void ext2_clock_seen(uint32_t last)
{
	last -= MIN(last, (uint32_t)(ktime_ns() / 1000000000ull));
	if (last > READ_ONCE(ext2_boot_epoch))
		WRITE_ONCE(ext2_boot_epoch, last);
}

static uint64_t time_to_ns(uint32_t t)
{
	uint32_t base = ext2_now() - (uint32_t)(current_time_ns() / NS_PER_S);

	return t > base ? (uint64_t)(t - base) * NS_PER_S : 0;
}

static uint32_t ns_to_time(uint64_t ns)
{
	return ext2_now() - (uint32_t)(current_time_ns() / NS_PER_S) + (uint32_t)(ns / NS_PER_S);
}

/*
 * Gives inode the operations of its type: directory, regular file (with the address-space
 * operations and the device's writeback counts), or anything else (stat only). Before anyone else
 * sees the inode.
 */
void ext2_set_ops(struct inode *inode)
{
	if (S_ISDIR(inode->i_mode)) {
		inode->i_op = &ext2_dir_iops;
		inode->i_fop = &ext2_dir_fops;
	} else if (S_ISREG(inode->i_mode)) {
		inode->i_op = &ext2_file_iops;
		inode->i_fop = &ext2_file_fops;
		inode->i_data.a_ops = &ext2_aops;
		inode->i_data.bdi = &EXT2_SB(inode->i_sb)->bdi; /* its dirty pages are counted */
	} else {
		inode->i_op = &ext2_special_iops; /* symlinks, devices: stat only */
		inode->i_fop = NULL;
	}
}

/*
 * The inode ino of sb, read from the inode table into a new VFS inode with one reference.
 * Returns NULL with *err -EUCLEAN (an inode not in use, or out of range), -ENOMEM or -EIO. May
 * sleep.
 */
struct inode *ext2_iget(struct super_block *sb, uint32_t ino, int *err)
{
	struct ext2_inode_info *ei;
	struct buffer_head *bh;
	struct ext2_inode *raw;
	struct inode *inode;

	if ((*err = ext2_raw_inode(sb, ino, &bh, &raw)))
		return NULL;
	if (raw->i_links_count == 0 || (raw->i_mode & S_IFMT) == 0) {
		*err = ext2_error(sb, "inode %u is not in use (links %u, mode %o) but is named",
				  ino, raw->i_links_count, raw->i_mode);
		brelse(bh);
		return NULL;
	}
	inode = new_inode(sb);
	ei = kzalloc(sizeof(*ei));
	if (!inode || !ei) {
		if (inode)
			iput(inode);
		kfree(ei);
		brelse(bh);
		*err = -ENOMEM;
		return NULL;
	}
	inode->i_ino = ino;
	inode->i_mode = raw->i_mode;
	inode->i_nlink = raw->i_links_count;
	inode->i_size = raw->i_size;
	if (S_ISREG(raw->i_mode))
		inode->i_size |= (uint64_t)raw->i_size_high << 32;
	inode->i_mtime_ns = time_to_ns(raw->i_mtime);
	inode->i_ctime_ns = time_to_ns(raw->i_ctime);
	inode->i_private = ei;
	ei->vfs_inode = inode;
	memcpy(ei->i_data, raw->i_block, sizeof(ei->i_data));
	ei->i_flags = raw->i_flags;
	ei->i_file_acl = raw->i_file_acl;
	ei->i_generation = raw->i_generation;
	ei->i_atime = raw->i_atime;
	ei->i_uid = raw->i_uid | (uint32_t)raw->i_uid_high << 16;
	ei->i_gid = raw->i_gid | (uint32_t)raw->i_gid_high << 16;
	ei->i_blocks = raw->i_blocks;
	ei->i_block_group = (ino - 1) / EXT2_SB(sb)->inodes_per_group;
	INIT_LIST_HEAD(&ei->i_dirty);
	brelse(bh);
	ext2_set_ops(inode);
	return inode;
}

/*
 * Copies the inode's fields (mode, size, links, times, the block map...) into its slot in the
 * inode table in the buffer cache; the buffer reaches the disk with the next sync of the device.
 * 0, -EUCLEAN or -EIO. The inode's i_rwsem held, or nobody else holding the inode. May sleep.
 */
int ext2_write_inode(struct inode *inode)
{
	struct ext2_inode_info *ei = EXT2_I(inode);
	struct buffer_head *bh;
	struct ext2_inode *raw;
	int err;

	if ((err = ext2_raw_inode(inode->i_sb, (uint32_t)inode->i_ino, &bh, &raw)))
		return err;
	raw->i_mode = (le16)inode->i_mode;
	raw->i_uid = (le16)ei->i_uid;
	raw->i_uid_high = (le16)(ei->i_uid >> 16);
	raw->i_gid = (le16)ei->i_gid;
	raw->i_gid_high = (le16)(ei->i_gid >> 16);
	raw->i_links_count = (le16)inode->i_nlink;
	raw->i_size = (le32)inode->i_size;
	if (S_ISREG(inode->i_mode))
		raw->i_size_high = (le32)(inode->i_size >> 32);
	raw->i_atime = ei->i_atime;
	raw->i_mtime = inode->i_mtime_ns ? ns_to_time(inode->i_mtime_ns) : raw->i_mtime;
	raw->i_ctime = inode->i_ctime_ns ? ns_to_time(inode->i_ctime_ns) : raw->i_ctime;
	raw->i_dtime = ei->i_dtime;
	raw->i_blocks = (le32)ei->i_blocks;
	raw->i_flags = ei->i_flags;
	raw->i_generation = ei->i_generation;
	raw->i_file_acl = ei->i_file_acl;
	memcpy(raw->i_block, ei->i_data, sizeof(ei->i_data));
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

/* ---- the block map ---- */

/* The slots leading to file block iblock, from i_block down: the depth (1-4), 0 if too far. */
static int block_to_path(struct ext2_sb_info *sbi, uint64_t iblock, uint32_t offsets[4])
{
	uint64_t a = sbi->addr_per_block;

	if (iblock < EXT2_NDIR_BLOCKS) {
		offsets[0] = (uint32_t)iblock;
		return 1;
	}
	iblock -= EXT2_NDIR_BLOCKS;
	if (iblock < a) {
		offsets[0] = EXT2_IND_BLOCK;
		offsets[1] = (uint32_t)iblock;
		return 2;
	}
	iblock -= a;
	if (iblock < a * a) {
		offsets[0] = EXT2_DIND_BLOCK;
		offsets[1] = (uint32_t)(iblock / a);
		offsets[2] = (uint32_t)(iblock % a);
		return 3;
	}
	iblock -= a * a;
	if (iblock < a * a * a) {
		offsets[0] = EXT2_TIND_BLOCK;
		offsets[1] = (uint32_t)(iblock / (a * a));
		offsets[2] = (uint32_t)(iblock / a % a);
		offsets[3] = (uint32_t)(iblock % a);
		return 4;
	}
	return 0;
}

/* A new block for inode, near its last one. A pointer block is zeroed in the buffer cache. */
static int alloc_block(struct inode *inode, bool pointer_block, uint32_t *out)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	uint32_t goal = ei->i_last_alloc ? ei->i_last_alloc + 1
					 : ext2_group_first_block(sbi, ei->i_block_group);
	struct buffer_head *bh;
	int err;

	if ((err = ext2_new_block(inode->i_sb, goal, out)))
		return err;
	ei->i_last_alloc = *out;
	if (pointer_block || S_ISDIR(inode->i_mode)) {
		if ((err = getblk(sbi->bdev, *out, sbi->block_size, &bh))) {
			ext2_free_blocks(inode->i_sb, *out, 1);
			return err;
		}
		mutex_lock(&bh->b_io_lock);
		memset(bh->b_data, 0, sbi->block_size);
		WRITE_ONCE(bh->b_uptodate, true);
		mutex_unlock(&bh->b_io_lock);
		mark_buffer_dirty(bh);
		brelse(bh);
	}
	ei->i_blocks += sbi->block_size / 512;
	return 0;
}

/*
 * The disk block that holds file block iblock of inode, in *out. A hole gives 0, unless create:
 * then the block, and the pointer blocks above it, are allocated (near the last one given) and the
 * inode is marked dirty. Returns 0, or -EFBIG (past the triple-indirect range), -ENOSPC, -EUCLEAN
 * (a pointer outside the file system), -EIO. i_rwsem held, for writing when create. May sleep.
 */
int ext2_get_block(struct inode *inode, uint64_t iblock, bool create, uint32_t *out)
{
	struct super_block *sb = inode->i_sb;
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	struct buffer_head *bh = NULL; /* holds *slot; NULL: the inode does */
	uint32_t offsets[4], *slot;
	int depth = block_to_path(sbi, iblock, offsets), err;

	if (!depth)
		return -EFBIG;
	slot = &ei->i_data[offsets[0]];
	for (int level = 0;; level++) {
		uint32_t b = READ_ONCE(*slot);
		bool leaf = level == depth - 1;
		struct buffer_head *next;

		if (!b) {
			if (!create) {
				brelse(bh);
				*out = 0;
				return 0;
			}
			if ((err = alloc_block(inode, !leaf, &b))) {
				brelse(bh);
				return err;
			}
			WRITE_ONCE(*slot, b);
			if (bh)
				mark_buffer_dirty(bh);
			ext2_mark_inode_dirty(inode); /* i_blocks changed, if nothing else */
		} else if (!ext2_block_ok(sbi, b)) {
			brelse(bh);
			return ext2_error(sb,
					  "inode %llu: file block %llu maps to block %u, outside "
					  "the file system (1-%u)",
					  (unsigned long long)inode->i_ino,
					  (unsigned long long)iblock, b, sbi->blocks_count - 1);
		}
		if (leaf) {
			brelse(bh);
			*out = b;
			return 0;
		}
		err = ext2_bread(sb, b, &next);
		brelse(bh);
		if (err)
			return err;
		bh = next;
		slot = (uint32_t *)bh->b_data + offsets[level + 1];
	}
}

/* ---- truncate ---- */

/* A freed directory block may sit dirty in the buffer cache: forget it there. */
static void forget_cached(struct inode *inode, uint32_t block)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	struct buffer_head *bh;

	if (S_ISDIR(inode->i_mode) && !getblk(sbi->bdev, block, sbi->block_size, &bh))
		bforget(bh);
}

/*
 * Frees what *slot points at (slot in holder's block, or in the inode when holder is NULL),
 * keeping file blocks below first. The pointer covers file blocks [base, base + A^depth):
 * depth 0 is a data block, 1 an indirect block, and so on.
 */
static int free_branch(struct inode *inode, uint32_t *slot, struct buffer_head *holder,
		       unsigned int depth, uint64_t base, uint64_t first)
{
	struct super_block *sb = inode->i_sb;
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	uint32_t b = *slot;
	uint64_t span = 1;
	int err;

	for (unsigned int i = 0; i < depth; i++)
		span *= sbi->addr_per_block;
	if (!b || base + span <= first)
		return 0;
	if (!ext2_block_ok(sbi, b))
		return ext2_error(sb,
				  "inode %llu: pointer to block %u outside the file system, "
				  "not freed",
				  (unsigned long long)inode->i_ino, b);
	if (depth > 0) {
		struct buffer_head *bh;
		uint64_t sub = span / sbi->addr_per_block;

		if ((err = ext2_bread(sb, b, &bh)))
			return err;
		for (uint32_t i = 0; i < sbi->addr_per_block; i++) {
			uint32_t *p = (uint32_t *)bh->b_data + i;

			if (base + (i + 1) * sub <= first)
				continue;
			if ((err = free_branch(inode, p, bh, depth - 1, base + i * sub, first))) {
				brelse(bh);
				return err;
			}
		}
		if (base < first) { /* part of it stays */
			brelse(bh);
			return 0;
		}
		bforget(bh); /* its pointers are all zero and it is about to be free */
	} else {
		forget_cached(inode, b);
	}
	err = ext2_free_blocks(sb, b, 1);
	*slot = 0;
	if (holder)
		mark_buffer_dirty(holder);
	EXT2_I(inode)->i_blocks -= sbi->block_size / 512;
	return err;
}

/*
 * Frees every block of the file from file block first on, with the pointer blocks left empty, and
 * clears their pointers. The page cache past the cut is the caller's (ext2_setsize). 0, or
 * -EUCLEAN (a bad pointer: the rest is left), -EIO. i_rwsem held for writing, or the inode being
 * evicted. May sleep.
 */
int ext2_truncate_blocks(struct inode *inode, uint64_t first)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	uint64_t a = sbi->addr_per_block, base = EXT2_NDIR_BLOCKS;
	int err = 0;

	for (uint32_t i = 0; i < EXT2_NDIR_BLOCKS && !err; i++)
		err = free_branch(inode, &ei->i_data[i], NULL, 0, i, first);
	if (!err)
		err = free_branch(inode, &ei->i_data[EXT2_IND_BLOCK], NULL, 1, base, first);
	base += a;
	if (!err)
		err = free_branch(inode, &ei->i_data[EXT2_DIND_BLOCK], NULL, 2, base, first);
	base += a * a;
	if (!err)
		err = free_branch(inode, &ei->i_data[EXT2_TIND_BLOCK], NULL, 3, base, first);
	ei->i_last_alloc = 0;
	ext2_mark_inode_dirty(inode);
	return err;
}

/* The extended-attribute block of a deleted inode: one user less, freed with the last. */
static void release_xattr_block(struct inode *inode)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	struct ext2_inode_info *ei = EXT2_I(inode);
	struct buffer_head *bh;
	uint32_t *hdr;

	if (!ei->i_file_acl)
		return;
	if (!ext2_block_ok(sbi, ei->i_file_acl) || ext2_bread(inode->i_sb, ei->i_file_acl, &bh)) {
		ext2_error(inode->i_sb, "inode %llu: bad xattr block %u",
			   (unsigned long long)inode->i_ino, ei->i_file_acl);
		return;
	}
	hdr = bh->b_data; /* magic, then the count of inodes sharing the block */
	if (hdr[0] != EXT2_XATTR_MAGIC) {
		ext2_error(inode->i_sb, "inode %llu: xattr block %u has no magic",
			   (unsigned long long)inode->i_ino, ei->i_file_acl);
		brelse(bh);
		return;
	}
	if (hdr[1] > 1) {
		hdr[1]--;
		mark_buffer_dirty(bh);
		brelse(bh);
	} else {
		bforget(bh);
		ext2_free_blocks(inode->i_sb, ei->i_file_acl, 1);
	}
	ei->i_blocks -= sbi->block_size / 512;
	ei->i_file_acl = 0;
}

/*
 * The last reference is gone. A file with no name left is deleted: its pages dropped, its
 * blocks and inode freed, i_dtime set. Any other is written back (its pages and its inode).
 */
void ext2_evict_inode(struct inode *inode)
{
	struct ext2_inode_info *ei = EXT2_I(inode);
	int err = 0;

	if (!ei)
		return; /* never filled in (an allocation failed) */
	/* On a read-only mount nothing is written: a deleted file still open when the mount
	   became read-only stays allocated, for e2fsck to find. */
	if (!(READ_ONCE(inode->i_sb->s_flags) & SB_RDONLY)) {
		if (inode->i_nlink == 0) {
			truncate_inode_pages(&inode->i_data, 0);
			err = ext2_truncate_blocks(inode, 0);
			release_xattr_block(inode);
			inode->i_size = 0;
			ei->i_dtime = ext2_now();
			if (!err)
				err = ext2_write_inode(inode);
			if (!err)
				err = ext2_free_inode(inode);
		} else {
			err = ext2_sync_inode(inode);
		}
	}
	if (err)
		pr_err("ext2 %s: inode %llu: not written back (%d)\n", inode->i_sb->s_id,
		       (unsigned long long)inode->i_ino, err);
	ext2_forget_dirty(inode);
	inode->i_private = NULL;
	kfree(ei);
}

/* ---- the dirty inodes: ext2's stand-in for Linux's fs/fs-writeback.c lists ---- */

/*
 * Puts inode on its file system's dirty list (once) for the next sync pass to write.
 * Takes dirty_lock; does not sleep.
 */
void ext2_mark_inode_dirty(struct inode *inode)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	struct ext2_inode_info *ei = EXT2_I(inode);

	spin_lock(&sbi->dirty_lock);
	if (!ei->i_on_dirty_list) {
		ei->i_on_dirty_list = true;
		list_add_tail(&ei->i_dirty, &sbi->dirty_inodes);
	}
	spin_unlock(&sbi->dirty_lock);
}

/* Takes inode off the dirty list: it is being evicted. Takes dirty_lock; does not sleep. */
void ext2_forget_dirty(struct inode *inode)
{
	struct ext2_sb_info *sbi = EXT2_SB(inode->i_sb);
	struct ext2_inode_info *ei = EXT2_I(inode);

	spin_lock(&sbi->dirty_lock);
	if (ei->i_on_dirty_list) {
		ei->i_on_dirty_list = false;
		list_del_init(&ei->i_dirty);
	}
	spin_unlock(&sbi->dirty_lock);
}

unsigned int ext2_sync_delay_ms, ext2_sync_delayed;

/* s_sync_lock held: takes each inode off the dirty list and writes it, until none is left. */
static int sync_dirty_inodes(struct ext2_sb_info *sbi)
{
	int err = 0;

	for (;;) {
		struct ext2_inode_info *ei = NULL;
		struct inode *inode = NULL;
		int e;

		spin_lock(&sbi->dirty_lock);
		while (!list_empty(&sbi->dirty_inodes)) {
			ei = list_first_entry(&sbi->dirty_inodes, struct ext2_inode_info, i_dirty);
			list_del_init(&ei->i_dirty);
			/* Cleared before ext2_sync_inode() takes the mapping's lock (a locked
			   instruction, a full barrier) and reads the pages' dirty bits: pairs with
			   the PG_dirty set before the lockless read in ext2_mark_dirty()
			   (fs/ext2/file.c). */
			ei->i_on_dirty_list = false;
			if ((inode = igrab(ei->vfs_inode)))
				break;
		}
		spin_unlock(&sbi->dirty_lock);
		if (!inode)
			return err;
		if (unlikely(READ_ONCE(ext2_sync_delay_ms))) { /* the tests' window: ext2.h */
			WRITE_ONCE(ext2_sync_delayed, ext2_sync_delayed + 1);
			msleep(READ_ONCE(ext2_sync_delay_ms));
		}
		if ((e = ext2_sync_inode(inode)) && !err)
			err = e;
		iput(inode);
	}
}

/*
 * Writes every dirty inode's pages and on-disk inode into the buffer cache.
 *
 * One pass at a time (s_sync_lock): an inode is off the list while a pass writes it, so a
 * sync that ran beside the flusher would skip the file the flusher is still writing and
 * return with its pages not yet on the disk. Waiting for the other pass closes that: what it
 * took off is written when it ends, and a page dirtied meanwhile put its inode back.
 * May sleep; the caller holds no ext2 lock. Returns 0 or the first error met (the pass goes on).
 */
int ext2_sync_inodes(struct super_block *sb)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	int err;

	mutex_lock(&sbi->s_sync_lock);
	err = sync_dirty_inodes(sbi);
	mutex_unlock(&sbi->s_sync_lock);
	return err;
}
