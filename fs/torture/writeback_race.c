/*
 * The unmap race of `torture writeback` (fs/torture/writeback_torture.h): where mechanism 3 (dirty
 * tracking) meets mechanism 4 (the mmu_gather).
 *
 * Writers, threads of one mm on CPUs 1 and up, write through a shared mapping of an ext2 file,
 * each into the words it owns, and in a round all keep to one page, so their TLBs keep the
 * page's writable entry. A writebacker on CPU 0 calls fsync now and then, and at once when a
 * window (below) opens. A remapper in the same mm, on CPU 0 too, ends each round by unmapping,
 * or hiding with mprotect(PROT_NONE), all or a piece of the mapping. Between clearing the entries and the TLB flush (widened by the
 * delay points zap-unlocked and mprotect-unlocked, which sleep there so the writebacker gets
 * CPU 0), the writers still write the pages through their TLBs; a writeback in that window
 * must see those entries, or find them flushed, else a write lands in a page it has just
 * marked clean and never reaches the disk.
 *
 * Each round ends with a check that later writes cannot hide: the remapper tells the writers to
 * stop, waits until they have (each recorded its last successful write), runs fsync, and reads
 * the file from the disk past the page cache: every word must hold the last value written. Then
 * it maps the file again for the next round. Nothing is written to the pages in between, so a
 * lost write cannot be written back by a later one before the check sees it.
 */
#include "fs/torture/writeback_torture.h"
#include "fs/file.h"
#include "fs/syscalls.h"
#include "kernel/delay_point.h"
#include "kernel/kthread.h"
#include "kernel/printk.h"
#include "kernel/sched/sched.h"
#include "kernel/sched/sleep.h"
#include "kernel/smp.h"
#include "mm/mm.h"
#include "mm/mmap.h"
#include "mm/vma.h"
#include "mm/uaccess.h"
#include "mm/slab.h"
#include "arch/x86_64/tsc.h"
#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/string.h"

#define RACE_PAGES	 4
#define PAGE_WORDS	 (PAGE_SIZE / 8)
#define RACE_WORDS	 (RACE_PAGES * PAGE_WORDS)
#define RACE_MAX_WRITERS 8

static struct {
	char path[64];
	struct mm *mm;
	uint64_t base;		 /* where the file is mapped in mm, every round */
	unsigned int nr_writers; /* writer w owns the words w, w + nr_writers, ... */
	volatile bool stop;
	volatile unsigned int round; /* odd: writers write; even: they stop and say so */
	volatile unsigned int hot;   /* the page the writers keep to in this round */
	atomic_t stopped;	     /* writers that saw the round end */
	uint64_t last[RACE_WORDS];   /* the last value each word was written */
	struct thread *threads[RACE_MAX_WRITERS + 2]; /* writers, remapper, writebacker */
	struct wb_race_result res;
	atomic64_t writes, fsyncs, wb_errors; /* wb_errors: the writebacker's, beside res.errors */
} race;

static uint64_t next_rnd(uint64_t *x)
{
	*x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
	return *x;
}

/* Waits while the round is even (the remapper checks); says so once per round. */
static void wait_for_round(unsigned int *seen)
{
	unsigned int r = READ_ONCE(race.round);

	if (r & 1)
		return;
	if (*seen != r) {
		*seen = r;
		atomic_inc(&race.stopped); /* a locked instruction: last[] is stored before it */
	}
	while (READ_ONCE(race.round) == r && !READ_ONCE(race.stop))
		yield();
}

/* A word writer id owns in the page, at random. */
static unsigned int pick_word(unsigned int id, unsigned int page, uint64_t *rnd)
{
	unsigned int per_page = PAGE_WORDS / race.nr_writers; /* nr_writers divides PAGE_WORDS */

	return page * PAGE_WORDS + (unsigned int)(next_rnd(rnd) % per_page) * race.nr_writers + id;
}

