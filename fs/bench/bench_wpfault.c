/*
 * bench wpfault ("mm: tracking shared dirty pages", Linux 2.6.19): what dirty tracking costs a
 * writer, and what the kernel before it saw. Thread 0 alternates rounds over 64 pages, timing
 * each write (rdtsc around put_user_u64) and each writeback (msync, per page):
 *
 *   demand-zero	the first write to a page of anonymous memory: a zeroed page allocated
 *			and mapped (the cheapest fault that does real work);
 *   the first write	to a page of a shared ext2 mapping after writeback (msync) cleaned it.
 *			Variant notify (since 2.6.19): the write-protect fault, page_mkwrite,
 *			the page dirtied, the entry made writable. Variant nonotify (before
 *			2.6.19, `dirty set writenotify 0`): no fault, the hardware sets the
 *			entry's dirty bit, and msync's scan of the entries finds it.
 *
 * Keys: dz_ns and wp_ns per write, ratio = wp_ns / dz_ns, wb_ns the msync per page (its scan
 * of the entries included), faults_per_page_per_cycle (the write-protect faults per page per
 * writeback cycle: 1 with notification, 0 without) and seen_per_page_per_cycle (the pages the
 * dirty counts saw after the writes, before msync: 1 with notification, 0 without; the
 * throttling and the flusher see only those). trap_ns is the floor every fault pays (a fault
 * on an address with no VMA: the exception, mmap_lock, the VMA lookup, the fixup); under TCG
 * it is most of both faults. An op is one page's write.
 */
#include "kernel/bench/bench.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/fault.h"
#include "mm/rmap.h"
#include "mm/writeback.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "arch/x86_64/tsc.h"
#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define WP_DIR	 "/tmp/wpbench"
#define WP_PAGES 64
#define WP_ANON	 (MMAP_BASE + (1ULL << 32))

static struct {
	struct mm *mm;
	uint64_t file; /* the shared mapping */
	uint64_t dz_tsc, dz_faults, wp_tsc, wp_faults, wp_counted, cycles, trap_tsc;
	uint64_t wb_tsc, seen;
	int err;
} bench;

/* The file and its mapping, with write notification or (as before 2.6.19) without. */
static int wp_setup(bool notify)
{
	char zero[256] = {0};
	int fd, err;

	bench = (typeof(bench)){0};
	sys_mkdir(WP_DIR, 0755);
	if ((err = sys_mount("vda", WP_DIR, "ext2", 0, NULL)))
		return err;
	fd = sys_open(WP_DIR "/wpfile", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		sys_umount(WP_DIR);
		return fd;
	}
	for (unsigned int i = 0; i < WP_PAGES * PAGE_SIZE / sizeof(zero); i++)
		sys_write(fd, zero, sizeof(zero));
	bench.mm = mm_alloc("bench-wpfault");
	dirty_writenotify = notify; /* the mapping keeps it */
	bench.file = bench.mm ? (uint64_t)sys_mmap(bench.mm, 0, WP_PAGES * PAGE_SIZE,
						   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
			      : (uint64_t)-ENOMEM;
	dirty_writenotify = true;
	sys_close(fd);
	if ((int64_t)bench.file < 0) {
		if (bench.mm)
			mmput(bench.mm);
		sys_umount(WP_DIR);
		return (int)(int64_t)bench.file;
	}
	return 0;
}

static int wp_setup_notify(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	return wp_setup(true);
}

static int wp_setup_nonotify(unsigned int nr_threads, void **data)
{
	(void)nr_threads;
	(void)data;
	return wp_setup(false);
}

/* n / d with two decimals, into buf. */
static const char *hundredths(char *buf, size_t size, uint64_t n, uint64_t d)
{
	uint64_t r = d ? n * 100 / d : 0;

	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(r / 100),
		 (unsigned long long)(r % 100));
	return buf;
}

