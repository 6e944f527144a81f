/*
 * KTAP suite "block": PCI found the virtio-blk disk, raw sector I/O through the block layer
 * (round trip, every CPU at once, flush, bad requests refused, scattered pieces gathered into
 * few requests by blk_writev), and the buffer cache (one buffer per block, sync writes dirty
 * buffers, allocation failure leaks nothing).
 *
 * The disk is vda, which tests/run-tests attaches to every boot (a copy of build/disk.img).
 * Writes go only to its last MiB, which the ext2 file system on it does not cover
 * (docs/block.md). Without a disk every case skips and says why.
 *
 * The disk's interrupt is MSI-X, or with pci=nomsi on the command line (one of the runner's
 * boots) the shared level-triggered INTx line through the I/O APIC; the cases check which.
 */
#include "kernel/irq.h"
#include "kernel/ktest.h"
#include "kernel/kthread.h"
#include "kernel/smp.h"
#include "block/blkdev.h"
#include "block/buffer.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk.h"
#include "mm/fault_inject.h"
#include "mm/page_alloc.h"
#include "mm/slab.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/irq_vectors.h"
#include "arch/x86_64/memlayout.h"
#include "lib/errno.h"
#include "lib/string.h"

#define SCRATCH_SECTORS 2048 /* the last MiB */
#define NO_DISK		"no virtio-blk disk vda (QEMU started without -device virtio-blk-pci)"

static struct block_device *scratch_disk(struct ktest *t, uint64_t *first)
{
	struct block_device *b = blk_get_by_name("vda");

	if (!b) {
		ktest_skip(t, NO_DISK);
		return NULL;
	}
	if (b->nr_sectors < 2 * SCRATCH_SECTORS || b->read_only) {
		ktest_skip(t, "vda is too small or read-only for the scratch area");
		return NULL;
	}
	*first = b->nr_sectors - SCRATCH_SECTORS;
	return b;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 9)) ^ seed);
}

static void test_pci_found_virtio_blk(struct ktest *t)
{
	struct pci_dev *d = pci_get_device(0x1af4, 0x1001, NULL);

	if (!d)
		d = pci_get_device(0x1af4, 0x1042, NULL);
	if (!d)
		KTEST_SKIP(t, NO_DISK);
	EXPECT_GT(t, pci_nr_devices(), 1u); /* the host bridge at least, beside it */
	EXPECT_EQ(t, d->class_code, 0x01);  /* mass storage */
	ASSERT_NOT_NULL(t, d->driver);
	EXPECT_STREQ(t, d->driver, "virtio-blk");
	if (pci_msi_disabled()) {
		/* pci=nomsi: no MSI-X entry, the INTx line the firmware routed, level triggered. */
		uint64_t e = 0;
		int gsi;

		EXPECT_EQ(t, d->msix_nvec, 0);
		EXPECT_TRUE(t, d->intx_enabled);
		EXPECT_NE(t, d->irq_pin, 0);
		ASSERT_LT(t, d->irq_line, 16);
		EXPECT_TRUE(t, irq_is_shared(d->irq_line));
		EXPECT_STREQ(t, irq_name(d->irq_line), "virtio-vda");
		gsi = ioapic_isa_irq_to_gsi(d->irq_line);
		ASSERT_GE(t, gsi, 0);
		ASSERT_EQ(t, ioapic_read_gsi((uint32_t)gsi, &e), 0);
		EXPECT_TRUE(t, e & IOAPIC_LEVEL);
		EXPECT_FALSE(t, e & IOAPIC_MASKED);
		EXPECT_EQ(t, e & IOAPIC_VECTOR_MASK, (uint64_t)(IRQ_BASE_VECTOR + d->irq_line));
		ktest_log(t, "INTx: INT%c#, IRQ %u, GSI %d, %s", 'A' + d->irq_pin - 1, d->irq_line,
			  gsi, e & IOAPIC_ACTIVE_LOW ? "active low" : "active high");
	} else {
		EXPECT_EQ(t, d->msix_nvec, 1);
		EXPECT_GE(t, d->msix_vector[0], 0x40);
		EXPECT_FALSE(t, d->intx_enabled);
	}
	ASSERT_NOT_NULL(t, blk_get_by_name("vda"));
	EXPECT_NULL(t, blk_get_by_name("nosuchdisk"));
}

