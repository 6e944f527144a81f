/*
 * ext2 block allocation: each group has a block bitmap (one block; bit i set = the group's
 * block i is in use, bit 0 of byte 0 first). Its descriptor counts the free blocks; the
 * superblock's total is their sum, copied at sync (super.c). Blocks past the end of the last
 * group are marked in use by mke2fs, and so are the group's own metadata blocks.
 *
 * Locking: sbi->s_lock around every bitmap and counter change; it is taken inside the VFS's
 * inode locks and around no other ext2 lock (the buffer cache's locks come after it).
 */
#include "fs/ext2/ext2.h"
#include "lib/errno.h"

static bool test_bit_le(const uint8_t *map, uint32_t bit)
{
	return map[bit >> 3] & (1u << (bit & 7));
}

/* The first clear bit in [start, nbits), or nbits. */
static uint32_t find_zero_bit(const uint8_t *map, uint32_t nbits, uint32_t start)
{
	for (uint32_t bit = start; bit < nbits; bit++) {
		if ((bit & 7) == 0 && map[bit >> 3] == 0xff && bit + 8 <= nbits) {
			bit += 7; /* a full byte: skip it */
			continue;
		}
		if (!test_bit_le(map, bit))
			return bit;
	}
	return nbits;
}

/* True when block is one of group g's bitmaps or inode-table blocks (never handed out). */
static bool is_group_metadata(struct ext2_sb_info *sbi, struct ext2_group_desc *gd, uint32_t block)
{
	uint32_t itb =
		(sbi->inodes_per_group * sbi->inode_size + sbi->block_size - 1) / sbi->block_size;

	return block == gd->bg_block_bitmap || block == gd->bg_inode_bitmap ||
	       (block >= gd->bg_inode_table && block < gd->bg_inode_table + itb);
}

static uint32_t blocks_in_group(struct ext2_sb_info *sbi, uint32_t g)
{
	uint32_t first = ext2_group_first_block(sbi, g);

	return MIN(sbi->blocks_per_group, sbi->blocks_count - first);
}

/*
 * Allocates a free data block, the first at or after goal in goal's group, else the first free one
 * in the groups after it: marks it in the bitmap, counts it in its group, and returns it in *out
 * (its contents are whatever the disk holds). 0, -ENOSPC, -EUCLEAN (a bitmap disagreeing with its
 * count), or -EIO. Takes sbi->s_lock; may sleep (reads the bitmap).
 */
int ext2_new_block(struct super_block *sb, uint32_t goal, uint32_t *out)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	uint32_t g0;
	int err = -ENOSPC;

	if (!ext2_block_ok(sbi, goal))
		goal = sbi->first_data_block;
	g0 = (goal - sbi->first_data_block) / sbi->blocks_per_group;
	mutex_lock(&sbi->s_lock);
	for (uint32_t i = 0; i < sbi->groups_count; i++) {
		uint32_t g = (g0 + i) % sbi->groups_count, first = ext2_group_first_block(sbi, g);
		uint32_t nbits = blocks_in_group(sbi, g), bit;
		struct buffer_head *gbh, *bh;
		struct ext2_group_desc *gd = ext2_group_desc(sbi, g, &gbh);
		int e;

		if (!gd->bg_free_blocks_count)
			continue;
		if ((e = ext2_bread(sb, gd->bg_block_bitmap, &bh))) {
			err = e;
			break;
		}
		bit = find_zero_bit(bh->b_data, nbits, i == 0 ? goal - first : 0);
		if (bit == nbits && i == 0)
			bit = find_zero_bit(bh->b_data, nbits, 0);
		if (bit == nbits) {
			brelse(bh);
			err = ext2_error(sb, "group %u: %u free blocks counted, none in the bitmap",
					 g, gd->bg_free_blocks_count);
			break;
		}
		if (is_group_metadata(sbi, gd, first + bit)) {
			brelse(bh);
			err = ext2_error(sb, "group %u: bitmap says its metadata block %u is free",
					 g, first + bit);
			break;
		}
		((uint8_t *)bh->b_data)[bit >> 3] |= (uint8_t)(1u << (bit & 7));
		mark_buffer_dirty(bh);
		brelse(bh);
		gd->bg_free_blocks_count--;
		mark_buffer_dirty(gbh);
		*out = first + bit;
		err = 0;
		break;
	}
	mutex_unlock(&sbi->s_lock);
	return err;
}

/*
 * Frees count blocks from block on, in the bitmaps and the groups' counts. A block out of range,
 * the groups' own metadata, or already free is refused with a message (-EUCLEAN) and the others
 * still go. Returns 0 or the last error. Takes sbi->s_lock; may sleep.
 */
int ext2_free_blocks(struct super_block *sb, uint32_t block, uint32_t count)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	int err = 0;

	mutex_lock(&sbi->s_lock);
	for (uint32_t b = block; b < block + count; b++) {
		uint32_t g, bit;
		struct buffer_head *gbh, *bh;
		struct ext2_group_desc *gd;
		uint8_t *map;
		int e;

		if (!ext2_block_ok(sbi, b)) {
			err = ext2_error(sb, "freeing block %u: out of range", b);
			continue;
		}
		g = (b - sbi->first_data_block) / sbi->blocks_per_group;
		bit = (b - sbi->first_data_block) % sbi->blocks_per_group;
		gd = ext2_group_desc(sbi, g, &gbh);
		if (is_group_metadata(sbi, gd, b)) {
			err = ext2_error(sb, "freeing block %u: it is group %u's metadata", b, g);
			continue;
		}
		if ((e = ext2_bread(sb, gd->bg_block_bitmap, &bh))) {
			err = e;
			continue;
		}
		map = bh->b_data;
		if (!test_bit_le(map, bit)) {
			err = ext2_error(sb, "freeing block %u: already free", b);
		} else {
			map[bit >> 3] &= (uint8_t) ~(1u << (bit & 7));
			mark_buffer_dirty(bh);
			gd->bg_free_blocks_count++;
			mark_buffer_dirty(gbh);
		}
		brelse(bh);
	}
	mutex_unlock(&sbi->s_lock);
	return err;
}

/*
 * The free blocks of all groups, summed from their descriptors without s_lock (for statfs: a
 * moment old).
 */
uint32_t ext2_count_free_blocks(struct super_block *sb)
{
	struct ext2_sb_info *sbi = EXT2_SB(sb);
	uint32_t n = 0;

	for (uint32_t g = 0; g < sbi->groups_count; g++)
		n += ext2_group_desc(sbi, g, NULL)->bg_free_blocks_count;
	return n;
}
