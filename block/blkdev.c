/*
 * Block devices by name, request checks and splitting, I/O counters (see block/blkdev.h).
 *
 * blkdev_lock guards blkdev_list. Nothing else here takes a lock: the driver serializes its
 * ring, and the counters are atomic.
 */
#include "block/blkdev.h"
#include "kernel/printk.h"
#include "kernel/locking/spinlock.h"
#include "arch/x86_64/memlayout.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/string.h"

static LIST_HEAD(blkdev_list);
static DEFINE_SPINLOCK(blkdev_lock);

static struct block_device *find_locked(const char *name)
{
	struct block_device *b;

	list_for_each_entry(b, &blkdev_list, node)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

int blk_register(struct block_device *bdev)
{
	unsigned long flags;
	int err = 0;

	if (!bdev->name[0] || !bdev->ops || !bdev->ops->rw || !bdev->nr_sectors ||
	    !bdev->max_sectors)
		return -EINVAL;
	if (bdev->logical_block_size < SECTOR_SIZE)
		bdev->logical_block_size = SECTOR_SIZE;
	if (!bdev->max_segs)
		bdev->max_segs = 1;
	if (bdev->max_segs > BLK_MAX_SEGS)
		bdev->max_segs = BLK_MAX_SEGS;
	if (!bdev->max_seg_sectors || bdev->max_seg_sectors > bdev->max_sectors)
		bdev->max_seg_sectors = bdev->max_sectors;
	spin_lock_irqsave(&blkdev_lock, flags);
	if (find_locked(bdev->name))
		err = -EEXIST;
	else
		list_add_tail(&bdev->node, &blkdev_list);
	spin_unlock_irqrestore(&blkdev_lock, flags);
	if (!err)
		pr_info("block: %s: %llu sectors (%llu MiB)%s\n", bdev->name,
			(unsigned long long)bdev->nr_sectors,
			(unsigned long long)(bdev->nr_sectors >> (20 - SECTOR_SHIFT)),
			bdev->read_only ? ", read-only" : "");
	return err;
}

void blk_alloc_name(const char *prefix, char name[BDEV_NAME_LEN])
{
	unsigned long flags;
	size_t n = strlen(prefix);

	if (n > BDEV_NAME_LEN - 2)
		n = BDEV_NAME_LEN - 2;
	memcpy(name, prefix, n);
	name[n + 1] = 0;
	spin_lock_irqsave(&blkdev_lock, flags);
	for (char c = 'a'; c <= 'z'; c++) {
		name[n] = c;
		if (!find_locked(name))
			break;
	}
	spin_unlock_irqrestore(&blkdev_lock, flags);
}

struct block_device *blk_get_by_name(const char *name)
{
	struct block_device *b;
	unsigned long flags;

	spin_lock_irqsave(&blkdev_lock, flags);
	b = find_locked(name);
	spin_unlock_irqrestore(&blkdev_lock, flags);
	return b;
}

struct block_device *blk_next(struct block_device *prev)
{
	struct list_head *next;
	unsigned long flags;

	spin_lock_irqsave(&blkdev_lock, flags);
	next = prev ? prev->node.next : blkdev_list.next;
	spin_unlock_irqrestore(&blkdev_lock, flags);
	return next == &blkdev_list ? NULL : list_entry(next, struct block_device, node);
}

bool blk_buffer_ok(const void *buf, size_t len)
{
	uint64_t a = (uint64_t)buf;

	if (!buf || a + len < a)
		return false;
	if (a >= KERNEL_VMA)
		return true; /* the image: linear, like the direct map */
	return a >= DIRECT_MAP_BASE && a + len <= DIRECT_MAP_BASE + DIRECT_MAP_SIZE;
}

/* The whole of vec: pieces the device can reach, the range on the disk. */
static int blk_check(struct block_device *bdev, uint64_t sector, const struct blk_vec *vec,
		     unsigned int nr)
{
	uint64_t total = 0;

	if (!bdev || nr == 0)
		return -EINVAL;
	for (unsigned int i = 0; i < nr; i++) {
		if (vec[i].count == 0 ||
		    !blk_buffer_ok(vec[i].buf, (size_t)vec[i].count << SECTOR_SHIFT))
			return -EINVAL;
		total += vec[i].count;
	}
	if (sector >= bdev->nr_sectors || total > bdev->nr_sectors - sector)
		return -EINVAL;
	return 0;
}

/* Where blk_rw is in the caller's vec: piece i, off sectors into it. */
struct vec_cursor {
	const struct blk_vec *vec;
	unsigned int nr, i;
	uint32_t off;
};

/* Fills req with the next request's pieces (the device's limits; a piece that continues the
   previous one in memory joins it). Returns their count, *sectors their sectors. */
static unsigned int next_request(struct block_device *bdev, struct vec_cursor *c,
				 struct blk_vec *req, uint32_t *sectors)
{
	unsigned int n = 0;
	uint32_t total = 0;