static int race_writer(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, seen = 0;
	uint64_t rnd = 0x9e3779b97f4a7c15ULL * (id + 7) + ktime_ns(), seq = 0;

	kthread_use_mm(race.mm);
	while (!READ_ONCE(race.stop)) {
		uint64_t v = (uint64_t)(id + 1) << 48 | ++seq;
		unsigned int w;

		wait_for_round(&seen);
		w = pick_word(id, READ_ONCE(race.hot), &rnd);
		if (!put_user_u64(race.base + w * 8, v)) {
			race.last[w] = v; /* it landed in the page: it must reach the disk */
			atomic64_inc(&race.writes);
		}
	}
	kthread_unuse_mm(race.mm);
	return 0;
}

/* Windows the delay points have opened so far (each zap or mprotect that waited in one). */
static uint64_t windows_opened(void)
{
	struct delay_point *z = delay_point_find("zap-unlocked");
	struct delay_point *p = delay_point_find("mprotect-unlocked");

	return (uint64_t)atomic64_read(&z->hits) + (uint64_t)atomic64_read(&p->hits);
}

/*
 * Writes the file back as soon as a window opens (the remapper sleeps in it, so this thread has
 * CPU 0), and otherwise every WB_IDLE_TICKS ticks. Writing back more often would clean the
 * writers' page before most cuts: their next write would fault and wait for mmap_lock, which
 * the remapper holds, and no TLB would hold a writable entry in the window.
 */
#define WB_IDLE_TICKS 8

static int writebacker(void *arg)
{
	int fd = sys_open(race.path, O_RDWR, 0);
	uint64_t seen = windows_opened();
	unsigned int idle = 0;

	(void)arg;
	while (fd >= 0 && !READ_ONCE(race.stop)) {
		uint64_t now = windows_opened();

		if (now == seen && ++idle < WB_IDLE_TICKS) {
			msleep(1);
			continue;
		}
		seen = now;
		idle = 0;
		if (sys_fsync(fd))
			atomic64_inc(&race.wb_errors);
		atomic64_inc(&race.fsyncs);
	}
	if (fd < 0)
		atomic64_inc(&race.wb_errors);
	else
		sys_close(fd);
	return 0;
}

/* Maps the file at race.base (the first time wherever mmap puts it). 0 or the error. */
static int map_file(int fd)
{
	int64_t a = sys_mmap(race.mm, race.base, RACE_PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | (race.base ? MAP_FIXED : 0), fd, 0);

	if (a < 0)
		return (int)a;
	race.base = (uint64_t)a;
	return 0;
}

/* Ends a round: the mapping unmapped or hidden, whole or a piece that holds the hot page, while
   the writers write. */
static void cut(uint64_t *rnd)
{
	unsigned int first = (unsigned int)(next_rnd(rnd) % (race.hot + 1));
	unsigned int pages = next_rnd(rnd) % 2 ? RACE_PAGES - first : race.hot + 1 - first;
	uint64_t start = race.base + first * PAGE_SIZE, len = pages * PAGE_SIZE;
	int err;

	if (next_rnd(rnd) % 2) {
		err = vm_munmap(race.mm, start, len);
		race.res.munmaps++;
	} else {
		err = vm_mprotect(race.mm, start, len, PROT_NONE);
		race.res.mprotects++;
	}
	if (err)
		race.res.errors++;
}

/*
 * The writers have stopped: everything written must be on the disk after an fsync. A round that
 * lost words writes the file again from last[], so the next round starts even and counts only
 * its own losses.
 */
static void check_round(int fd)
{
	uint64_t fnv, lost;

	if (sys_fsync(fd))
		race.res.errors++;
	lost = wb_check_disk(race.path, race.last, RACE_WORDS, race.res.lost == 0, &fnv,
			     &race.res.errors);
	if (!lost)
		return;
	if (race.res.lost == 0) {
		race.res.first_lost_round = race.res.rounds;
		race.res.first_lost_ns = ktime_ns();
	}
	race.res.lost += lost;
	race.res.lost_rounds++;
	if (sys_pwrite(fd, race.last, sizeof(race.last), 0) != sizeof(race.last) || sys_fsync(fd))
		race.res.errors++;
}