static void wp_teardown(void *data, char *extra, size_t size)
{
	uint64_t dz = bench.dz_faults ? tsc_to_ns(bench.dz_tsc) / bench.dz_faults : 0;
	uint64_t wp = bench.wp_faults ? tsc_to_ns(bench.wp_tsc) / bench.wp_faults : 0;
	uint64_t wb = bench.wp_faults ? tsc_to_ns(bench.wb_tsc) / bench.wp_faults : 0;
	uint64_t trap = bench.dz_faults ? tsc_to_ns(bench.trap_tsc) / bench.dz_faults : 0;
	char ratio[24], per[24], seen[24];

	(void)data;
	mmput(bench.mm);
	sys_unlink(WP_DIR "/wpfile");
	sys_umount(WP_DIR);
	snprintf(extra, size,
		 " dz_ns=%llu wp_ns=%llu trap_ns=%llu ratio=%s wb_ns=%llu "
		 "faults_per_page_per_cycle=%s seen_per_page_per_cycle=%s%s",
		 (unsigned long long)dz, (unsigned long long)wp, (unsigned long long)trap,
		 hundredths(ratio, sizeof(ratio), wp, dz), (unsigned long long)wb,
		 hundredths(per, sizeof(per), bench.wp_counted, bench.cycles * WP_PAGES),
		 hundredths(seen, sizeof(seen), bench.seen, bench.cycles * WP_PAGES),
		 bench.err ? " error=1" : "");
}

/* Writes each page once, timing each write: the sum of the rdtsc deltas. */
static int timed_writes(uint64_t base, uint64_t *tsc)
{
	for (unsigned int i = 0; i < WP_PAGES; i++) {
		uint64_t t = rdtsc();

		if (put_user_u64(base + i * PAGE_SIZE, i))
			return -EFAULT;
		*tsc += rdtsc() - t;
	}
	return 0;
}

static int one_cycle(void)
{
	uint64_t wp0, dirty0, t0;
	int err;

	/* The floor: a fault with no VMA behind it (the trap, mmap_lock, the VMA lookup and the
	   exception-table fixup), which every fault pays. */
	for (unsigned int i = 0; i < WP_PAGES; i++) {
		uint64_t t = rdtsc();

		if (put_user_u64(WP_ANON + (1ULL << 30) + i * PAGE_SIZE, i) != -EFAULT)
			return -EINVAL;
		bench.trap_tsc += rdtsc() - t;
	}

	/* Demand zero: map, write (timed), unmap. */
	if (vm_mmap(bench.mm, WP_ANON, WP_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0) < 0)
		return -ENOMEM;
	if ((err = timed_writes(WP_ANON, &bench.dz_tsc)))
		return err;
	bench.dz_faults += WP_PAGES;
	vm_munmap(bench.mm, WP_ANON, WP_PAGES * PAGE_SIZE);
	/* Writeback cleans the file's pages; then each first write is a write-protect fault
	   (notify), or a write that only the entry's dirty bit records (nonotify). */
	t0 = rdtsc();
	if ((err = vm_msync(bench.mm, bench.file, WP_PAGES * PAGE_SIZE, MS_SYNC)))
		return err;
	bench.wb_tsc += rdtsc() - t0;
	wp0 = fault_stats().wp_dirty;
	dirty0 = dirty_stats().nr_dirty;
	if ((err = timed_writes(bench.file, &bench.wp_tsc)))
		return err;
	bench.seen += dirty_stats().nr_dirty - dirty0;
	bench.wp_counted += fault_stats().wp_dirty - wp0;
	bench.wp_faults += WP_PAGES;
	bench.cycles++;
	return 0;
}

static uint64_t run_wpfault(struct bench_thread *b)
{
	uint64_t ops = 0;

	if (b->index != 0)
		return 0;
	kthread_use_mm(bench.mm);
	/* A first cycle untimed: the file's pages come into the cache, blocks are checked. */
	bench.err = one_cycle();
	bench.dz_tsc = bench.dz_faults = bench.wp_tsc = bench.wp_faults = bench.wp_counted =
		bench.cycles = bench.trap_tsc = bench.wb_tsc = bench.seen = 0;
	while (!bench.err && !READ_ONCE(*b->stop))
		if (!(bench.err = one_cycle()))
			ops += WP_PAGES;
	kthread_unuse_mm(bench.mm);
	return ops;
}

LATENCY_BENCHMARK(wpfault,
		  "first write after writeback, with write notification and without (before "
		  "2.6.19), vs demand-zero fault (ext2 vda)",
		  1, {"notify", wp_setup_notify, run_wpfault, wp_teardown},
		  {"nonotify", wp_setup_nonotify, run_wpfault, wp_teardown});
