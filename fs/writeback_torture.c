/*
 * `torture writeback` (fs/writeback_torture.h).
 *
 * Word w of every file belongs to thread w % threads, which alone writes it; its values grow
 * (thread << 48 | sequence), and the thread remembers the last one in last[][]. Every page is
 * thus written by every thread, through as many mms as there are CPUs, so each writeback
 * cleans entries in several mms and shoots down the TLBs of CPUs that keep writing. Nothing
 * else orders the writers and the writeback: a write that lands after its page's dirty bit was
 * taken must fault and dirty the page again, or the final comparison finds it lost.
 */
#include "fs/writeback_torture.h"
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/mutex.h"
#include "kernel/printk.h"
#include "kernel/sleep.h"
#include "kernel/smp.h"
#include "kernel/torture/torture.h"
#include "mm/fault.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/writeback.h"
#include "arch/x86_64/tsc.h"
#include "lib/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

#define WT_DIR	       "/tmp/wbtort"
#define WT_FILES       4
#define WT_PAGES       8 /* per file */
#define WT_WORDS       (WT_PAGES * PAGE_SIZE / 8)
#define WT_MAX_THR     16
#define WT_MSYNC_EVERY 4096 /* writes between a thread's msyncs */

struct wt_thread {
	unsigned int id;
	uint64_t rnd, seq, writes, msyncs, errors;
	struct thread *thread;
};

static struct {
	unsigned int n;
	volatile bool stop;
	uint64_t (*last)[WT_WORDS]; /* [WT_FILES]: the last value written to each word */
	struct wt_thread th[WT_MAX_THR];
} W;

static DEFINE_MUTEX(wt_mutex);

static void wt_path(char *buf, size_t n, unsigned int k)
{
	snprintf(buf, n, WT_DIR "/wbt-%u", k);
}

static uint64_t next_rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

static int wt_worker(void *arg)
{
	struct wt_thread *t = arg;
	struct mm *mm = mm_alloc("wbtort");
	uint64_t base[WT_FILES];
	char path[64];

	if (!mm) {
		t->errors++;
		return 0;
	}
	kthread_use_mm(mm);
	for (unsigned int k = 0; k < WT_FILES; k++) {
		int fd;

		wt_path(path, sizeof(path), k);
		fd = sys_open(path, O_RDWR, 0);
		base[k] = fd < 0 ? (uint64_t)fd
				 : (uint64_t)sys_mmap(mm, 0, WT_PAGES * PAGE_SIZE,
						      PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fd >= 0)
			sys_close(fd);
		if ((int64_t)base[k] < 0) {
			t->errors++;
			goto out;
		}
	}
	while (!READ_ONCE(W.stop)) {
		unsigned int k = next_rnd(&t->rnd) % WT_FILES;
		unsigned int w = next_rnd(&t->rnd) % (WT_WORDS / W.n) * W.n + t->id;
		uint64_t v = (uint64_t)(t->id + 1) << 48 | ++t->seq;

		if (w >= WT_WORDS)
			continue;
		if (put_user_u64(base[k] + w * 8, v)) {
			t->errors++;
			break;
		}
		W.last[k][w] = v;
		if (++t->writes % WT_MSYNC_EVERY == 0) {
			if (vm_msync(mm, base[k], WT_PAGES * PAGE_SIZE, MS_SYNC))
				t->errors++;
			t->msyncs++;
		}
	}
out:
	kthread_unuse_mm(mm);
	mmput(mm); /* unmaps: the pages stay in the cache, dirty ones too */
	return 0;
}

/* Reads file k from the disk, past the page cache, and counts the words that differ from the
   last values written; *fnv is the FNV-1a hash of those values. */