	while (c->i < c->nr && total < bdev->max_sectors) {
		char *buf = (char *)c->vec[c->i].buf + ((size_t)c->off << SECTOR_SHIFT);
		uint32_t left = c->vec[c->i].count - c->off, take;
		struct blk_vec *prev = n ? &req[n - 1] : NULL;

		if (prev && (char *)prev->buf + ((size_t)prev->count << SECTOR_SHIFT) == buf &&
		    prev->count < bdev->max_seg_sectors) {
			take = bdev->max_seg_sectors - prev->count;
		} else {
			if (n == bdev->max_segs)
				break;
			prev = &req[n++];
			*prev = (struct blk_vec){buf, 0};
			take = bdev->max_seg_sectors;
		}
		take = take < left ? take : left;
		if (take > bdev->max_sectors - total)
			take = bdev->max_sectors - total;
		prev->count += take;
		total += take;
		c->off += take;
		if (c->off == c->vec[c->i].count) {
			c->i++;
			c->off = 0;
		}
	}
	*sectors = total;
	return n;
}

/* Splits into requests within the device's limits, counting and timing each. */
static int blk_rw(struct block_device *bdev, enum blk_op op, uint64_t sector,
		  const struct blk_vec *vec, unsigned int nr)
{
	struct blk_stats *s = &bdev->stats;
	struct vec_cursor c = {vec, nr, 0, 0};
	struct blk_vec req[BLK_MAX_SEGS];
	int err = blk_check(bdev, sector, vec, nr);

	if (err)
		return err;
	if (op == BLK_OP_WRITE && bdev->read_only)
		return -EROFS;
	while (c.i < c.nr) {
		uint32_t n;
		unsigned int segs = next_request(bdev, &c, req, &n);
		uint64_t t0 = ktime_ns();

		err = bdev->ops->rw(bdev, op, sector, req, segs);
		if (err) {
			atomic64_inc(&s->errors);
			return err;
		}
		if (op == BLK_OP_READ) {
			atomic64_inc(&s->reads);
			atomic64_add_return(n, &s->sectors_read);
			atomic64_add_return((int64_t)(ktime_ns() - t0), &s->read_ns);
		} else {
			atomic64_inc(&s->writes);
			atomic64_add_return(n, &s->sectors_written);
			atomic64_add_return((int64_t)(ktime_ns() - t0), &s->write_ns);
		}
		sector += n;
	}
	return 0;
}

int blk_read(struct block_device *bdev, uint64_t sector, uint32_t count, void *buf)
{
	struct blk_vec v = {buf, count};

	return blk_rw(bdev, BLK_OP_READ, sector, &v, 1);
}

int blk_write(struct block_device *bdev, uint64_t sector, uint32_t count, const void *buf)
{
	struct blk_vec v = {(void *)buf, count};

	return blk_rw(bdev, BLK_OP_WRITE, sector, &v, 1);
}

int blk_writev(struct block_device *bdev, uint64_t sector, const struct blk_vec *vec,
	       unsigned int nr)
{
	return blk_rw(bdev, BLK_OP_WRITE, sector, vec, nr);
}

int blk_flush(struct block_device *bdev)
{
	uint64_t t0;
	int err;

	if (!bdev)
		return -EINVAL;
	if (!bdev->ops->flush)
		return 0;
	t0 = ktime_ns();
	err = bdev->ops->flush(bdev);
	if (err) {
		atomic64_inc(&bdev->stats.errors);
		return err;
	}
	atomic64_inc(&bdev->stats.flushes);
	atomic64_add_return((int64_t)(ktime_ns() - t0), &bdev->stats.flush_ns);
	return 0;
}
