/*
 * ext2: the second extended file system, revision 1, as `mke2fs -t ext2` makes it. This header
 * has the on-disk structures (all little-endian, as x86 is: the fields are read directly), the
 * in-memory superblock and inode information, and the functions the files of fs/ext2/ share:
 *
 *	super.c   mount (checks, the group descriptors), statfs, sync_fs, remount, put_super,
 *		  ext2_error
 *	balloc.c  the block bitmaps: ext2_new_block, ext2_free_blocks
 *	ialloc.c  the inode bitmaps: ext2_new_inode, ext2_free_inode
 *	inode.c   inodes on disk (ext2_iget, ext2_write_inode), the block map (ext2_get_block),
 *		  truncate, evict, the dirty-inode list and its sync pass, the time stamps
 *	dir.c     directory blocks: find, add and remove entries, readdir
 *	namei.c   lookup, create, mkdir, unlink, rmdir, rename
 *	file.c    read and write through the page cache; readpage, writepage, setsize, fsync
 *
 * The disk, in blocks of 1, 2 or 4 KiB (s_log_block_size 0, 1, 2):
 *
 *	[boot 1 KiB][superblock 1 KiB] ... then block groups of s_blocks_per_group blocks:
 *	group g:  [sb copy][group descriptors][reserved GDT] [block bitmap][inode bitmap]
 *		  [inode table: s_inodes_per_group inodes of s_inode_size bytes][data blocks...]
 *
 * The superblock sits at byte 1024 whatever the block size (block 1 with 1 KiB blocks, inside
 * block 0 with bigger ones: s_first_data_block says which). With sparse_super, only groups 0,
 * 1 and powers of 3, 5 and 7 hold copies of the superblock and descriptors. Inode n (from 1)
 * lives in group (n - 1) / s_inodes_per_group at index (n - 1) % s_inodes_per_group of that
 * group's table; inode 2 is the root directory, inodes below s_first_ino are reserved.
 */
#ifndef FS_EXT2_EXT2_H
#define FS_EXT2_EXT2_H

#include <stdint.h>
#include <stdbool.h>
#include "fs/fs.h"
#include "block/blkdev.h"
#include "block/buffer.h"
#include "mm/backing-dev.h"
#include "kernel/locking/mutex.h"
#include "kernel/locking/spinlock.h"
#include "kernel/printk.h"
#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/list.h"

typedef uint16_t le16; /* little-endian on disk; x86 reads them as they are */
typedef uint32_t le32;

#define EXT2_SUPER_MAGIC	0xEF53
#define EXT2_SB_OFFSET		1024 /* bytes from the start of the disk */
#define EXT2_ROOT_INO		2
#define EXT2_GOOD_OLD_REV	0 /* revision 0: 128-byte inodes, first inode 11, no features */
#define EXT2_DYNAMIC_REV	1
#define EXT2_GOOD_OLD_ISIZE	128
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_NDIR_BLOCKS	12 /* i_block[0..11] point at data */
#define EXT2_IND_BLOCK		12 /* i_block[12]: a block of pointers */
#define EXT2_DIND_BLOCK		13 /* i_block[13]: pointers to pointer blocks */
#define EXT2_TIND_BLOCK		14 /* i_block[14]: three levels */
#define EXT2_N_BLOCKS		15

/* s_state */
#define EXT2_VALID_FS 0x1 /* cleanly unmounted */
#define EXT2_ERROR_FS 0x2 /* errors detected */

/* Features. COMPAT: a kernel that does not know one may mount anyway. RO_COMPAT: it may only
   read. INCOMPAT: it must not mount at all. */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC    0x0001
#define EXT2_FEATURE_COMPAT_EXT_ATTR	    0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE    0x0010 /* inode 7 reserves GDT blocks: we leave it */
#define EXT2_FEATURE_COMPAT_DIR_INDEX	    0x0020 /* hashed directories: we read them linearly */
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE   0x0002 /* i_size_high used: files over 2 GiB */
#define EXT2_FEATURE_INCOMPAT_FILETYPE	    0x0002 /* directory entries carry the file type */
#define EXT2_RO_COMPAT_SUPP                                                                        \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)
#define EXT2_INCOMPAT_SUPP EXT2_FEATURE_INCOMPAT_FILETYPE

