/* The `iostat` shell command: each block device's counters, and the buffer cache's. */
#include "block/blkdev.h"
#include "block/buffer.h"
#include "kernel/shell.h"
#include "kernel/printk.h"

/* Average microseconds per request, from a total in ns. */
static unsigned long long avg_us(int64_t ns, int64_t n)
{
	return n ? (unsigned long long)(ns / n / 1000) : 0;
}

static int cmd_iostat(int argc, char **argv)
{
	struct block_device *b = NULL;
	struct bcache_stats bc;

	if (argc != 1)
		return shell_usage(argv[0]);
	if (!blk_next(NULL))
		kprintf("iostat: no block devices (QEMU was started without a disk)\n");
	else
		kprintf("dev       MiB    reads   KiB read  us/read   writes   KiB written  "
			"us/write  flushes  us/flush errors\n");
	while ((b = blk_next(b))) {
		struct blk_stats *s = &b->stats;
		int64_t r = atomic64_read(&s->reads), w = atomic64_read(&s->writes);
		int64_t f = atomic64_read(&s->flushes);

		kprintf("%-5s %8llu %8lld %10lld %8llu %8lld %13lld %9llu %8lld %9llu %6lld%s\n",
			b->name, (unsigned long long)(b->nr_sectors >> 11), (long long)r,
			(long long)(atomic64_read(&s->sectors_read) / 2),
			avg_us(atomic64_read(&s->read_ns), r), (long long)w,
			(long long)(atomic64_read(&s->sectors_written) / 2),
			avg_us(atomic64_read(&s->write_ns), w), (long long)f,
			avg_us(atomic64_read(&s->flush_ns), f),
			(long long)atomic64_read(&s->errors), b->read_only ? " (read-only)" : "");
	}
	bcache_get_stats(&bc);
	kprintf("buffer cache: %llu buffers (%llu clean unused on the LRU, max %u; %llu dirty), "
		"%llu hits, %llu misses, %llu evictions\n",
		(unsigned long long)bc.buffers, (unsigned long long)bc.lru, BCACHE_LRU_MAX,
		(unsigned long long)bc.dirty, (unsigned long long)bc.hits,
		(unsigned long long)bc.misses, (unsigned long long)bc.evictions);
	return 0;
}
SHELL_COMMAND("iostat", "", "block devices: requests, KiB, average wait; buffer cache counters",
	      cmd_iostat);
