/*
 * ext2 directories: a directory's data is a list of entries packed into its blocks
 * (struct ext2_dir_entry: inode, rec_len, name_len, file_type, name). rec_len is the distance
 * to the next entry; the last entry of a block reaches the block's end, so an entry never
 * crosses a block. Removing an entry adds its rec_len to the one before it (or, first in its
 * block, sets its inode to 0); adding one uses an unused entry or splits an entry whose
 * rec_len is larger than its name needs. A new directory holds "." and "..".
 *
 * With dir_index, mke2fs or Linux may have hashed a large directory: its first block then
 * holds "." and a ".." entry covering the rest of the block (the tree hides in there), and its
 * other blocks are ordinary. Read linearly, it is a valid directory; when we change one we
 * clear EXT2_INDEX_FL, so e2fsck does not look for a hash tree we did not keep up to date.
 *
 * Directory blocks are metadata: they go through the buffer cache. Every entry is checked
 * before use (rec_len, name_len, inode range): a bad one is EUCLEAN with a message.
 *
 * Locking: the directory's i_rwsem, held by the VFS for writing around changes and taken
 * here for reading by readdir.
 */
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "lib/errno.h"
#include "lib/string.h"

/* Directory blocks in use: a directory's size is a whole number of blocks. */
static uint32_t dir_blocks(struct inode *dir)
{
	return (uint32_t)(dir->i_size / EXT2_SB(dir->i_sb)->block_size);
}

/* The buffer of directory block n, read. */
static int dir_bread(struct inode *dir, uint32_t n, struct buffer_head **bhp)
{
	uint32_t block;
	int err = ext2_get_block(dir, n, false, &block);

	if (err)
		return err;
	if (!block)
		return ext2_error(dir->i_sb, "directory %llu has a hole at block %u",
				  (unsigned long long)dir->i_ino, n);
	return ext2_bread(dir->i_sb, block, bhp);
}

/* The entry at off in block n, checked; NULL (and a message) when it is corrupt. */
static struct ext2_dir_entry *entry_at(struct inode *dir, struct buffer_head *bh, uint32_t n,
				       uint32_t off)
{
	struct ext2_sb_info *sbi = EXT2_SB(dir->i_sb);
	struct ext2_dir_entry *de = (void *)((char *)bh->b_data + off);
	const char *why = NULL;

	if (de->rec_len < EXT2_DIR_REC_LEN(1))
		why = "rec_len too small";
	else if (de->rec_len & 3)
		why = "rec_len not a multiple of 4";
	else if (off + de->rec_len > sbi->block_size)
		why = "entry crosses the block's end";
	else if (EXT2_DIR_REC_LEN(de->name_len) > de->rec_len)
		why = "name longer than the entry";
	else if (de->inode > sbi->inodes_count)
		why = "inode number out of range";
	if (!why)
		return de;
	ext2_error(dir->i_sb, "directory %llu block %u offset %u: bad entry (%s)",
		   (unsigned long long)dir->i_ino, n, off, why);
	return NULL;
}

/* Where an entry lives: block n's buffer (referenced), its offset, and the previous entry's. */
struct dir_pos {
	struct buffer_head *bh;
	uint32_t n, off;
	int prev; /* -1: first in its block */
};

/*
 * Walks the directory's entries in order and stops at the first live one that match accepts:
 * its position in *pos (the buffer referenced), and 0. -ENOENT when none does; -EUCLEAN (a bad
 * entry) or a read error stop the walk too.
 */
static int dir_walk(struct inode *dir,
		    bool (*match)(const struct ext2_dir_entry *de, const void *arg),
		    const void *arg, struct dir_pos *pos)
{
	uint32_t bs = EXT2_SB(dir->i_sb)->block_size, nblocks = dir_blocks(dir);

	for (uint32_t n = 0; n < nblocks; n++) {
		struct buffer_head *bh;
		int prev = -1, err = dir_bread(dir, n, &bh);

		if (err)
			return err;
		for (uint32_t off = 0; off < bs;) {
			struct ext2_dir_entry *de = entry_at(dir, bh, n, off);

			if (!de) {
				brelse(bh);
				return -EUCLEAN;
			}
			if (de->inode && match(de, arg)) {
				*pos = (struct dir_pos){bh, n, off, prev};
				return 0;
			}
			prev = (int)off;
			off += de->rec_len;
		}
		brelse(bh);
	}
	return -ENOENT;
}

struct dir_name {
	const char *name;
	unsigned int len;
};

static bool has_name(const struct ext2_dir_entry *de, const void *arg)
{
	const struct dir_name *want = arg;

	return de->name_len == want->len && !memcmp(de->name, want->name, want->len);
}

static int find_pos(struct inode *dir, const char *name, unsigned int len, struct dir_pos *pos)
{
	struct dir_name want = {name, len};

	return dir_walk(dir, has_name, &want, pos);
}

