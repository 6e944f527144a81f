/*
 * The buffer cache: blocks of a block device kept in memory, for a file system's metadata
 * (superblock, group descriptors, bitmaps, inode tables, directories). File data goes through
 * the page cache instead (mm/filemap.h). Names follow Linux's buffer heads.
 *
 *	struct buffer_head *bh;
 *	int err = bread(bdev, 1, 1024, &bh);	  block 1 of size 1024: bytes 1024-2047, read
 *	if (err) return err;			  -EINVAL, -ENOMEM, -EIO
 *	modify bh->b_data ...; mark_buffer_dirty(bh);
 *	sync_dirty_buffer(bh);			  optional: write it now
 *	brelse(bh);				  drop the reference
 *	sync_blockdev(bdev);			  write every dirty buffer of the device
 *
 * A buffer is found by (device, block number, size) and exists once: two breads of the same
 * block return the same buffer, with one reference each. A buffer nobody references stays
 * cached; a clean one sits on an LRU list that holds at most BCACHE_LRU_MAX buffers (the
 * oldest is freed when more arrive), a dirty one stays until written by sync. b_data must not
 * be changed while a sync writes it (the caller's own locking; ext2 will hold its lock).
 */
#ifndef BLOCK_BUFFER_H
#define BLOCK_BUFFER_H

#include <stdbool.h>
#include <stdint.h>
#include "block/blkdev.h"
#include "kernel/locking/mutex.h"
#include "lib/list.h"

#define BCACHE_LRU_MAX 256 /* clean unreferenced buffers kept */

struct buffer_head {
	struct block_device *b_bdev;
	uint64_t b_blocknr; /* in units of b_size */
	uint32_t b_size;    /* 512..4096, a power of two */
	void *b_data;	    /* b_size bytes from kmalloc: within one page, reachable by DMA */
	/* Under bcache_lock (block/buffer.c): */
	int b_count;		 /* references */
	bool b_dirty;		 /* b_data is newer than the disk */
	bool b_writing;		 /* a sync took b_dirty and is writing it (under b_io_lock) */
	unsigned int b_sync_gen; /* the last sync_blockdev pass that wrote it */
	struct list_head b_hash; /* in its hash bucket */
	struct list_head b_lru;	 /* on the LRU while clean and unreferenced, else empty */
	/* b_uptodate (b_data holds the disk's block) is set under b_io_lock, which serializes the
	   reads and writes of this buffer. */
	bool b_uptodate;
	struct mutex b_io_lock;
};

/* The buffer for the block, read from the disk unless cached. 0, -EINVAL (a size not a power
   of two in 512..4096, or a block past the end), -ENOMEM, -EIO. */
int bread(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **bhp);
/* The same without reading: for a block about to be overwritten whole. Not uptodate unless it
   was cached; set b_uptodate after filling it (with mark_buffer_dirty). */
int getblk(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **bhp);
/* Takes one more reference. */
void get_bh(struct buffer_head *bh);
/* Drops a reference; NULL is ignored. */
void brelse(struct buffer_head *bh);
void mark_buffer_dirty(struct buffer_head *bh);
/* The block was freed by its file system: its contents no longer matter. Waits for a write of
   it under way, forgets that it is dirty (so a later sync cannot write stale metadata over
   the block's next owner), and drops the caller's reference. NULL is ignored. */
void bforget(struct buffer_head *bh);
bool buffer_dirty(struct buffer_head *bh);
/* Writes the buffer if dirty, and waits. 0 or the error (the buffer stays dirty then). */
int sync_dirty_buffer(struct buffer_head *bh);
/* Writes every dirty buffer of the device, then flushes the device. 0 or the first error. */
int sync_blockdev(struct block_device *bdev);
/* Frees the device's clean unreferenced buffers (dirty or referenced ones stay). */
void invalidate_bdev(struct block_device *bdev);

struct bcache_stats {
	uint64_t buffers; /* in the cache, referenced or not */
	uint64_t lru;	  /* clean and unreferenced */
	uint64_t dirty;
	uint64_t hits, misses, evictions;
};
void bcache_get_stats(struct bcache_stats *s);

#endif