static void test_raw_round_trip(struct ktest *t)
{
	const uint32_t sizes[] = {1, 8, 144, 2048}; /* sectors: 512 B to 1 MiB (two requests) */
	struct virtio_blk_info before, after;
	uint64_t first, line_before = 0;
	struct block_device *b = scratch_disk(t, &first);
	uint8_t *w, *r;

	if (!b)
		return;
	w = kmalloc(SCRATCH_SECTORS * SECTOR_SIZE);
	r = kmalloc(SCRATCH_SECTORS * SECTOR_SIZE);
	if (!w || !r) {
		kfree(w);
		kfree(r);
		KTEST_SKIP(t, "out of memory for 1 MiB buffers");
	}
	ASSERT_EQ(t, virtio_blk_get_info(b, &before), 0);
	/* The path in use: INTx exactly when pci=nomsi said so (QEMU's disk has MSI-X). */
	EXPECT_EQ(t, before.intx_irq >= 0, pci_msi_disabled());
	EXPECT_EQ(t, before.msix_vector >= 0, !pci_msi_disabled());
	if (before.intx_irq >= 0)
		line_before = irq_count((unsigned)before.intx_irq);
	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = (size_t)sizes[i] * SECTOR_SIZE;
		uint64_t at = first + SCRATCH_SECTORS - sizes[i];

		fill(w, n, i + 1);
		memset(r, 0, n);
		EXPECT_EQ(t, blk_write(b, at, sizes[i], w), 0);
		EXPECT_EQ(t, blk_read(b, at, sizes[i], r), 0);
		EXPECT_EQ(t, memcmp(w, r, n), 0);
	}
	ASSERT_EQ(t, virtio_blk_get_info(b, &after), 0);
	/* Each request completed through the interrupt, and the ring gave back every descriptor. */
	EXPECT_GT(t, after.interrupts, before.interrupts);
	if (before.intx_irq >= 0) /* and they came on the line */
		EXPECT_GE(t, irq_count((unsigned)before.intx_irq) - line_before,
			  after.interrupts - before.interrupts);
	EXPECT_EQ(t, after.num_free, after.queue_size);
	EXPECT_EQ(t, after.used_idx, after.last_used_idx);
	kfree(w);
	kfree(r);
}

#define PER_CPU_SECTORS 48 /* each thread's own sectors; 4 CPUs: 384 requests in all */

struct cpu_io {
	struct block_device *bdev;
	uint64_t base;
	unsigned int cpu;
	bool verify;
	int errors;
};

/* One request per sector, each with a pattern naming its CPU and sector. */
static int cpu_io_thread(void *arg)
{
	struct cpu_io *io = arg;
	uint8_t *buf = kmalloc(SECTOR_SIZE), *want = kmalloc(SECTOR_SIZE);

	if (!buf || !want) {
		io->errors++;
		goto out;
	}
	for (unsigned i = 0; i < PER_CPU_SECTORS; i++) {
		uint64_t s = io->base + i;

		fill(want, SECTOR_SIZE, io->cpu * 1000 + i);
		if (!io->verify) {
			if (blk_write(io->bdev, s, 1, want))
				io->errors++;
		} else if (blk_read(io->bdev, s, 1, buf) || memcmp(buf, want, SECTOR_SIZE)) {
			io->errors++;
		}
	}
out:
	kfree(buf);
	kfree(want);
	return 0;
}

static int run_on_every_cpu(struct cpu_io *io, unsigned int n)
{
	struct thread *th[NR_CPUS];
	int made = 0;

	for (unsigned c = 0; c < n; c++) {
		th[c] = kthread_create(cpu_io_thread, &io[c], "blktest/%u", c);
		if (!th[c])
			break;
		kthread_bind(th[c], c);
		made++;
	}
	for (int c = 0; c < made; c++)
		wake_up_new_thread(th[c]);
	for (int c = 0; c < made; c++)
		kthread_join(th[c]);
	return made;
}

