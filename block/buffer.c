/*
 * The buffer cache (see block/buffer.h).
 *
 * Locks, in order: a buffer's b_io_lock (a mutex: held across its disk I/O), then bcache_lock
 * (a spinlock, interrupts off: the hash table, every b_count, b_dirty and b_lru, and the
 * counters). bcache_lock is never held across I/O or allocation.
 */
#include "block/buffer.h"
#include "kernel/panic.h"
#include "kernel/locking/spinlock.h"
#include "mm/slab.h"
#include "lib/errno.h"

#define BCACHE_HASH_BITS 6
#define BCACHE_HASH_SIZE (1u << BCACHE_HASH_BITS)

static struct list_head bcache_hash[BCACHE_HASH_SIZE];
static LIST_HEAD(bcache_lru); /* oldest first */
static DEFINE_SPINLOCK(bcache_lock);
static struct bcache_stats stats;
static unsigned int sync_gen;
static bool bcache_ready;

static struct list_head *hash_bucket(struct block_device *bdev, uint64_t block, uint32_t size)
{
	uint64_t h = ((uint64_t)bdev >> 6) ^ block * 0x9e3779b97f4a7c15ull ^ size;

	if (!bcache_ready) { /* first use; under bcache_lock */
		for (unsigned i = 0; i < BCACHE_HASH_SIZE; i++)
			INIT_LIST_HEAD(&bcache_hash[i]);
		bcache_ready = true;
	}
	return &bcache_hash[(h >> 32 ^ h) & (BCACHE_HASH_SIZE - 1)];
}

static struct buffer_head *lookup_locked(struct block_device *bdev, uint64_t block, uint32_t size)
{
	struct list_head *bucket = hash_bucket(bdev, block, size);
	struct buffer_head *bh;

	list_for_each_entry(bh, bucket, b_hash) {
		if (bh->b_bdev == bdev && bh->b_blocknr == block && bh->b_size == size) {
			if (bh->b_count++ == 0 && !list_empty(&bh->b_lru)) {
				list_del_init(&bh->b_lru);
				stats.lru--;
			}
			return bh;
		}
	}
	return NULL;
}

static void free_bh(struct buffer_head *bh)
{
	kfree(bh->b_data);
	kfree(bh);
}

/* Off every list; the caller frees it after dropping bcache_lock. */
static void unhash_locked(struct buffer_head *bh)
{
	list_del_init(&bh->b_hash);
	if (!list_empty(&bh->b_lru)) {
		list_del_init(&bh->b_lru);
		stats.lru--;
	}
	stats.buffers--;
}

static bool size_ok(uint32_t size)
{
	return size >= SECTOR_SIZE && size <= 4096 && (size & (size - 1)) == 0;
}

