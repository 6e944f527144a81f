/*
 * `torture writeback` (fs/torture/writeback_torture.h).
 *
 * Word w of every file belongs to thread w % threads, which alone writes it; its values grow
 * (thread << 48 | sequence), and the thread remembers the last one in last[][]. Every page is
 * thus written by every thread, through as many mms as there are CPUs, so each writeback
 * cleans entries in several mms and shoots down the TLBs of CPUs that keep writing. Nothing
 * else orders the writers and the writeback: a write that lands after its page's dirty bit was
 * taken must fault and dirty the page again, or the final comparison finds it lost. That
 * comparison runs after each thread's last msync(MS_SYNC) and before it unmaps its files.
 */
#include "fs/torture/writeback_torture.h"
#include "fs/ext2/ext2.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "kernel/kthread.h"
#include "kernel/locking/mutex.h"
#include "kernel/printk.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "kernel/torture/torture.h"
#include "mm/fault.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/slab.h"
#include "mm/uaccess.h"
#include "mm/writeback.h"
#include "mm/rmap.h"
#include "kernel/delay_point.h"
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
#define WT_YIELD_EVERY 64

struct wt_thread {
	unsigned int id;
	uint64_t rnd, seq, writes, msyncs, errors;
	struct thread *thread;
	volatile bool synced; /* stopped, and its files msynced; waits for checked to unmap */
};

static struct {
	const char *tag; /* the files are WT_DIR/tag-K */
	unsigned int n;
	volatile bool stop;
	volatile bool checked;	    /* the disk compared: the threads may unmap */
	uint64_t (*last)[WT_WORDS]; /* [WT_FILES]: the last value written to each word */
	struct wt_thread th[WT_MAX_THR];
} torture;

static DEFINE_MUTEX(wt_mutex);

static void wt_path(char *buf, size_t n, unsigned int k)
{
	snprintf(buf, n, WT_DIR "/%s-%u", torture.tag, k);
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
	while (!READ_ONCE(torture.stop)) {
		unsigned int k = next_rnd(&t->rnd) % WT_FILES;
		unsigned int w = next_rnd(&t->rnd) % (WT_WORDS / torture.n) * torture.n + t->id;
		uint64_t v = (uint64_t)(t->id + 1) << 48 | ++t->seq;

		if (w >= WT_WORDS)
			continue;
		if (put_user_u64(base[k] + w * 8, v)) {
			t->errors++;
			break;
		}
		torture.last[k][w] = v;
		if (++t->writes % WT_YIELD_EVERY == 0)
			yield(); /* the unmap race's writers share this CPU: let them in often */
		if (t->writes % WT_MSYNC_EVERY == 0) {
			if (vm_msync(mm, base[k], WT_PAGES * PAGE_SIZE, MS_SYNC))
				t->errors++;
			t->msyncs++;
		}
	}
	/* msync(MS_SYNC) promises every write before it is on the disk: the check runs before
	   the unmap, whose zap would still find a write kept only in an entry's dirty bit. */
	for (unsigned int k = 0; k < WT_FILES; k++)
		if (vm_msync(mm, base[k], WT_PAGES * PAGE_SIZE, MS_SYNC))
			t->errors++;
out:
	WRITE_ONCE(t->synced, true);
	while (!READ_ONCE(torture.checked))
		msleep(1);
	kthread_unuse_mm(mm);
	mmput(mm); /* unmaps: the pages stay in the cache, dirty ones too */
	return 0;
}

