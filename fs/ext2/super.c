/*
 * ext2's superblock (see ext2.h): mount with its checks and the group descriptors, statfs,
 * sync, remount, unmount. The list of dirty inodes a sync pass writes is in inode.c.
 *
 * Mounting reads the superblock at byte 1024 and trusts nothing in it: the magic, the block
 * size, the group geometry against the device's size, the features, then every group
 * descriptor's bitmaps and inode table must lie inside its group. Anything else refuses the
 * mount with a message (EINVAL for a disk that is not ext2, EUCLEAN for a damaged one).
 *
 * State on disk, as Linux keeps it: a read-write mount clears EXT2_VALID_FS and counts the mount
 * (s_mnt_count); a clean unmount or remount,ro puts the state found at mount back. A disk
 * unplugged in between (poweroff without umount) is "not clean", and e2fsck checks it.
 *
 * Locks: sbi->s_lock (the superblock's and descriptors' buffers) and ext2_mounted_lock (the
 * claimed devices) are never held together. A sync pass (ext2_sync_inodes, inode.c) runs
 * before s_lock is taken, never under it.
 */
#include "fs/ext2/ext2.h"
#include "fs/inode.h"
#include "fs/dcache.h"
#include "fs/namei.h"
#include "fs/super.h"
#include "kernel/printk.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/slab.h"

/* Devices with an ext2 mounted: two superblocks on one disk would corrupt it. */
static DEFINE_MUTEX(ext2_mounted_lock);
static struct block_device *ext2_mounted[8];

/*
 * Prints a message naming the device and what is wrong on the disk, and returns -EUCLEAN for the
 * caller to pass on. Any context that may printk.
 */
int ext2_error(struct super_block *sb, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("ext2 %s: %s\n", sb->s_id, msg);
	return -EUCLEAN;
}

/* Copies the free counts into the superblock's buffer; s_lock held. */
static void ext2_update_super(struct ext2_sb_info *sbi)
{
	uint32_t free_blocks = 0, free_inodes = 0;

	for (uint32_t g = 0; g < sbi->groups_count; g++) {
		struct ext2_group_desc *gd = ext2_group_desc(sbi, g, NULL);

		free_blocks += gd->bg_free_blocks_count;
		free_inodes += gd->bg_free_inodes_count;
	}
	sbi->es->s_free_blocks_count = free_blocks;
	sbi->es->s_free_inodes_count = free_inodes;
	sbi->es->s_wtime = ext2_now();
	mark_buffer_dirty(sbi->sbh);
}

static int ext2_sync_fs(struct super_block *sb)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	int err, e;

	if (READ_ONCE(sb->s_flags) & SB_RDONLY)
		return 0;
	err = ext2_sync_inodes(sb);
	mutex_lock(&sbi->s_lock);
	ext2_update_super(sbi);
	mutex_unlock(&sbi->s_lock);
	e = sync_blockdev(sbi->bdev); /* every dirty buffer, then the device's cache */
	return err ? err : e;
}

/* The flusher's call (mm/backing-dev.h): what sync does, for this disk. */
static int ext2_bdi_writeback(struct backing_dev_info *bdi)
{
	return ext2_sync_fs(bdi->owner);
}

/* Writes everything and puts the state found at mount back (clean, if it was). */
static int ext2_sync_clean(struct super_block *sb)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	int err = ext2_sync_inodes(sb), e;

	mutex_lock(&sbi->s_lock);
	sbi->es->s_state = sbi->mount_state;
	ext2_update_super(sbi);
	mutex_unlock(&sbi->s_lock);
	e = sync_blockdev(sbi->bdev);
	return err ? err : e;
}

/* The disk becomes writable: not clean until unmounted, one more mount counted. */
static int ext2_setup_rw(struct super_block *sb)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	struct ext2_super_block *es = sbi->es;

	if (sbi->ro_features) {
		pr_err("ext2 %s: unknown read-only features %#x: mount read-only\n", sb->s_id,
		       es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP);
		return -EROFS;
	}
	if (sbi->bdev->read_only)
		return -EROFS;
	sbi->mount_state = es->s_state;
	if (!(es->s_state & EXT2_VALID_FS))
		pr_warn("ext2 %s: was not cleanly unmounted: run e2fsck\n", sb->s_id);
	else if (es->s_state & EXT2_ERROR_FS)
		pr_warn("ext2 %s: has errors: run e2fsck\n", sb->s_id);
	mutex_lock(&sbi->s_lock);
	es->s_state &= (le16)~EXT2_VALID_FS;
	es->s_mnt_count++;
	es->s_mtime = ext2_now();
	mark_buffer_dirty(sbi->sbh);
	mutex_unlock(&sbi->s_lock);
	return sync_dirty_buffer(sbi->sbh);
}