static void test_requests_from_every_cpu(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	unsigned int n = num_online_cpus();
	struct cpu_io *io;
	int64_t writes;

	if (!b)
		return;
	if (n * PER_CPU_SECTORS > SCRATCH_SECTORS)
		n = SCRATCH_SECTORS / PER_CPU_SECTORS;
	io = kzalloc(n * sizeof(*io));
	ASSERT_NOT_NULL(t, io);
	writes = atomic64_read(&b->stats.writes);
	for (unsigned c = 0; c < n; c++)
		io[c] = (struct cpu_io){b, first + c * PER_CPU_SECTORS, c, false, 0};
	EXPECT_EQ(t, run_on_every_cpu(io, n), (int)n);
	/* All written before any is read back: a request that landed on another CPU's sector,
	   or a completion given to the wrong waiter, shows up as a mismatch. */
	for (unsigned c = 0; c < n; c++)
		io[c].verify = true;
	EXPECT_EQ(t, run_on_every_cpu(io, n), (int)n);
	for (unsigned c = 0; c < n; c++)
		EXPECT_EQ(t, io[c].errors, 0);
	EXPECT_EQ(t, atomic64_read(&b->stats.writes) - writes, (int64_t)(n * PER_CPU_SECTORS));
	ktest_log(t, "%u CPUs, %u requests", n, 2 * n * PER_CPU_SECTORS);
	kfree(io);
}

static void test_flush(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	int64_t flushes;

	if (!b)
		return;
	flushes = atomic64_read(&b->stats.flushes);
	EXPECT_EQ(t, blk_flush(b), 0);
	if (b->ops->flush)
		EXPECT_EQ(t, atomic64_read(&b->stats.flushes), flushes + 1);
	else
		ktest_log(t, "the disk has no write cache: flush is a no-op");
}

static void test_bad_requests_refused(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	int64_t reads, errors;
	uint8_t *buf;

	if (!b)
		return;
	buf = kmalloc(2 * SECTOR_SIZE);
	ASSERT_NOT_NULL(t, buf);
	reads = atomic64_read(&b->stats.reads);
	errors = atomic64_read(&b->stats.errors);
	EXPECT_EQ(t, blk_read(b, b->nr_sectors, 1, buf), -EINVAL);
	EXPECT_EQ(t, blk_read(b, b->nr_sectors - 1, 2, buf), -EINVAL);
	EXPECT_EQ(t, blk_write(b, UINT64_MAX, 1, buf), -EINVAL);
	EXPECT_EQ(t, blk_read(b, first, 0, buf), -EINVAL);
	EXPECT_EQ(t, blk_read(b, first, 1, NULL), -EINVAL);
	/* A vmap address (kernel stacks live there): not one physical range, never handed to
	   the device. */
	EXPECT_EQ(t, blk_read(b, first, 1, (void *)VMAP_BASE), -EINVAL);
	EXPECT_EQ(t, blk_read(NULL, 0, 1, buf), -EINVAL);
	EXPECT_EQ(t, blk_flush(NULL), -EINVAL);
	/* A read-only disk refuses writes before they reach the driver. */
	b->read_only = true;
	EXPECT_EQ(t, blk_write(b, first, 1, buf), -EROFS);
	b->read_only = false;
	EXPECT_EQ(t, atomic64_read(&b->stats.reads), reads); /* nothing reached the device */
	EXPECT_EQ(t, atomic64_read(&b->stats.errors), errors);
	EXPECT_EQ(t, blk_read(b, b->nr_sectors - 1, 1, buf), 0); /* the last sector is fine */
	kfree(buf);
}

/*
 * blk_writev: pieces scattered in memory go to consecutive sectors in as few requests as the
 * device's max_segs allows (2 * max_segs + 1 pieces: 3 requests); pieces that follow each
 * other in memory join into one (max_segs + 1 of them: 1 request); bad vectors are refused
 * before anything reaches the device.
 */