uint64_t wb_check_disk(const char *path, const uint64_t *last, unsigned int words, bool verbose,
		       uint64_t *fnv, uint64_t *errors)
{
	struct file *f;
	struct ext2_sb_info *sbi;
	uint64_t lost = 0, h = 0xcbf29ce484222325ULL;
	char *buf;
	int fd;

	*fnv = 0;
	fd = sys_open(path, O_RDONLY, 0);
	if (fd < 0 || !(f = fget(fd))) {
		(*errors)++;
		if (fd >= 0)
			sys_close(fd);
		return 0;
	}
	sbi = EXT2_SB(f->f_inode->i_sb);
	buf = kmalloc(sbi->block_size);
	for (uint64_t b = 0; buf && b < (uint64_t)words * 8 / sbi->block_size; b++) {
		uint32_t block;
		const uint64_t *disk = (const uint64_t *)buf;

		if (ext2_get_block(f->f_inode, b, false, &block) || !block ||
		    blk_read(sbi->bdev, (uint64_t)block * (sbi->block_size / SECTOR_SIZE),
			     sbi->block_size / SECTOR_SIZE, buf)) {
			(*errors)++;
			continue;
		}
		for (unsigned int i = 0; i < sbi->block_size / 8; i++) {
			uint64_t w = b * (sbi->block_size / 8) + i;

			if (disk[i] != last[w]) {
				if (verbose && lost < 3)
					kprintf("torture writeback: %s word %llu: disk %#llx, last "
						"written %#llx\n",
						path, (unsigned long long)w,
						(unsigned long long)disk[i],
						(unsigned long long)last[w]);
				lost++;
			}
		}
	}
	/* FNV-1a of what the file must hold (the last values), for the host's check. */
	for (unsigned int i = 0; i < words * 8; i++)
		h = (h ^ ((const uint8_t *)last)[i]) * 0x100000001b3ULL;
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

	for (unsigned int i = 0; i < torture.n; i++) {
		writes += READ_ONCE(torture.th[i].writes);
		msyncs += READ_ONCE(torture.th[i].msyncs);
	}
	kprintf("%swrites %llu, msyncs %llu, dirty %llu, written %llu, PTEs cleaned %llu, "
		"flusher runs %llu\n",
		when, (unsigned long long)writes, (unsigned long long)msyncs,
		(unsigned long long)d.nr_dirty, (unsigned long long)d.written,
		(unsigned long long)d.ptes_cleaned, (unsigned long long)d.flusher_runs);
}

/* Starts the writers of their own mms: as many as CPUs (up to WT_MAX_THR), on CPUs 1 and up;
   CPU 0 is the unmap race's remapper's and writebacker's, who must get it when they wake. */
static void wt_start_writers(void)
{
	unsigned int cpus = num_online_cpus();

	torture.n = MIN(cpus, (unsigned int)WT_MAX_THR);
	for (unsigned int i = 0; i < torture.n; i++) {
		torture.th[i].id = i;
		torture.th[i].rnd = 0x9e3779b97f4a7c15ULL * (i + 1) + ktime_ns();
		torture.th[i].thread = kthread_create(wt_worker, &torture.th[i], "wbtort/%u", i);
		if (!torture.th[i].thread) {
			torture.th[i].errors++;
			continue;
		}
		kthread_bind(torture.th[i].thread, cpus > 1 ? 1 + i % (cpus - 1) : 0);
		wake_up_new_thread(torture.th[i].thread);
	}
}

/* Stops everything, and once each thread msynced its files (still mapped), compares the disk
   with the last values written. */
static void wt_stop_and_check(bool verbose, uint64_t start_ns, struct wb_torture_result *r)
{
	char path[64];

	WRITE_ONCE(torture.stop, true);
	for (unsigned int i = 0; i < torture.n; i++)
		while (torture.th[i].thread && !READ_ONCE(torture.th[i].synced))
			msleep(1);
	wb_race_stop(&r->race);
	if (r->race.lost)
		r->first_lost_ms = (r->race.first_lost_ns - start_ns) / 1000000;
	for (unsigned int k = 0; k < WT_FILES; k++) {
		uint64_t fnv;

		wt_path(path, sizeof(path), k);
		r->lost += wb_check_disk(path, torture.last[k], WT_WORDS, r->lost == 0, &fnv,
					 &r->errors);
		if (verbose)
			kprintf("torture writeback: file %s-%u fnv1a64 %016llx\n", torture.tag, k,
				(unsigned long long)fnv);
	}
	WRITE_ONCE(torture.checked, true);
	for (unsigned int i = 0; i < torture.n; i++) {
		if (torture.th[i].thread)
			kthread_join(torture.th[i].thread);
		r->writes += torture.th[i].writes;
		r->msyncs += torture.th[i].msyncs;
		r->errors += torture.th[i].errors;
	}
	if (sys_sync()) /* the inodes' times, for the host's e2fsck */
		r->errors++;
	if (r->lost && !r->race.lost)
		r->first_lost_ms = (ktime_ns() - start_ns) / 1000000;
	r->lost += r->race.lost;
	r->errors += r->lost + r->race.errors;
}