static int ext2_remount_fs(struct super_block *sb, bool rdonly)
{
	return rdonly ? ext2_sync_clean(sb) : ext2_setup_rw(sb);
}

static int ext2_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);

	st->f_bsize = sbi->block_size;
	st->f_blocks = sbi->blocks_count - sbi->first_data_block;
	mutex_lock(&sbi->s_lock);
	st->f_bfree = ext2_count_free_blocks(sb);
	mutex_unlock(&sbi->s_lock);
	return 0;
}

static void ext2_unclaim(struct block_device *bdev)
{
	mutex_lock(&ext2_mounted_lock);
	for (unsigned int i = 0; i < ARRAY_SIZE(ext2_mounted); i++)
		if (ext2_mounted[i] == bdev)
			ext2_mounted[i] = NULL;
	mutex_unlock(&ext2_mounted_lock);
}

static void ext2_release(struct ext2_sb_info *sbi)
{
	ext2_unclaim(sbi->bdev);
	if (sbi->gd_bh)
		for (uint32_t i = 0; i < sbi->gdb_count; i++)
			brelse(sbi->gd_bh[i]);
	kfree(sbi->gd_bh);
	brelse(sbi->sbh);
	invalidate_bdev(sbi->bdev); /* the next mount reads the disk again */
	kfree(sbi);
}

/* The last mount is gone: every dentry and inode was dropped (and written) already. */
static void ext2_put_super(struct super_block *sb)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	int err;

	bdi_unregister(&sbi->bdi); /* the flusher is done with it */
	if (!(sb->s_flags & SB_RDONLY) && (err = ext2_sync_clean(sb)))
		pr_err("ext2 %s: writing at unmount failed (%d)\n", sb->s_id, err);
	ext2_release(sbi);
	sb->s_fs_info = NULL;
}

static const struct super_operations ext2_sops = {
	.evict_inode = ext2_evict_inode,
	.statfs = ext2_statfs,
	.put_super = ext2_put_super,
	.sync_fs = ext2_sync_fs,
	.remount_fs = ext2_remount_fs,
};

/* ---- mount ---- */

/* Checks the superblock's numbers and fills sbi from them; 0 or -EINVAL/-EUCLEAN. */
static int ext2_check_super(struct super_block *sb, struct ext2_sb_info *sbi)
{
	struct ext2_super_block *es = sbi->es;
	uint64_t dev_blocks;

	if (es->s_magic != EXT2_SUPER_MAGIC) {
		pr_err("ext2 %s: bad magic %#x (expected %#x): not an ext2 file system\n", sb->s_id,
		       es->s_magic, EXT2_SUPER_MAGIC);
		return -EINVAL;
	}
	if (es->s_log_block_size > 2)
		return ext2_error(sb, "block size %u KiB not supported (1, 2 or 4)",
				  1u << MIN(es->s_log_block_size, 20u));
	sbi->block_size = 1024u << es->s_log_block_size;
	sbi->addr_per_block = sbi->block_size / 4;
	if (es->s_rev_level > EXT2_DYNAMIC_REV)
		return ext2_error(sb, "revision %u not supported", es->s_rev_level);
	if (es->s_rev_level == EXT2_GOOD_OLD_REV) {
		sbi->inode_size = EXT2_GOOD_OLD_ISIZE;
		sbi->first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		uint32_t unknown = es->s_feature_incompat & ~EXT2_INCOMPAT_SUPP;

		if (unknown) {
			pr_err("ext2 %s: unknown incompatible features %#x: cannot mount "
			       "(ext3/ext4 features?)\n",
			       sb->s_id, unknown);
			return -EINVAL;
		}
		sbi->ro_features = es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP;
		sbi->inode_size = es->s_inode_size;
		sbi->first_ino = es->s_first_ino;
	}
	if (sbi->inode_size < EXT2_GOOD_OLD_ISIZE || sbi->inode_size > sbi->block_size ||
	    (sbi->inode_size & (sbi->inode_size - 1)))
		return ext2_error(sb, "bad inode size %u", sbi->inode_size);
	sbi->blocks_count = es->s_blocks_count;
	sbi->inodes_count = es->s_inodes_count;
	sbi->first_data_block = es->s_first_data_block;
	sbi->blocks_per_group = es->s_blocks_per_group;
	sbi->inodes_per_group = es->s_inodes_per_group;
	dev_blocks = sbi->bdev->nr_sectors / (sbi->block_size / SECTOR_SIZE);
	if (sbi->blocks_count > dev_blocks)
		return ext2_error(sb, "%u blocks, but the device holds only %llu",
				  sbi->blocks_count, (unsigned long long)dev_blocks);
	if (sbi->first_data_block != (sbi->block_size == 1024 ? 1u : 0u) ||
	    sbi->blocks_count <= sbi->first_data_block + 1)
		return ext2_error(sb, "bad first data block %u of %u", sbi->first_data_block,
				  sbi->blocks_count);
	if (!sbi->blocks_per_group || sbi->blocks_per_group > 8 * sbi->block_size ||
	    !sbi->inodes_per_group || sbi->inodes_per_group > 8 * sbi->block_size)
		return ext2_error(sb, "bad group geometry: %u blocks, %u inodes per group",
				  sbi->blocks_per_group, sbi->inodes_per_group);
	sbi->groups_count =
		DIV_ROUND_UP(sbi->blocks_count - sbi->first_data_block, sbi->blocks_per_group);
	if ((uint64_t)sbi->groups_count * sbi->inodes_per_group != sbi->inodes_count)
		return ext2_error(sb, "%u inodes is not %u groups of %u", sbi->inodes_count,
				  sbi->groups_count, sbi->inodes_per_group);
	if (sbi->first_ino <= EXT2_ROOT_INO || sbi->first_ino > sbi->inodes_count)
		return ext2_error(sb, "bad first inode %u", sbi->first_ino);
	sbi->desc_per_block = sbi->block_size / sizeof(struct ext2_group_desc);
	sbi->gdb_count = DIV_ROUND_UP(sbi->groups_count, sbi->desc_per_block);
	return 0;
}