struct ext2_super_block {
	le32 s_inodes_count;
	le32 s_blocks_count;
	le32 s_r_blocks_count; /* reserved for root */
	le32 s_free_blocks_count;
	le32 s_free_inodes_count;
	le32 s_first_data_block; /* the block holding the superblock: 1 for 1 KiB blocks, else 0 */
	le32 s_log_block_size;	 /* block size = 1024 << this */
	le32 s_log_frag_size;
	le32 s_blocks_per_group;
	le32 s_frags_per_group;
	le32 s_inodes_per_group;
	le32 s_mtime; /* last mount, seconds since 1970 */
	le32 s_wtime; /* last write */
	le16 s_mnt_count;
	int16_t s_max_mnt_count;
	le16 s_magic;
	le16 s_state; /* EXT2_VALID_FS, EXT2_ERROR_FS */
	le16 s_errors;
	le16 s_minor_rev_level;
	le32 s_lastcheck;
	le32 s_checkinterval;
	le32 s_creator_os;
	le32 s_rev_level;
	le16 s_def_resuid;
	le16 s_def_resgid;
	/* revision 1 only: */
	le32 s_first_ino;
	le16 s_inode_size;
	le16 s_block_group_nr;
	le32 s_feature_compat;
	le32 s_feature_incompat;
	le32 s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	le32 s_algorithm_usage_bitmap;
	uint8_t s_rest[1024 - 204]; /* journal, hash seed, extra isize...: kept as they are */
};
BUILD_BUG_ON(sizeof(struct ext2_super_block) != 1024);
BUILD_BUG_ON(offsetof(struct ext2_super_block, s_magic) != 56);
BUILD_BUG_ON(offsetof(struct ext2_super_block, s_first_ino) != 84);

/* One per block group, in the blocks after the superblock. */
struct ext2_group_desc {
	le32 bg_block_bitmap; /* block numbers */
	le32 bg_inode_bitmap;
	le32 bg_inode_table;
	le16 bg_free_blocks_count;
	le16 bg_free_inodes_count;
	le16 bg_used_dirs_count;
	le16 bg_pad;
	le32 bg_reserved[3];
};
BUILD_BUG_ON(sizeof(struct ext2_group_desc) != 32);

/* The first 128 bytes of an inode; s_inode_size may be larger (256 from mke2fs). */
struct ext2_inode {
	le16 i_mode;
	le16 i_uid;
	le32 i_size; /* low 32 bits */
	le32 i_atime;
	le32 i_ctime;
	le32 i_mtime;
	le32 i_dtime; /* deletion time: non-zero on a freed inode */
	le16 i_gid;
	le16 i_links_count;
	le32 i_blocks; /* 512-byte units held: data, pointer blocks, the xattr block */
	le32 i_flags;
	le32 i_osd1;
	le32 i_block[EXT2_N_BLOCKS];
	le32 i_generation;
	le32 i_file_acl;  /* the extended-attribute block, or 0 */
	le32 i_size_high; /* regular files (large_file): high 32 bits of the size */
	le32 i_faddr;
	uint8_t i_frag, i_fsize;
	le16 i_pad1;
	le16 i_uid_high;
	le16 i_gid_high;
	le32 i_reserved2;
	/* 256-byte inodes: */
	le16 i_extra_isize;
	le16 i_pad2;
};
BUILD_BUG_ON(offsetof(struct ext2_inode, i_extra_isize) != 128);

#define EXT2_INDEX_FL 0x00001000 /* a hashed directory (dir_index): cleared when we change it */

/* A directory entry: entries fill each directory block, and never cross a block's end. */
struct ext2_dir_entry {
	le32 inode;   /* 0: an unused entry */
	le16 rec_len; /* bytes to the next entry: the name, padding, and any free space after */
	uint8_t name_len;
	uint8_t file_type; /* EXT2_FT_* (the filetype feature) */
	char name[];	   /* name_len bytes, no NUL */
};
#define EXT2_FT_UNKNOWN	 0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR	 2
/* The room an entry with a name of len bytes needs: 8 bytes of header, the name, rounded to 4. */
#define EXT2_DIR_REC_LEN(len) ((8 + (len) + 3) & ~3u)

/* The extended-attribute block's header: its magic and how many inodes share it. */
#define EXT2_XATTR_MAGIC 0xEA020000

/* ---- in memory ---- */

struct ext2_sb_info {
	struct block_device *bdev;
	struct buffer_head *sbh;     /* the buffer holding the superblock */
	struct ext2_super_block *es; /* inside sbh->b_data */
	struct buffer_head **gd_bh;  /* the group descriptor blocks */
	uint32_t block_size;	     /* bytes */
	uint32_t addr_per_block;     /* block pointers in one block */
	uint32_t blocks_count, inodes_count, first_data_block;
	uint32_t blocks_per_group, inodes_per_group, groups_count;
	uint32_t inode_size, first_ino, desc_per_block, gdb_count;
	uint16_t mount_state; /* s_state as found: written back at a clean unmount */
	bool ro_features;     /* an unknown RO_COMPAT feature: never writable */
	/*
	 * s_lock: the bitmaps, the free counts of the group descriptors and of the superblock,
	 * the used-directory counts. Taken inside every VFS lock, and around no other ext2 lock.
	 */
	struct mutex s_lock;
	/*
	 * s_sync_lock: one sync pass at a time (sync, the flusher, remount,ro, unmount). A pass
	 * takes each inode off dirty_inodes before it writes it, so a second pass running at the
	 * same time would not see that inode and could return before its pages reach the disk.
	 */
	struct mutex s_sync_lock;
	/* The inodes with dirty pages or metadata (ext2_inode_info.i_dirty); a spinlock. */
	spinlock_t dirty_lock;
	struct list_head dirty_inodes;
	/* The device as writeback sees it: dirty page counts, the flusher's call (super.c). */
	struct backing_dev_info bdi;
};