/* Sleeps ms, or less once the unmap race has lost a write and flags ask to stop there. */
static void wt_wait(unsigned int ms, unsigned int flags)
{
	for (unsigned int t = 0; t < ms; t += 50) {
		msleep(MIN(50u, ms - t));
		if ((flags & WB_STOP_AT_LOSS) && wb_race_lost())
			break;
	}
}

int writeback_torture_run(unsigned int ms, const char *dev, const char *tag, unsigned int flags,
			  struct wb_torture_result *r)
{
	unsigned int expire = dirty_expire_ms, period = dirty_writeback_ms;
	struct fault_stats f0 = fault_stats();
	struct dirty_stats d0 = dirty_stats();
	uint64_t start_ns = ktime_ns();
	char path[64];
	int err;

	memset(r, 0, sizeof(*r));
	if (!mutex_trylock(&wt_mutex))
		return -EBUSY;
	memset(&torture, 0, sizeof(torture));
	torture.tag = tag;
	torture.last = kzalloc(sizeof(*torture.last) * WT_FILES);
	if (!torture.last) {
		mutex_unlock(&wt_mutex);
		return -ENOMEM;
	}
	sys_mkdir(WT_DIR, 0755);
	if ((err = sys_mount(dev, WT_DIR, "ext2", 0, NULL))) {
		kfree(torture.last);
		mutex_unlock(&wt_mutex);
		return err;
	}
	snprintf(path, sizeof(path), WT_DIR "/%s-race", tag);
	if ((err = wt_make_files()) || (err = wb_race_start(path)))
		goto out;
	/* The flusher joins in: pages dirty for 100 ms go, checked every 50 ms. */
	dirty_expire_ms = 100;
	dirty_writeback_ms = 50;
	if (!(flags & WB_RACE_ONLY))
		wt_start_writers();
	if (flags & WB_VERBOSE) {
		kprintf("torture writeback: %u threads write into %u shared mappings of %u pages "
			"each (ext2 on %s), msync every %u writes, flusher expiry %u ms; beside "
			"them "
			"the unmap race (%s)\n",
			torture.n, WT_FILES, WT_PAGES, dev, WT_MSYNC_EVERY, dirty_expire_ms, path);
		torture_watch((ms + 999) / 1000, wt_report); /* Ctrl-C ends the writing early */
	} else {
		wt_wait(ms, flags);
	}
	dirty_expire_ms = expire;
	dirty_writeback_ms = period;
	wt_stop_and_check(flags & WB_VERBOSE, start_ns, r);
	r->wp_faults = fault_stats().wp_dirty - f0.wp_dirty;
	r->flusher_runs = dirty_stats().flusher_runs - d0.flusher_runs;
	r->pages_written = dirty_stats().written - d0.written;
	err = 0;
out:
	if (sys_umount(WT_DIR) && !err)
		r->errors++;
	kfree(torture.last);
	mutex_unlock(&wt_mutex);
	return err;
}

/* The broken variants of dirty tracking (enum dirty_broken, mm/rmap.h), in its order. */
static const struct torture_broken wb_broken[] = {
	{.name = "mkclean-keeps-write",
	 .removes = "page_mkclean clears the dirty bit but leaves the entry writable: "
		    "later writes never fault, and are lost"},
	{.name = "zap-flush-unlocked",
	 .removes = "munmap flushes after dropping page_table_lock even for a writable "
		    "shared file entry (Linux before 6.1): writes in between are lost"},
	{.name = "protnone-unseen",
	 .removes = "mprotect(PROT_NONE) drops the hidden entry's dirty bit: page_mkclean "
		    "passes over it before mprotect's flush, and writes in between are lost"},
	{.name = NULL},
};