/* Reads the group descriptors; each group's bitmaps and inode table must lie inside it. */
static int ext2_read_groups(struct super_block *sb, struct ext2_sb_info *sbi)
{
	uint32_t itb = DIV_ROUND_UP(sbi->inodes_per_group * sbi->inode_size, sbi->block_size);
	int err;

	sbi->gd_bh = kzalloc(sbi->gdb_count * sizeof(*sbi->gd_bh));
	if (!sbi->gd_bh)
		return -ENOMEM;
	for (uint32_t i = 0; i < sbi->gdb_count; i++)
		if ((err = ext2_bread(sb, sbi->first_data_block + 1 + i, &sbi->gd_bh[i])))
			return err;
	for (uint32_t g = 0; g < sbi->groups_count; g++) {
		struct ext2_group_desc *gd = ext2_group_desc(sbi, g, NULL);
		uint32_t first = ext2_group_first_block(sbi, g);
		uint32_t last = MIN(first + sbi->blocks_per_group, sbi->blocks_count) - 1;

		if (gd->bg_block_bitmap < first || gd->bg_block_bitmap > last ||
		    gd->bg_inode_bitmap < first || gd->bg_inode_bitmap > last ||
		    gd->bg_inode_table < first || gd->bg_inode_table + itb - 1 > last)
			return ext2_error(sb,
					  "group %u: bitmaps or inode table outside the group "
					  "(%u, %u, %u not in %u-%u)",
					  g, gd->bg_block_bitmap, gd->bg_inode_bitmap,
					  gd->bg_inode_table, first, last);
		if (gd->bg_free_blocks_count > sbi->blocks_per_group ||
		    gd->bg_free_inodes_count > sbi->inodes_per_group)
			return ext2_error(sb, "group %u: free counts %u, %u out of range", g,
					  gd->bg_free_blocks_count, gd->bg_free_inodes_count);
	}
	return 0;
}

/*
 * The block device source names: "/dev/vda" as in Linux, or "vda" (our short form). Returns it,
 * or NULL with *err as Linux's lookup_bdev answers: -EINVAL for no source, -ENOTBLK for a path
 * that names something other than a block device, -ENOENT for a name that names nothing.
 */
static struct block_device *ext2_find_bdev(const char *source, int *err)
{
	struct block_device *bdev;
	struct path path;

	*err = -EINVAL;
	if (!source || !source[0])
		return NULL;
	bdev = blk_get_by_name(!strncmp(source, "/dev/", 5) ? source + 5 : source);
	if (bdev)
		return bdev;
	*err = -ENOENT;
	if (!kern_path(source, LOOKUP_FOLLOW, &path)) {
		path_put(&path);
		*err = -ENOTBLK;
	}
	return NULL;
}

static int ext2_claim(struct block_device *bdev)
{
	int err = -EBUSY, free = -1;

	mutex_lock(&ext2_mounted_lock);
	for (unsigned int i = 0; i < ARRAY_SIZE(ext2_mounted); i++) {
		if (ext2_mounted[i] == bdev)
			goto out;
		if (!ext2_mounted[i] && free < 0)
			free = (int)i;
	}
	if (free >= 0) {
		ext2_mounted[free] = bdev;
		err = 0;
	}
out:
	mutex_unlock(&ext2_mounted_lock);
	return err;
}