static uint64_t wt_check_disk(unsigned int k, uint64_t *fnv, uint64_t *errors)
{
	char path[64];
	struct file *f;
	struct ext2_sb_info *sbi;
	uint64_t lost = 0, h = 0xcbf29ce484222325ULL;
	char *buf;
	int fd;

	*fnv = 0;
	wt_path(path, sizeof(path), k);
	fd = sys_open(path, O_RDONLY, 0);
	if (fd < 0 || !(f = fget(fd))) {
		(*errors)++;
		return 0;
	}
	sbi = EXT2_SB(f->f_inode->i_sb);
	buf = kmalloc(sbi->block_size);
	for (uint64_t b = 0; buf && b < WT_PAGES * PAGE_SIZE / sbi->block_size; b++) {
		uint32_t block;
		const uint64_t *words = (const uint64_t *)buf;

		if (ext2_get_block(f->f_inode, b, false, &block) || !block ||
		    blk_read(sbi->bdev, (uint64_t)block * (sbi->block_size / SECTOR_SIZE),
			     sbi->block_size / SECTOR_SIZE, buf)) {
			(*errors)++;
			continue;
		}
		for (unsigned int i = 0; i < sbi->block_size / 8; i++) {
			uint64_t w = b * (sbi->block_size / 8) + i;

			if (words[i] != W.last[k][w]) {
				if (lost < 3)
					kprintf("torture writeback: %s word %llu: disk %#llx, last "
						"written %#llx\n",
						path, (unsigned long long)w,
						(unsigned long long)words[i],
						(unsigned long long)W.last[k][w]);
				lost++;
			}
		}
	}
	/* FNV-1a of what the file must hold (the last values), for the host's check. */
	for (unsigned int i = 0; i < sizeof(W.last[k]); i++)
		h = (h ^ ((const uint8_t *)W.last[k])[i]) * 0x100000001b3ULL;
	if (!buf)
		(*errors)++;
	kfree(buf);
	fput(f);
	sys_close(fd);
	*fnv = h;
	return lost;
}

/* Makes the files, zero-filled and on the disk. */
static int wt_make_files(void)
{
	char path[64];
	void *zero = kzalloc(PAGE_SIZE);
	int err = zero ? 0 : -ENOMEM;

	for (unsigned int k = 0; k < WT_FILES && !err; k++) {
		int fd;

		wt_path(path, sizeof(path), k);
		fd = sys_open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			err = fd;
			break;
		}
		for (unsigned int p = 0; p < WT_PAGES && !err; p++)
			if (sys_write(fd, zero, PAGE_SIZE) != PAGE_SIZE)
				err = -EIO;
		sys_close(fd);
	}
	kfree(zero);
	return err ? err : sys_sync();
}

static void wt_report(const char *when)
{
	uint64_t writes = 0, msyncs = 0;
	struct dirty_stats d = dirty_stats();

	for (unsigned int i = 0; i < W.n; i++) {
		writes += READ_ONCE(W.th[i].writes);
		msyncs += READ_ONCE(W.th[i].msyncs);
	}
	kprintf("%swrites %llu, msyncs %llu, dirty %llu, written %llu, PTEs cleaned %llu, "
		"flusher runs %llu\n",
		when, (unsigned long long)writes, (unsigned long long)msyncs,
		(unsigned long long)d.nr_dirty, (unsigned long long)d.written,
		(unsigned long long)d.ptes_cleaned, (unsigned long long)d.flusher_runs);
}

int writeback_torture_run(unsigned int seconds, const char *dev, bool verbose,
			  struct wb_torture_result *r)
{
	unsigned int expire = dirty_expire_ms, period = dirty_writeback_ms;
	struct fault_stats f0 = fault_stats();
	struct dirty_stats d0 = dirty_stats();
	int err;