static void test_writev_gathers(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	unsigned int order = 6, nr, segs;
	struct blk_vec *vec, bad;
	struct page *pg;
	uint8_t *mem, *back;
	int64_t w0, s0;

	if (!b)
		return;
	segs = b->max_segs;
	nr = 2 * segs + 1;
	ASSERT_LE(t, (uint64_t)2 * nr * SECTOR_SIZE, (uint64_t)PAGE_SIZE << order);
	pg = alloc_pages(order);
	ASSERT_NOT_NULL(t, pg);
	mem = page_address(pg);
	vec = kmalloc(nr * sizeof(*vec));
	back = kmalloc((size_t)nr * SECTOR_SIZE);
	if (!EXPECT_NOT_NULL(t, vec) || !EXPECT_NOT_NULL(t, back))
		goto out;
	for (unsigned int i = 0; i < 2 * nr; i++)
		memset(mem + (size_t)i * SECTOR_SIZE, (int)(i * 7 + 1), SECTOR_SIZE);

	/* Every other sector of mem: no two pieces join. */
	for (unsigned int i = 0; i < nr; i++)
		vec[i] = (struct blk_vec){mem + (size_t)2 * i * SECTOR_SIZE, 1};
	w0 = atomic64_read(&b->stats.writes);
	s0 = atomic64_read(&b->stats.sectors_written);
	EXPECT_EQ(t, blk_writev(b, first, vec, nr), 0);
	EXPECT_EQ(t, atomic64_read(&b->stats.writes) - w0, (int64_t)(nr + segs - 1) / segs);
	EXPECT_EQ(t, atomic64_read(&b->stats.sectors_written) - s0, (int64_t)nr);
	EXPECT_EQ(t, blk_read(b, first, nr, back), 0);
	for (unsigned int i = 0; i < nr; i++)
		if (!EXPECT_EQ(t,
			       memcmp(back + (size_t)i * SECTOR_SIZE,
				      mem + (size_t)2 * i * SECTOR_SIZE, SECTOR_SIZE),
			       0))
			break;

	/* One sector after the other in memory: they join into one piece, one request. */
	for (unsigned int i = 0; i <= segs; i++)
		vec[i] = (struct blk_vec){mem + (size_t)i * SECTOR_SIZE, 1};
	w0 = atomic64_read(&b->stats.writes);
	EXPECT_EQ(t, blk_writev(b, first, vec, segs + 1), 0);
	EXPECT_EQ(t, atomic64_read(&b->stats.writes) - w0, 1);
	EXPECT_EQ(t, blk_read(b, first, segs + 1, back), 0);
	EXPECT_EQ(t, memcmp(back, mem, (size_t)(segs + 1) * SECTOR_SIZE), 0);

	/* Refused, and nothing reaches the device. */
	w0 = atomic64_read(&b->stats.writes);
	EXPECT_EQ(t, blk_writev(b, first, vec, 0), -EINVAL);
	bad = (struct blk_vec){mem, 0};
	EXPECT_EQ(t, blk_writev(b, first, &bad, 1), -EINVAL);
	bad = (struct blk_vec){(void *)VMAP_BASE, 1};
	vec[1] = bad;
	EXPECT_EQ(t, blk_writev(b, first, vec, 2), -EINVAL);
	vec[1] = (struct blk_vec){mem, 1};
	EXPECT_EQ(t, blk_writev(b, b->nr_sectors - 1, vec, 2), -EINVAL);
	EXPECT_EQ(t, blk_writev(NULL, first, vec, 1), -EINVAL);
	EXPECT_EQ(t, atomic64_read(&b->stats.writes), w0);
out:
	kfree(back);
	kfree(vec);
	free_pages(pg, order);
}

static void test_bread_same_buffer(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	struct buffer_head *a = NULL, *c = NULL;
	struct bcache_stats s0, s1;

	if (!b)
		return;
	bcache_get_stats(&s0);
	ASSERT_EQ(t, bread(b, first / 2, 1024, &a), 0);
	ASSERT_EQ(t, bread(b, first / 2, 1024, &c), 0);
	EXPECT_TRUE(t, a == c);
	EXPECT_EQ(t, a->b_count, 2);
	EXPECT_TRUE(t, a->b_uptodate);
	bcache_get_stats(&s1);
	EXPECT_EQ(t, s1.hits, s0.hits + 1);
	/* The same block in another size is another buffer. */
	ASSERT_EQ(t, bread(b, first, 512, &c), 0);
	EXPECT_TRUE(t, a != c);
	brelse(c);
	brelse(a);
	brelse(a);
	EXPECT_EQ(t, bread(b, b->nr_sectors / 2, 1024, &c), -EINVAL); /* past the end */
	EXPECT_EQ(t, bread(b, 0, 1000, &c), -EINVAL);		      /* not a power of two */
	EXPECT_EQ(t, bread(b, 0, 8192, &c), -EINVAL);		      /* more than a page */
	invalidate_bdev(b);
}

