/*
 * `bench blkraw`: sequential raw throughput of the disk vda through the block layer, the
 * number a file system's throughput will be compared with. Each thread reads (or writes) its
 * own buffer again and again, request after request, sequentially through the last MiB of
 * the disk (the scratch area the block tests use: a write never touches the file system) and
 * around. An op is one request; the BENCH line adds mb_per_s= (all threads together,
 * 10^6 bytes per second) and kib_per_req=.
 *
 * Under QEMU the "disk" is a file in the host's page cache, so this measures the request path
 * (ring, notify, QEMU's I/O thread, MSI-X interrupt, wakeup) and the copies, not a medium.
 */
#include "kernel/bench/bench.h"
#include "block/blkdev.h"
#include "arch/x86_64/tsc.h"
#include "mm/slab.h"
#include "kernel/percpu.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define BLKRAW_AREA_SECTORS 2048 /* the last MiB */

struct blkraw_config {
	enum blk_op op;
	uint32_t sectors; /* per request */
};

struct blkraw_data {
	const struct blkraw_config *cfg;
	struct block_device *bdev;
	unsigned int nr_threads;
	/* Per thread, each written by its own thread only and read after the join: */
	void *buf[NR_CPUS];
	uint64_t bytes[NR_CPUS];
	uint64_t start_ns[NR_CPUS], end_ns[NR_CPUS];
	int errors[NR_CPUS];
};

static struct blkraw_data blkraw_state;

static void blkraw_free(struct blkraw_data *d)
{
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		kfree(d->buf[i]);
		d->buf[i] = NULL;
	}
}

static int blkraw_setup(const struct blkraw_config *cfg, unsigned int nr_threads, void **data)
{
	struct blkraw_data *d = &blkraw_state;
	struct block_device *b = blk_get_by_name("vda");

	if (!b)
		return -ENODEV; /* QEMU was started without the disk */
	if (b->read_only && cfg->op == BLK_OP_WRITE)
		return -EROFS;
	if (b->nr_sectors < BLKRAW_AREA_SECTORS || nr_threads > NR_CPUS)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->bdev = b;
	d->nr_threads = nr_threads;
	for (unsigned int i = 0; i < nr_threads; i++) {
		d->buf[i] = kmalloc((size_t)cfg->sectors * SECTOR_SIZE);
		if (!d->buf[i]) {
			blkraw_free(d);
			return -ENOMEM;
		}
		memset(d->buf[i], 0xa5 ^ i, (size_t)cfg->sectors * SECTOR_SIZE);
	}
	*data = d;
	return 0;
}

static uint64_t blkraw_run(struct bench_thread *t)
{
	struct blkraw_data *d = t->data;
	const struct blkraw_config *cfg = d->cfg;
	uint64_t area = d->bdev->nr_sectors - BLKRAW_AREA_SECTORS, ops = 0;
	/* Each thread starts at its own place in the area, then moves on sequentially. */
	uint64_t pos = (uint64_t)t->index * BLKRAW_AREA_SECTORS / t->nr_threads;

	pos -= pos % cfg->sectors;
	d->start_ns[t->index] = ktime_ns();
	while (!*t->stop) {
		int err = cfg->op == BLK_OP_READ
				  ? blk_read(d->bdev, area + pos, cfg->sectors, d->buf[t->index])
				  : blk_write(d->bdev, area + pos, cfg->sectors, d->buf[t->index]);

		if (err) {
			d->errors[t->index]++;
			break;
		}
		ops++;
		pos += cfg->sectors;
		if (pos + cfg->sectors > BLKRAW_AREA_SECTORS)
			pos = 0;
	}
	d->bytes[t->index] = ops * cfg->sectors * SECTOR_SIZE;
	d->end_ns[t->index] = ktime_ns();
	return ops;
}

static void blkraw_teardown(void *data, char *extra, size_t size)
{
	struct blkraw_data *d = data;
	uint64_t start = UINT64_MAX, end = 0, bytes = 0, ns;
	int errors = 0;

	if (!d)
		return;
	/* From the first thread's start to the last one's end, all bytes moved. */
	for (unsigned int i = 0; i < d->nr_threads; i++) {
		start = MIN(start, d->start_ns[i]);
		end = MAX(end, d->end_ns[i]);
		bytes += d->bytes[i];
		errors += d->errors[i];
	}
	ns = end > start ? end - start : 0;
	/* MB/s with two decimals: bytes * 1000 / ns is MB/s, times 100. */
	if (ns) {
		uint64_t centi = bytes * 100000 / ns;

		snprintf(extra, size, " mb_per_s=%llu.%02llu kib_per_req=%u errors=%d",
			 (unsigned long long)(centi / 100), (unsigned long long)(centi % 100),
			 d->cfg->sectors / 2, errors);
	}
	blkraw_free(d);
}

#define BLKRAW_VARIANT(name_, op_, sectors_)                                                       \
	static const struct blkraw_config blkraw_cfg_##name_ = {op_, sectors_};                    \
	static int blkraw_setup_##name_(unsigned int n, void **data)                               \
	{                                                                                          \
		return blkraw_setup(&blkraw_cfg_##name_, n, data);                                 \
	}

BLKRAW_VARIANT(read_4k, BLK_OP_READ, 8)
BLKRAW_VARIANT(write_4k, BLK_OP_WRITE, 8)
BLKRAW_VARIANT(read_64k, BLK_OP_READ, 128)
BLKRAW_VARIANT(write_64k, BLK_OP_WRITE, 128)
BLKRAW_VARIANT(read_1m, BLK_OP_READ, 2048)
BLKRAW_VARIANT(write_1m, BLK_OP_WRITE, 2048)

BENCHMARK(blkraw, "sequential raw reads and writes of vda (last MiB), 4 KiB to 1 MiB requests", 1,
	  {"read-4k", blkraw_setup_read_4k, blkraw_run, blkraw_teardown},
	  {"write-4k", blkraw_setup_write_4k, blkraw_run, blkraw_teardown},
	  {"read-64k", blkraw_setup_read_64k, blkraw_run, blkraw_teardown},
	  {"write-64k", blkraw_setup_write_64k, blkraw_run, blkraw_teardown},
	  {"read-1m", blkraw_setup_read_1m, blkraw_run, blkraw_teardown},
	  {"write-1m", blkraw_setup_write_1m, blkraw_run, blkraw_teardown});