	memset(r, 0, sizeof(*r));
	if (!mutex_trylock(&wt_mutex))
		return -EBUSY;
	memset(&W, 0, sizeof(W));
	W.last = kzalloc(sizeof(*W.last) * WT_FILES);
	if (!W.last) {
		mutex_unlock(&wt_mutex);
		return -ENOMEM;
	}
	sys_mkdir(WT_DIR, 0755);
	if ((err = sys_mount(dev, WT_DIR, "ext2", 0, NULL))) {
		kfree(W.last);
		mutex_unlock(&wt_mutex);
		return err;
	}
	if ((err = wt_make_files()))
		goto out;
	/* The flusher joins in: pages dirty for 100 ms go, checked every 50 ms. */
	dirty_expire_ms = 100;
	dirty_writeback_ms = 50;
	W.n = MIN(num_online_cpus(), (unsigned int)WT_MAX_THR);
	for (unsigned int i = 0; i < W.n; i++) {
		W.th[i].id = i;
		W.th[i].rnd = 0x9e3779b97f4a7c15ULL * (i + 1) + ktime_ns();
		W.th[i].thread = kthread_create(wt_worker, &W.th[i], "wbtort/%u", i);
		if (!W.th[i].thread) {
			W.th[i].errors++;
			continue;
		}
		kthread_bind(W.th[i].thread, i);
		wake_up_new_thread(W.th[i].thread);
	}
	if (verbose) {
		kprintf("torture writeback: %u threads write into %u shared mappings of %u pages "
			"each "
			"(ext2 on %s), msync every %u writes, flusher expiry %u ms\n",
			W.n, WT_FILES, WT_PAGES, dev, WT_MSYNC_EVERY, dirty_expire_ms);
		torture_watch(seconds, wt_report); /* Ctrl-C ends the writing early */
	} else {
		msleep(seconds * 1000);
	}
	WRITE_ONCE(W.stop, true);
	for (unsigned int i = 0; i < W.n; i++) {
		if (W.th[i].thread)
			kthread_join(W.th[i].thread);
		r->writes += W.th[i].writes;
		r->msyncs += W.th[i].msyncs;
		r->errors += W.th[i].errors;
	}
	dirty_expire_ms = expire;
	dirty_writeback_ms = period;
	if ((err = sys_sync()))
		r->errors++;
	for (unsigned int k = 0; k < WT_FILES; k++) {
		uint64_t fnv;

		r->lost += wt_check_disk(k, &fnv, &r->errors);
		if (verbose)
			kprintf("torture writeback: file wbt-%u fnv1a64 %016llx\n", k,
				(unsigned long long)fnv);
	}
	r->errors += r->lost;
	r->wp_faults = fault_stats().wp_dirty - f0.wp_dirty;
	r->flusher_runs = dirty_stats().flusher_runs - d0.flusher_runs;
	r->pages_written = dirty_stats().written - d0.written;
	err = 0;
out:
	if (sys_umount(WT_DIR) && !err)
		r->errors++;
	kfree(W.last);
	mutex_unlock(&wt_mutex);
	return err;
}

static int writeback_torture(int argc, char **argv)
{
	struct wb_torture_result r;
	unsigned int seconds;
	const char *dev;
	int err;

	if (torture_parse_seconds_and_dev(argc, argv, &seconds, &dev))
		return -EINVAL;
	if ((err = writeback_torture_run(seconds, dev, true, &r))) {
		kprintf("torture writeback: cannot run on %s (%s)\n", dev, errno_name(err));
		return 0;
	}
	kprintf("torture writeback: end: writes %llu, msyncs %llu, write-protect faults %llu, "
		"pages written %llu, flusher runs %llu, lost writes %llu, errors %llu\n",
		(unsigned long long)r.writes, (unsigned long long)r.msyncs,
		(unsigned long long)r.wp_faults, (unsigned long long)r.pages_written,
		(unsigned long long)r.flusher_runs, (unsigned long long)r.lost,
		(unsigned long long)r.errors);
	torture_verdict("writeback", false, (long long)r.errors);
	return 0;
}

TORTURE("writeback", "[--seconds S] [--dev vda]",
	"threads on every CPU write through shared mappings of ext2 files while the flusher and "
	"msync write back; no write may be lost",
	writeback_torture);