static int remapper(void *arg)
{
	uint64_t rnd = 0x2545f4914f6cdd1dULL ^ ktime_ns();
	int fd = sys_open(race.path, O_RDWR, 0);

	(void)arg;
	kthread_use_mm(race.mm);
	while (fd >= 0 && !READ_ONCE(race.stop)) {
		if (map_file(fd)) {
			race.res.errors++;
			break;
		}
		atomic_set(&race.stopped, 0);
		race.hot = (unsigned int)(next_rnd(&rnd) % RACE_PAGES);
		WRITE_ONCE(race.round, race.round + 1); /* odd: write */
		msleep(10);
		cut(&rnd);
		WRITE_ONCE(race.round, race.round + 1); /* even: stop and say so */
		while (atomic_read(&race.stopped) < (int)race.nr_writers && !READ_ONCE(race.stop))
			yield();
		if (READ_ONCE(race.stop))
			break;
		check_round(fd);
		race.res.rounds++;
	}
	if (fd < 0)
		race.res.errors++;
	kthread_unuse_mm(race.mm);
	if (fd >= 0)
		sys_close(fd);
	return 0;
}

/* A zero-filled file of RACE_PAGES pages, on the disk. */
static int make_file(void)
{
	void *zero = kzalloc(PAGE_SIZE);
	int fd = sys_open(race.path, O_RDWR | O_CREAT | O_TRUNC, 0644), err = 0;

	if (!zero || fd < 0)
		err = fd < 0 ? fd : -ENOMEM;
	for (unsigned int p = 0; p < RACE_PAGES && !err; p++)
		if (sys_write(fd, zero, PAGE_SIZE) != PAGE_SIZE)
			err = -EIO;
	if (fd >= 0 && !err)
		err = sys_fsync(fd);
	if (fd >= 0)
		sys_close(fd);
	kfree(zero);
	return err;
}

static struct thread *start_thread(unsigned int i, unsigned int cpu)
{
	struct thread *t;

	if (i < race.nr_writers)
		t = kthread_create(race_writer, (void *)(uintptr_t)i, "wbrace/%u", i);
	else if (i == race.nr_writers)
		t = kthread_create(remapper, NULL, "wbremap");
	else
		t = kthread_create(writebacker, NULL, "wbfsync");
	if (!t) {
		race.res.errors++;
		return NULL;
	}
	kthread_bind(t, cpu);
	wake_up_new_thread(t);
	return t;
}

int wb_race_start(const char *path)
{
	unsigned int cpus = num_online_cpus();
	int err;

	memset(&race, 0, sizeof(race));
	strlcpy(race.path, path, sizeof(race.path));
	race.nr_writers = cpus > 2 ? (cpus - 1 >= 4 ? 4 : 2) : 1; /* a power of 2: divides a page */
	if ((err = make_file()))
		return err;
	if (!(race.mm = mm_alloc("wbrace")))
		return -ENOMEM;
	/* The writers on CPUs 1 and up (with one CPU, on it), the other two on CPU 0. */
	for (unsigned int i = 0; i < race.nr_writers + 2; i++)
		race.threads[i] =
			start_thread(i, i < race.nr_writers && cpus > 1 ? 1 + i % (cpus - 1) : 0);
	return 0;
}

uint64_t wb_race_lost(void)
{
	return READ_ONCE(race.res.lost);
}

void wb_race_stop(struct wb_race_result *r)
{
	WRITE_ONCE(race.stop, true);
	for (unsigned int i = 0; i < race.nr_writers + 2; i++)
		if (race.threads[i])
			kthread_join(race.threads[i]);
	if (race.mm)
		mmput(race.mm);
	race.res.writes = (uint64_t)atomic64_read(&race.writes);
	race.res.fsyncs = (uint64_t)atomic64_read(&race.fsyncs);
	race.res.errors += (uint64_t)atomic64_read(&race.wb_errors);
	if (race.res.rounds == 0)
		race.res.errors++; /* nothing was checked */
	*r = race.res;
}