#define WIDEN_US      20000 /* the delay points' wait: the window between the zap and its flush */
#define SELF_CHECK_MS 4000  /* at most: a race variant stops at its first loss */

static unsigned int widen_us = WIDEN_US; /* --delay */

void writeback_torture_widen(unsigned int us)
{
	delay_point_set("zap-unlocked", us, 1);
	delay_point_set("mprotect-unlocked", us, 1);
}

int writeback_torture_broken(enum dirty_broken v, unsigned int ms, unsigned int us,
			     struct wb_torture_result *r)
{
	int err;

	WRITE_ONCE(dirty_broken, v);
	writeback_torture_widen(us);
	/* The race's variants run it alone (the other writers would only load the CPUs), and
	   stop at its first lost write. Keeping the entry writable loses every write after the
	   first writeback, which the final check sees: a second is plenty. */
	if (v == DIRTY_BROKEN_MKCLEAN_KEEPS_WRITE)
		err = writeback_torture_run(MIN(ms, 1000u), "vda", "wbb", 0, r);
	else
		err = writeback_torture_run(ms, "vda", "wbb", WB_RACE_ONLY | WB_STOP_AT_LOSS, r);
	delay_points_off();
	WRITE_ONCE(dirty_broken, DIRTY_SOUND);
	return err;
}

static int wb_run_broken(unsigned int v, unsigned int ms, struct torture_broken_result *res)
{
	struct wb_torture_result r;
	uint64_t t0 = ktime_ns();
	int err = writeback_torture_broken((enum dirty_broken)(v + 1), ms, widen_us, &r);

	if (err)
		return err;
	res->errors = (long long)r.lost;
	res->first_ms = r.first_lost_ms;
	res->ms = (ktime_ns() - t0) / 1000000;
	return 0;
}

static int writeback_torture(int argc, char **argv)
{
	struct torture_opts o = {.dev = "vda"};
	struct wb_torture_result r;
	int err, not_caught;

	if (torture_parse(argc, argv, &o))
		return -EINVAL;
	widen_us = o.delay_us < 0 ? WIDEN_US : (unsigned int)o.delay_us;
	if (o.broken)
		return torture_run_broken("writeback", wb_broken, o.broken, o.seconds,
					  wb_run_broken);
	writeback_torture_widen(widen_us); /* the real mechanism must stay clean with the
					      windows wide open */
	err = writeback_torture_run(o.seconds * 1000, o.dev, "wbt", WB_VERBOSE, &r);
	delay_points_off();
	if (err) {
		kprintf("torture writeback: cannot run on %s (%s)\n", o.dev, errno_name(err));
		return 0;
	}
	kprintf("torture writeback: end: writes %llu, msyncs %llu, write-protect faults %llu, "
		"pages written %llu, flusher runs %llu, lost writes %llu, errors %llu\n",
		(unsigned long long)r.writes, (unsigned long long)r.msyncs,
		(unsigned long long)r.wp_faults, (unsigned long long)r.pages_written,
		(unsigned long long)r.flusher_runs, (unsigned long long)r.lost,
		(unsigned long long)r.errors);
	kprintf("torture writeback: unmap race: %llu rounds (%llu munmaps, %llu mprotects), %llu "
		"writes, %llu fsyncs, lost writes %llu (in %llu rounds), errors %llu\n",
		(unsigned long long)r.race.rounds, (unsigned long long)r.race.munmaps,
		(unsigned long long)r.race.mprotects, (unsigned long long)r.race.writes,
		(unsigned long long)r.race.fsyncs, (unsigned long long)r.race.lost,
		(unsigned long long)r.race.lost_rounds, (unsigned long long)r.race.errors);
	not_caught = torture_self_check("writeback", wb_broken, SELF_CHECK_MS, wb_run_broken);
	torture_verdict_checked("writeback", false, (long long)r.errors, not_caught);
	return 0;
}

TORTURE_WITH_BROKEN("writeback", "[--seconds S] [--dev vda] [--broken VARIANT] [--delay US]",
		    "threads on every CPU write through shared mappings of ext2 files while the "
		    "flusher and msync write back, and other threads unmap and mprotect; no write "
		    "may be lost",
		    writeback_torture, wb_broken);