static int ext2_fill_super(struct super_block *sb, const char *source, const char *options)
{
	struct ext2_sb_info *sbi;
	struct inode *root;
	uint32_t last;
	int err;
	struct block_device *bdev = ext2_find_bdev(source, &err);

	if (options[0]) {
		pr_err("ext2: unknown mount options '%s'\n", options);
		return -EINVAL;
	}
	if (!bdev) {
		pr_err("ext2: no block device '%s'\n", source ? source : "(none)");
		return err;
	}
	if ((err = ext2_claim(bdev))) {
		pr_err("ext2: %s is already mounted\n", bdev->name);
		return err;
	}
	sbi = kzalloc(sizeof(*sbi));
	if (!sbi) {
		ext2_unclaim(bdev);
		return -ENOMEM;
	}
	sbi->bdev = bdev;
	mutex_init(&sbi->s_lock, "ext2_s_lock");
	mutex_init(&sbi->s_sync_lock, "ext2_s_sync_lock");
	spin_lock_init(&sbi->dirty_lock, "ext2_dirty");
	INIT_LIST_HEAD(&sbi->dirty_inodes);
	sb->s_fs_info = sbi;
	strlcpy(sb->s_id, bdev->name, sizeof(sb->s_id));

	/* The superblock: 1024 bytes at byte 1024, read first as a 1 KiB block. */
	if ((err = bread(bdev, 1, 1024, &sbi->sbh)))
		goto fail;
	sbi->es = sbi->sbh->b_data;
	if ((err = ext2_check_super(sb, sbi)))
		goto fail;
	if (sbi->block_size != 1024) { /* again, inside the first block of the real size */
		brelse(sbi->sbh);
		sbi->sbh = NULL;
		if ((err = bread(bdev, 0, sbi->block_size, &sbi->sbh)))
			goto fail;
		sbi->es = (struct ext2_super_block *)((char *)sbi->sbh->b_data + EXT2_SB_OFFSET);
		if ((err = ext2_check_super(sb, sbi)))
			goto fail;
	}
	if ((err = ext2_read_groups(sb, sbi)))
		goto fail;
	last = sbi->es->s_mtime > sbi->es->s_wtime ? sbi->es->s_mtime : sbi->es->s_wtime;
	ext2_clock_seen(last);
	/* Files up to what the block map reaches (and 2 GiB without large_file). */
	{
		uint64_t apb = sbi->addr_per_block;
		uint64_t blocks = EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb;

		sb->s_maxbytes = blocks * sbi->block_size;
		if (sb->s_maxbytes > (1ull << 41))
			sb->s_maxbytes = 1ull << 41; /* i_blocks counts 512-byte units in 32 bits */
		if (!(sbi->es->s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE))
			sb->s_maxbytes = MIN(sb->s_maxbytes, 0x7fffffffull);
	}
	sb->s_op = &ext2_sops;
	if (sbi->ro_features && !(sb->s_flags & SB_RDONLY)) {
		pr_err("ext2 %s: unknown read-only features %#x: mount with -o ro\n", sb->s_id,
		       sbi->es->s_feature_ro_compat & ~EXT2_RO_COMPAT_SUPP);
		err = -EROFS;
		goto fail;
	}
	root = ext2_iget(sb, EXT2_ROOT_INO, &err);
	if (!root)
		goto fail;
	if (!S_ISDIR(root->i_mode)) {
		err = ext2_error(sb, "the root inode is not a directory (mode %o)", root->i_mode);
		iput(root);
		goto fail;
	}
	if (!(sb->s_root = d_make_root(root))) {
		iput(root);
		err = -ENOMEM;
		goto fail;
	}
	if (!(sb->s_flags & SB_RDONLY) && (err = ext2_setup_rw(sb))) {
		dput(sb->s_root); /* mount_fs's caller sees no root: we free it here */
		sb->s_root = NULL;
		goto fail;
	}
	pr_info("ext2 %s: mounted %s: %u blocks of %u bytes, %u inodes, %u groups\n", sb->s_id,
		sb->s_flags & SB_RDONLY ? "read-only" : "read-write", sbi->blocks_count,
		sbi->block_size, sbi->inodes_count, sbi->groups_count);
	bdi_register(&sbi->bdi, sb->s_id, sb, ext2_bdi_writeback);
	return 0;
fail:
	sb->s_op = NULL;
	sb->s_fs_info = NULL;
	ext2_release(sbi);
	return err;
}

static struct file_system_type ext2_type = {
	.name = "ext2",
	.fill_super = ext2_fill_super,
};

/* Registers the ext2 type. Boot, once (vfs_init). */
void init_ext2(void)
{
	register_filesystem(&ext2_type);
}