int getblk(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **bhp)
{
	struct buffer_head *bh, *old;
	unsigned long flags;
	uint64_t spb = size / SECTOR_SIZE;

	if (!bdev || !bhp || !size_ok(size) || size < bdev->logical_block_size ||
	    block >= bdev->nr_sectors / spb)
		return -EINVAL;
	spin_lock_irqsave(&bcache_lock, flags);
	bh = lookup_locked(bdev, block, size);
	if (bh)
		stats.hits++;
	spin_unlock_irqrestore(&bcache_lock, flags);
	if (bh) {
		*bhp = bh;
		return 0;
	}

	bh = kzalloc(sizeof(*bh));
	if (!bh)
		return -ENOMEM;
	bh->b_data = kmalloc(size); /* aligned to its size class: never crosses a page */
	if (!bh->b_data) {
		kfree(bh);
		return -ENOMEM;
	}
	bh->b_bdev = bdev;
	bh->b_blocknr = block;
	bh->b_size = size;
	bh->b_count = 1;
	INIT_LIST_HEAD(&bh->b_lru);
	mutex_init(&bh->b_io_lock, "buffer");

	spin_lock_irqsave(&bcache_lock, flags);
	stats.misses++;
	old = lookup_locked(bdev, block, size); /* another CPU may have added it meanwhile */
	if (!old) {
		list_add(&bh->b_hash, hash_bucket(bdev, block, size));
		stats.buffers++;
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
	if (old) {
		free_bh(bh);
		bh = old;
	}
	*bhp = bh;
	return 0;
}

int bread(struct block_device *bdev, uint64_t block, uint32_t size, struct buffer_head **bhp)
{
	struct buffer_head *bh;
	int err = getblk(bdev, block, size, &bh);

	if (err)
		return err;
	if (!READ_ONCE(bh->b_uptodate)) {
		mutex_lock(&bh->b_io_lock);
		if (!bh->b_uptodate) { /* the first reader reads; the others wait for it */
			err = blk_read(bdev, block * (size / SECTOR_SIZE), size / SECTOR_SIZE,
				       bh->b_data);
			if (!err)
				WRITE_ONCE(bh->b_uptodate, true);
		}
		mutex_unlock(&bh->b_io_lock);
		if (err) {
			brelse(bh);
			return err;
		}
	}
	*bhp = bh;
	return 0;
}

void get_bh(struct buffer_head *bh)
{
	unsigned long flags;

	spin_lock_irqsave(&bcache_lock, flags);
	bh->b_count++;
	spin_unlock_irqrestore(&bcache_lock, flags);
}

void brelse(struct buffer_head *bh)
{
	struct buffer_head *victim = NULL;
	unsigned long flags;

	if (!bh)
		return;
	spin_lock_irqsave(&bcache_lock, flags);
	if (bh->b_count <= 0)
		panic("brelse: buffer %llu of %s has no reference",
		      (unsigned long long)bh->b_blocknr, bh->b_bdev->name);
	if (--bh->b_count == 0 && !bh->b_dirty) {
		if (!bh->b_uptodate) {
			victim = bh; /* a failed read: nothing worth keeping */
			unhash_locked(bh);
		} else {
			list_add_tail(&bh->b_lru, &bcache_lru);
			if (++stats.lru > BCACHE_LRU_MAX) {
				victim = list_first_entry(&bcache_lru, struct buffer_head, b_lru);
				unhash_locked(victim);
				stats.evictions++;
			}
		}
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
	if (victim)
		free_bh(victim);
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	unsigned long flags;

	spin_lock_irqsave(&bcache_lock, flags);
	if (!bh->b_dirty) {
		bh->b_dirty = true;
		stats.dirty++;
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
}

void bforget(struct buffer_head *bh)
{
	unsigned long flags;

	if (!bh)
		return;
	mutex_lock(&bh->b_io_lock); /* a sync writing it finishes first */
	spin_lock_irqsave(&bcache_lock, flags);
	if (bh->b_dirty) {
		bh->b_dirty = false;
		stats.dirty--;
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
	mutex_unlock(&bh->b_io_lock);
	brelse(bh);
}

bool buffer_dirty(struct buffer_head *bh)
{
	return READ_ONCE(bh->b_dirty);
}

int sync_dirty_buffer(struct buffer_head *bh)
{
	unsigned long flags;
	bool dirty;
	int err = 0;

	mutex_lock(&bh->b_io_lock);
	spin_lock_irqsave(&bcache_lock, flags);
	dirty = bh->b_dirty;
	/* Cleared before the write: a mark_buffer_dirty during it dirties the buffer again. */
	if (dirty) {
		bh->b_dirty = false;
		bh->b_writing = true;
		stats.dirty--;
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
	if (dirty) {
		err = blk_write(bh->b_bdev, bh->b_blocknr * (bh->b_size / SECTOR_SIZE),
				bh->b_size / SECTOR_SIZE, bh->b_data);
		if (err)
			mark_buffer_dirty(bh);
		else
			WRITE_ONCE(bh->b_uptodate, true);
		spin_lock_irqsave(&bcache_lock, flags);
		bh->b_writing = false;
		spin_unlock_irqrestore(&bcache_lock, flags);
	}
	mutex_unlock(&bh->b_io_lock);
	return err;
}

int sync_blockdev(struct block_device *bdev)
{
	unsigned long flags;
	unsigned int gen;
	int err = 0, e;

	if (!bdev)
		return -EINVAL;
	spin_lock_irqsave(&bcache_lock, flags);
	gen = ++sync_gen;
	/* One dirty buffer at a time: take a reference, drop the lock, write, start over. Each
	   buffer is stamped with this pass's number, so one that fails (and stays dirty) or is
	   dirtied again meanwhile is not taken twice and the pass ends. A buffer another sync
	   is writing counts too: sync_dirty_buffer waits for that write (b_io_lock), or this
	   sync could return before the block is on the disk. */
	for (unsigned i = 0; i < BCACHE_HASH_SIZE && bcache_ready; i++) {
		struct buffer_head *bh;
	again:
		list_for_each_entry(bh, &bcache_hash[i], b_hash) {
			if (bh->b_bdev != bdev || !(bh->b_dirty || bh->b_writing) ||
			    bh->b_sync_gen == gen)
				continue;
			bh->b_sync_gen = gen;
			bh->b_count++;
			spin_unlock_irqrestore(&bcache_lock, flags);
			e = sync_dirty_buffer(bh);
			if (e && !err)
				err = e;
			brelse(bh);
			spin_lock_irqsave(&bcache_lock, flags);
			goto again;
		}
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
	e = blk_flush(bdev);
	return err ? err : e;
}

void invalidate_bdev(struct block_device *bdev)
{
	struct buffer_head *bh, *next;
	unsigned long flags;
	LIST_HEAD(victims);

	spin_lock_irqsave(&bcache_lock, flags);
	list_for_each_entry_safe(bh, next, &bcache_lru, b_lru) {
		if (bh->b_bdev != bdev)
			continue;
		unhash_locked(bh);
		list_add(&bh->b_lru, &victims); /* b_lru is free again: reuse it */
	}
	spin_unlock_irqrestore(&bcache_lock, flags);
	list_for_each_entry_safe(bh, next, &victims, b_lru)
		free_bh(bh);
}

void bcache_get_stats(struct bcache_stats *s)
{
	unsigned long flags;

	spin_lock_irqsave(&bcache_lock, flags);
	*s = stats;
	spin_unlock_irqrestore(&bcache_lock, flags);
}