/*
 * Looks for name in directory dir: 0 with its inode number in *ino, -ENOENT when absent, -EUCLEAN
 * (a bad entry) or -EIO. dir's i_rwsem held; may sleep (reads the blocks).
 */
int ext2_find_entry(struct inode *dir, const char *name, unsigned int len, uint32_t *ino)
{
	struct dir_pos pos;
	int err = find_pos(dir, name, len, &pos);

	if (err)
		return err;
	*ino = ((struct ext2_dir_entry *)((char *)pos.bh->b_data + pos.off))->inode;
	brelse(pos.bh);
	return 0;
}

static uint8_t file_type(struct super_block *sb, umode_t mode)
{
	if (!(EXT2_SB(sb)->es->s_feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE))
		return EXT2_FT_UNKNOWN;
	if (S_ISDIR(mode))
		return EXT2_FT_DIR;
	if (S_ISREG(mode))
		return EXT2_FT_REG_FILE;
	switch (mode & S_IFMT) {
	case 0020000:
		return 3; /* character device */
	case 0060000:
		return 4; /* block device */
	case 0010000:
		return 5; /* fifo */
	case 0140000:
		return 6; /* socket */
	case 0120000:
		return 7; /* symlink */
	}
	return EXT2_FT_UNKNOWN;
}

/* The directory changed: times, no hash index any more, written at the next sync. */
static void dir_changed(struct inode *dir)
{
	dir->i_mtime_ns = dir->i_ctime_ns = current_time_ns();
	EXT2_I(dir)->i_flags &= ~EXT2_INDEX_FL;
	ext2_mark_inode_dirty(dir);
}

static void fill_entry(struct ext2_dir_entry *de, const char *name, unsigned int len,
		       struct inode *inode)
{
	de->inode = (le32)inode->i_ino;
	de->name_len = (uint8_t)len;
	de->file_type = file_type(inode->i_sb, inode->i_mode);
	memcpy(de->name, name, len);
}

/*
 * Adds the entry name -> inode to dir, in the first entry with room for it, or in a new block at
 * the end. 0, or -EEXIST, -ENOSPC, -EUCLEAN, -EIO. dir's i_rwsem held for writing; the caller
 * counts the link. May sleep.
 */
int ext2_add_link(struct inode *dir, const char *name, unsigned int len, struct inode *inode)
{
	struct ext2_sb_info *sbi = EXT2_SB(dir->i_sb);
	uint32_t bs = sbi->block_size, nblocks = dir_blocks(dir), need = EXT2_DIR_REC_LEN(len);
	struct buffer_head *bh = NULL;
	struct ext2_dir_entry *de = NULL;
	uint32_t block;
	int err;

	for (uint32_t n = 0; n < nblocks && !de; n++) {
		if ((err = dir_bread(dir, n, &bh)))
			return err;
		for (uint32_t off = 0; off < bs;) {
			struct ext2_dir_entry *e = entry_at(dir, bh, n, off);
			uint32_t used;

			if (!e) {
				brelse(bh);
				return -EUCLEAN;
			}
			if (e->inode && e->name_len == len && !memcmp(e->name, name, len)) {
				brelse(bh);
				return -EEXIST;
			}
			used = e->inode ? EXT2_DIR_REC_LEN(e->name_len) : 0;
			if (e->rec_len - used >= need) {
				de = e;
				break;
			}
			off += e->rec_len;
		}
		if (!de)
			brelse(bh);
	}
	if (!de) { /* a new block at the end, one empty entry spanning it */
		if ((err = ext2_get_block(dir, nblocks, true, &block)))
			return err;
		if ((err = ext2_bread(dir->i_sb, block, &bh))) /* zeroed in the cache by alloc */
			return err;
		de = bh->b_data;
		de->inode = 0;
		de->rec_len = (le16)bs;
		dir->i_size += bs;
	}
	if (de->inode) { /* split: the old entry keeps what its name needs */
		uint32_t used = EXT2_DIR_REC_LEN(de->name_len);
		struct ext2_dir_entry *next = (void *)((char *)de + used);

		next->rec_len = (le16)(de->rec_len - used);
		de->rec_len = (le16)used;
		de = next;
	}
	fill_entry(de, name, len, inode);
	mark_buffer_dirty(bh);
	brelse(bh);
	dir_changed(dir);
	return 0;
}

/*
 * Removes the entry name from dir (its space goes to the entry before it). 0, or -ENOENT,
 * -EUCLEAN, -EIO. dir's i_rwsem held for writing; the caller drops the link. May sleep.
 */