/* What ext2 keeps per inode, beside the VFS inode (inode->i_private). */
struct ext2_inode_info {
	struct inode *vfs_inode;
	uint32_t i_data[EXT2_N_BLOCKS]; /* the block map: 12 direct, 3 indirect roots */
	uint32_t i_flags, i_file_acl, i_dtime, i_generation, i_atime;
	uint32_t i_uid, i_gid;
	uint64_t i_blocks;	/* 512-byte units */
	uint32_t i_block_group; /* where the inode lives: allocation starts near it */
	uint32_t i_last_alloc;	/* the last data block given to it: the next goal is after it */
	bool i_on_dirty_list;	/* under dirty_lock */
	struct list_head i_dirty;
};

static inline struct ext2_sb_info *EXT2_SB(struct super_block *sb)
{
	return sb->s_fs_info;
}

static inline struct ext2_inode_info *EXT2_I(struct inode *inode)
{
	return inode->i_private;
}

/* The descriptor of group g (its buffer stays referenced while mounted). */
static inline struct ext2_group_desc *ext2_group_desc(struct ext2_sb_info *sbi, uint32_t g,
						      struct buffer_head **bhp)
{
	struct buffer_head *bh = sbi->gd_bh[g / sbi->desc_per_block];

	if (bhp)
		*bhp = bh;
	return (struct ext2_group_desc *)bh->b_data + g % sbi->desc_per_block;
}

/* The first block of group g. */
static inline uint32_t ext2_group_first_block(struct ext2_sb_info *sbi, uint32_t g)
{
	return sbi->first_data_block + g * sbi->blocks_per_group;
}

/* True when block may hold data or metadata: inside the file system, past the superblock. */
static inline bool ext2_block_ok(struct ext2_sb_info *sbi, uint64_t block)
{
	return block >= sbi->first_data_block + 1 && block < sbi->blocks_count;
}

/* super.c */
int ext2_error(struct super_block *sb, const char *fmt, ...) __printf(2, 3);

/*
 * bread of one file system block (Linux's ext2 calls sb_bread): a block past the end is
 * corruption (EUCLEAN, with a message), an I/O error is named. 0 or a negative errno.
 */
static inline int ext2_bread(struct super_block *sb, uint32_t block, struct buffer_head **bhp)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	int err;

	if (block >= sbi->blocks_count)
		return ext2_error(sb, "block %u is past the end (%u blocks)", block,
				  sbi->blocks_count);
	err = bread(sbi->bdev, block, sbi->block_size, bhp);
	if (err == -EIO)
		pr_err("ext2 %s: I/O error reading block %u\n", sb->s_id, block);
	return err;
}

/* file.c */
int ext2_sync_inode(struct inode *inode);
/* A window for the tests: a sync pass that took an inode off the dirty list counts itself in
   ext2_sync_delayed and sleeps ext2_sync_delay_ms before it writes the inode (0: no sleep). */
extern unsigned int ext2_sync_delay_ms, ext2_sync_delayed;

/* balloc.c, ialloc.c: under sbi->s_lock inside. */
int ext2_new_block(struct super_block *sb, uint32_t goal, uint32_t *out);
int ext2_free_blocks(struct super_block *sb, uint32_t block, uint32_t count);
uint32_t ext2_count_free_blocks(struct super_block *sb);
struct inode *ext2_new_inode(struct inode *dir, umode_t mode, int *err);
int ext2_free_inode(struct inode *inode);

/* inode.c */
uint32_t ext2_now(void);	     /* seconds for the time stamps */
void ext2_clock_seen(uint32_t last); /* a mounted disk's last write time */
void ext2_mark_inode_dirty(struct inode *inode);
void ext2_forget_dirty(struct inode *inode);
/* One sync pass: writes every inode on the dirty list (sync_fs, unmount, remount,ro). */
int ext2_sync_inodes(struct super_block *sb);
struct inode *ext2_iget(struct super_block *sb, uint32_t ino, int *err);
int ext2_write_inode(struct inode *inode);
int ext2_get_block(struct inode *inode, uint64_t iblock, bool create, uint32_t *out);
int ext2_truncate_blocks(struct inode *inode, uint64_t first);
void ext2_evict_inode(struct inode *inode);
void ext2_set_ops(struct inode *inode);

/* dir.c */
int ext2_find_entry(struct inode *dir, const char *name, unsigned int len, uint32_t *ino);
int ext2_add_link(struct inode *dir, const char *name, unsigned int len, struct inode *inode);
int ext2_delete_entry(struct inode *dir, const char *name, unsigned int len);
int ext2_set_link(struct inode *dir, const char *name, unsigned int len, struct inode *inode);
int ext2_make_empty(struct inode *inode, struct inode *parent);
int ext2_empty_dir(struct inode *inode);
int ext2_readdir(struct file *f, struct dir_context *ctx);

/* namei.c, file.c */
extern const struct inode_operations ext2_dir_iops, ext2_file_iops, ext2_special_iops;
extern const struct file_operations ext2_dir_fops, ext2_file_fops;
extern const struct address_space_operations ext2_aops;

void init_ext2(void);

#endif
