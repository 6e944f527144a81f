/*
 * bench msync ("mm: tracking shared dirty pages" (Linux 2.6.19)): pages written back per second by writers that dirty a shared
 * mapping of an ext2 file and msync(MS_SYNC) it, one file per thread (16 pages), at 1, 2, 4
 * CPUs. Each round a thread writes every page (16 write-protect faults) and msyncs: its
 * pages are cleaned through the reverse map, written, and the device flushed. An op is one
 * page written; pages_per_s is the throughput of all threads together.
 */
#include "kernel/bench/bench.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "mm/slab.h"
#include "mm/writeback.h"
#include "lib/errno.h"
#include "lib/printf.h"

#define MS_DIR	 "/tmp/msbench"
#define MS_PAGES 16
#define MS_MAXTH 16

static struct {
	struct mm *mm;
	uint64_t base[MS_MAXTH];
	unsigned int n;
	uint64_t written0, pages;
	int err;
} bench;

static int ms_setup(unsigned int nr_threads, void **data)
{
	char path[48];
	char *zero;
	int err = 0;

	(void)data;
	bench = (typeof(bench)){.n = nr_threads < MS_MAXTH ? nr_threads : MS_MAXTH};
	sys_mkdir(MS_DIR, 0755);
	if ((err = sys_mount("vda", MS_DIR, "ext2", 0, NULL)))
		return err;
	zero = kzalloc(MS_PAGES * PAGE_SIZE);
	bench.mm = mm_alloc("bench-msync");
	if (!zero || !bench.mm)
		err = -ENOMEM;
	for (unsigned int i = 0; i < bench.n && !err; i++) {
		int fd;

		snprintf(path, sizeof(path), MS_DIR "/m%u", i);
		fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			err = fd;
			break;
		}
		sys_write(fd, zero, MS_PAGES * PAGE_SIZE);
		bench.base[i] = (uint64_t)sys_mmap(bench.mm, 0, MS_PAGES * PAGE_SIZE,
						   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if ((int64_t)bench.base[i] < 0)
			err = (int)(int64_t)bench.base[i];
		sys_close(fd);
	}
	kfree(zero);
	if (!err)
		err = sys_sync();
	if (err) {
		if (bench.mm)
			mmput(bench.mm);
		sys_umount(MS_DIR);
	}
	bench.written0 = dirty_stats().written;
	return err;
}

static void ms_teardown(void *data, char *extra, size_t size)
{
	char path[48];

	(void)data;
	bench.pages = dirty_stats().written - bench.written0;
	mmput(bench.mm);
	for (unsigned int i = 0; i < bench.n; i++) {
		snprintf(path, sizeof(path), MS_DIR "/m%u", i);
		sys_unlink(path);
	}
	sys_umount(MS_DIR);
	snprintf(extra, size, " pages_written=%llu%s", (unsigned long long)bench.pages,
		 bench.err ? " error=1" : "");
}

static uint64_t run_msync(struct bench_thread *b)
{
	uint64_t ops = 0, base = bench.base[b->index % MS_MAXTH], round = 0;

	if (b->index >= MS_MAXTH)
		return 0;
	kthread_use_mm(bench.mm);
	while (!READ_ONCE(*b->stop) && !bench.err) {
		round++;
		for (unsigned int i = 0; i < MS_PAGES; i++)
			if (put_user_u64(base + i * PAGE_SIZE + 8 * b->index, round))
				bench.err = -EFAULT;
		if (vm_msync(bench.mm, base, MS_PAGES * PAGE_SIZE, MS_SYNC))
			bench.err = -EIO;
		ops += MS_PAGES;
	}
	kthread_unuse_mm(bench.mm);
	return ops;
}

BENCHMARK(msync, "pages written back per second by msync(MS_SYNC) writers (ext2 vda)", 1,
	  {"msync", ms_setup, run_msync, ms_teardown});
