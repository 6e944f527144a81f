/*
 * The block layer: disks by name ("vda", "vdb"), read and write in 512-byte sectors, flush, and
 * per-device I/O counters (`iostat`).
 *
 * A driver (drivers/virtio_blk.c) fills a struct block_device with the disk's size and its
 * operations and registers it; a file system (fs/, later ext2) finds it by name and calls
 * blk_read/blk_write/blk_flush, which check the request (range, read-only, buffer), split it
 * into requests the driver accepts, count them, and call the driver. Every call sleeps until the
 * device is done: there is no request queue or I/O scheduler between, the driver's own ring is
 * the queue. Metadata goes through the buffer cache (block/buffer.h) on top of these calls.
 *
 * blk_writev takes its data in pieces (a struct blk_vec each: one page of a file, say) that
 * lie one after the other on the disk but anywhere in memory, and moves them in as few
 * requests as the driver allows (max_segs pieces, max_sectors in all): writeback puts a run of
 * dirty pages on the disk in one request, as Linux's mpage_writepages builds one bio for them.
 *
 *	struct block_device *bdev = blk_get_by_name("vda");
 *	char *buf = kmalloc(4096);
 *	int err = blk_read(bdev, 0, 8, buf);	     sectors 0-7
 *
 * Buffers: the device reads and writes memory by physical address (DMA), so a buffer must be
 * physically contiguous: in the direct map (kmalloc, alloc_pages + page_address) or in the
 * kernel image. A kernel stack is neither (stacks are vmap'd with a guard page below): such a
 * buffer gets -EINVAL instead of a device writing to the wrong frames.
 *
 * Devices are registered at boot and never removed, so a pointer from blk_get_by_name stays
 * valid. blkdev_lock (block/blkdev.c) guards the list; the counters are atomic.
 */
#ifndef BLOCK_BLKDEV_H
#define BLOCK_BLKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/atomic.h"
#include "lib/list.h"

#define SECTOR_SIZE   512
#define SECTOR_SHIFT  9
#define BDEV_NAME_LEN 8

#define BLK_MAX_SEGS 64 /* pieces of data per request, at most (max_segs) */

enum blk_op { BLK_OP_READ, BLK_OP_WRITE };

/* A piece of a request's data: count sectors at buf, physically contiguous (see "Buffers"). */
struct blk_vec {
	void *buf;
	uint32_t count;
};

struct block_device;

struct block_device_ops {
	/* One request: moves the pieces vec[0..nr) between memory and the device from sector on
	   (nr 1..max_segs, each piece 1..max_seg_sectors, all together at most max_sectors and in
	   range: the block layer checked). Sleeps until done. 0, -EIO, or another negative
	   errno. */
	int (*rw)(struct block_device *bdev, enum blk_op op, uint64_t sector,
		  const struct blk_vec *vec, unsigned int nr);
	/* Makes every completed write durable (the device's write cache flushed); NULL when the
	   device has no volatile cache. */
	int (*flush)(struct block_device *bdev);
};

/* I/O counters, for iostat. *_ns is time from a request's submission to its completion. */
struct blk_stats {
	atomic64_t reads, writes, flushes; /* requests completed (after the split) */
	atomic64_t sectors_read, sectors_written;
	atomic64_t read_ns, write_ns, flush_ns;
	atomic64_t errors;
};

struct block_device {
	char name[BDEV_NAME_LEN];
	uint64_t nr_sectors;	     /* capacity, in 512-byte sectors */
	uint32_t max_sectors;	     /* the largest request the driver takes */
	uint32_t max_segs;	     /* pieces of data per request (1..BLK_MAX_SEGS) */
	uint32_t max_seg_sectors;    /* the largest piece */
	uint32_t logical_block_size; /* the device's unit of access (512 or more) */
	bool read_only;
	const struct block_device_ops *ops;
	void *private; /* the driver's */
	struct blk_stats stats;
	struct list_head node; /* in the list of block devices */
};

/*
 * Makes bdev known by its name. The driver filled name (blk_alloc_name helps), nr_sectors,
 * max_sectors, ops, and may fill max_segs and max_seg_sectors (default: one piece of up to
 * max_sectors). Returns 0, -EINVAL (no name, no ops, no size) or -EEXIST.
 */
int blk_register(struct block_device *bdev);
/* Writes the first free name prefix + "a", "b", ... ("vda", "vdb") into name. */
void blk_alloc_name(const char *prefix, char name[BDEV_NAME_LEN]);
/* The device with this name, or NULL. */
struct block_device *blk_get_by_name(const char *name);
/* The devices in registration order: NULL gives the first, NULL follows the last. */
struct block_device *blk_next(struct block_device *prev);

/*
 * count sectors from sector. 0, or -EINVAL (count 0, the range past the end, a buffer the
 * device cannot reach), -EROFS (a write to a read-only device), -EIO.
 */
int blk_read(struct block_device *bdev, uint64_t sector, uint32_t count, void *buf);
int blk_write(struct block_device *bdev, uint64_t sector, uint32_t count, const void *buf);
/*
 * Writes the pieces vec[0..nr) to the sectors from sector on, one piece after the other, in as
 * few requests as the device takes (neighbours in memory are joined). 0, or -EINVAL (nr 0, a
 * piece of 0 sectors or one the device cannot reach, the range past the end), -EROFS, -EIO;
 * after an error some of the pieces may have been written.
 */
int blk_writev(struct block_device *bdev, uint64_t sector, const struct blk_vec *vec,
	       unsigned int nr);
/* 0 when the device has no write cache; else the driver's flush. */
int blk_flush(struct block_device *bdev);

/* True when the device can DMA to [buf, buf + len) (see "Buffers" above). */
bool blk_buffer_ok(const void *buf, size_t len);

#endif