int ext2_delete_entry(struct inode *dir, const char *name, unsigned int len)
{
	struct dir_pos pos;
	struct ext2_dir_entry *de;
	int err = find_pos(dir, name, len, &pos);

	if (err)
		return err;
	de = (void *)((char *)pos.bh->b_data + pos.off);
	if (pos.prev >= 0) {
		struct ext2_dir_entry *prev = (void *)((char *)pos.bh->b_data + pos.prev);

		prev->rec_len = (le16)(prev->rec_len + de->rec_len);
	} else {
		de->inode = 0;
	}
	mark_buffer_dirty(pos.bh);
	brelse(pos.bh);
	dir_changed(dir);
	return 0;
}

/*
 * Points the entry name in dir at inode instead (rename over an existing name, and a moved
 * directory's ".."). 0, or -ENOENT, -EUCLEAN, -EIO. dir's i_rwsem held for writing. May sleep.
 */
int ext2_set_link(struct inode *dir, const char *name, unsigned int len, struct inode *inode)
{
	struct dir_pos pos;
	struct ext2_dir_entry *de;
	int err = find_pos(dir, name, len, &pos);

	if (err)
		return err;
	de = (void *)((char *)pos.bh->b_data + pos.off);
	de->inode = (le32)inode->i_ino;
	de->file_type = file_type(inode->i_sb, inode->i_mode);
	mark_buffer_dirty(pos.bh);
	brelse(pos.bh);
	dir_changed(dir);
	return 0;
}

/*
 * Writes the first block of the new directory inode: "." (itself) and ".." (parent). 0, or
 * -ENOSPC, -EIO. The new inode is not yet named, so nobody else sees it. May sleep.
 */
int ext2_make_empty(struct inode *inode, struct inode *parent)
{
	uint32_t bs = EXT2_SB(inode->i_sb)->block_size, block;
	struct ext2_dir_entry *de;
	struct buffer_head *bh;
	int err;

	if ((err = ext2_get_block(inode, 0, true, &block)))
		return err;
	if ((err = ext2_bread(inode->i_sb, block, &bh)))
		return err;
	de = bh->b_data;
	fill_entry(de, ".", 1, inode);
	de->rec_len = EXT2_DIR_REC_LEN(1);
	de = (void *)((char *)bh->b_data + EXT2_DIR_REC_LEN(1));
	fill_entry(de, "..", 2, parent);
	de->rec_len = (le16)(bs - EXT2_DIR_REC_LEN(1));
	mark_buffer_dirty(bh);
	brelse(bh);
	inode->i_size = bs;
	ext2_mark_inode_dirty(inode);
	return 0;
}

static bool not_a_dot(const struct ext2_dir_entry *de, const void *arg)
{
	(void)arg;
	return !(de->name_len == 1 && de->name[0] == '.') &&
	       !(de->name_len == 2 && de->name[0] == '.' && de->name[1] == '.');
}

/*
 * 1 if directory inode holds only "." and "..", 0 if not, or -EUCLEAN, -EIO. Its i_rwsem held. May
 * sleep.
 */
int ext2_empty_dir(struct inode *inode)
{
	struct dir_pos pos;
	int err = dir_walk(inode, not_a_dot, NULL, &pos);

	if (err == -ENOENT)
		return 1;
	if (err)
		return err;
	brelse(pos.bh);
	return 0;
}

static umode_t type_to_mode(uint8_t ft)
{
	return ft == EXT2_FT_DIR ? S_IFDIR : ft == EXT2_FT_REG_FILE ? S_IFREG : 0;
}

/*
 * readdir of an ext2 directory: calls ctx->actor for each entry in use from ctx->pos on, which is
 * the byte offset of the next entry in the directory. Takes the directory's i_rwsem for reading
 * (may sleep). 0, or -EUCLEAN, -EIO.
 */
int ext2_readdir(struct file *f, struct dir_context *ctx)
{
	struct inode *dir = f->f_inode;
	uint32_t bs = EXT2_SB(dir->i_sb)->block_size;
	int err = 0;

	down_read(&dir->i_rwsem);
	for (uint32_t n = (uint32_t)(ctx->pos / bs); n < dir_blocks(dir); n++) {
		struct buffer_head *bh;

		if ((err = dir_bread(dir, n, &bh)))
			break;
		/* From the block's start: an entry merged away since the last call moves none. */
		for (uint32_t off = 0; off < bs;) {
			struct ext2_dir_entry *de = entry_at(dir, bh, n, off);

			if (!de) {
				brelse(bh);
				up_read(&dir->i_rwsem);
				return -EUCLEAN;
			}
			if ((uint64_t)n * bs + off >= ctx->pos && de->inode) {
				if (!ctx->actor(ctx, de->name, de->name_len, de->inode,
						type_to_mode(de->file_type))) {
					brelse(bh);
					up_read(&dir->i_rwsem);
					return 0;
				}
			}
			off += de->rec_len;
			if ((uint64_t)n * bs + off > ctx->pos)
				ctx->pos = (uint64_t)n * bs + off;
		}
		brelse(bh);
	}
	up_read(&dir->i_rwsem);
	return err;
}