static void test_sync_writes_dirty_buffer(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	uint64_t block = first / 2 + 8; /* 1 KiB blocks: sectors first+16, first+17 */
	struct buffer_head *bh;
	uint8_t *raw;
	int64_t writes;

	if (!b)
		return;
	raw = kmalloc(1024);
	ASSERT_NOT_NULL(t, raw);
	ASSERT_EQ(t, bread(b, block, 1024, &bh), 0);
	fill(bh->b_data, 1024, 77);
	mark_buffer_dirty(bh);
	EXPECT_TRUE(t, buffer_dirty(bh));
	brelse(bh); /* unreferenced but dirty: it must stay, off the LRU */
	writes = atomic64_read(&b->stats.writes);
	invalidate_bdev(b);
	EXPECT_EQ(t, sync_blockdev(b), 0);
	EXPECT_EQ(t, atomic64_read(&b->stats.writes), writes + 1);
	EXPECT_EQ(t, blk_read(b, block * 2, 2, raw), 0);
	ASSERT_EQ(t, bread(b, block, 1024, &bh), 0);
	EXPECT_FALSE(t, buffer_dirty(bh));
	EXPECT_EQ(t, memcmp(raw, bh->b_data, 1024), 0);
	/* A clean buffer is not written again. */
	EXPECT_EQ(t, sync_dirty_buffer(bh), 0);
	EXPECT_EQ(t, atomic64_read(&b->stats.writes), writes + 1);
	brelse(bh);
	invalidate_bdev(b);
	kfree(raw);
}

static void test_bread_enomem_leaks_nothing(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	struct kmem_cache *head_cache = kmalloc_cache(sizeof(struct buffer_head));
	struct kmem_cache *data_cache = kmalloc_cache(1024);
	struct buffer_head *bh = NULL;
	struct bcache_stats s0, s1;
	uint64_t heads, datas;

	if (!b)
		return;
	invalidate_bdev(b);
	bcache_get_stats(&s0);
	heads = head_cache->in_use;
	datas = data_cache->in_use;
	for (unsigned nth = 1; nth <= 2; nth++) { /* the buffer_head, then its data */
		alloc_fail_inject(nth);
		EXPECT_EQ(t, bread(b, first / 2 + 20, 1024, &bh), -ENOMEM);
		alloc_fail_cancel();
	}
	bcache_get_stats(&s1);
	EXPECT_EQ(t, s1.buffers, s0.buffers);
	EXPECT_EQ(t, head_cache->in_use, heads);
	EXPECT_EQ(t, data_cache->in_use, datas);
	/* And without the failure it works. */
	ASSERT_EQ(t, bread(b, first / 2 + 20, 1024, &bh), 0);
	brelse(bh);
	invalidate_bdev(b);
	bcache_get_stats(&s1);
	EXPECT_EQ(t, s1.buffers, s0.buffers);
}

static void test_lru_is_bounded(struct ktest *t)
{
	uint64_t first;
	struct block_device *b = scratch_disk(t, &first);
	struct bcache_stats s0, s1;
	struct buffer_head *bh;

	if (!b)
		return;
	bcache_get_stats(&s0);
	for (unsigned i = 0; i < BCACHE_LRU_MAX + 16; i++) {
		ASSERT_EQ(t, bread(b, first + i, 512, &bh), 0);
		brelse(bh);
	}
	bcache_get_stats(&s1);
	EXPECT_LE(t, s1.lru, (uint64_t)BCACHE_LRU_MAX);
	EXPECT_GE(t, s1.evictions, s0.evictions + 16);
	invalidate_bdev(b);
}

KTEST_SUITE(block, KTEST_CASE(test_pci_found_virtio_blk), KTEST_CASE(test_raw_round_trip),
	    KTEST_CASE(test_requests_from_every_cpu), KTEST_CASE(test_flush),
	    KTEST_CASE(test_bad_requests_refused), KTEST_CASE(test_writev_gathers),
	    KTEST_CASE(test_bread_same_buffer), KTEST_CASE(test_sync_writes_dirty_buffer),
	    KTEST_CASE(test_bread_enomem_leaks_nothing), KTEST_CASE(test_lru_is_bounded));
